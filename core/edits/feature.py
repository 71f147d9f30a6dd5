"""`/ncci`, `/mue`, `/rvu`, `/check` and `/changes`: edit, fee and change questions in chat.

None of these opens a code card, so none uses a code view. Every answer names the release (and so
the quarter) it used; `date:YYYY-MM-DD` picks the release in force on a date of service.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from core.codes import systems
from core.codes.normalize import Parsed, parse_code
from core.commands import Command, Handler, Option
from core.db import transaction
from core.edits import changes as code_changes
from core.edits import fees, watches
from core.edits.check import ClaimInputError, parse_claim, read_options
from core.edits.claim import CheckOutcome, ClaimRule, Severity
from core.edits.mue import INDICATOR_MEANING, KIND_WORDS
from core.edits.ptp import MODIFIER_MEANING, edit_on
from core.edits.releases import IMPORT_COMMAND, Release, periods_of
from core.edits.store import EditStore
from core.edits.tables import ReleaseKind
from core.replies import Action, ErrorKind, Field, Reply, ResultItem, Section, error_reply
from core.requests import Request

CHANGES_PAGE = "edits_changes_page"
PAGE_SIZE = 20
_SERVICE_CODE = systems.SERVICE_CODE
_CODE_WITH_MODIFIER = re.compile(r"^([0-9A-Z]{5})(?:-([0-9A-Z]{2}))?$")
_SEVERITY_MARK = {Severity.PROBLEM: "✖ problem", Severity.WARNING: "⚠ warning", Severity.NOTE: "ℹ note"}
_KINDS = ("added", "terminated", "changed")


def _absent(what: str, kind: str, day: date | None, loaded: Sequence[Release]) -> Reply:
    when = f" for {day:%Y-%m-%d}" if day else ""
    have = periods_of(loaded, kind)
    return error_reply(ErrorKind.NOT_FOUND, f"No {what} data is loaded{when}.",
                       f"Loaded quarters: {have}. An admin imports CMS's file with `{IMPORT_COMMAND[kind]}`"
                       + (" (add `--quarter` for that date)" if day and have != "none" else "") + ".")


def _iso(day: date | None) -> str:
    return f"{day:%Y-%m-%d}" if day else "none"


class EditsFeature:
    """Edit, fee and change commands over the loaded releases; `rules` make up `/check`."""

    def __init__(self, sessions: sessionmaker[Session], rules: Sequence[ClaimRule], *,
                 today: Callable[[], date] = date.today) -> None:
        self.sessions = sessions
        self.store = EditStore(sessions, today)
        self.rules = tuple(rules)
        self.today = today

    def commands(self) -> Sequence[Command]:
        return (
            Command("ncci", "Is there an NCCI PTP edit between two codes? Which is column 1, modifier allowed?",
                    self.ncci, Option.text("codes", "Two codes, e.g. 29881 29880; optional date:2026-11-15, "
                                                    "hospital", required=True),
                    usage="/ncci 29881 29880",
                    details=("Either order works: `/ncci 29880 29881`",
                             "`date:2026-11-15` uses the quarter in force on that date of service",
                             "`hospital` uses the outpatient hospital edits instead of practitioner edits"),
                    shareable=True),
            Command("mue", "Medically Unlikely Edit: the most units per line or day, by service type", self.mue,
                    Option.code("A CPT or HCPCS code, e.g. 86357"), usage="/mue 86357",
                    details=("`/mue 86357 date:2026-11-15` uses the quarter in force on that date",),
                    shareable=True),
            Command("rvu", "Fee schedule RVUs and the payment they give, national or for a locality", self.rvu,
                    Option.text("args", "A code, then optionally a locality: FL 04, or its name", required=True),
                    usage="/rvu 99214 FL 04",
                    details=("`/rvu 99214` gives the national amount (all GPCIs 1.000)",
                             "`/rvu 71046-26` gives the row for a modifier (26, TC, 53)",
                             "`/rvu 99214 Miami` finds the locality by name"), shareable=True),
            Command("check", "Check claim lines: NCCI pairs, MUE units, add-ons, modifiers, diagnoses", self.check,
                    Option.text("claim", "Lines CODE[-MOD…][xUNITS] and ICD-10-CM codes, e.g. 99214-25 J1885x2 "
                                         "E11.9", required=True),
                    usage="/check 99214-25 11102 J1885x2 E11.9 N18.32",
                    details=("Add `date:2026-11-15` for a date of service and `hospital` for outpatient hospital",
                             "“No problems found” only appears when every check ran with its data loaded"),
                    shareable=True),
            Command("changes", "What changed between two code-set releases; watch codes for changes",
                    self.changes, Option.text("args", "e.g. hcpcs 2019 2020, or watch 29881 J1885"),
                    usage="/changes hcpcs 2019 2020",
                    details=("`/changes hcpcs 2019 2020 added` (or terminated, changed) lists one kind; "
                             "`page:2` pages on",
                             "`/changes watch 29881 J1885` tells this channel when an import changes them",
                             "`/changes unwatch 29881`, `/changes watching` lists this channel's codes")),
        )

    def actions(self) -> Mapping[str, Handler]:
        return {CHANGES_PAGE: self._changes_page}

    # --- /ncci -------------------------------------------------------------------------------------
    def ncci(self, request: Request) -> Reply:
        try:
            options = read_options(request.text)
        except ClaimInputError as exc:
            return error_reply(ErrorKind.BAD_INPUT, str(exc), "For example `/ncci 29881 29880 date:2026-11-15`.")
        found = [w.upper() for w in options.words]
        if len(found) != 2:
            return error_reply(ErrorKind.BAD_INPUT, f"/ncci needs two codes; you gave {len(found)}.",
                               "For example `/ncci 29881 29880` (add `hospital` or `date:2026-11-15`).")
        for code in found:
            if not _SERVICE_CODE.match(code):
                return error_reply(ErrorKind.BAD_INPUT, f"{code[:20]} is not a CPT or HCPCS code.",
                                   "NCCI edits pair CPT or HCPCS codes, e.g. `/ncci 29881 29880`.")
        a, b = found
        if a == b:
            return error_reply(ErrorKind.BAD_INPUT, "Those are the same code twice.",
                               "An NCCI edit pairs two different codes, e.g. `/ncci 29881 29880`.")
        kind = ReleaseKind.PTP_HOSPITAL if options.hospital else ReleaseKind.PTP_PRACTITIONER
        loaded = self.store.releases()
        release = self.store.release(kind, options.day, loaded)
        setting = "outpatient hospital" if options.hospital else "practitioner"
        if release is None:
            return _absent(f"NCCI PTP {setting}", kind, options.day, loaded)
        day = options.day or self.today()
        edit = edit_on(self.store.ptp(release, a, b), day)
        footer = f"Source: {release.label} · date of service {day:%Y-%m-%d}"
        if edit is None:
            reply = Reply(title=f"No NCCI edit between {a} and {b}",
                          subtitle=f"{setting.capitalize()} edits, {release.period}",
                          sections=(Section("", "CMS lists no procedure-to-procedure edit for this pair in this "
                                                "quarter: the pair is not bundled by NCCI (other payer rules "
                                                "may still apply)."),), footer=footer)
            return reply
        fields = (Field("Column 1", edit.column1), Field("Column 2", edit.column2),
                  Field("Modifier indicator", f"{edit.modifier}: {MODIFIER_MEANING.get(edit.modifier, '?')}", False),
                  Field("Effective", f"{edit.effective:%Y-%m-%d}"),
                  Field("Deleted", _iso(edit.deletion)),
                  Field("Rationale", edit.rationale or "not given", False))
        if edit.active_on(day):
            title = f"NCCI edit: {edit.column2} is bundled into {edit.column1}"
            text = (f"When both are billed, {edit.column2} (column 2) is denied unless the edit is bypassed; "
                    f"{edit.column1} (column 1) is paid.")
        elif edit.deletion is not None and edit.deletion <= day:
            title = f"The NCCI edit between {edit.column1} and {edit.column2} was deleted"
            text = f"Deleted since {edit.deletion:%Y-%m-%d}: on {day:%Y-%m-%d} the pair is not bundled by NCCI."
        else:
            title = f"The NCCI edit between {edit.column1} and {edit.column2} is not yet in force"
            text = f"It takes effect on {edit.effective:%Y-%m-%d}."
        if edit.prior_1996:
            text += " The edit existed before 1996."
        reply = Reply(title=title, subtitle=f"{setting.capitalize()} edits, {release.period}", fields=fields,
                      sections=(Section("", text),), footer=footer)
        return reply

    # --- /mue --------------------------------------------------------------------------------------
    def mue(self, request: Request) -> Reply:
        try:
            options = read_options(request.text)
        except ClaimInputError as exc:
            return error_reply(ErrorKind.BAD_INPUT, str(exc), "For example `/mue 86357 date:2026-11-15`.")
        if len(options.words) != 1 or not _SERVICE_CODE.match(options.words[0].upper()):
            typed = " ".join(options.words)[:30] or "nothing"
            return error_reply(ErrorKind.BAD_INPUT, f"/mue needs one CPT or HCPCS code; got {typed}.",
                               "For example `/mue 86357`.")
        code = options.words[0].upper()
        loaded = self.store.releases()
        kinds = (ReleaseKind.MUE_PRACTITIONER, ReleaseKind.MUE_HOSPITAL, ReleaseKind.MUE_DME)
        used = [(k, r) for k in kinds if (r := self.store.release(k, options.day, loaded)) is not None]
        if not used:
            return _absent("MUE", ReleaseKind.MUE_PRACTITIONER, options.day, loaded)
        fields, sections, sources = [], [], []
        for kind, release in used:
            sources.append(release.label)
            edit = self.store.mue(release, code)
            if edit is None:
                fields.append(Field(KIND_WORDS[kind].capitalize(), "no MUE"))
                continue
            fields.append(Field(KIND_WORDS[kind].capitalize(), f"{edit.units} per {edit.per}"))
            sections.append(Section(f"{KIND_WORDS[kind].capitalize()} ({release.period})",
                                    f"- Adjudication: {edit.indicator_text} — "
                                    f"{INDICATOR_MEANING.get(edit.indicator, '')}\n"
                                    f"- Rationale: {edit.rationale or 'not given'}"))
        if not sections:
            return error_reply(ErrorKind.NOT_FOUND, f"No MUE for {code} in {', '.join(sources)}.",
                               "Either CMS sets no unit limit for it or it is not a CPT/HCPCS code; check the "
                               f"code with `/code {code}`.")
        reply = Reply(title=f"MUE for {code}", fields=tuple(fields), sections=tuple(sections),
                      footer="Source: " + ", ".join(sources))
        return reply

    # --- /rvu --------------------------------------------------------------------------------------
    def rvu(self, request: Request) -> Reply:
        try:
            options = read_options(request.text)
        except ClaimInputError as exc:
            return error_reply(ErrorKind.BAD_INPUT, str(exc), "For example `/rvu 99214 FL 04`.")
        if not options.words:
            return error_reply(ErrorKind.BAD_INPUT, "/rvu needs a code.", "For example `/rvu 99214` or "
                               "`/rvu 99214 FL 04`.")
        typed, locality_words = options.words[0].upper(), " ".join(options.words[1:])
        found = _CODE_WITH_MODIFIER.match(typed)
        if found is None or not _SERVICE_CODE.match(found[1]):
            return error_reply(ErrorKind.BAD_INPUT, f"{typed[:20]} is not a CPT or HCPCS code.",
                               "For example `/rvu 99214`, or `/rvu 71046-26` for a modifier's row.")
        code, modifier = found[1], found[2] or ""
        loaded = self.store.releases()
        release = self.store.release(ReleaseKind.RVU, options.day, loaded)
        qpp = self.store.release(ReleaseKind.RVU_QPP, options.day, loaded)
        main = release or qpp
        if main is None:
            return _absent("PFS RVU", ReleaseKind.RVU, options.day, loaded)
        rvu = self.store.rvu(main, code, modifier)
        if rvu is None:
            priced = sorted(self.store.priced_modifiers(main, code))
            hint = (f"{code} is listed with modifiers {', '.join(m or 'none' for m in priced)}."
                    if priced else "Check the code with `/code " + code + "`.")
            what = f"{code}-{modifier}" if modifier else code
            return error_reply(ErrorKind.NOT_FOUND, f"{what} is not in {main.label}.", hint)
        gpci, gpci_release = fees.NATIONAL, None
        if locality_words:
            gpci_release = self.store.release(ReleaseKind.GPCI, options.day, loaded)
            if gpci_release is None:
                return _absent("GPCI", ReleaseKind.GPCI, options.day, loaded)
            matches = fees.find_locality(self.store.localities(gpci_release), locality_words)
            if not matches:
                return error_reply(ErrorKind.BAD_INPUT, f"No locality matches “{locality_words[:40]}” in "
                                   f"{gpci_release.label}.", "Give the state and locality number "
                                   "(`/rvu 99214 FL 04`) or words of the locality name (`/rvu 99214 Miami`).")
            if len(matches) > 1:
                listed = "\n".join(f"- `{g.state} {g.locality}` {g.name}" for g in matches[:15])
                return error_reply(ErrorKind.BAD_INPUT, f"“{locality_words[:40]}” matches {len(matches)} "
                                   "localities; pick one.", listed)
            gpci = matches[0]
        fields = (
            Field("Work RVU", f"{rvu.work:.2f}"),
            Field("PE RVU non-facility", "NA" if rvu.pe_nonfacility_na else f"{rvu.pe_nonfacility:.2f}"),
            Field("PE RVU facility", "NA" if rvu.pe_facility_na else f"{rvu.pe_facility:.2f}"),
            Field("MP RVU", f"{rvu.mp:.2f}"),
            Field("Global days", rvu.global_days or "-"),
            Field("Status", rvu.status or "-"),
            Field("PC/TC", f"{rvu.pctc}: {fees.PCTC_MEANING.get(rvu.pctc, '?')}", False),
            Field("Multiple procedure", f"{rvu.multiple_procedure}: "
                  f"{fees.MULTIPLE_PROCEDURE_MEANING.get(rvu.multiple_procedure, '?')}", False),
            Field("Bilateral", f"{rvu.bilateral}: {fees.BILATERAL_MEANING.get(rvu.bilateral, '?')}", False),
        )
        where = gpci.label if gpci is not fees.NATIONAL else "national"
        payment_lines = [f"GPCIs ({where}): work {gpci.work:.3f}, PE {gpci.pe:.3f}, MP {gpci.mp:.3f}",
                 "Payment = (work RVU × work GPCI + PE RVU × PE GPCI + MP RVU × MP GPCI) × conversion factor"]
        sources = [main.label] + ([gpci_release.label] if gpci_release else [])
        for label, used in ((("non-QPP" if qpp else ""), release), ("QPP", qpp)):
            if used is None:
                continue
            row = rvu if used is main else (self.store.rvu(used, code, modifier) or rvu)
            if used is not main:
                sources.append(used.label)
            tag = f" {label}" if label else ""
            for facility in (False, True):
                pay = fees.payment(row, gpci, facility=facility, conversion_factor=row.conversion_factor)
                setting = "Facility" if facility else "Non-facility"
                shown = pay.formula if pay else "not priced in this setting (NA)"
                payment_lines.append(f"- {setting}{tag}: {shown}")
        if not rvu.conversion_factor:
            payment_lines.append("The file gives no conversion factor for this year, so no amount can be shown.")
        title = f"{code}{'-' + modifier if modifier else ''}: fee schedule {main.period}"
        reply = Reply(title=title, subtitle=f"Locality: {where}", fields=fields,
                      sections=(Section("Payment", "\n".join(payment_lines)),), footer="Source: " + ", ".join(sources))
        return reply

    # --- /check ------------------------------------------------------------------------------------
    def check(self, request: Request) -> Reply:
        try:
            claim = parse_claim(request.text)
        except ClaimInputError as exc:
            message = str(exc)
            return error_reply(ErrorKind.BAD_INPUT, message[:1].upper() + message[1:],
                               "For example `/check 99214-25 11102 J1885x2 E11.9 N18.32`.")
        outcomes = [rule.run(claim) for rule in self.rules]
        reply = check_reply(outcomes, claim.date_of_service or self.today())
        # Name the releases the answer rests on, findings or not.
        loaded = self.store.releases()
        kinds = ((ReleaseKind.PTP_HOSPITAL, ReleaseKind.MUE_HOSPITAL) if claim.hospital
                 else (ReleaseKind.PTP_PRACTITIONER, ReleaseKind.MUE_PRACTITIONER)) + (ReleaseKind.AOC, ReleaseKind.RVU)
        used = [r.label for k in kinds if (r := self.store.release(k, claim.date_of_service, loaded)) is not None]
        if used:
            reply = reply.with_footer("Data: " + ", ".join(used))
        return reply

    # --- /changes ----------------------------------------------------------------------------------
    def changes(self, request: Request) -> Reply:
        words = request.text.split()
        if words and words[0].lower() in ("watch", "unwatch", "watching"):
            return self._watch(request, words[0].lower(), words[1:])
        if len(words) < 3:
            with self.sessions() as session:
                loaded = code_changes.systems_loaded(session)
            have = "; ".join(f"{s}: {', '.join(v)}" for s, v in loaded.items()) or "none yet"
            return error_reply(ErrorKind.BAD_INPUT, "/changes needs a code system and two releases.",
                               f"For example `/changes hcpcs 2019 2020`. Releases loaded: {have}.")
        kind, page = "", 1
        for word in words[3:]:
            lowered = word.lower()
            if lowered in _KINDS:
                kind = lowered
            elif lowered.startswith("page:") and lowered[5:].isdigit():
                page = max(1, int(lowered[5:]))
            elif lowered.isdigit():
                page = max(1, int(lowered))
            elif lowered != "page":
                return error_reply(ErrorKind.BAD_INPUT, f"“{word[:20]}” is not added, terminated, changed or "
                                   "page:N.", "For example `/changes hcpcs 2019 2020 added page:2`.")
        return self._changes(words[0], words[1], words[2], kind, page)

    def _changes(self, system_typed: str, old: str, new: str, kind: str, page: int) -> Reply:
        from core.codes.record import System

        system = System.parse(system_typed)
        if system is None:
            return error_reply(ErrorKind.BAD_INPUT, f"“{system_typed[:20]}” is not a code system.",
                               "Use hcpcs, icd10cm or cpt, e.g. `/changes hcpcs 2019 2020`.")
        with self.sessions() as session:
            versions = code_changes.versions(session, system.value)
            found = code_changes.compare(session, system.value, old, new)
        if found is None:
            missing = [v for v in (old, new) if v not in versions]
            return error_reply(ErrorKind.NOT_FOUND, f"{system.label} release {', '.join(missing)} is not loaded.",
                               f"Loaded: {', '.join(versions) or 'none'}. Import a release with "
                               f"`codedesk import {system.value} FILE`.")
        items = found.of_kind(kind)
        pages = max(1, -(-len(items) // PAGE_SIZE))
        page = min(page, pages)
        shown = items[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
        results = tuple(ResultItem(f"{c.code} · {c.kind}", c.text[:300]) for c in shown)
        counts = (Field("Added", f"{len(found.added):,}"), Field("Terminated", f"{len(found.terminated):,}"),
                  Field("Description changed", f"{len(found.changed):,}"))
        actions = []
        if page < pages:
            actions.append(Action("Next page", CHANGES_PAGE, f"{system.value} {old} {new} {kind or 'all'} {page + 1}"))
        if page > 1:
            actions.append(Action("Previous page", CHANGES_PAGE,
                                  f"{system.value} {old} {new} {kind or 'all'} {page - 1}"))
        which = kind or "all changes"
        return Reply(title=f"{system.label}: {old} → {new}", subtitle=f"{which}, page {page} of {pages}",
                     fields=counts, results=results, actions=tuple(actions),
                     footer=f"`/changes {system.value} {old} {new} added page:2` lists one kind, page by page")

    def _changes_page(self, request: Request) -> Reply:
        parts = request.text.split()
        if len(parts) != 5 or not parts[4].isdigit():
            return error_reply(ErrorKind.BAD_INPUT, "That page button is out of date.",
                               "Ask again with `/changes hcpcs 2019 2020`.")
        system, old, new, kind, page = parts
        return self._changes(system, old, new, "" if kind == "all" else kind, int(page))

    def _watch(self, request: Request, verb: str, typed: list[str]) -> Reply:
        if not request.channel_id:
            return error_reply(ErrorKind.BAD_INPUT, "Watches belong to a channel.",
                               "Run `/changes watch CODE…` in the channel that should be told.")
        actor = request.actor
        if verb == "watching":
            with self.sessions() as session:
                listed = watches.channel_codes(session, actor, request.channel_id)
            text = ", ".join(f"`{c}`" for c in listed) or "none"
            return Reply(title="Codes this channel watches", sections=(Section("", text),),
                         footer="An import that changes one of them posts a notice here")
        codes, bad = [], []
        for word in typed:
            parsed = parse_code(word)
            if isinstance(parsed, Parsed) and not parsed.guesses[0].modifier:
                codes.append(parsed.guesses[0].code)
            else:
                bad.append(word[:20])
        if bad or not codes:
            what = f"{', '.join(bad)} {'is' if len(bad) == 1 else 'are'} not codes" if bad else "No codes given"
            return error_reply(ErrorKind.BAD_INPUT, f"{what}.", f"For example `/changes {verb} 29881 J1885 E11.9`.")
        with transaction(self.sessions) as session:
            if verb == "watch":
                have = watches.channel_codes(session, actor, request.channel_id)
                if len(set(have) | set(codes)) > watches.MAX_WATCHES_PER_CHANNEL:
                    return error_reply(ErrorKind.BAD_INPUT, f"A channel watches at most "
                                       f"{watches.MAX_WATCHES_PER_CHANNEL} codes.", "Unwatch some first.")
                added = watches.add_watches(session, actor, request.channel_id, codes)
                text = (f"Watching {', '.join(f'`{c}`' for c in codes)}: this channel is told when an import "
                        "(NCCI, MUE, add-on, RVU or a code-set release) changes "
                        f"{'it' if len(codes) == 1 else 'one of them'}.")
                if len(added) < len(codes):
                    text += " (Some were watched already.)"
                return Reply(title="Watching codes for changes", sections=(Section("", text),)).shared()
            removed = watches.remove_watches(session, actor, request.channel_id, codes)
        return Reply(title=f"Stopped watching {removed} code{'s' if removed != 1 else ''}",
                     sections=(Section("", ", ".join(f"`{c}`" for c in codes)),))


def check_reply(outcomes: Sequence[CheckOutcome], day: date) -> Reply:
    findings = [f for o in outcomes for f in o.findings]
    not_run = [o for o in outcomes if not o.ran]
    problems = [f for f in findings if f.severity is not Severity.NOTE]
    if not problems and not not_run:
        title = "No problems found"
    elif problems:
        title = f"{len(problems)} problem{'s' if len(problems) != 1 else ''} found"
    else:
        title = "Nothing found, but not every check could run"
    sections = []
    by_check: dict[str, list[str]] = {}
    for finding in findings:
        source = f" _({finding.source})_" if finding.source else ""
        by_check.setdefault(finding.check, []).append(f"- {_SEVERITY_MARK[finding.severity]}: "
                                                      f"{finding.message}{source}")
    for check, lines in by_check.items():
        sections.append(Section(check, "\n".join(lines)))
    if not_run:
        sections.append(Section("Checks that could not run",
                                "\n".join(f"- {o.check}: {o.missing}" for o in not_run)))
    ran = [o.check for o in outcomes if o.ran]
    sections.append(Section("Checks run", ", ".join(ran) or "none"))
    return Reply(title=title, subtitle=f"Date of service {day:%Y-%m-%d}", sections=tuple(sections),
                 footer="CMS edits as loaded; payers may apply more")

