"""The code-system registry: one place for labels, aliases, code shapes and examples."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.codes import systems
from core.codes.normalize import find_code_tokens, parse_code
from core.codes.record import System as RecordSystem
from core.codes.systems import SYSTEMS, CptCategory, System, cpt_category

ROOT = Path(__file__).resolve().parents[3]


def test_every_system_is_registered_with_a_valid_example() -> None:
    assert set(SYSTEMS) == set(System)
    for system, spec in SYSTEMS.items():
        assert spec.system is system
        assert spec.is_code(spec.example), spec.example
        assert system.label == spec.label


def test_record_module_re_exports_the_same_enum() -> None:
    assert RecordSystem is System


@pytest.mark.parametrize(("typed", "system"), [
    ("icd10", System.ICD10CM), ("ICD-10-CM", System.ICD10CM), ("icd", System.ICD10CM),
    ("HCPCS", System.HCPCS), ("hcpcs ii", System.HCPCS), ("CPT", System.CPT), ("cpt-4", System.CPT),
])
def test_aliases_people_type(typed: str, system: System) -> None:
    assert System.parse(typed) is system


def test_unknown_alias_is_none() -> None:
    assert System.parse("snomed") is None


@pytest.mark.parametrize(("typed", "canonical"), [
    ("e119", "E11.9"), ("E11.9", "E11.9"), ("QA00101", "QA0.0101"), ("qa0.0101", "QA0.0101"),
    ("T148XXZ", "T14.8XXZ"), ("R51", "R51"),
])
def test_icd_canonical_form(typed: str, canonical: str) -> None:
    assert SYSTEMS[System.ICD10CM].canonical(typed) == canonical


def test_word_like_text_is_not_an_icd_code() -> None:
    assert SYSTEMS[System.ICD10CM].canonical("FLU") is None
    assert SYSTEMS[System.ICD10CM].canonical("QAB") is None


@pytest.mark.parametrize(("code", "category"), [
    ("99213", CptCategory.CATEGORY_I), ("3074F", CptCategory.CATEGORY_II),
    ("0042T", CptCategory.CATEGORY_III), ("0001U", CptCategory.PLA), ("J1885", None),
])
def test_cpt_category_by_shape(code: str, category: CptCategory | None) -> None:
    assert cpt_category(code) is category


def test_normalize_reads_shapes_from_the_registry() -> None:
    parsed = parse_code("qa0.0101")
    assert not hasattr(parsed, "reason")
    assert [(g.system, g.code) for g in parsed.guesses] == [(System.ICD10CM, "QA0.0101")]  # type: ignore[union-attr]
    assert find_code_tokens("about QA0.0101 and 3074F") == ["QA0.0101", "3074F"]


def test_family_prefixes() -> None:
    assert (System.ICD10CM, "E11.9") in systems.family_prefixes("E119")
    assert (System.CPT, "992") in systems.family_prefixes("992")
    assert systems.undotted_prefix("E119", None) == "E11.9"
    assert systems.undotted_prefix("E119", System.CPT) is None


def test_no_other_module_defines_code_shapes() -> None:
    """Code-shape regexes live only in systems.py (the issue found four copies)."""
    shapes = re.compile(r"\\d\{4\}\[0-9FTU\]|\[A-CEGHJ|\[A-Z\]\\d\[0-9A-Z\]|\[A-V\]\\d\{4\}")
    offenders = [
        str(path.relative_to(ROOT)) for folder in ("core", "adapters", "bots")
        for path in (ROOT / folder).rglob("*.py")
        if path.name != "systems.py" and shapes.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
