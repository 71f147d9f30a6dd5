"""Job feeds: admins add RSS 2.0, Atom or JSON Feed URLs; an hourly import reads them with
conditional requests (ETag / Last-Modified; 304 means nothing changed), turns entries into postings
and never duplicates one (the entry's id, or its link, is unique per board). A broken feed is reported
once to the admin who added it, and again only after it has worked in between.

Parsing uses the standard library: xml.etree on expat, which never fetches external entities and
(expat >= 2.4) refuses entity-expansion bombs, so defusedxml and feedparser are not needed."""

from __future__ import annotations

import html
import json
import logging
import re
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, cast
from urllib.parse import urlsplit

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from core.channels import ChannelPoster
from core.db import transaction, utcnow
from core.jobs import postings as store
from core.jobs.models import JobFeedRow, JobPostingRow
from core.jobs.postings import Board, DraftError, Status, as_utc
from core.replies import Reply, Section

log = logging.getLogger(__name__)

MAX_FEED_BYTES = 5_000_000
FETCH_TIMEOUT = 20.0
USER_AGENT = "CodeDesk-jobs/1.0 (+feed import)"
_ATOM = "{http://www.w3.org/2005/Atom}"
_TAG = re.compile(r"<[^>]+>")


class FeedError(Exception):
    """Why a feed could not be read, in words an admin understands (never the feed's content)."""


# --- stored feeds --------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class FeedInfo:
    id: int
    board: Board
    url: str
    added_by: str
    etag: str
    last_modified: str
    checked_at: datetime | None
    imported_total: int
    error: str

    def status_line(self) -> str:
        if self.error:
            return f"⚠ failing: {self.error}"
        if self.checked_at is None:
            return "not read yet"
        return f"read {self.checked_at:%Y-%m-%d %H:%M} UTC · {self.imported_total} postings imported"


def _info(row: JobFeedRow) -> FeedInfo:
    return FeedInfo(row.id, Board(row.platform, row.workspace_id), row.url, row.added_by, row.etag,
                    row.last_modified, as_utc(row.checked_at) if row.checked_at else None,
                    row.imported_total, row.error)


def board_feeds(session: Session, board: Board) -> list[FeedInfo]:
    rows = session.scalars(select(JobFeedRow).where(JobFeedRow.platform == board.platform,
                                                    JobFeedRow.workspace_id == board.workspace_id)
                           .order_by(JobFeedRow.id)).all()
    return [_info(r) for r in rows]


def all_feeds(session: Session, platforms: tuple[str, ...]) -> list[FeedInfo]:
    rows = session.scalars(select(JobFeedRow).where(JobFeedRow.platform.in_(platforms))
                           .order_by(JobFeedRow.id))
    return [_info(r) for r in rows.all()]


def add_feed(session: Session, board: Board, url: str, added_by: str, now: datetime) -> bool:
    exists = session.scalars(select(JobFeedRow).where(
        JobFeedRow.platform == board.platform, JobFeedRow.workspace_id == board.workspace_id,
        JobFeedRow.url == url)).first()
    if exists:
        return False
    session.add(JobFeedRow(platform=board.platform, workspace_id=board.workspace_id, url=url,
                           added_by=added_by,
                           added_at=now, etag="", last_modified="", imported_total=0, error="",
                           error_reported=False))
    session.flush()
    return True


def remove_feed(session: Session, board: Board, url: str) -> bool:
    row = session.scalars(select(JobFeedRow).where(
        JobFeedRow.platform == board.platform, JobFeedRow.workspace_id == board.workspace_id,
        JobFeedRow.url == url)).first()
    if row is None:
        return False
    session.delete(row)
    return True


# --- fetching ------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Fetched:
    not_modified: bool
    body: bytes = b""
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""


class _WebOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects only to http(s): a feed must not bounce the importer to ftp:// or file://."""

    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> urllib.request.Request | None:
        if urlsplit(newurl).scheme.lower() not in ("http", "https"):
            raise FeedError("the feed redirects to an address that is not http or https")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(url: str, etag: str = "", last_modified: str = "", timeout: float = FETCH_TIMEOUT) -> Fetched:
    """GET with If-None-Match / If-Modified-Since. Raises FeedError with a short reason."""
    headers = {"User-Agent": USER_AGENT, "Accept": "application/rss+xml, application/atom+xml, "
               "application/feed+json, application/json, application/xml, text/xml;q=0.9, */*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    request = urllib.request.Request(url, headers=headers)
    try:
        opener = urllib.request.build_opener(_WebOnlyRedirects())
        with opener.open(request, timeout=timeout) as response:
            body = response.read(MAX_FEED_BYTES + 1)
            if len(body) > MAX_FEED_BYTES:
                raise FeedError("the feed is larger than 5 MB")
            headers = response.headers
            return Fetched(False, body, headers.get("Content-Type", "") or "", headers.get("ETag", "") or "",
                           headers.get("Last-Modified", "") or "")
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return Fetched(True, etag=etag, last_modified=last_modified)
        raise FeedError(f"the server answered HTTP {exc.code}") from None
    except urllib.error.URLError as exc:
        raise FeedError(f"could not connect ({type(exc.reason).__name__})") from None
    except TimeoutError:
        raise FeedError("the server did not answer in time") from None
    except OSError as exc:
        raise FeedError(f"could not read the feed ({type(exc).__name__})") from None


# --- parsing -------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class FeedEntry:
    entry_id: str  # the entry's guid/id, or its link when it has none
    title: str
    url: str
    text: str  # the summary or content as plain text
    author: str = ""
    published: datetime | None = None


def _plain(markup: str) -> str:
    text = _TAG.sub(" ", html.unescape(markup or ""))
    text = html.unescape(text)
    return re.sub(r"[ \t\r\f\v]+", " ", re.sub(r"\n\s*\n+", "\n", text)).strip()


def _date(value: str) -> datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def parse_feed(body: bytes, content_type: str = "") -> tuple[str, list[FeedEntry]]:
    """(feed title, entries) from RSS 2.0, Atom 1.0 or JSON Feed 1.x. Raises FeedError."""
    start = body.lstrip()[:1]
    if "json" in content_type.lower() or start in (b"{", b"["):
        return _parse_json_feed(body)
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise FeedError(f"the feed is not well-formed XML (line {exc.position[0]})") from None
    if root.tag == "rss":
        return _parse_rss(root)
    if root.tag == f"{_ATOM}feed":
        return _parse_atom(root)
    raise FeedError("the document is neither RSS 2.0, Atom nor JSON Feed")


def _text(element: ET.Element | None, path: str) -> str:
    if element is None:
        return ""
    found = element.find(path)
    return (found.text or "").strip() if found is not None else ""


def _parse_rss(root: ET.Element) -> tuple[str, list[FeedEntry]]:
    channel = root.find("channel")
    if channel is None:
        raise FeedError("the RSS feed has no <channel>")
    entries = []
    for item in channel.findall("item"):
        link = _text(item, "link")
        guid = _text(item, "guid") or link
        description = _text(item, "description") or _text(item, "{http://purl.org/rss/1.0/modules/content/}encoded")
        author = _text(item, "{http://purl.org/dc/elements/1.1/}creator") or _text(item, "author")
        entries.append(FeedEntry(guid, _plain(_text(item, "title")), link, _plain(description),
                                 _plain(author),
                                 _date(_text(item, "pubDate"))))
    return _plain(_text(channel, "title")), entries


def _parse_atom(root: ET.Element) -> tuple[str, list[FeedEntry]]:
    entries = []
    for entry in root.findall(f"{_ATOM}entry"):
        link = ""
        for candidate in entry.findall(f"{_ATOM}link"):
            if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
                link = candidate.get("href", "")
                break
        content = _text(entry, f"{_ATOM}content") or _text(entry, f"{_ATOM}summary")
        author = _text(entry.find(f"{_ATOM}author"), f"{_ATOM}name")
        title = _plain(_text(entry, f"{_ATOM}title"))
        published = _date(_text(entry, f"{_ATOM}published") or _text(entry, f"{_ATOM}updated"))
        entry_id = _text(entry, f"{_ATOM}id") or link
        entries.append(FeedEntry(entry_id, title, link, _plain(content), _plain(author), published))
    return _plain(_text(root, f"{_ATOM}title")), entries


def _parse_json_feed(body: bytes) -> tuple[str, list[FeedEntry]]:
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise FeedError("the JSON Feed is not valid JSON") from None
    if not isinstance(data, dict) or not str(data.get("version", "")).startswith("https://jsonfeed.org/version/"):
        raise FeedError("the JSON document is not a JSON Feed (no jsonfeed.org version)")
    items = data.get("items")
    if not isinstance(items, list):
        raise FeedError("the JSON Feed has no items list")
    entries = []
    for item in items:
        if not isinstance(item, dict):
            continue
        url = str(item.get("url") or item.get("external_url") or "")
        authors = item.get("authors") or ([item["author"]] if isinstance(item.get("author"), dict) else [])
        author = str(authors[0].get("name", "")) if authors and isinstance(authors[0], dict) else ""
        markup = str(item.get("content_html") or item.get("summary") or "")
        text = str(item.get("content_text") or "") or _plain(markup)
        entries.append(FeedEntry(str(item.get("id") or url), _plain(str(item.get("title") or "")), url,
                                 text, _plain(author), _date(str(item.get("date_published") or ""))))
    return _plain(str(data.get("title") or "")), entries


# --- importing -----------------------------------------------------------------------------------------

_AT_EMPLOYER = (re.compile(r"^(?P<title>.+)\s+(?:at|@)\s+(?P<employer>[^@]+)$"),
                re.compile(r"^(?P<title>.+)\s+(?:—|–|\|)\s+(?P<employer>[^—–|]+)$"))


def draft_from_entry(entry: FeedEntry, feed_title: str) -> store.PostingDraft:
    """A posting from a feed entry; raises DraftError when it has no title or no http(s) link."""
    if not entry.title:
        raise DraftError("the entry has no title", "")
    url = store.check_apply_url(entry.url)
    title, employer = entry.title, entry.author
    match = next((m for m in (p.match(entry.title) for p in _AT_EMPLOYER) if m), None)
    if match and not employer:  # "Remote CPC Coder at Acme Health"
        title, employer = match.group("title").strip(), match.group("employer").strip()
    return store.draft_from_text(title[:200], (employer or feed_title or "Unknown employer")[:200], url,
                                 where=entry.title, details=entry.text)


@dataclass(frozen=True, slots=True)
class FeedRun:
    feed_id: int
    url: str
    imported: int = 0
    skipped: int = 0
    not_modified: bool = False
    error: str = ""
    reported: bool = False


def import_entries(session: Session, feed: FeedInfo, title: str, entries: list[FeedEntry],
                   now: datetime) -> tuple[int, int]:
    """Insert new entries as live postings; an entry whose id or link is already on the board is skipped."""
    imported = skipped = 0
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = cast(Table, JobPostingRow.__table__)
    for entry in entries:
        try:
            draft = draft_from_entry(entry, title)
        except DraftError:
            skipped += 1
            continue
        created = min(entry.published or now, now)
        if created + store.DEFAULT_LIFETIME <= now or store.url_taken(session, feed.board, draft.apply_url):
            skipped += 1
            continue
        source_id = f"feed:{entry.entry_id}"[:500]
        values = dict(platform=feed.board.platform, workspace_id=feed.board.workspace_id, title=draft.title,
                      employer=draft.employer, location=draft.location, workplace=draft.workplace,
                      employment_type=draft.employment_type, credentials=",".join(draft.credentials),
                      specialty=draft.specialty, experience=draft.experience, salary_min=draft.salary_min,
                      salary_max=draft.salary_max, apply_url=draft.apply_url, description=draft.description,
                      posted_by=f"feed:{feed.id}", created_at=created,
                      expires_at=created + store.DEFAULT_LIFETIME, live_at=now, status=Status.LIVE,
                      source="feed", source_id=source_id, moderated_by="")
        # The unique (board, source id) makes two replicas importing the same feed harmless.
        result = session.execute(insert(table).values(**values)
                                 .on_conflict_do_nothing(index_elements=["platform", "workspace_id",
                                                                         "source_id"])
                                 .returning(table.c.id))
        if result.first() is None:
            skipped += 1
        else:
            imported += 1
    return imported, skipped


class FeedImporter:
    """The hourly import of every feed this process's platforms own."""

    def __init__(self, sessions: sessionmaker[Session], posters: Mapping[str, ChannelPoster], *,
                 now: Callable[[], datetime] = utcnow,
                 fetcher: Callable[[str, str, str], Fetched] = fetch) -> None:
        self.sessions = sessions
        self.posters = dict(posters)
        self.now = now
        self.fetcher = fetcher

    def run(self) -> list[FeedRun]:
        with transaction(self.sessions) as session:
            feeds = all_feeds(session, tuple(self.posters))
        return [self.run_one(feed) for feed in feeds]

    def run_one(self, feed: FeedInfo) -> FeedRun:
        now = self.now()
        try:
            fetched = self.fetcher(feed.url, feed.etag, feed.last_modified)
            if fetched.not_modified:
                self._healthy(feed, now, fetched, 0)
                return FeedRun(feed.id, feed.url, not_modified=True)
            title, entries = parse_feed(fetched.body, fetched.content_type)
        except FeedError as exc:
            return self._broken(feed, now, str(exc))
        with transaction(self.sessions) as session:
            imported, skipped = import_entries(session, feed, title, entries, now)
        self._healthy(feed, now, fetched, imported)
        return FeedRun(feed.id, feed.url, imported=imported, skipped=skipped)

    def _healthy(self, feed: FeedInfo, now: datetime, fetched: Fetched, imported: int) -> None:
        with transaction(self.sessions) as session:
            row = session.get(JobFeedRow, feed.id)
            if row is None:  # removed while we read it
                return
            row.checked_at = row.ok_at = now
            row.etag, row.last_modified = fetched.etag[:300], fetched.last_modified[:100]
            row.imported_total += imported
            row.error, row.error_reported = "", False  # a later breakage is news again

    def _broken(self, feed: FeedInfo, now: datetime, reason: str) -> FeedRun:
        with transaction(self.sessions) as session:
            row = session.get(JobFeedRow, feed.id, with_for_update=True)
            if row is None:
                return FeedRun(feed.id, feed.url, error=reason)
            row.checked_at, row.error = now, reason[:300]
            tell = not row.error_reported
            row.error_reported = True
        log.warning("job feed failed feed_id=%s reason=%s", feed.id, reason)
        if tell:
            notice = Reply(title="A job feed you added is failing", subtitle=feed.url,
                           sections=(Section("What went wrong", reason),
                                     Section("", "I will keep trying every hour and will not tell you again "
                                                 "unless it works and then breaks. Remove it with "
                                                 f"`/jobs feed remove {feed.url}`.")))
            result = self.posters[feed.board.platform].notify_user(feed.board.workspace_id, feed.added_by,
                                                                   notice)
            if not result.ok:
                log.warning("could not tell the admin about a failing feed feed_id=%s outcome=%s",
                            feed.id, result.outcome)
        return FeedRun(feed.id, feed.url, error=reason, reported=tell)
