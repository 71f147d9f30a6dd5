"""The coding rules: from the conditions a case names (after negation, uncertainty and history) to the
ICD-10-CM code set, applying the combination codes, presumed links and "use additional code" notes the
FY2026 Official Guidelines and the tabular require, and saying which details would make codes more specific.

Each rule takes the `CaseCodes` under construction and consumes the concepts it codes; `generic` codes
whatever is left (with laterality and the injury encounter); `drop_integral` removes signs a coded
diagnosis explains.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from core.assistant.case2code import details
from core.assistant.case2code.lexicon import Mention, Token
from core.assistant.case2code.proposal import LeftOut, ProposedCode
from core.codes import systems
from core.codes.catalog import Catalog
from core.codes.record import NoteKind, System

GUIDELINES = "ICD-10-CM Official Guidelines for Coding and Reporting FY2026"
# The sections a rule cites, by the key the rule records.
SECTIONS = {
    "with": "I.A.15 (the “with” convention)",
    "additional": "I.A.13 and the tabular “use additional code” notes",
    "integral": "I.B.5 (signs integral to a disease are not coded)",
    "laterality": "I.B.13 (laterality)",
    "bmi": "I.B.14 (BMI, reported only with an associated diagnosis)",
    "sepsis": "I.C.1.d (sepsis, severe sepsis and septic shock)",
    "covid": "I.C.1.g.1 (COVID-19)",
    "diabetes": "I.C.4.a (diabetes mellitus)",
    "hypertension": "I.C.9.a (hypertension with heart disease and chronic kidney disease)",
    "copd": "I.C.10.a (COPD and asthma)",
    "ckd": "I.C.14.a (chronic kidney disease stages)",
    "pregnancy": "I.C.15 (pregnancy: trimester and weeks of gestation)",
    "injury": "I.C.19.a (7th characters for the encounter)",
    "history": "I.C.21.c.4 (personal and family history codes)",
    "uncertain-out": "IV.H (outpatient: uncertain diagnoses are not coded; code the signs)",
    "uncertain-in": "II.H and III.C (inpatient: uncertain diagnoses coded as if established)",
    "symptoms": "IV.D (signs and symptoms when no diagnosis is established)",
    "default": "I.A.18 (default codes)",
}

_DM_SUFFIX = {
    "dm_neuropathy": ".40", "dm_polyneuropathy": ".42", "dm_retinopathy": ".319", "dm_nephropathy": ".21",
    "dm_gastroparesis": ".43", "dm_pad": ".51", "dm_hyperglycemia": ".65", "dm_hypoglycemia": ".649",
    "dm_dka": ".10", "foot_ulcer": ".621", "heel_ulcer": ".621",
}
_ULCERS = ("foot_ulcer", "heel_ulcer")  # the ulcer keeps its own L97 code beside the diabetes code
_STAGE_CODE = {"1": "N18.1", "2": "N18.2", "3": "N18.30", "3a": "N18.31", "3b": "N18.32", "4": "N18.4",
               "5": "N18.5"}
_SEPSIS_ORGANISM = {"org_ecoli": "A41.51", "org_mrsa": "A41.02", "org_mssa": "A41.01",
                    "org_strep_pneumo": "A40.3", "org_gram_negative": "A41.50", "org_group_a_strep": "A40.0"}
_WEIGHT = ("obesity_class3", "obesity_class2", "obesity_class1", "morbid_obesity", "obesity", "overweight",
           "underweight")
_PREGNANCY = ("pregnancy", "prenatal_routine", "gdm", "preeclampsia", "gest_htn", "hyperemesis")
_RANGE = re.compile(rf"\b({systems.ICD_CATEGORY})-({systems.ICD_CATEGORY})\b")  # a category range in a note: "B95-B97"
_LUTS = ("frequency", "urgency", "nocturia", "luts")


@dataclass
class CaseCodes:
    """The code set being built for one case."""

    catalog: Catalog
    text: str
    tokens: list[Token]
    setting: str
    active: dict[str, Mention]  # concept id -> first mention that is to be coded
    codes: dict[str, ProposedCode] = field(default_factory=dict)
    coded_concepts: set[str] = field(default_factory=set)
    consumed: set[str] = field(default_factory=set)
    missing: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)

    def has(self, *ids: str) -> bool:
        return any(i in self.active for i in ids)

    def words(self, *ids: str) -> str:
        found = sorted((self.active[i] for i in ids if i in self.active), key=lambda m: m.start)
        return ", ".join(dict.fromkeys(m.words for m in found))

    def cite(self, key: str) -> None:
        if SECTIONS[key] not in self.sections:
            self.sections.append(SECTIONS[key])

    def need(self, detail: str) -> None:
        if detail not in self.missing:
            self.missing.append(detail)

    def add(self, code: str, evidence: str, rule: str, *concepts: str, section: str = "") -> bool:
        """Propose `code` if the catalog has it as a billable code; False (and a note) otherwise."""
        record = self.catalog.get(System.ICD10CM, code)
        if record is None or not record.billable:
            self.need(f"{code} is not a billable ICD-10-CM code: pick a code under it ({evidence})")
            return False
        if section:
            self.cite(section)
        self.consumed.update(concepts)
        self.coded_concepts.update(concepts)
        if code in self.codes:
            old = self.codes[code]
            if evidence and evidence not in old.evidence:
                self.codes[code] = ProposedCode(code, old.title, f"{old.evidence}; {evidence}", old.rule)
            return True
        self.codes[code] = ProposedCode(code, record.title, evidence, rule)
        return True

    def additional(self, code: str, evidence: str, fallback: str, *concepts: str) -> bool:
        """Add a code a proposed code's "use additional code" (or "code first") note calls for, citing it."""
        return self.add(code, evidence, self.note_calling_for(code) or fallback, *concepts, section="additional")

    def note_calling_for(self, code: str) -> str:
        family = code.split(".")[0]
        for proposed in list(self.codes):
            record = self.catalog.get(System.ICD10CM, proposed)
            if record is None:
                continue
            for note in self.catalog.all_notes(record):
                if note.kind is not NoteKind.USE_ADDITIONAL_CODE:
                    continue
                if code in note.text or re.search(rf"\b{re.escape(family)}\b", note.text) or any(
                        low <= family <= high for low, high in _RANGE.findall(note.text)):
                    text = note.text.strip()
                    text = text if len(text) <= 110 else text[:107].rstrip() + "…"
                    return f"{proposed}'s tabular note: use additional {text}"
        return ""


def diabetes(case: CaseCodes) -> None:
    implied = any("diabet" in case.active[c].words.lower() for c in _DM_SUFFIX if c in case.active)
    if not (case.has("dm1", "dm2", "dm") or implied):
        return
    type1 = case.has("dm1")
    prefix = "E10" if type1 else "E11"
    words = case.words("dm1", "dm2", "dm")
    if not case.has("dm1", "dm2"):
        case.need("diabetes type: type 2 (E11) is the default when the type is not documented (I.C.4.a.2)")
    case.consumed.update(("dm1", "dm2", "dm"))
    complications = [c for c in _DM_SUFFIX if c in case.active]
    if "dm_polyneuropathy" in complications and "dm_neuropathy" in complications:
        complications.remove("dm_neuropathy")
    if case.has("ckd", "esrd", "htn_ckd"):
        kidney = case.words("ckd", "esrd", "htn_ckd")
        case.add(f"{prefix}.22", f"{words} … {kidney}",
                 "“with” convention: diabetes and CKD are presumed linked — diabetic CKD combination code",
                 "dm1", "dm2", "dm", section="with")
    for concept in complications:
        code = f"{prefix}{_DM_SUFFIX[concept]}"
        linked = () if concept in _ULCERS else (concept,)
        case.add(code, f"{words} … {case.words(concept)}".strip(" …"),
                 "“with” convention: diabetes with this condition is presumed linked — combination code",
                 "dm1", "dm2", "dm", *linked, section="with")
        if concept in _ULCERS:
            case.need("ulcer severity (skin breakdown, fat layer, muscle, bone) for the L97 code")
        if concept == "dm_gastroparesis":
            case.add("K31.84", case.words(concept),
                     "K31.84's tabular note: code first the underlying diabetes (E1x.43), then gastroparesis",
                     concept, section="additional")
        if concept == "dm_neuropathy" and not case.active[concept].words.lower().startswith("diabet"):
            case.need("neuropathy type (peripheral/polyneuropathy E1x.42, autonomic E1x.43, mononeuropathy "
                      "E1x.41) — E1x.40 is the unspecified default")
    if not complications and not case.has("ckd", "esrd", "htn_ckd"):
        case.add(f"{prefix}.9", words, "diabetes with no complication documented",
                 "dm1", "dm2", "dm", section="diabetes")
        case.need("diabetic complications, if any (kidney, eye, nerve, circulation, glycemic control)")
    case.cite("diabetes")
    if case.has("insulin") and not type1:
        case.additional("Z79.4", case.words("insulin"), "long-term insulin use (I.C.4.a.3)", "insulin")
    case.consumed.add("insulin")
    if case.has("oral_hypoglycemic"):
        case.additional("Z79.84", case.words("oral_hypoglycemic"), "long-term oral hypoglycemic use (I.C.4.a.3)",
                        "oral_hypoglycemic")
    if case.has("injectable_antidiabetic"):
        case.additional("Z79.85", case.words("injectable_antidiabetic"),
                        "long-term injectable non-insulin antidiabetic use (I.C.4.a.3)", "injectable_antidiabetic")


def hypertension_heart_kidney(case: CaseCodes) -> None:
    stage = details.ckd_stage(case.text)
    esrd = case.has("esrd") or (case.has("dialysis") and stage in ("", "5") and case.has("ckd", "htn_ckd"))
    has_ckd = case.has("ckd", "esrd", "htn_ckd")
    stage5 = esrd or stage == "5"
    has_htn = case.has("htn", "htn_heart", "htn_ckd")
    has_hf = case.has("hf")
    heart = has_hf or case.has("htn_heart")
    htn_words = case.words("htn", "htn_heart", "htn_ckd")
    if has_htn:
        if heart and has_ckd:
            code = ("I13.2" if stage5 else "I13.0") if has_hf else ("I13.11" if stage5 else "I13.10")
            rule = "hypertension with heart disease and CKD are presumed linked — hypertensive heart and CKD"
        elif heart:
            code = "I11.0" if has_hf else "I11.9"
            rule = "hypertension with heart failure is presumed linked — hypertensive heart disease"
            if not has_hf:
                rule = "hypertensive heart disease with no heart failure documented"
        elif has_ckd:
            code = "I12.0" if stage5 else "I12.9"
            rule = "hypertension with CKD is presumed linked — hypertensive CKD"
        else:
            code, rule = "I10", "essential hypertension with no heart or kidney involvement documented"
        evidence = " … ".join(w for w in (htn_words, case.words("hf"), case.words("ckd", "esrd")) if w)
        case.add(code, evidence, rule, "htn", "htn_heart", "htn_ckd", section="hypertension")
    if has_hf:
        hf = details.heart_failure(case.text)
        if hf.kind:
            code = f"I50.{hf.kind}{hf.acuity or '0'}"
            if not hf.acuity:
                case.need("heart failure acuity (acute, chronic, acute on chronic)")
        else:
            code = "I50.9"
            case.need("heart failure type (systolic/HFrEF, diastolic/HFpEF, combined) and acuity")
        add = case.additional if has_htn else case.add
        add(code, case.words("hf"), "heart failure type and acuity as documented", "hf")
    if has_ckd:
        if esrd:
            code = "N18.6"
        elif stage in _STAGE_CODE:
            code = _STAGE_CODE[stage]
        else:
            code = "N18.9"
            case.need("CKD stage (N18.1-N18.6)")
        if stage == "3":
            case.need("CKD stage 3a or 3b (N18.31, N18.32)")
        case.cite("ckd")
        case.additional(code, case.words("ckd", "esrd", "htn_ckd"), "CKD stage as documented",
                        "ckd", "esrd")
    if case.has("dialysis"):
        case.additional("Z99.2", case.words("dialysis"), "dependence on renal dialysis", "dialysis")


def covid(case: CaseCodes) -> None:
    if not case.has("covid"):
        return
    case.add("U07.1", case.words("covid"), "confirmed COVID-19 (a positive test or the provider's diagnosis)",
             "covid", section="covid")
    if case.has("pneumonia"):
        case.additional("J12.82", case.words("pneumonia"),
                        "COVID-19 pneumonia: U07.1 with J12.82 (I.C.1.g.1)", "pneumonia")


def sepsis(case: CaseCodes) -> None:
    if not case.has("sepsis", "severe_sepsis", "septic_shock"):
        return
    organism = next((o for o in _SEPSIS_ORGANISM if o in case.active), None)
    words = case.words("sepsis", "severe_sepsis", "septic_shock")
    if organism:
        case.add(_SEPSIS_ORGANISM[organism], f"{words} … {case.words(organism)}",
                 "sepsis due to the documented organism — one combination code", "sepsis", organism,
                 section="sepsis")
    else:
        case.add("A41.9", words, "sepsis with no organism documented", "sepsis", section="sepsis")
        case.need("the organism causing the sepsis (A40.-/A41.-)")
    case.consumed.update(_SEPSIS_ORGANISM)
    if case.has("septic_shock"):
        case.add("R65.21", case.words("septic_shock"), "severe sepsis with septic shock (coded after the infection)",
                 "septic_shock", "severe_sepsis", section="sepsis")
    elif case.has("severe_sepsis"):
        case.add("R65.20", case.words("severe_sepsis"), "severe sepsis without septic shock; code the organ "
                 "dysfunction too", "severe_sepsis", section="sepsis")
    case.consumed.update(("sepsis", "severe_sepsis", "septic_shock"))


def weight(case: CaseCodes) -> None:
    found = next((w for w in _WEIGHT if w in case.active), None)
    value = details.bmi(case.text)
    if found is None:
        if value is not None:
            case.need("a weight diagnosis (obesity, overweight…): a BMI code is reported only with one")
        return
    case.add(case.active[found].concept.code, case.words(found), "weight diagnosis as documented (class or "
             "morbid/severe when stated)", *_WEIGHT)
    if found == "obesity":
        case.need("obesity class (1, 2, 3) or cause (E66.0-, E66.1, E66.8-)")
    if value is None:
        case.need("BMI value (Z68.-)")
        return
    if _pediatric(case.text):
        case.need("BMI percentile for a patient under 20 (Z68.5-)")
        return
    case.cite("bmi")
    case.additional(_bmi_code(value), f"BMI {value:g}", "adult BMI from the documented value")


def _bmi_code(value: float) -> str:
    whole = int(value)
    if whole < 20:
        return "Z68.1"
    if whole < 40:
        return f"Z68.{whole}"
    for ceiling, code in ((45, "Z68.41"), (50, "Z68.42"), (60, "Z68.43"), (70, "Z68.44")):
        if whole < ceiling:
            return code
    return "Z68.45"


def _pediatric(text: str) -> bool:
    match = re.search(r"\b(\d{1,2})\s*(?:yo|y/o|y\.o\.|years? old|year-old)\b", text, re.I)
    return match is not None and int(match.group(1)) < 20


def pregnancy(case: CaseCodes) -> None:
    if not case.has(*_PREGNANCY):
        return
    case.cite("pregnancy")
    week = details.weeks(case.text)
    tri = "" if week is None else "1" if week < 14 else "2" if week < 28 else "3"
    made = False
    if case.has("gdm"):
        control = ("4" if case.has("insulin") else "5" if case.has("oral_hypoglycemic")
                   else "0" if re.search(r"\bdiet\b", case.text, re.I) else "9")
        if control == "9":
            case.need("how the gestational diabetes is controlled (diet, insulin, oral drugs)")
        made |= case.add(f"O24.41{control}", case.words("gdm", "insulin", "oral_hypoglycemic").strip(", "),
                         "gestational diabetes by its control (no Z79 code with O24.4-)", "gdm", "insulin",
                         "oral_hypoglycemic")
        case.consumed.update(("insulin", "oral_hypoglycemic", "dm", "dm1", "dm2"))
    if case.has("preeclampsia"):
        made |= case.add(f"O14.9{tri or '0'}", case.words("preeclampsia"), "pre-eclampsia by trimester",
                         "preeclampsia")
    if case.has("gest_htn"):
        made |= case.add(f"O13.{tri or '9'}", case.words("gest_htn"), "gestational hypertension by trimester",
                         "gest_htn", "htn")
    if case.has("hyperemesis"):
        made |= case.add("O21.0", case.words("hyperemesis"), "hyperemesis gravidarum", "hyperemesis")
    if case.has("uti"):
        made |= case.add(f"O23.4{tri or '0'}", case.words("uti"),
                         "a urinary infection in pregnancy is coded in chapter 15 by trimester", "uti")
    if not made and case.has("prenatal_routine"):
        kind = "0" if case.has("first_pregnancy") else "8" if case.has("later_pregnancy") else "9"
        if kind == "9":
            case.need("whether this is the first pregnancy (Z34.0-) or a later one (Z34.8-)")
        made |= case.add(f"Z34.{kind}{tri or '0'}", case.words("prenatal_routine", "first_pregnancy",
                                                                  "later_pregnancy"),
                         "supervision of a normal pregnancy, by trimester", "prenatal_routine", "pregnancy")
    if tri == "" and made:
        case.need("weeks of gestation (they give the trimester and Z3A.-)")
    if not made:
        case.need("the pregnancy condition or visit reason (chapter 15 O-codes; Z33.1 only when the provider "
                  "says the pregnancy is incidental)")
    case.consumed.update((*_PREGNANCY, "first_pregnancy", "later_pregnancy"))
    if made and week is not None:
        code = "Z3A.01" if week < 8 else "Z3A.49" if week > 42 else f"Z3A.{week:02d}"
        case.add(code, f"{week} weeks", "chapter 15 note: use additional code from Z3A for the weeks of gestation",
                 section="additional")


def lungs(case: CaseCodes) -> None:
    exacerbation = case.has("exacerbation", "copd_exacerbation", "asthma_exacerbation")
    if case.has("copd", "copd_exacerbation"):
        words = case.words("copd", "copd_exacerbation", "exacerbation")
        infection = case.has("pneumonia", "bronchitis")
        if infection:
            case.add("J44.0", f"{words} … {case.words('pneumonia', 'bronchitis')}",
                     "COPD with an acute lower respiratory infection; code the infection too",
                     "copd", section="copd")
        if exacerbation and (case.has("copd_exacerbation") or not case.has("asthma", "asthma_exacerbation")):
            case.add("J44.1", words, "COPD with (acute) exacerbation", "copd", "copd_exacerbation",
                     "exacerbation", section="copd")
        if not infection and not exacerbation:
            case.add("J44.9", words, "COPD with no exacerbation or infection documented", "copd", section="copd")
    if case.has("asthma", "asthma_exacerbation"):
        flare = case.has("asthma_exacerbation") or (case.has("exacerbation") and not case.has("copd"))
        status = re.search(r"\bstatus asthmaticus\b", case.text, re.I) is not None
        severity = _asthma_severity(case.text)
        last = "2" if status else "1" if flare else "0"
        code = f"J45.{severity}{last}" if severity else "J45.902" if status else "J45.901" if flare else "J45.909"
        state = "with status asthmaticus" if status else "with (acute) exacerbation" if flare else "uncomplicated"
        case.add(code, case.words("asthma", "asthma_exacerbation", "exacerbation"),
                 f"asthma{' (' + _SEVERITY_LABEL[severity] + ')' if severity else ''} {state}",
                 "asthma", "asthma_exacerbation", "exacerbation", section="copd")
        if not severity:
            case.need("asthma severity (mild intermittent, mild/moderate/severe persistent: J45.2-J45.5)")
    case.consumed.add("exacerbation")


_SEVERITY_LABEL = {"2": "mild intermittent", "3": "mild persistent", "4": "moderate persistent",
                   "5": "severe persistent"}


def _asthma_severity(text: str) -> str:
    low = text.lower()
    for digit, label in _SEVERITY_LABEL.items():
        if label in low:
            return digit
    return ""


def prostate(case: CaseCodes) -> None:
    if not case.has("bph"):
        return
    symptoms = [s for s in _LUTS if s in case.active]
    if symptoms:
        case.add("N40.1", f"{case.words('bph')} … {case.words(*symptoms)}",
                 "BPH with lower urinary tract symptoms; N40.1's note asks for the symptom codes", "bph")
    else:
        case.add("N40.0", case.words("bph"), "BPH with no urinary symptoms documented", "bph")


def organisms(case: CaseCodes) -> None:
    """An organism not already inside a sepsis code: coded when a coded infection's note asks for B95-B97."""
    for concept in [c for c in case.active if c.startswith("org_") and c not in case.consumed]:
        code = case.active[concept].concept.code
        if case.note_calling_for(code):
            case.additional(code, case.words(concept), "the infectious agent", concept)
        else:
            case.consumed.add(concept)
            case.need(f"the infection the organism ({case.words(concept)}) caused, to code it together")


def generic(case: CaseCodes) -> None:
    for concept_id, mention in sorted(case.active.items(), key=lambda item: item[1].start):
        if concept_id in case.consumed or concept_id.startswith("org_"):
            continue
        concept = mention.concept
        if not concept.code:
            continue
        codes = [concept.code]
        rule = ("a sign or symptom no coded diagnosis explains (IV.D)" if concept.code.startswith("R")
                else "long-term (current) use of the drug named" if concept.code.startswith("Z79")
                else "the condition as documented")
        if concept.code.startswith("R"):
            case.cite("symptoms")
        if concept.lateral:
            side = details.laterality(case.tokens, mention, case.text)
            chosen = {"right": concept.right, "left": concept.left, "bilateral": concept.bilateral}.get(side, "")
            if side == "bilateral" and not concept.bilateral:
                chosen = f"{concept.right}+{concept.left}"
            if chosen:
                codes = chosen.split("+")
                rule = f"{side} side as documented"
            else:
                rule = "side not documented — the unspecified-side default"
                case.need(f"laterality for {mention.words} (right, left, bilateral)")
            case.cite("laterality")
        if concept.needs_encounter:
            encounter = details.encounter(case.text)
            if not details.encounter_stated(case.text):
                case.need(f"the encounter for {mention.words} (initial A assumed for active treatment; "
                          "D subsequent, S sequela)")
            label = {"A": "initial", "D": "subsequent", "S": "sequela"}[encounter]
            rule = f"{rule}; 7th character {encounter} ({label} encounter)"
            codes = [c.replace("{enc}", encounter) for c in codes]
            if concept_id == "concussion":
                loc = details.loss_of_consciousness(case.text)
                if not loc:
                    case.need("whether there was loss of consciousness, and how long (S06.0X0-S06.0X9)")
                codes = [c.replace("S06.0X9", f"S06.0X{loc or '9'}") for c in codes]
            case.cite("injury")
        for code in codes:
            case.add(code, mention.words, rule, concept_id)


def drop_integral(case: CaseCodes) -> None:
    """Signs that a coded diagnosis explains are not coded (I.B.5)."""
    explained: dict[str, str] = {}
    for concept_id in case.coded_concepts:
        mention = case.active.get(concept_id)
        if mention is None:
            continue
        for symptom in mention.concept.integral:
            explained.setdefault(symptom, mention.words)
    for symptom, diagnosis in explained.items():
        mention = case.active.get(symptom)
        if mention is None or (symptom == "frequency" and case.has("bph")):
            continue
        code = mention.concept.code
        proposed = case.codes.get(code)
        if proposed is not None and proposed.evidence == mention.words:
            del case.codes[code]
            case.left_out.append(LeftOut(mention.words, f"part of {diagnosis}, which is coded (I.B.5)"))
            case.cite("integral")


RULES = (sepsis, covid, diabetes, hypertension_heart_kidney, pregnancy, weight, lungs, prostate, generic,
         organisms, drop_integral)
