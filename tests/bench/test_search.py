"""bench/search.py: the query-set reader and the scores the table prints."""

from pathlib import Path

from bench.search import DevQuery, read_dev_set, score
from core.codes.record import System


def test_the_bench_reads_query_sets_and_scores_prefixes(tmp_path: Path) -> None:
    path = tmp_path / "set.tsv"
    path.write_text("# a comment\nquery\tsystem\taccepted\nsugar\ticd10cm\tE11.9, E11.6*\nstick\tall\tA0001\n",
                    encoding="utf-8")
    queries = read_dev_set(path)
    assert queries == [DevQuery("sugar", System.ICD10CM, ("E119", "E116*")), DevQuery("stick", None, ("A0001",))]
    assert queries[0].accepts("E11.65") and not queries[0].accepts("E11.8")
    result = score(queries, [["E11.8", "E11.65"], ["X"]], [1.0, 3.0])
    assert (result.recall1, result.recall5, result.mrr) == (0.0, 0.5, 0.25)
