"""Case2Code on cases a coder would type: the code set, the words and rule behind each code, what is
left out and why, what is missing, and the sources."""

from __future__ import annotations

import pytest

from core.assistant.case2code import CaseProposal, propose
from core.codes.catalog import Catalog


def codes(catalog: Catalog, text: str, setting: str = "outpatient") -> set[str]:
    return set(propose(catalog, text, setting).code_set)


def test_the_issue_example_gets_the_diabetic_ckd_and_hypertensive_ckd_codes(catalog: Catalog) -> None:
    proposal = propose(catalog, "58 yo, type 2 diabetes with stage 3b CKD, also hypertension, follow-up visit")
    assert proposal.code_set == {"E11.22", "I12.9", "N18.32"}
    by_code = {c.code: c for c in proposal.codes}
    assert by_code["E11.22"].title == "Type 2 diabetes mellitus with diabetic chronic kidney disease"
    assert "type 2 diabetes" in by_code["E11.22"].evidence and "CKD" in by_code["E11.22"].evidence
    assert "with" in by_code["E11.22"].rule
    assert "hypertension" in by_code["I12.9"].evidence and "presumed" in by_code["I12.9"].rule
    assert "N18.1-N18.6" in by_code["N18.32"].rule  # cites E11.22's "use additional code" note
    assert proposal.sources[0] == "ICD-10-CM FY2026 (April 2026 update)"
    assert any("I.C.4.a" in s for s in proposal.sources) and any("I.C.9.a" in s for s in proposal.sources)
    text = proposal.text()
    assert "a coder decides" in text and "E11.22" in text and "N18.32" in text


def test_negated_conditions_are_left_out_and_said_so(catalog: Catalog) -> None:
    proposal = propose(catalog, "Denies chest pain. Complains of cough and fever.")
    assert proposal.code_set == {"R05.9", "R50.9"}
    assert [(item.words, "negated" in item.reason) for item in proposal.left_out] == [("chest pain", True)]
    assert codes(catalog, "Cough and fever, denies shortness of breath") == {"R05.9", "R50.9"}
    assert codes(catalog, "Hypertensive heart disease, no heart failure") == {"I11.9"}
    assert codes(catalog, "Denies chest pain, no fever") == set()


def test_uncertain_diagnoses_code_the_symptoms_outpatient_and_the_diagnosis_inpatient(catalog: Catalog) -> None:
    outpatient = propose(catalog, "Rule out pneumonia; presents with cough and shortness of breath")
    assert outpatient.code_set == {"R05.9", "R06.02"}
    assert any(item.words == "pneumonia" and "uncertain" in item.reason for item in outpatient.left_out)
    assert any("IV.H" in s for s in outpatient.sources)
    assert codes(catalog, "Suspected appendicitis with right lower quadrant pain") == {"R10.31"}
    assert codes(catalog, "Probable pneumonia, admitted for IV antibiotics", "inpatient") == {"J18.9"}


def test_history_gives_history_codes_but_a_chronic_condition_stays_coded(catalog: Catalog) -> None:
    assert codes(catalog, "Former smoker with COPD") == {"J44.9", "Z87.891"}
    assert codes(catalog, "History of breast cancer, completed treatment, no recurrence") == {"Z85.3"}
    assert codes(catalog, "History of myocardial infarction") == {"I25.2"}
    assert codes(catalog, "Family history of colon cancer") == {"Z80.0"}
    assert codes(catalog, "Pt w/ hx of HTN, here for refill") == {"I10"}


@pytest.mark.parametrize(("text", "setting", "expected"), [
    ("Hypertension, CKD stage 3a and chronic systolic heart failure", "outpatient", {"I13.0", "I50.22", "N18.31"}),
    ("Hypertension, ESRD on dialysis, heart failure", "outpatient", {"I13.2", "I50.9", "N18.6", "Z99.2"}),
    ("Hypertension and HFpEF", "outpatient", {"I11.0", "I50.30"}),
    ("COVID-19 pneumonia", "inpatient", {"U07.1", "J12.82"}),
    ("COVID-19 with fever and cough", "outpatient", {"U07.1"}),
    ("Severe sepsis with septic shock due to MRSA", "inpatient", {"A41.02", "R65.21"}),
    ("Sepsis due to E. coli UTI", "inpatient", {"A41.51", "N39.0"}),
    ("Class 3 obesity with BMI 45.2", "outpatient", {"E66.813", "Z68.42"}),
    ("28 weeks pregnant with gestational diabetes, diet controlled", "outpatient", {"O24.410", "Z3A.28"}),
    ("Type 2 diabetes with diabetic polyneuropathy, on insulin", "outpatient", {"E11.42", "Z79.4"}),
    ("Type 1 diabetes with stage 3a chronic kidney disease", "outpatient", {"E10.22", "N18.31"}),
    ("UTI due to E. coli", "outpatient", {"N39.0", "B96.20"}),
    ("COPD with acute exacerbation and pneumonia", "inpatient", {"J44.0", "J44.1", "J18.9"}),
])
def test_combination_codes_and_presumed_links(catalog: Catalog, text: str, setting: str,
                                             expected: set[str]) -> None:
    assert codes(catalog, text, setting) == expected


def test_specificity_from_laterality_and_encounter_and_what_is_missing(catalog: Catalog) -> None:
    assert codes(catalog, "Left ankle sprain, initial visit") == {"S93.402A"}
    assert codes(catalog, "Follow-up for right distal radius fracture, healing well") == {"S52.501D"}
    assert codes(catalog, "Concussion without loss of consciousness, initial encounter") == {"S06.0X0A"}
    unspecified = propose(catalog, "Osteoarthritis of the knee")
    assert unspecified.code_set == {"M17.9"}
    assert any("laterality" in d for d in unspecified.missing_details)
    no_stage = propose(catalog, "Type 2 DM with CKD")
    assert no_stage.code_set == {"E11.22", "N18.9"}
    assert any("CKD stage" in d for d in no_stage.missing_details)
    sprain = propose(catalog, "Right ankle sprain")
    assert sprain.code_set == {"S93.401A"} and any("encounter" in d for d in sprain.missing_details)


def test_text_without_conditions_says_what_to_give(catalog: Catalog) -> None:
    for text in ("", "   ", "asdf qwerty", "patient was seen today"):
        proposal = propose(catalog, text)
        assert proposal.codes == ()
        assert "a coder decides" in proposal.text() and proposal.missing_details


def test_a_long_case_is_read_up_to_the_limit_and_says_so(catalog: Catalog) -> None:
    proposal = propose(catalog, "Hypertension. " + "Patient doing well. " * 400)
    assert proposal.code_set == {"I10"}
    assert any("characters were read" in d for d in proposal.missing_details)


def test_an_unknown_setting_is_read_as_outpatient(catalog: Catalog) -> None:
    proposal: CaseProposal = propose(catalog, "Probable pneumonia, cough", setting="emergency")
    assert proposal.setting == "outpatient" and proposal.code_set == {"R05.9"}
