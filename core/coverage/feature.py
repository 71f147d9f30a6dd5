"""`/coverage` and `/crosswalk`: Medicare coverage articles in chat, from the imported MCD export.

`/coverage 93000` lists the articles that list a procedure, each with its contractors, a link to
the article on the CMS site and its covered diagnosis groups (codes with their ICD-10-CM titles,
the article's own group numbers), a page at a time. `/coverage 93000 I48.91 Z00.00` says for each
diagnosis which articles cover it, which list it as not covered, and which list the procedure
without it. `/crosswalk` ranks the diagnoses most often covered for a procedure, or the reverse.
None of this opens a code card, so none of it uses a code view.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from core.codes.catalog import Catalog
from core.codes.record import System
from core.commands import Command, Handler, Option
from core.coverage import store
from core.coverage.question import CrosswalkQuestion, Question, QuestionError, parse_crosswalk, parse_question
from core.coverage.store import Article, ExportInfo, ListedCode, Listing
from core.coverage.tables import COVERED, NONCOVERED
from core.db import transaction
from core.replies import Action, ErrorKind, Reply, Section, error_reply
from core.requests import Request

COVERAGE_PAGE = "coverage_page"
PAGE_LINES = 20  # diagnosis lines a page: keeps one page inside Slack's and Discord's message limits
CROSSWALK_LIMIT = 25
ARTICLES_PER_VERDICT = 8  # a diagnosis's answer names at most this many articles under each verdict
TITLE_WIDTH = 70
IMPORT_HINT = ("Nothing about coverage can be said until the CMS article export is imported: an administrator "
               "downloads current_article.zip from the Medicare Coverage Database downloads page and runs "
               "`codedesk import coverage FILE`.")

HELP = (
    "`/coverage 93000` — the coverage articles that list the procedure, with covered diagnosis groups",
    "`/coverage 93000 I48.91 Z00.00` — is each diagnosis covered, not covered, or not listed, and where",
    "Narrow by `state:FL` or `contractor:09102`; add `share` to post the answer to the channel",
    "`/crosswalk 93000` — diagnoses most often covered for a procedure; `/crosswalk I48.91` the reverse",
)


@dataclass(frozen=True, slots=True)
class _Segment:
    """A stretch of the listing: one covered group of one article, or an article with no list."""

    article: Article
    group_no: int | None
    count: int  # codes in the group; an article without a covered list takes one line

    @property
    def lines(self) -> int:
        return max(self.count, 1)


class CoverageFeature:
    def __init__(self, sessions: sessionmaker[Session], catalog: Catalog | Callable[[], Catalog]) -> None:
        self.sessions = sessions
        # A factory defers loading the catalog until a question needs titles: `/help` does not.
        self._catalog = catalog if isinstance(catalog, Catalog) else None
        self._load = None if isinstance(catalog, Catalog) else catalog

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            assert self._load is not None
            self._catalog = self._load()
        return self._catalog

    def commands(self) -> Sequence[Command]:
        return (
            Command("coverage", "Medicare coverage articles: which diagnoses support a procedure",
                    self.coverage, Option.text("args", "A procedure, then diagnoses: 93000 I48.91 state:FL",
                                               required=True),
                    usage="/coverage 93000 I48.91", details=HELP, shareable=True),
            Command("crosswalk", "Diagnoses most often covered for a procedure, or procedures for a diagnosis",
                    self.crosswalk, Option.code("A CPT/HCPCS code (93000) or an ICD-10-CM code (I48.91)"),
                    usage="/crosswalk 93000", details=HELP[3:], shareable=True),
        )

    def actions(self) -> Mapping[str, Handler]:
        return {COVERAGE_PAGE: self._page_action}

    # --- /coverage ---------------------------------------------------------------------------------
    def coverage(self, request: Request) -> Reply:
        try:
            question = parse_question(request.text)
        except QuestionError as exc:
            return error_reply(ErrorKind.BAD_INPUT, exc.title, exc.hint)
        return self.answer(question)

    def _page_action(self, request: Request) -> Reply:
        try:
            question = parse_question(request.text)
        except QuestionError:
            return error_reply(ErrorKind.BAD_INPUT, "That page button no longer works.",
                               "Ask again with `/coverage 93000`.")
        return self.answer(question)

    def answer(self, question: Question) -> Reply:
        # The catalog loads (from the database) before the transaction below: never inside it.
        catalog = self.catalog
        unknown = [d for d in question.diagnoses if catalog.title(System.ICD10CM, d) is None]
        if unknown:
            return error_reply(ErrorKind.BAD_INPUT, f"{', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} "
                               "not in the ICD-10-CM code set.",
                               "Check the code with `/icd10 <code>`; diagnoses look like I48.91.")
        with transaction(self.sessions) as session:
            info = store.export_info(session)
            if info is None:
                return error_reply(ErrorKind.NOT_FOUND, "No coverage data is loaded.", IMPORT_HINT)
            refused = _check_narrowing(session, question.narrowing)
            if refused is not None:
                return refused
            found = store.articles_listing_procedure(session, question.procedure, question.narrowing)
            if not found:
                return self._no_articles(session, question, info)
            if question.diagnoses:
                listings = store.diagnosis_listings(session, [a.article_id for a in found], question.diagnoses)
                sizes = store.group_sizes(session, [a.article_id for a in found])
                return self._verdicts(question, info, found, listings, sizes)
            return self._listing(session, question, info, found)

    def _no_articles(self, session: Session, question: Question, info: ExportInfo) -> Reply:
        if question.narrowing.words and store.articles_listing_procedure(session, question.procedure):
            return error_reply(ErrorKind.NOT_FOUND, f"No coverage article of {question.narrowing.describe} "
                               f"lists {question.procedure}.",
                               f"Other contractors' articles do: `/coverage {question.procedure}`.")
        return error_reply(ErrorKind.NOT_FOUND, f"No coverage article lists {question.procedure}.",
                           f"Billing and coding articles cover only some procedures; {info.label} has none for "
                           f"it, so no local diagnosis limits apply from them. Check the code with "
                           f"`/code {question.procedure}`.")

    def _listing(self, session: Session, question: Question, info: ExportInfo, found: list[Article]) -> Reply:
        sizes = store.group_sizes(session, [a.article_id for a in found])
        segments: list[_Segment] = []
        for article in found:
            groups = [g for g in sizes if g.article_id == article.article_id and g.kind == COVERED]
            segments.extend(_Segment(article, g.group_no, g.count) for g in groups)
            if not groups:
                segments.append(_Segment(article, None, 0))
        total = sum(s.lines for s in segments)
        pages = max(1, -(-total // PAGE_LINES))
        page = min(question.page, pages)
        low, high = (page - 1) * PAGE_LINES, page * PAGE_LINES
        bodies: dict[int, list[str]] = {}
        order: list[Article] = []
        offset = 0
        for segment in segments:
            start, stop = max(low, offset), min(high, offset + segment.lines)
            offset += segment.lines
            if start >= stop:
                continue
            article = segment.article
            if article.article_id not in bodies:
                order.append(article)
                bodies[article.article_id] = []
            lines = bodies[article.article_id]
            if segment.group_no is None:
                lines.append(f"_This article lists no diagnoses for {question.procedure}: it does not limit "
                             "which diagnoses support it._")
                continue
            first = start - (offset - segment.lines)
            codes = store.diagnoses_slice(session, article.article_id, True, segment.group_no, first,
                                          first + stop - start)
            span = f"codes {first + 1}–{first + len(codes)} of {segment.count}" if segment.count > len(codes) \
                else f"{segment.count} code{'s' if segment.count != 1 else ''}"
            lines.append(f"*Group {segment.group_no}* ({span}):")
            lines.extend(self._code_lines(codes))
        sections = []
        for article in order:
            noncovered = sum(g.count for g in sizes if g.article_id == article.article_id and g.kind == NONCOVERED)
            head = [f"Contractors: {article.contractor_labels}", article.url]
            tail = [f"It also lists {noncovered} diagnos{'es' if noncovered != 1 else 'is'} that do not support "
                    f"{question.procedure}: check one with `/coverage {question.procedure} <diagnosis>`."] \
                if noncovered else []
            if any("` *" in line for line in bodies[article.article_id]):
                tail.insert(0, "* the article sets a further condition for this code: read it before billing.")
            sections.append(Section(f"{article.display_id} — {article.title}",
                                    "\n".join(head + bodies[article.article_id] + tail)))
        count = len(found)
        narrowed = f" · {question.narrowing.describe}" if question.narrowing.words else ""
        actions: list[Action] = []
        if page > 1:
            actions.append(Action("◀ Previous", COVERAGE_PAGE, question.words(page - 1)))
        if page < pages:
            actions.append(Action("Next ▶", COVERAGE_PAGE, question.words(page + 1)))
        return Reply(title=f"Coverage for {question.procedure}: {count} article{'s' if count != 1 else ''}",
                     subtitle=f"Medicare billing and coding articles that list {question.procedure}, with the "
                              f"diagnoses that support it{narrowed} · {info.label}",
                     sections=tuple(sections), actions=tuple(actions),
                     footer=f"Page {page} of {pages} · `/coverage {question.procedure} I48.91` checks diagnoses")

    def _code_lines(self, codes: list[ListedCode]) -> list[str]:
        lines: list[str] = []
        current_range = ""
        for item in codes:
            if item.in_range and item.in_range != current_range:
                lines.append(f"  range {item.in_range.replace('-', '–')}:")
            current_range = item.in_range
            star = " *" if item.asterisk else ""
            indent = "    " if item.in_range else "- "
            lines.append(f"{indent}`{item.code}` {self._title(item.code)}{star}")
        return lines

    def _title(self, code: str) -> str:
        title = self.catalog.title(System.ICD10CM, code)
        if title is None:
            return "(not in the current ICD-10-CM code set)"
        return title if len(title) <= TITLE_WIDTH else title[: TITLE_WIDTH - 1] + "…"

    def _verdicts(self, question: Question, info: ExportInfo, found: list[Article],
                  listings: dict[str, list[Listing]], sizes: list[store.GroupSize]) -> Reply:
        with_list = {g.article_id for g in sizes if g.kind == COVERED}
        by_id = {a.article_id: a for a in found}
        sections = []
        for code in question.diagnoses:
            where = listings.get(code, [])
            covered = _group_by_article(x for x in where if x.covered)
            not_covered = _group_by_article(x for x in where if not x.covered)
            listed = set(covered) | set(not_covered)
            missing = [a for a in found if a.article_id not in listed and a.article_id in with_list]
            open_ = [a for a in found if a.article_id not in listed and a.article_id not in with_list]
            lines = [*_verdict_lines("Covered", "by", covered, by_id),
                     *_verdict_lines("Not covered", "by", not_covered, by_id)]
            lines += _article_lines("Not listed", missing,
                                    f"lists {question.procedure} but not this diagnosis")
            lines += _article_lines("No diagnosis limits", open_, f"lists no diagnoses for {question.procedure}")
            heading = f"{code} — {self._title(code)}"
            sections.append(Section(heading, "\n".join(lines)))
        count = len(found)
        narrowed = f" · {question.narrowing.describe}" if question.narrowing.words else ""
        return Reply(title=f"{question.procedure} with {', '.join(question.diagnoses)}",
                     subtitle=f"{count} Medicare coverage article{'s list' if count != 1 else ' lists'} "
                              f"{question.procedure}{narrowed} · {info.label}",
                     sections=tuple(sections),
                     actions=(Action(f"Covered diagnoses for {question.procedure}", COVERAGE_PAGE,
                                     Question(question.procedure, (), question.narrowing).words()),),
                     footer="Covered: the article lists the diagnosis as supporting the procedure. "
                            "Not listed: the article limits diagnoses and this one is not among them.")

    # --- /crosswalk --------------------------------------------------------------------------------
    def crosswalk(self, request: Request) -> Reply:
        try:
            question = parse_crosswalk(request.text)
        except QuestionError as exc:
            return error_reply(ErrorKind.BAD_INPUT, exc.title, exc.hint)
        return self._crosswalk(question)

    def _crosswalk(self, question: CrosswalkQuestion) -> Reply:
        catalog = self.catalog  # loaded before the transaction below, never inside it
        if not question.procedure and catalog.title(System.ICD10CM, question.code) is None:
            return error_reply(ErrorKind.BAD_INPUT, f"{question.code} is not in the ICD-10-CM code set.",
                               "Check the code with `/icd10 <code>`.")
        read_as_diagnosis = False
        with transaction(self.sessions) as session:
            info = store.export_info(session)
            if info is None:
                return error_reply(ErrorKind.NOT_FOUND, "No coverage data is loaded.", IMPORT_HINT)
            refused = _check_narrowing(session, question.narrowing)
            if refused is not None:
                return refused
            if question.procedure:
                found = store.articles_listing_procedure(session, question.code, question.narrowing)
                # "A0001"-like tokens read either way; asked again below, once this transaction is closed
                # (a second transaction inside this one would wait on its own database lock).
                read_as_diagnosis = not found and bool(question.also_diagnosis)
                ranked = store.diagnosis_crosswalk(session, [a.article_id for a in found], CROSSWALK_LIMIT)
            else:
                found = store.articles_covering_diagnosis(session, question.code, question.narrowing)
                ranked = store.procedure_crosswalk(session, [a.article_id for a in found], CROSSWALK_LIMIT)
        if read_as_diagnosis:
            return self._crosswalk(CrosswalkQuestion(question.also_diagnosis, False, question.narrowing))
        narrowed = f" · {question.narrowing.describe}" if question.narrowing.words else ""
        if not found:
            what = "lists" if question.procedure else "lists as covered"
            return error_reply(ErrorKind.NOT_FOUND, f"No coverage article {what} {question.code}{narrowed}.",
                               f"{info.label} has nothing to cross-walk for it.")
        count = len(found)
        if question.procedure:
            lines = [f"- `{code}` {self._title(code)} — covered in {n} of {count}" for code, n in ranked]
            if not ranked:
                lines = [f"_The {count} article{'s' if count != 1 else ''} listing {question.code} list no "
                         "covered diagnoses._"]
            title = f"Crosswalk {question.code} → ICD-10-CM"
            subtitle = f"Diagnoses most often listed as covered for {question.code}, across {count} article" \
                       f"{'s' if count != 1 else ''}{narrowed} · {info.label}"
            follow = f"`/coverage {question.code} <diagnosis>` checks one diagnosis"
        else:
            lines = [f"- `{code}`{self._procedure_title(code)} — in {n} of {count}" for code, n in ranked]
            title = f"Crosswalk {question.code} → CPT/HCPCS"
            subtitle = f"Procedures most often listed by the {count} article{'s' if count != 1 else ''} that " \
                       f"cover {question.code} — {self._title(question.code)}{narrowed} · {info.label}"
            follow = f"`/coverage <procedure> {question.code}` checks one procedure"
        return Reply(title=title, subtitle=subtitle, sections=(Section("", "\n".join(lines)),),
                     footer=f"Counts are articles, not claims · {follow}")

    def _procedure_title(self, code: str) -> str:
        for system in (System.HCPCS, System.CPT):
            title = self.catalog.title(system, code)
            if title:
                return " " + (title if len(title) <= TITLE_WIDTH else title[: TITLE_WIDTH - 1] + "…")
        return ""


def _check_narrowing(session: Session, narrowing: store.Narrowing) -> Reply | None:
    if narrowing.state and narrowing.state not in store.known_states(session):
        return error_reply(ErrorKind.BAD_INPUT, f"No contractor in the export serves {narrowing.state}.",
                           "Use a state's two-letter postal code, e.g. `state:FL`.")
    if narrowing.contractor and not store.known_contractor(session, narrowing.contractor):
        return error_reply(ErrorKind.BAD_INPUT, f"No contractor numbered {narrowing.contractor} is in the export.",
                           "Use the number CMS gives the contractor, e.g. `contractor:09102`.")
    return None


def _group_by_article(listings: Iterable[Listing]) -> dict[int, list[Listing]]:
    out: dict[int, list[Listing]] = {}
    for listing in listings:
        out.setdefault(listing.article_id, []).append(listing)
    return out


def _verdict_lines(label: str, word: str, found: dict[int, list[Listing]], by_id: dict[int, Article]) -> list[str]:
    lines: list[str] = []
    for article_id in sorted(found, key=lambda i: by_id[i].display_id)[:ARTICLES_PER_VERDICT]:
        article = by_id[article_id]
        groups = ", ".join(f"group {x.group_no}" + (f", range {x.in_range}" if x.in_range else "")
                           for x in sorted(found[article_id], key=lambda x: x.group_no))
        lines.append(f"*{label}* {word} {article.display_id} ({groups}) — {article.contractor_labels}")
    if len(found) > ARTICLES_PER_VERDICT:
        lines.append(f"*{label}* by {len(found) - ARTICLES_PER_VERDICT} more articles; narrow with `state:XX`")
    return lines


def _article_lines(label: str, articles: list[Article], why: str) -> list[str]:
    lines = [f"*{label}* in {a.display_id} — {a.contractor_labels}: it {why}"
             for a in articles[:ARTICLES_PER_VERDICT]]
    if len(articles) > ARTICLES_PER_VERDICT:
        lines.append(f"*{label}* in {len(articles) - ARTICLES_PER_VERDICT} more articles; narrow with `state:XX`")
    return lines

