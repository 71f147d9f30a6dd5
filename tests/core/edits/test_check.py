"""Reading a claim: lines `CODE[-MOD…][xUNITS]`, diagnoses with or without the dot, options."""

from datetime import date

import pytest

from core.edits.check import ClaimInputError, parse_claim
from core.edits.claim import ClaimLine


def test_lines_diagnoses_and_options_are_read() -> None:
    claim = parse_claim("99214-25 11102-rt-59x2 J1885X2 e119 N1832 S62.101A date:2026-11-15 hospital")
    assert claim.lines == (ClaimLine("99214", ("25",), 1, "99214-25"), ClaimLine("11102", ("RT", "59"), 2,
                                                                                   "11102-rt-59x2"),
                           ClaimLine("J1885", (), 2, "J1885X2"))
    assert claim.diagnoses == ("E11.9", "N18.32", "S62.101A")
    assert claim.date_of_service == date(2026, 11, 15) and claim.hospital


@pytest.mark.parametrize(("text", "message"), [
    ("99214 E11.9-25", "“E11.9-25” is not a claim line"),
    ("99214x0", "99214x0: units must be 1 or more"),
    ("99214 date:2026-02-30", "date:2026-02-30 is not a real date"),
    ("99214 date:tomorrow", "date:tomorrow is not a date"),
    (" ".join(["99214"] * 31), "31 lines: check at most 30 at a time"),
])
def test_what_cannot_be_read_is_named(text: str, message: str) -> None:
    with pytest.raises(ClaimInputError) as refused:
        parse_claim(text)
    assert str(refused.value).startswith(message)
