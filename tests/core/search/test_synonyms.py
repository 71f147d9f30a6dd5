import pytest

from core.codes.record import System
from core.search.synonyms import SynonymFileError, SynonymTable
from core.search.text import terms


def test_the_shipped_table_has_at_least_300_entries() -> None:
    assert len(SynonymTable.load()) >= 300


def test_keys_match_any_form_of_their_words_and_respect_systems() -> None:
    table = SynonymTable.from_lines([
        "# header\n",
        "bad tummy\tgastroenteritis | gastritis\ticd10cm\n",
        "chair\twheelchair\thcpcs,cpt\n",
    ])
    found = table.lookup(tuple(terms("bad tummies")), None)
    assert found is not None and tuple(terms("gastritis")) in found.phrases
    assert table.lookup(tuple(terms("chair")), System.HCPCS) is not None
    assert table.lookup(tuple(terms("chair")), System.ICD10CM) is None


def test_a_line_without_three_columns_is_refused_with_its_number() -> None:
    with pytest.raises(SynonymFileError, match="line 2"):
        SynonymTable.from_lines(["# ok\n", "only two\tcolumns\n"])
