"""Code cards and lookup answers as Replies: what a coder sees for a code, labelled with its source."""

from __future__ import annotations

from core.codes.catalog import Catalog
from core.codes.lookup import LookupResult, Outcome
from core.codes.record import CodeRecord, NoteKind, RecordKind, System
from core.replies import Action, ErrorKind, Field, Reply, Section, error_reply

OPEN_CODE = "open_code"  # action id: value is "<system>:<code>"
CPT_NOTICE = ("CPT® is a registered trademark of the American Medical Association. Summaries are "
              "CodeDesk's own plain-language words, not the official descriptor.")
SUMMARY_LABEL = "Plain-language summary (CodeDesk's words, not the official CPT descriptor)"
_NOTE_ORDER = (
    NoteKind.INCLUSION_TERM, NoteKind.INCLUDES, NoteKind.EXCLUDES1, NoteKind.EXCLUDES2,
    NoteKind.CODE_FIRST, NoteKind.USE_ADDITIONAL_CODE, NoteKind.CODE_ALSO, NoteKind.NOTE,
    NoteKind.SEVENTH_CHARACTER,
)
_MAX_NOTE_LINES = 12


def open_action(system: System, code: str, label: str | None = None) -> Action:
    return Action(label or f"Open {code}", OPEN_CODE, f"{system.value}:{code}")


def code_card(catalog: Catalog, record: CodeRecord) -> Reply:
    fields = [Field("System", record.system.label), Field("Code", record.code)]
    if record.kind is RecordKind.MODIFIER:
        fields.append(Field("Type", "Modifier"))
    else:
        fields.append(Field("Billable", "Yes" if record.billable else "No — a header; use a code below it"))
    if record.terminated:
        fields.append(Field("Status", f"Terminated {record.terminated:%Y-%m-%d}"))
    if record.effective:
        fields.append(Field("Effective", f"{record.effective:%Y-%m-%d}"))
    fields.extend(Field(label, value) for label, value in record.attributes)

    sections: list[Section] = []
    if record.system is System.CPT:
        if record.licensed and record.description:
            sections.append(Section("Official descriptor (licensed)", record.description))
        else:
            sections.append(Section("Official descriptor", "Not shown: the CPT descriptor is licensed by "
                                    "the AMA. An organisation with a licence can load it with "
                                    "`codedesk import cpt FILE`."))
        if record.summary:
            sections.append(Section(SUMMARY_LABEL, record.summary))
    elif record.description and record.description != record.title:
        sections.append(Section("Description", record.description))
    hierarchy = _hierarchy(catalog, record)
    if hierarchy:
        sections.append(Section("Hierarchy", hierarchy))
    sections.extend(_note_sections(catalog, record))
    if not record.billable and record.children:
        children = catalog.children(record)[:15]
        sections.append(Section("Codes under it", "\n".join(f"- `{c.code}` {c.title}" for c in children)))
    actions = tuple(open_action(c.system, c.code) for c in catalog.billable_descendants(record, 3)) \
        if not record.billable and record.kind is not RecordKind.MODIFIER else ()
    return Reply(
        title=f"{record.code} — {record.title}",
        subtitle=record.section,
        fields=tuple(fields),
        sections=tuple(sections),
        actions=actions,
        footer=footer_for(record),
    )


def footer_for(record: CodeRecord) -> str:
    parts = [f"Source: {record.source}", f"Version: {record.version}" if record.version else ""]
    if record.system is System.CPT:
        parts.append(CPT_NOTICE)
    return " · ".join(p for p in parts if p)


def _hierarchy(catalog: Catalog, record: CodeRecord) -> str:
    if record.system is System.ICD10CM:
        chain = list(reversed(catalog.ancestors(record)))
        return "\n".join(f"{'  ' * i}› {a.code} {a.title}" for i, a in enumerate(chain))
    return ""  # CPT and HCPCS show their section as the card's subtitle


def _note_sections(catalog: Catalog, record: CodeRecord) -> list[Section]:
    notes = catalog.all_notes(record)
    out: list[Section] = []
    for kind in _NOTE_ORDER:
        if kind is NoteKind.SEVENTH_CHARACTER and record.billable:
            continue  # a complete code already carries its 7th character
        lines = [
            f"- {n.text}" + (f" _(from {n.inherited_from})_" if n.inherited_from else "")
            for n in notes if n.kind is kind
        ]
        if not lines:
            continue
        if len(lines) > _MAX_NOTE_LINES:
            lines = [*lines[:_MAX_NOTE_LINES], f"- … and {len(lines) - _MAX_NOTE_LINES} more"]
        out.append(Section(kind.label, "\n".join(lines)))
    return out


def lookup_reply(catalog: Catalog, result: LookupResult) -> Reply:
    """The reply for every outcome that does not show a card (cards go through the view quota)."""
    suggestions = tuple(open_action(result.system or System.ICD10CM, c) for c in result.suggestions[:5])
    match result.outcome:
        case Outcome.MALFORMED:
            return error_reply(ErrorKind.BAD_INPUT, f"“{result.typed or ' '}” is not a code: {result.reason}.",
                               "Type a code such as `/cpt 99213`, `/icd10 E11.9`, `/hcpcs J1885` or "
                               "`/code mod 25`, or search in words with `/codesearch knee pain`.")
        case Outcome.HEADER:
            record = result.record
            assert record is not None
            listing = "\n".join(f"- `{c}` {_title(catalog, result.system, c)}" for c in result.suggestions)
            return Reply(title=f"{record.code} — {record.title}", subtitle=result.reason + ".",
                         sections=(Section("Billable codes under it", listing or "none"),),
                         actions=suggestions, footer=footer_for(record), error=ErrorKind.NOT_FOUND)
        case Outcome.NEEDS_SEVENTH | Outcome.BAD_SEVENTH:
            chars = "\n".join(f"- `{c}` {m}" for c, m in result.seventh.items())
            return Reply(title=f"{result.code}: {result.reason}",
                         subtitle="Add one of these 7th characters to make a billable code.",
                         sections=(Section("7th characters", chars),),
                         actions=suggestions, error=ErrorKind.BAD_INPUT)
        case Outcome.NEEDS_PLACEHOLDER:
            fix = result.suggestions[0]
            return Reply(title=f"{result.typed}: {result.reason}. Did you mean {fix}?",
                         subtitle="Codes shorter than six characters take X as a placeholder before the "
                                  "7th character.",
                         actions=suggestions, error=ErrorKind.BAD_INPUT)
        case Outcome.NOT_LICENSED:
            return Reply(title=f"CPT {result.code}", subtitle=result.reason + ".",
                         fields=(Field("System", "CPT"), Field("Section", result.section)),
                         sections=(Section("What you can do", "Search CodeDesk's summaries with "
                                           "`/cpt <words>`, or ask your administrator to import your "
                                           "organisation's licensed CPT file."),),
                         footer=CPT_NOTICE, error=ErrorKind.NOT_FOUND)
        case Outcome.NOT_IMPORTED:
            return error_reply(ErrorKind.NOT_FOUND, f"{result.code}: {result.reason}.",
                               "An administrator can load the CMS file with `codedesk import hcpcs FILE` "
                               "or `codedesk data update`.")
        case _:
            hint = "Nearest valid codes are below." if suggestions else \
                "Check the code, or search in words with `/codesearch <words>`."
            return error_reply(ErrorKind.NOT_FOUND, f"{result.reason}.", hint, *suggestions)


def _title(catalog: Catalog, system: System | None, code: str) -> str:
    record = catalog.get(system, code) if system else None
    return record.title if record else ""
