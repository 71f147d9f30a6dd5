"""Job feeds: admins add RSS 2.0, Atom or JSON Feed URLs; an hourly import reads them with
conditional requests (ETag / Last-Modified; 304 means nothing changed), turns entries into postings
and never duplicates one (the entry's id, or its link, is unique per board). A broken feed is reported
once to the admin who added it, and again only after it has worked in between.

RSS and Atom are parsed by feedparser (old RSS 0.9x/1.0, odd dates and malformed markup are common
in real feeds); JSON Feed by the standard library. Fetches reach public addresses only
(core/jobs/addresses.py) and finish within one overall deadline. One feed failing in any way marks
that feed failing; the run goes on to the next."""

from __future__ import annotations

import contextlib
import html
import http.client
import json
import logging
import re
import socket
import ssl
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, cast
from urllib.parse import urlsplit

import feedparser
from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from core import logsafe
from core.channels import ChannelPoster
from core.db import transaction, utcnow
from core.jobs import postings as store
from core.jobs.addresses import AddressPolicy, AddressRefused
from core.jobs.models import JobFeedRow, JobPostingRow
from core.jobs.postings import Board, DraftError, Status, as_utc
from core.replies import Reply, Section

log = logging.getLogger(__name__)

MAX_FEED_BYTES = 5_000_000
FETCH_TIMEOUT = 20.0  # per read
FETCH_DEADLINE = 30.0  # the whole fetch, however the server trickles
USER_AGENT = "CodeDesk-jobs/1.0 (+feed import)"
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
    """Follow redirects only to http(s): a feed must not bounce the importer to ftp:// or file://.
    (Where a redirect may point on the network is checked when its connection opens.)"""

    max_redirections = 5

    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any,
                         newurl: str) -> urllib.request.Request | None:
        if urlsplit(newurl).scheme.lower() not in ("http", "https"):
            raise FeedError("the feed redirects to an address that is not http or https")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class _Guard:
    """One fetch's connections: each opens only to addresses the policy allows, and all of them are
    shut when the whole-fetch deadline passes (a server sending a byte a second cannot hold us)."""

    def __init__(self, policy: AddressPolicy, deadline: float) -> None:
        self.policy = policy
        self.deadline = deadline
        self.sockets: list[socket.socket] = []
        self.expired = False
        self._lock = threading.Lock()

    def connect(self, address: tuple[str, int], timeout: float | None = None,
                source_address: tuple[str, int] | None = None, *_: Any) -> socket.socket:
        host, port = address
        try:
            candidates = self.policy.addresses(host, port)
        except AddressRefused as exc:
            raise FeedError(str(exc)) from None
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise FeedError("the server did not answer in time")
        last: OSError | None = None
        for ip in candidates:  # connect to the address we vetted, not a fresh lookup
            try:
                sock = socket.create_connection((ip, port), min(timeout or left, left), source_address)
            except OSError as exc:
                last = exc
                continue
            with self._lock:
                if self.expired:
                    sock.close()
                    raise FeedError("the server did not answer in time")
                self.sockets.append(sock)
            return sock
        raise last or OSError("no address to connect to")

    def expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self.sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


def _guarded_handlers(guard: _Guard) -> list[urllib.request.BaseHandler]:
    class Http(urllib.request.HTTPHandler):
        def http_open(self, req: urllib.request.Request) -> Any:
            return self.do_open(_connection(http.client.HTTPConnection, guard), req)

    class Https(urllib.request.HTTPSHandler):
        def https_open(self, req: urllib.request.Request) -> Any:
            return self.do_open(_connection(http.client.HTTPSConnection, guard), req,
                                context=ssl.create_default_context())

    # No proxies from the environment: the address check must see where the connection really goes.
    return [urllib.request.ProxyHandler({}), Http(), Https(), _WebOnlyRedirects()]


def _connection(base: type[http.client.HTTPConnection], guard: _Guard) -> Callable[..., Any]:
    def make(host: str, **kwargs: Any) -> http.client.HTTPConnection:
        conn = base(host, **kwargs)
        conn._create_connection = guard.connect  # type: ignore[attr-defined]
        return conn

    return make


def fetch(url: str, etag: str = "", last_modified: str = "", timeout: float = FETCH_TIMEOUT, *,
          policy: AddressPolicy | None = None, deadline: float = FETCH_DEADLINE) -> Fetched:
    """GET with If-None-Match / If-Modified-Since, to public addresses only (unless `policy` allows a
    host), finished within `deadline` seconds in all. Raises FeedError with a short reason."""
    headers = {"User-Agent": USER_AGENT, "Accept": "application/rss+xml, application/atom+xml, "
               "application/feed+json, application/json, application/xml, text/xml;q=0.9, */*;q=0.5"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    request = urllib.request.Request(url, headers=headers)
    guard = _Guard(policy or AddressPolicy(), time.monotonic() + deadline)
    timer = threading.Timer(deadline, guard.expire)
    timer.daemon = True
    timer.start()
    try:
        opener = urllib.request.build_opener(*_guarded_handlers(guard))
        with opener.open(request, timeout=min(timeout, deadline)) as response:
            chunks: list[bytes] = []
            size = 0
            while chunk := response.read1(65536):
                size += len(chunk)
                if size > MAX_FEED_BYTES:
                    raise FeedError("the feed is larger than 5 MB")
                if time.monotonic() > guard.deadline:
                    raise FeedError("the server did not send the feed in time")
                chunks.append(chunk)
            if guard.expired:
                raise FeedError("the server did not send the feed in time")
            body = b"".join(chunks)
            headers = response.headers
            return Fetched(False, body, headers.get("Content-Type", "") or "", headers.get("ETag", "") or "",
                           headers.get("Last-Modified", "") or "")
    except FeedError:
        raise
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return Fetched(True, etag=etag, last_modified=last_modified)
        raise FeedError(f"the server answered HTTP {exc.code}") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, FeedError):
            raise exc.reason from None
        if guard.expired:
            raise FeedError("the server did not send the feed in time") from None
        raise FeedError(f"could not connect ({type(exc.reason).__name__})") from None
    except (TimeoutError, http.client.HTTPException, OSError) as exc:
        if guard.expired or isinstance(exc, TimeoutError):
            raise FeedError("the server did not send the feed in time") from None
        raise FeedError(f"could not read the feed ({type(exc).__name__})") from None
    finally:
        timer.cancel()


# --- parsing -------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class FeedEntry:
    entry_id: str  # the entry's guid/id, or its link when it has none
    title: str
    url: str
    text: str  # the summary or content as plain text
    author: str = ""
    published: datetime | None = None


def _plain(markup: str, rounds: int = 8) -> str:
    """Markup to plain text. Entities are decoded and tags dropped until nothing changes, so text
    encoded twice or more (`&amp;amp;lt;!channel&amp;amp;gt;`) cannot come out as live markup; any
    angle bracket still left is shown as a look-alike that no chat platform reads as markup."""
    text = markup or ""
    for _ in range(rounds):
        cleaner = _TAG.sub(" ", html.unescape(text))
        if cleaner == text:
            break
        text = cleaner
    text = text.replace("<", "‹").replace(">", "›").replace("\x00", "")
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
        except (TypeError, ValueError, IndexError):
            return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _struct_date(value: Any) -> datetime | None:
    """feedparser's parsed dates are UTC struct_times (it reads many odd real-world formats)."""
    if not value:
        return None
    try:
        return datetime(*tuple(value)[:6]).replace(tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def parse_feed(body: bytes, content_type: str = "") -> tuple[str, list[FeedEntry]]:
    """(feed title, entries) from RSS (0.9x, 1.0, 2.0), Atom or JSON Feed 1.x. Raises FeedError.

    RSS and Atom go through feedparser, which copes with the malformed feeds real sites serve; it
    is given bytes (never a URL, so it fetches nothing) and does not load external entities."""
    start = body.lstrip()[:1]
    if "json" in content_type.lower() or start in (b"{", b"["):
        return _parse_json_feed(body)
    parsed = feedparser.parse(body, response_headers={"content-type": content_type or "application/xml"})
    usable = [item for item in parsed.entries if item.get("title") and item.get("link")]
    if parsed.get("bozo") and not usable:
        # Malformed markup is forgiven while entries come through; a feed that yields none is broken.
        line = getattr(parsed.get("bozo_exception"), "getLineNumber", lambda: None)()
        if parsed.get("version") or line:
            raise FeedError("the feed is not well-formed XML" + (f" (line {line})" if line else ""))
        raise FeedError("the document is neither RSS, Atom nor JSON Feed")
    if not parsed.get("version") and not parsed.entries:
        raise FeedError("the document is neither RSS, Atom nor JSON Feed")
    entries = []
    for item in parsed.entries:
        link = str(item.get("link") or "")
        content = item.get("content") or []
        markup = str(item.get("summary") or (content[0].get("value", "") if content else ""))
        published = _struct_date(item.get("published_parsed") or item.get("updated_parsed"))
        entries.append(FeedEntry(str(item.get("id") or link), _plain(str(item.get("title") or "")), link,
                                 _plain(markup), _plain(str(item.get("author") or "")), published))
    return _plain(str(parsed.feed.get("title") or "")), entries


def _parse_json_feed(body: bytes) -> tuple[str, list[FeedEntry]]:
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise FeedError("the JSON Feed is not valid JSON") from None
    except RecursionError:
        raise FeedError("the JSON Feed is nested too deeply") from None
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
                 fetcher: Callable[[str, str, str], Fetched] | None = None,
                 policy: AddressPolicy | None = None,
                 observe: Callable[[FeedRun], None] | None = None) -> None:
        self.sessions = sessions
        self.posters = dict(posters)
        self.now = now
        self.policy = policy or AddressPolicy()
        self.fetcher = fetcher or (lambda url, etag, modified: fetch(url, etag, modified, policy=self.policy))
        self.observe = observe  # metrics: one call per feed read

    def run(self) -> list[FeedRun]:
        with transaction(self.sessions) as session:
            feeds = all_feeds(session, tuple(self.posters))
        runs = []
        for feed in feeds:
            run = self.run_one(feed)
            if self.observe is not None:
                self.observe(run)
            runs.append(run)
        return runs

    def run_one(self, feed: FeedInfo) -> FeedRun:
        """Read one feed. Whatever goes wrong marks this feed failing and leaves the others to run."""
        now = self.now()
        try:
            return self._read(feed, now)
        except FeedError as exc:
            return self._broken(feed, now, str(exc))
        except Exception as exc:
            # A feed we cannot handle is that feed's problem, not the whole run's; the type only.
            log.error("job feed import failed feed_id=%s error=%s", feed.id, logsafe.describe(exc))
            return self._broken(feed, now, f"the feed could not be read ({type(exc).__name__})")

    def _read(self, feed: FeedInfo, now: datetime) -> FeedRun:
        fetched = self.fetcher(feed.url, feed.etag, feed.last_modified)
        if fetched.not_modified:
            self._healthy(feed, now, fetched, 0)
            return FeedRun(feed.id, feed.url, not_modified=True)
        title, entries = parse_feed(fetched.body, fetched.content_type)
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
