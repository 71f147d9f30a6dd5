from datetime import date

from core.edits.periods import Period, period_from_name


def test_quarters_are_read_from_each_cms_naming_convention() -> None:
    assert period_from_name("medicare-ncci-2026q4-practitioner-ptp-edits-ccipra-v323r0-f1.zip") == Period(2026, 4)
    assert period_from_name("ccipra-v320r0-f2.txt") == Period(2026, 1)  # v32.0: January 2026
    assert period_from_name("ccioph-v311r0-f1.txt") == Period(2025, 2)
    assert period_from_name("MCR_MUE_PractitionerServices_Eff_10-01-2026.csv") == Period(2026, 4)
    assert period_from_name("AOC_V2025Q4_01-MCR.txt") == Period(2025, 4)
    assert period_from_name("PPRRVU2026_Jan_nonQPP.csv") == Period(2026, 1)
    assert period_from_name("PPRRVU2026_Jul_QPP.csv") == Period(2026, 3)
    assert period_from_name("GPCI2026.csv", yearly=True) == Period(2026)
    assert period_from_name("edits.txt") is None


def test_a_period_parses_labels_and_knows_its_first_day() -> None:
    assert Period.parse("2026Q4") == Period(2026, 4) and Period.parse("2026q4").label == "2026Q4"  # type: ignore[union-attr]
    assert Period.parse("2026") == Period(2026) and Period(2026).starts == date(2026, 1, 1)
    assert Period(2026, 4).starts == date(2026, 10, 1)
    assert Period.parse("Q4") is None and Period.parse("2026Q5") is None
    assert Period.of_date(date(2026, 11, 15)) == Period(2026, 4)
