"""CasePilot: the Desk's free-text answerer. Every mention, direct message and shell line that is not
a command comes here, gets one intent and its entities, and is answered with its sources:

- lookup: the codes' cards (the only answers that use code views); search: the code search;
- case: Case2Code's proposed ICD-10-CM code set (core.assistant.case2code, when installed);
- guideline and modifier: the best guideline notes, each citing its document and section;
- ncci, mue, fee, coverage: the feature's own command (/ncci, /mue, /rvu, /coverage) when the Desk
  has it, else what to install or import;
- jobs, account, help: the commands that answer them; smalltalk; unknown: an honest "I don't know".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Protocol

from core.assistant.answer import Answer
from core.assistant.entities import Entities, extract
from core.assistant.guidelines import GuidelineLibrary, GuidelineNote, NoteHit
from core.assistant.intents import Intent, classify, clean_question
from core.assistant.vocabulary import clinical_stems
from core.codes.cards import lookup_reply
from core.codes.catalog import Catalog
from core.codes.feature import CodesFeature
from core.codes.lookup import lookup
from core.codes.record import RecordKind, System
from core.codes.views import Searcher
from core.commands import CommandRegistry
from core.replies import ErrorKind, Field, Reply, Section, error_reply
from core.requests import Actor, Platform, Request, RequestKind
from core.search.text import stem

MAX_NOTES = 2
# A second note is shown when it scores at least this share of the best one.
SECOND_NOTE_SHARE = 0.7
# Below this BM25 score a note is no answer, but may still be offered as the nearest thing to one.
NEAREST_NOTE_SCORE = 6.0
MAX_QUESTION_CHARS = 2000
SUGGESTION = "A suggestion to check against the record and the guidelines: a certified coder decides."


@dataclass(frozen=True)
class DataCommand:
    """The command that answers a data question, and what an administrator installs when it is missing."""

    command: str
    label: str  # "NCCI procedure-to-procedure edits"
    question: str  # "may {codes} be billed together?"
    install: str  # what to import
    note: str  # the guideline note to show meanwhile


DATA_COMMANDS = {
    Intent.NCCI: DataCommand("ncci", "NCCI procedure-to-procedure (PTP) edits",
                             "may {codes} be billed together on the same day?",
                             "the CMS NCCI PTP edit files (practitioner and hospital, quarterly)",
                             "ncci-ptp-basics"),
    Intent.MUE: DataCommand("mue", "NCCI medically unlikely edits (MUEs)", "how many units of {codes} are allowed?",
                            "the CMS MUE tables (practitioner, hospital outpatient, DME; quarterly)", "mue-basics"),
    Intent.FEE: DataCommand("rvu", "Medicare Physician Fee Schedule RVUs and GPCIs", "what is {codes} paid?",
                            "the CMS PFS relative value file (PPRRVU) and the GPCI file", "global-surgery"),
    Intent.COVERAGE: DataCommand("coverage", "Medicare coverage articles (LCD billing and coding articles)",
                                 "which diagnoses support {codes}?",
                                 "the CMS Medicare Coverage Database articles download", "ncci-principles"),
}
_LABELS = {Intent.NCCI: "NCCI", Intent.MUE: "MUE", Intent.FEE: "Fee schedule (RVU)", Intent.COVERAGE: "Coverage"}


class CaseProposalLike(Protocol):
    """What Case2Code's `propose()` returns, as far as the assistant needs it."""

    @property
    def codes(self) -> Sequence[Any]: ...  # items with .code, .title, .evidence, .rule

    @property
    def missing_details(self) -> Sequence[str]: ...

    @property
    def sources(self) -> Sequence[str]: ...

    def text(self) -> str: ...


Proposer = Callable[[Catalog, str, str], CaseProposalLike]


def installed_proposer() -> Proposer | None:
    """Case2Code's `propose`, or None when core.assistant.case2code is not installed."""
    try:
        from core.assistant.case2code import propose  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return None
    return lambda catalog, text, setting: propose(catalog, text, setting=setting)  # type: ignore[no-any-return, unused-ignore]


class Assistant:
    """Answers free text. Holds its dependencies explicitly; the registry is the Desk's own."""

    def __init__(self, catalog: Catalog | Callable[[], Catalog], codes: CodesFeature, *,
                 searcher: Searcher | None = None, notes: GuidelineLibrary | None = None,
                 registry: CommandRegistry | None = None, proposer: Proposer | bool | None = True,
                 setting: str = "outpatient", today: Callable[[], date] = date.today) -> None:
        self._catalog = catalog if isinstance(catalog, Catalog) else None
        self._load = None if isinstance(catalog, Catalog) else catalog
        self.codes = codes
        self.searcher = searcher
        self._notes = notes
        self.registry = registry
        # True: find Case2Code when the first case arrives; None/False: not installed; else the function.
        self._proposer: Proposer | bool | None = proposer
        self.setting = setting
        self.today = today

    # --- dependencies, loaded on first use ---------------------------------------------------------
    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            assert self._load is not None
            self._catalog = self._load()
        return self._catalog

    @property
    def notes(self) -> GuidelineLibrary:
        if self._notes is None:
            self._notes = GuidelineLibrary.load()
        return self._notes

    @property
    def proposer(self) -> Proposer | None:
        if self._proposer is True:
            self._proposer = installed_proposer()
        return self._proposer or None

    def warm(self) -> None:
        """Load everything a first question would (catalog, notes, vocabulary): start-up, not answer time."""
        clinical_stems(self.catalog)
        _ = self.notes
        if self.proposer is not None:  # Case2Code loads its pipeline on the first case
            self.proposer(self.catalog, "follow-up for type 2 diabetes", self.setting)

    def bind(self, registry: CommandRegistry) -> Assistant:
        """The same assistant answering with the Desk's commands (/ncci, /mue, /rvu, /coverage, /consult)."""
        self.registry = registry
        return self

    # --- the Desk's free-text hook -----------------------------------------------------------------
    def free_text(self, request: Request) -> Reply | None:
        return self.answer(request).reply

    def ask(self, question: str, actor: Actor | None = None) -> Answer:
        who = actor or Actor(Platform.SHELL, "local", "you")
        return self.answer(Request.message_of(who, question))

    def understand(self, text: str) -> tuple[Intent, Entities]:
        # A pasted note can run to pages; its opening says what is asked, and the rules stay linear in time.
        head = clean_question(text)[:MAX_QUESTION_CHARS]
        entities = extract(head, self.catalog)
        vocabulary = clinical_stems(self.catalog)
        return classify(head, entities, lambda word: stem(word) in vocabulary), entities

    def answer(self, request: Request) -> Answer:
        question = clean_question(request.text)
        intent, entities = self.understand(question)
        handler = {
            Intent.LOOKUP: self._lookup, Intent.SEARCH: self._search, Intent.CASE: self._case,
            Intent.GUIDELINE: self._guideline, Intent.MODIFIER: self._modifier, Intent.JOBS: self._jobs,
            Intent.ACCOUNT: self._account, Intent.HELP: self._help, Intent.SMALLTALK: self._smalltalk,
            Intent.UNKNOWN: self._unknown,
        }.get(intent)
        if handler is None:
            return self._data(request, question, intent, entities)
        return handler(request, question, intent, entities)

    # --- codes -------------------------------------------------------------------------------------
    def _code_sources(self, systems: Sequence[System]) -> tuple[str, ...]:
        out: list[str] = []
        for system in dict.fromkeys(systems):
            status = self.catalog.status(system)
            if status is not None:
                out.append(f"{system.label}: {status.source}, release {status.version}".strip(", "))
            else:
                out.append(f"{system.label}: not loaded")
        return tuple(out)

    def _lookup(self, request: Request, question: str, intent: Intent, entities: Entities) -> Answer:
        reply = self.codes.codes_in_text(replace(request, text=question))
        opened = reply is not None
        if reply is None:  # code-shaped but not in the catalog: say so, as /code would
            first = entities.codes[0]
            reply = lookup_reply(self.catalog, lookup(self.catalog, first.code, first.system, self.today()))
        codes = tuple(c.code for c in entities.codes)
        sources = self._code_sources([c.system for c in entities.codes])
        return Answer(question, intent, entities, reply, codes, sources, opened_cards=opened)

    def _search(self, request: Request, question: str, intent: Intent, entities: Entities) -> Answer:
        if self.searcher is None:
            reply = error_reply(ErrorKind.UNAVAILABLE, "Code search is not available here.",
                                "Look a code up by number instead, e.g. `/icd10 E11.9`.")
            return Answer(question, intent, entities, reply)
        words = re.sub(r"^\s*search\s+", "", question, flags=re.IGNORECASE)
        reply = self.searcher.search_reply(replace(request, kind=RequestKind.MESSAGE), words, None)
        found: list[tuple[System, str]] = []
        for item in reply.results:
            if item.action is not None and ":" in item.action.value:
                system_text, _, code = item.action.value.partition(":")
                system = System.parse(system_text)
                if system is not None:
                    found.append((system, code))
        sources = self._code_sources([s for s, _ in found] or [System.ICD10CM])
        return Answer(question, intent, entities, reply.with_footer("Sources: " + "; ".join(sources)),
                      tuple(c for _, c in found), sources)

    # --- cases -------------------------------------------------------------------------------------
    def _case(self, request: Request, question: str, intent: Intent, entities: Entities) -> Answer:
        text = re.sub(r"^\s*(?:case\s*[:\-]|code this\s*:?)\s*", "", question, flags=re.IGNORECASE)
        propose = self.proposer
        if propose is None:
            reply = Reply(title="Case coding is not installed on this CodeDesk",
                          subtitle="That reads as a case to code (intent: case).",
                          sections=(Section("What you can do now",
                                            "- Search each condition: `/codesearch type 2 diabetes with CKD`\n"
                                            "- Ask about the rule: “how is hypertension with CKD coded?”\n"
                                            "- An administrator installs Case2Code (core.assistant.case2code) "
                                            "to get proposed code sets."),),
                          footer=SUGGESTION)
            return Answer(question, intent, entities, reply)
        proposal = propose(self.catalog, text, self.setting)
        reply = case_reply(proposal)
        return Answer(question, intent, entities, reply, tuple(str(c.code) for c in proposal.codes),
                      tuple(proposal.sources))

    # --- guidance ----------------------------------------------------------------------------------
    def _guideline(self, request: Request, question: str, intent: Intent, entities: Entities) -> Answer:
        hits = self.notes.search(question, limit=MAX_NOTES + 1, modifiers=entities.modifiers,
                                 codes=[c.code for c in entities.codes])
        if not hits:
            return self._unknown(request, question, intent, entities)
        chosen = _chosen(hits)
        reply = notes_reply(chosen, title=chosen[0].title)
        return Answer(question, intent, entities, reply, tuple(_note_codes(chosen)),
                      tuple(n.citation for n in chosen))

    def _modifier(self, request: Request, question: str, intent: Intent, entities: Entities) -> Answer:
        hits = self.notes.search(question, limit=MAX_NOTES + 1, modifiers=entities.modifiers,
                                 codes=[c.code for c in entities.codes])
        chosen = _chosen(hits) if hits else []
        summaries: list[str] = []
        sources = [n.citation for n in chosen]
        for modifier in entities.modifiers:
            record = self._modifier_record(modifier)
            if record is not None:
                summaries.append(f"- {modifier}: {record.summary or record.title}")
                label = "CodeDesk CPT modifier summaries (own words)" if record.system is System.CPT \
                    else f"{record.source}, release {record.version}".strip(", ")
                if label not in sources:
                    sources.append(label)
        sections = []
        if summaries:
            sections.append(Section("In short", "\n".join(summaries)))
        if not chosen and not summaries:
            return self._unknown(request, question, intent, entities)
        names = ", ".join(entities.modifiers) or "modifiers"
        reply = notes_reply(chosen, title=f"Modifier {names}" if entities.modifiers else chosen[0].title,
                            lead=tuple(sections))
        return Answer(question, intent, entities, reply, tuple(entities.modifiers), tuple(sources))

    def _modifier_record(self, modifier: str) -> Any:
        for system in (System.CPT, System.HCPCS):
            record = self.catalog.get(system, modifier)
            if record is not None and record.kind is RecordKind.MODIFIER:
                return record
        return None

    # --- data features through their commands ------------------------------------------------------
    def _data(self, request: Request, question: str, intent: Intent, entities: Entities) -> Answer:
        spec = DATA_COMMANDS[intent]
        codes = tuple(c.code for c in entities.procedure_codes) or tuple(c.code for c in entities.codes)
        about = " and ".join(codes) if codes else "that"
        asked = spec.question.format(codes=about)
        command = self.registry.get(spec.command) if self.registry is not None else None
        if command is not None:
            # Only the codes: every data command takes codes; units, dates and states stay in the intro.
            args = " ".join(codes) if codes else question
            answered = command.handler(Request(actor=request.actor, kind=RequestKind.COMMAND, command=spec.command,
                                               text=args, channel_id=request.channel_id,
                                               channel_timezone=request.channel_timezone))
            understood = entities.summary()
            intro = f"{_LABELS[intent]} question: {asked} ({understood}; answered by `/{spec.command} {args[:60]}`)"
            reply = replace(answered, subtitle=f"{intro} {answered.subtitle}".strip())
            cited = [f"/{spec.command}: {spec.label}"]
            if answered.footer:
                cited.append(answered.footer)
            return Answer(question, intent, entities, reply, codes, tuple(cited))
        note = self.notes.get(spec.note)
        sections = [Section("Not installed here",
                            f"{spec.label} are not installed on this CodeDesk (no `/{spec.command}` command). "
                            f"An administrator installs the feature and imports {spec.install}; then ask again.")]
        sources: list[str] = []
        if note is not None and intent in (Intent.NCCI, Intent.MUE):
            sections.append(Section(f"Meanwhile: {note.title}", f"{note.text}\nSource: {note.source}"))
            sources.append(note.citation)
        reply = Reply(title=f"{_LABELS[intent]} question: {asked}", subtitle=entities.summary(),
                      sections=tuple(sections), footer="Intent: " + intent.value)
        return Answer(question, intent, entities, reply, codes, tuple(sources))

    # --- the desk itself ---------------------------------------------------------------------------
    def _jobs(self, request: Request, question: str, intent: Intent, entities: Entities) -> Answer:
        command = self.registry.get("jobs") if self.registry is not None else None
        if command is None:
            reply = Reply(title="The job board is not installed on this CodeDesk",
                          subtitle="That reads as a jobs question (intent: jobs).")
            return Answer(question, intent, entities, reply)
        how_to = re.search(r"\b(?:post|subscribe|digest|feed|how do i|how to)\b", question, re.IGNORECASE)
        if how_to:
            reply = self._help_topic("jobs", "Jobs: how to use the job board with `/jobs`.")
            return Answer(question, intent, entities, reply, sources=("/jobs",))
        terms = " ".join([*entities.credentials, *entities.states, *_job_words(question)])
        args = f"search {terms}" if terms else ""
        reply = command.handler(Request(actor=request.actor, kind=RequestKind.COMMAND, command="jobs", text=args,
                                        channel_id=request.channel_id))
        return Answer(question, intent, entities, reply.with_footer(f"From `/jobs {args}`".strip()),
                      sources=("/jobs",))

    def _account(self, request: Request, question: str, intent: Intent, entities: Entities) -> Answer:
        lowered = question.lower()
        topic = "link" if re.search(r"\blink", lowered) else "unregister" if re.search(
            r"\bunregister|delete my", lowered) else "register" if re.search(r"\bregister|sign up", lowered) else "me"
        command = self.registry.get(topic) if self.registry is not None else None
        if topic == "me" and command is not None:
            reply = command.handler(Request(actor=request.actor, kind=RequestKind.COMMAND, command="me",
                                            channel_id=request.channel_id))
            return Answer(question, intent, entities, reply.with_footer("From `/me`"), sources=("/me",))
        if command is None:
            reply = Reply(title="Accounts are not installed on this CodeDesk",
                          subtitle=f"That reads as an account question; `/{topic}` answers it where accounts are on.")
            return Answer(question, intent, entities, reply)
        reply = self._help_topic(topic, f"Account: use `/{topic}`.")
        return Answer(question, intent, entities, reply, sources=(f"/{topic}",))

    def _help_topic(self, topic: str, intro: str) -> Reply:
        assert self.registry is not None
        return self.registry.help_reply(intro, topic=topic)

    def _help(self, request: Request, question: str, intent: Intent, entities: Entities) -> Answer:
        intro = "Ask me in your own words: a code, a case, a coding rule, a modifier. `/help` lists the commands."
        if self.registry is not None:
            listing = self.registry.help_reply(intro)
            reply = replace(listing, sections=(Section("Ask me in your own words", _EXAMPLES), *listing.sections))
        else:
            reply = Reply(title="CodeDesk — medical coding in your chat", subtitle=intro,
                          sections=(Section("Try", _EXAMPLES),), footer="`/help` lists every command")
        return Answer(question, intent, entities, reply)

    def _smalltalk(self, request: Request, question: str, intent: Intent, entities: Entities) -> Answer:
        thanks = re.search(r"\bthank|\bthx\b|\bty\b|\bcheers\b|appreciat", question, re.IGNORECASE)
        title = "You're welcome!" if thanks else "Hello! I'm CodeDesk."
        reply = Reply(title=title, subtitle="Ask me about a code, a case, a coding rule or a modifier.",
                      sections=(Section("For example", _EXAMPLES),))
        return Answer(question, intent, entities, reply)

    def _unknown(self, request: Request, question: str, intent: Intent, entities: Entities) -> Answer:
        lines = _EXAMPLES
        if self.registry is not None and self.registry.get("consult") is not None:
            lines += "\n- Ask a human coding expert: `/consult <your question>`"
        sections = [Section("What I can do", lines)]
        nearest = [h.note for h in self.notes.search(question, limit=2) if h.score >= NEAREST_NOTE_SCORE]
        if nearest:
            sections.insert(0, Section("Closest guideline notes I have",
                                       "\n".join(f"- {n.title} ({n.source})" for n in nearest)))
        reply = Reply(title="I don't know that one.",
                      subtitle="I answer medical-coding questions from code sets and guideline notes; I could not "
                               "match this to any of them.",
                      sections=tuple(sections), footer="`/help` lists every command")
        return Answer(question, Intent.UNKNOWN if intent is Intent.UNKNOWN else intent, entities, reply)


_EXAMPLES = ("- Look up codes: “what is 99213 and E11.9?”\n"
             "- Find a code: “code for left knee osteoarthritis”\n"
             "- Code a case: “case: type 2 diabetes with stage 3b CKD and hypertension”\n"
             "- Coding rules: “when do I use excludes1 versus excludes2?”\n"
             "- Modifiers: “when do I use modifier 25?”\n"
             "- Edits, units, fees and coverage: “is there an NCCI edit between 29881 and 29880?”")
_JOB_FILLER = re.compile(r"\b(?:any|are|there|show|me|jobs?|openings?|positions?|hiring|a|an|in|for|the|is|"
                         r"anyone|coder|coding|looking|find|some|new|please|\?)\b", re.IGNORECASE)


def _job_words(question: str) -> list[str]:
    keep = re.findall(r"\b(remote|inpatient|outpatient|risk adjustment|hcc|auditor|denials|pro ?fee|"
                      r"facility|ed|emergency|surgery|radiology)\b", question, re.IGNORECASE)
    return [k.lower() for k in keep]


def _chosen(hits: list[NoteHit]) -> list[GuidelineNote]:
    best = hits[0].score
    return [h.note for h in hits[:MAX_NOTES] if h is hits[0] or h.score >= SECOND_NOTE_SHARE * best]


def _note_codes(notes: Sequence[GuidelineNote]) -> list[str]:
    return list(dict.fromkeys(code for note in notes for code in note.codes))


def notes_reply(notes: Sequence[GuidelineNote], *, title: str, lead: tuple[Section, ...] = ()) -> Reply:
    """Guideline notes as an answer: each note's text and the section it comes from."""
    sections = list(lead)
    for note in notes:
        sections.append(Section(note.title, f"{note.text}\nSource: {note.source}"))
    return Reply(title=title, subtitle="From CodeDesk's guideline notes (our own words; read the cited section).",
                 sections=tuple(sections),
                 footer=" · ".join(f"Note {n.id} ({n.file})" for n in notes))


def case_reply(proposal: CaseProposalLike) -> Reply:
    """Case2Code's proposal as a Reply: each code with the words it came from and the rule behind it."""
    lines = []
    for item in proposal.codes:
        evidence = getattr(item, "evidence", "")
        if isinstance(evidence, (list, tuple)):
            evidence = ", ".join(str(e) for e in evidence)
        lines.append(f"- `{item.code}` {item.title} — from “{evidence}”; {item.rule}")
    sections = [Section("Proposed ICD-10-CM codes", "\n".join(lines) or "No codable condition was found.")]
    left_out = getattr(proposal, "left_out", ())
    if left_out:
        sections.append(Section("Not coded", "\n".join(f"- “{x.words}”: {x.reason}" for x in left_out)))
    if proposal.missing_details:
        sections.append(Section("More detail would make it more specific",
                                "\n".join(f"- {d}" for d in proposal.missing_details)))
    if proposal.sources:
        sections.append(Section("Sources", "\n".join(f"- {s}" for s in proposal.sources)))
    return Reply(title="Proposed code set" if proposal.codes else "No codes proposed",
                 fields=(Field("Codes", ", ".join(str(c.code) for c in proposal.codes) or "none"),),
                 sections=tuple(sections), footer=SUGGESTION)
