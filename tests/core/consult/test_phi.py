"""core/consult/phi.py: identifiers are found by kind and never echoed; coding questions pass."""

from __future__ import annotations

import pytest

from core.consult.phi import findings, refusal_text


@pytest.mark.parametrize("question", [
    "Can I bill 99214-25 with 11102 when the biopsy was planned?",
    "Is G0439 billable with 99397 for Medicare on the same day?",
    "Blue Cross denied 99213 on 03/04/2026 — which modifier?",
    "E11.9 and I10 with 93000, DOS 12/01/2025, 67-year-old female",
    "Does NCCI bundle 29881 into 29880 (edit 0/1)?",
    "Office visit for a new patient, 45 minutes, 99204 or 99205?",
])
def test_coding_questions_pass(question: str) -> None:
    assert findings(question) == []


@pytest.mark.parametrize(("text", "kind"), [
    ("Patient John Smith DOB 03/04/1961 had 11102", "dob"),
    ("John Smith 1961-03-04 came in for 99214", "name_dob"),
    ("Mrs. Jones, 4 Jan 1950, had a biopsy", "name_dob"),
    ("born on Jan 4, 1950 and seen for E11.9", "dob"),
    ("MRN 123456 needs E11.9", "record"),
    ("member id: ABC12345 was denied", "record"),
    ("Medicare MBI 1EG4TE5MK73 denied 99214", "record"),
    ("call me at (555) 123-4567 about 99213", "phone"),
    ("her number is 555.123.4567", "phone"),
    ("ssn 123-45-6789 on the claim", "ssn"),
    ("SSN: 123456789", "ssn"),
])
def test_identifiers_are_found_by_kind(text: str, kind: str) -> None:
    assert kind in {f.kind for f in findings(text)}


def test_the_refusal_names_what_to_remove_without_echoing_it() -> None:
    found = findings("Pt Jane Roe DOB 02/03/1970 MRN 778899 phone 555-201-3344")
    message = refusal_text(found)
    assert "date of birth" in message and "record" in message and "phone number" in message
    for secret in ("Jane", "Roe", "02/03/1970", "778899", "555-201-3344"):
        assert secret not in message
