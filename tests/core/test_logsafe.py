from core import logsafe


def test_the_description_names_the_type_and_place_but_not_the_message() -> None:
    try:
        {"a": 1}["patient Jane Doe, DOB 1980-01-01"]
    except KeyError as exc:
        text = logsafe.describe(exc)
    assert text.startswith("KeyError at ") and "test_logsafe.py" in text
    assert "Jane" not in text and "1980" not in text
