import pytest

from core.codes.normalize import CodeGuess, Parsed, Unparsed, find_code_tokens, parse_code
from core.codes.record import System


@pytest.mark.parametrize(
    ("typed", "system", "code"),
    [
        ("86357", System.CPT, "86357"),
        ("e11.9", System.ICD10CM, "E11.9"),
        ("E119", System.ICD10CM, "E11.9"),
        (" E11.9 ", System.ICD10CM, "E11.9"),
        ("S62.101A", System.ICD10CM, "S62.101A"),
        ("J1885", System.HCPCS, "J1885"),
        ("0001U", System.CPT, "0001U"),
        ("99213?", System.CPT, "99213"),
    ],
)
def test_what_people_type_becomes_a_canonical_code(typed: str, system: System, code: str) -> None:
    parsed = parse_code(typed)
    assert isinstance(parsed, Parsed)
    assert parsed.guesses[0] == CodeGuess(system, code)


@pytest.mark.parametrize(("typed", "system", "code"),
                         [("mod 25", System.CPT, "25"), ("-59", System.CPT, "59"),
                          ("modifier 25", System.CPT, "25"), ("-LT", System.HCPCS, "LT"),
                          ("mod GA", System.HCPCS, "GA")])
def test_modifier_spellings(typed: str, system: System, code: str) -> None:
    parsed = parse_code(typed)
    assert isinstance(parsed, Parsed)
    assert parsed.guesses[0] == CodeGuess(system, code, modifier=True)


def test_letter_and_four_digits_is_read_both_ways_with_the_hint_first() -> None:
    parsed = parse_code("J1885", hint=System.ICD10CM)
    assert isinstance(parsed, Parsed)
    assert [g.system for g in parsed.guesses] == [System.ICD10CM, System.HCPCS]
    assert parsed.guesses[0].code == "J18.85"


@pytest.mark.parametrize(("typed", "reason"),
                         [("", "nothing"), ("1234", "5 digits"), ("???", "no letters or digits"),
                          ("x" * 50, "too long"), ("hello", "does not look like")])
def test_malformed_input_says_why(typed: str, reason: str) -> None:
    parsed = parse_code(typed)
    assert isinstance(parsed, Unparsed)
    assert reason in parsed.reason


def test_codes_are_found_in_free_text_in_order_without_years_or_words() -> None:
    text = "what is 99213 and E11.9? in 2024 we billed j1885 for e119"
    assert find_code_tokens(text) == ["99213", "E11.9", "J1885", "E119"]
