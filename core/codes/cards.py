"""Code cards and lookup answers as Replies: what a coder sees for a code, labelled with its source."""

from __future__ import annotations

from datetime import date

from core.codes.catalog import Catalog, source_label
from core.codes.lookup import LookupResult, Outcome
from core.codes.record import CodeRecord, Note, NoteKind, RecordKind, System
from core.replies import Action, ErrorKind, Field, Reply, Section, error_reply

OPEN_CODE = "open_code"  # action id: value is "<system>:<code>"
CODE_NOTES = "code_notes"  # action id: value is "<system>:<code>:<page>" — every instruction on a code
CPT_NOTICE = ("CPT® is a registered trademark of the American Medical Association. Summaries are "
              "CodeDesk's own plain-language words, not the official descriptor.")
SUMMARY_LABEL = "Plain-language summary (CodeDesk's words, not the official CPT descriptor)"
_NOTE_ORDER = (
    NoteKind.INCLUSION_TERM, NoteKind.INCLUDES, NoteKind.EXCLUDES1, NoteKind.EXCLUDES2,
    NoteKind.CODE_FIRST, NoteKind.USE_ADDITIONAL_CODE, NoteKind.CODE_ALSO, NoteKind.NOTE,
    NoteKind.SEVENTH_CHARACTER,
)
_MAX_NOTE_LINES = 12  # per kind on a card; the rest are one button away, never silently dropped
NOTES_PAGE_LINES = 30


def open_action(system: System, code: str, label: str | None = None) -> Action:
    return Action(label or f"Open {code}", OPEN_CODE, f"{system.value}:{code}")


def code_card(catalog: Catalog, record: CodeRecord, today: date | None = None) -> Reply:
    today = today or date.today()
    fields = [Field("System", record.system.label), Field("Code", record.code)]
    terminated = record.terminated is not None and record.terminated <= today
    deleted = catalog.deleted_code(record.system, record.code) if record.kind is not RecordKind.MODIFIER else None
    if deleted is not None and deleted.year > today.year:
        deleted = None
    if record.kind is RecordKind.MODIFIER:
        fields.append(Field("Type", "Modifier"))
        if terminated and record.terminated is not None:
            fields.append(Field("Status", f"Terminated since {record.terminated:%Y-%m-%d}; not valid on claims"))
    elif deleted is not None:
        fields.append(Field("Billable", f"No — deleted in {deleted.year}"))
    elif terminated and record.terminated is not None:
        fields.append(Field("Billable", f"No — terminated since {record.terminated:%Y-%m-%d}"))
    else:
        fields.append(Field("Billable", "Yes" if record.billable else "No — a header; use a code below it"))
    if record.terminated and not terminated:
        fields.append(Field("Status", f"Ends {record.terminated:%Y-%m-%d}"))
    elif record.terminated and record.kind is not RecordKind.MODIFIER:
        fields.append(Field("Status", f"Terminated {record.terminated:%Y-%m-%d}"))
    if record.effective:
        fields.append(Field("Effective", f"{record.effective:%Y-%m-%d}"))
    if record.system is System.ICD10CM and record.version:
        fields.insert(0, Field("Release", record.version))
    if record.system is System.HCPCS:
        fields.insert(0, Field("Data year", catalog.data_year(System.HCPCS) or record.version))
    fields.extend(Field(label, value) for label, value in record.attributes)

    sections: list[Section] = []
    history = catalog.history(record.code) if record.system is System.ICD10CM else None
    if history is not None:
        sections.append(Section("History", history.sentence() + "."))
    if deleted is not None:
        sections.append(Section(f"Deleted in {deleted.year}",
                                deleted.note + "\nUse instead: " + ", ".join(f"`{c}`" for c in deleted.replaced_by)))
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
    notes, cut = _note_sections(catalog, record)
    sections.extend(notes)
    if not record.billable and record.children:
        children = catalog.children(record)[:15]
        more = len(record.children) - len(children)
        listing = "\n".join(f"- `{c.code}` {c.title}" for c in children)
        if more > 0:
            listing += f"\n- … {more} more: `/codesearch {record.code}` lists them all"
        sections.append(Section("Codes under it", listing))
    notice = old_data_notice(catalog, record.system, today)
    if notice:
        sections.append(Section("Old data", notice))
    actions = tuple(open_action(c.system, c.code) for c in catalog.billable_descendants(record, 3)) \
        if not record.billable and record.kind is not RecordKind.MODIFIER else ()
    if deleted is not None:
        actions = tuple(open_action(_system_of(c, record.system), c) for c in deleted.replaced_by[:4])
    if cut:
        total = len(catalog.all_notes(record))
        actions = (*actions, Action(f"All {total} instructions", CODE_NOTES, f"{record.system.value}:{record.code}:1"))
    return Reply(
        title=f"{record.code} — {record.title}",
        subtitle=record.section,
        fields=tuple(fields),
        sections=tuple(sections),
        actions=actions,
        footer=footer_for(record),
    )


def newer_icd_release(catalog: Catalog, today: date) -> str:
    """When a newer ICD-10-CM fiscal year is in effect than the one loaded: say so and how to load it."""
    release = catalog.icd_release
    if release is None or today < date(release.fiscal_year, 10, 1):
        return ""
    return (f"FY{release.fiscal_year + 1} ICD-10-CM took effect on 1 October {release.fiscal_year}; CodeDesk "
            f"has {release.label}. An administrator can load the CDC release with "
            "`codedesk import icd10cm icd10cm_tabular_YYYY.xml icd10cm_order_YYYY.txt`.")


def old_data_notice(catalog: Catalog, system: System, today: date) -> str:
    """Once per card: the loaded data is out of date (HCPCS file over a year old, an older ICD-10-CM
    fiscal year), and how to update it."""
    if system is System.ICD10CM:
        return newer_icd_release(catalog, today)
    if system is not System.HCPCS:
        return ""
    year = catalog.data_year(System.HCPCS)
    if not year or today.year - int(year) <= 1:
        return ""
    return (f"The loaded HCPCS file is from {year}, {today.year - int(year)} years ago: newer codes are missing "
            "and statuses may have changed since. An administrator can load the current quarter with "
            "`codedesk data update` or `codedesk import hcpcs FILE`.")


def _system_of(code: str, default: System) -> System:
    # Replacements may cross systems (HCPCS G2012 -> CPT 98016).
    if code[:1].isdigit():
        return System.CPT
    return default


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


def _note_sections(catalog: Catalog, record: CodeRecord) -> tuple[list[Section], bool]:
    """Notes grouped by kind, nearest source first; True when some were left for the full list."""
    notes = catalog.all_notes(record)
    out: list[Section] = []
    cut = False
    for kind in _NOTE_ORDER:
        if kind is NoteKind.SEVENTH_CHARACTER and record.billable:
            continue  # a complete code already carries its 7th character
        lines = [_note_line(n) for n in notes if n.kind is kind]
        if not lines:
            continue
        if len(lines) > _MAX_NOTE_LINES:
            left = len(lines) - _MAX_NOTE_LINES
            lines = [*lines[:_MAX_NOTE_LINES], f"- … {left} more: press “All instructions” below"]
            cut = True
        out.append(Section(kind.label, "\n".join(lines)))
    return out, cut


def _note_line(note: Note) -> str:
    return f"- {note.text}" + (f" _(from {note.inherited_from})_" if note.inherited_from else "")


def notes_reply(catalog: Catalog, record: CodeRecord, page: int = 1) -> Reply:
    """Every instruction that applies to a code, by where it was written (nearest first), paged."""
    own = [n for n in record.notes if not (n.kind is NoteKind.SEVENTH_CHARACTER and record.billable)]
    groups: list[tuple[str, list[Note]]] = [("This code", own)] if own else []
    for ancestor in catalog.ancestors(record):
        where = source_label(ancestor)
        found = [n for n in catalog.all_notes(record) if n.inherited_from == where]
        if record.billable:
            found = [n for n in found if n.kind is not NoteKind.SEVENTH_CHARACTER]
        if found:
            groups.append((f"From {where}: {ancestor.title}", found))
    lines: list[tuple[str, str]] = []
    for heading, group in groups:
        for kind in _NOTE_ORDER:
            lines.extend((heading, f"- *{kind.label}:* {n.text}") for n in group if n.kind is kind)
    pages = max(1, -(-len(lines) // NOTES_PAGE_LINES))
    page = max(1, min(page, pages))
    chunk = lines[(page - 1) * NOTES_PAGE_LINES: page * NOTES_PAGE_LINES]
    sections: list[Section] = []
    for heading, text in chunk:
        if sections and sections[-1].heading == heading:
            sections[-1] = Section(heading, sections[-1].text + "\n" + text)
        else:
            sections.append(Section(heading, text))
    actions: tuple[Action, ...] = ()
    if page < pages:
        actions = (Action(f"Next page ({page + 1} of {pages})", CODE_NOTES,
                          f"{record.system.value}:{record.code}:{page + 1}"),)
    return Reply(title=f"{record.code} — every instruction that applies ({len(lines)})",
                 subtitle=f"Page {page} of {pages} · nearest first: the code, its categories, block, chapter",
                 sections=tuple(sections) or (Section("Instructions", "None are written above this code."),),
                 actions=actions, footer=footer_for(record))


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
            sections = [Section("Billable codes under it", listing or "none")]
            if result.history:
                sections.insert(0, Section("History", result.history + "."))
            return Reply(title=f"{record.code} — {record.title}", subtitle=result.reason + ".",
                         fields=_release_fields(record), sections=tuple(sections),
                         actions=suggestions, footer=footer_for(record), error=ErrorKind.NOT_FOUND)
        case Outcome.DELETED:
            system = result.system or System.ICD10CM
            listing = "\n".join(f"- `{c}` {_title(catalog, _system_of(c, system), c)}"
                                for c in result.suggestions)
            replaced = tuple(open_action(_system_of(c, system), c) for c in result.suggestions[:5])
            release = catalog.status(system)
            return Reply(title=f"{result.code}: {result.reason}", subtitle=result.history,
                         fields=(Field("System", system.label), Field("Billable", "No — deleted")) + (
                             (Field("Release", release.version),) if release and system is System.ICD10CM else ()),
                         sections=(Section("Replaced by", listing or "no direct replacement"),),
                         actions=replaced, error=ErrorKind.NOT_FOUND)
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
        case Outcome.UNKNOWN if result.system is System.HCPCS and catalog.data_year(System.HCPCS):
            year = catalog.data_year(System.HCPCS)
            return error_reply(ErrorKind.NOT_FOUND, f"{result.reason}.",
                               f"CodeDesk's HCPCS data is the {year} CMS file. An administrator can load the "
                               "current quarter with `codedesk data update` or `codedesk import hcpcs FILE`.",
                               *suggestions)
        case Outcome.NOT_IMPORTED:
            return error_reply(ErrorKind.NOT_FOUND, f"{result.code}: {result.reason}.",
                               "An administrator can load the CMS file with `codedesk import hcpcs FILE` "
                               "or `codedesk data update`.")
        case _:
            hint = "Nearest valid codes are below." if suggestions else \
                "Check the code, or search in words with `/codesearch <words>`."
            return error_reply(ErrorKind.NOT_FOUND, f"{result.reason}.", hint, *suggestions)


def _release_fields(record: CodeRecord) -> tuple[Field, ...]:
    return (Field("Release", record.version),) if record.system is System.ICD10CM and record.version else ()


def _title(catalog: Catalog, system: System | None, code: str) -> str:
    record = catalog.get(system, code) if system else None
    return record.title if record else ""
