"""The shipped case sets and lexicon are medically usable: every code exists in the FY2026 catalog and is
billable, the sets are large enough, and every rule Case2Code applies is exercised."""

from __future__ import annotations

import pytest

from core.assistant.case2code.eval import read_cases
from core.assistant.case2code.lexicon import Lexicon
from core.codes.catalog import Catalog
from core.codes.record import System
from tests.conftest import ROOT

DEV = ROOT / "data" / "eval" / "cases.tsv"
HELD_OUT = ROOT / "data" / "eval" / "cases_holdout.tsv"
RULE_TAGS = ("diabetes-ckd", "diabetes", "htn-ckd", "htn-heart", "htn-heart-ckd", "covid", "sepsis", "obesity-bmi",
             "pregnancy", "use-additional", "negation", "uncertain", "uncertain-inpatient", "history", "laterality",
             "encounter", "placeholder", "single", "missing")


@pytest.mark.parametrize("path", [DEV, HELD_OUT], ids=["dev", "held-out"])
def test_every_expected_code_is_a_billable_fy2026_code(catalog: Catalog, path: object) -> None:
    bad = []
    for case in read_cases(path):  # type: ignore[arg-type]
        for code in case.codes:
            record = catalog.get(System.ICD10CM, code)
            if record is None or not record.billable:
                bad.append((case.line, code))
    assert bad == []


def test_the_sets_are_big_enough_and_cover_every_rule() -> None:
    dev, held_out = read_cases(DEV), read_cases(HELD_OUT)
    assert len(held_out) >= 30 and len(dev) + len(held_out) >= 120
    assert not {c.text for c in dev} & {c.text for c in held_out}
    covered = {tag for case in dev + held_out for tag in case.covers}
    assert [tag for tag in RULE_TAGS if tag not in covered] == []
    assert any(case.setting == "inpatient" for case in held_out)


def test_every_code_in_the_lexicon_is_billable(catalog: Catalog) -> None:
    bad = []
    for concept in Lexicon.load().concepts.values():
        history = "" if concept.history == "=" else concept.history
        for field in (concept.code, concept.right, concept.left, concept.bilateral, history, concept.family):
            for code in filter(None, field.split("+")):
                for encounter in ("A", "D", "S") if "{enc}" in code else ("",):
                    real = code.replace("{enc}", encounter)
                    record = catalog.get(System.ICD10CM, real)
                    if record is None or not record.billable:
                        bad.append((concept.id, real))
    assert bad == []
