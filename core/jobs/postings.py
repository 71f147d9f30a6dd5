"""Job postings: the value shown to people, the draft a form or a feed produces, and the queries
that read and write them. Every query is scoped to one board: (platform, workspace_id)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.jobs import vocabulary as vocab
from core.jobs.models import JobBoardSettingsRow, JobPostingRow
from core.requests import Actor

DEFAULT_LIFETIME = timedelta(days=30)
MAX_TITLE, MAX_EMPLOYER, MAX_DESCRIPTION = 200, 200, 4000


class Status:
    PENDING = "pending"
    LIVE = "live"
    EXPIRED = "expired"
    REMOVED = "removed"


def as_utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Board:
    """One workspace's (or guild's) job board; nothing crosses from one board to another."""

    platform: str
    workspace_id: str

    @classmethod
    def of(cls, actor: Actor) -> Board:
        return cls(actor.platform.value, actor.workspace_id)


@dataclass(frozen=True, slots=True)
class PostingDraft:
    """What someone (or a feed) wants to post, already checked."""

    title: str
    employer: str
    apply_url: str
    location: str = ""
    workplace: str = "onsite"
    employment_type: str = ""
    credentials: tuple[str, ...] = ()
    specialty: str = ""
    experience: str = ""
    salary_min: int | None = None
    salary_max: int | None = None
    description: str = ""


@dataclass(frozen=True, slots=True)
class Posting:
    id: int
    board: Board
    title: str
    employer: str
    location: str
    workplace: str
    employment_type: str
    credentials: tuple[str, ...]
    specialty: str
    experience: str
    salary_min: int | None
    salary_max: int | None
    apply_url: str
    description: str
    posted_by: str
    created_at: datetime
    expires_at: datetime
    live_at: datetime | None
    status: str
    source: str
    source_id: str

    def status_at(self, now: datetime) -> str:
        """Expiry is a matter of time: a live posting past its date is expired even before the sweep."""
        if self.status in (Status.LIVE, Status.PENDING) and self.expires_at <= now:
            return Status.EXPIRED
        return self.status

    @property
    def where(self) -> str:
        if self.workplace == "remote":
            return f"Remote ({self.location})" if self.location else "Remote"
        if self.workplace == "hybrid":
            return f"Hybrid — {self.location}" if self.location else "Hybrid"
        return self.location or "On-site"

    @property
    def salary(self) -> str:
        return vocab.salary_label(self.salary_min, self.salary_max)

    @property
    def annual_ceiling(self) -> int | None:
        """The most the posting may pay per year: what a salary floor is compared with."""
        return self.salary_max if self.salary_max is not None else self.salary_min

    def searchable_text(self) -> str:
        return " ".join((self.title, self.employer, self.location, self.workplace, self.employment_type,
                         " ".join(self.credentials), self.specialty, self.experience, self.description))


def _posting(row: JobPostingRow) -> Posting:
    return Posting(
        id=row.id, board=Board(row.platform, row.workspace_id), title=row.title, employer=row.employer,
        location=row.location, workplace=row.workplace, employment_type=row.employment_type,
        credentials=tuple(c for c in row.credentials.split(",") if c), specialty=row.specialty,
        experience=row.experience, salary_min=row.salary_min, salary_max=row.salary_max,
        apply_url=row.apply_url, description=row.description, posted_by=row.posted_by,
        created_at=as_utc(row.created_at), expires_at=as_utc(row.expires_at),
        live_at=as_utc(row.live_at) if row.live_at else None, status=row.status, source=row.source,
        source_id=row.source_id,
    )


# --- drafts ------------------------------------------------------------------------------------------

class DraftError(ValueError):
    """A form answer we cannot use; the message says what was wrong, `hint` what to type instead."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


def check_apply_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in url:
        raise DraftError("The apply link must be a web address starting with http:// or https://.",
                         "For example `https://careers.example.org/jobs/123`.")
    if len(url) > 1000:
        raise DraftError("The apply link is too long.", "Use the job's short link (under 1,000 characters).")
    return url


def draft_from_answers(answers: Mapping[str, str]) -> PostingDraft:
    """Turn the `/jobs post` form's five answers into a draft (the form is short: Discord allows five)."""
    title = " ".join(answers.get("title", "").split())
    employer = " ".join(answers.get("employer", "").split())
    where = answers.get("where", "").strip()
    details = answers.get("details", "").strip()
    if not title:
        raise DraftError("A job posting needs a title.", "For example “Remote CPC coder — denials”.")
    if not employer:
        raise DraftError("A job posting needs the employer's name.", "For example “Acme Health”.")
    if len(title) > MAX_TITLE or len(employer) > MAX_EMPLOYER:
        raise DraftError("The title or employer is too long.", "Keep each under 200 characters.")
    if len(details) > MAX_DESCRIPTION:
        raise DraftError("The details are too long.", f"Keep them under {MAX_DESCRIPTION:,} characters.")
    apply_url = check_apply_url(answers.get("apply_url", ""))
    return draft_from_text(title, employer, apply_url, where=where, details=details)


def draft_from_text(title: str, employer: str, apply_url: str, *, where: str = "",
                    details: str = "") -> PostingDraft:
    """Pick the structured fields out of free text (shared by the form and feed entries)."""
    everything = f"{title}\n{where}\n{details}"
    workplace = vocab.find_workplace(f"{title} {where}") if where or title else "onsite"
    if workplace == "onsite":
        workplace = vocab.find_workplace(everything)
    location = vocab.find_city_state(where) or vocab.find_city_state(everything)
    if not location and where:
        # Whatever is left of "Austin, Texas · hybrid · contract" once the kind words are gone.
        kept = [p.strip() for p in where.replace("·", ",").split(",")]
        kept = [p for p in kept if p and vocab.find_workplace(p) == "onsite"
                and not vocab.find_employment_type(p) and p.lower() not in ("onsite", "on-site")]
        location = ", ".join(kept)[:200]
    salary = vocab.find_salary(f"{where}\n{details}") if (where or details) else vocab.SalaryRange(None, None)
    return PostingDraft(
        title=title[:MAX_TITLE], employer=employer[:MAX_EMPLOYER], apply_url=apply_url,
        location=location, workplace=workplace,
        employment_type=vocab.find_employment_type(f"{where}\n{title}\n{details}"),
        credentials=vocab.find_credentials(everything),
        specialty=", ".join(vocab.find_specialties(f"{title}\n{details}"))[:200],
        experience=vocab.find_experience(details)[:100],
        salary_min=salary.low, salary_max=salary.high, description=details[:MAX_DESCRIPTION],
    )


# --- reading -------------------------------------------------------------------------------------------

def _board_rows(board: Board):  # type: ignore[no-untyped-def]
    return select(JobPostingRow).where(JobPostingRow.platform == board.platform,
                                       JobPostingRow.workspace_id == board.workspace_id)


def live_postings(session: Session, board: Board, now: datetime, *, since: datetime | None = None,
                  until: datetime | None = None) -> list[Posting]:
    """Live, unexpired postings, newest first; `since`/`until` bound when they went live."""
    query = _board_rows(board).where(JobPostingRow.status == Status.LIVE, JobPostingRow.expires_at > now)
    if since is not None:
        query = query.where(JobPostingRow.live_at > since)
    if until is not None:
        query = query.where(JobPostingRow.live_at <= until)
    rows = session.scalars(query.order_by(JobPostingRow.live_at.desc(), JobPostingRow.id.desc())).all()
    return [_posting(r) for r in rows]


def pending_postings(session: Session, board: Board, now: datetime) -> list[Posting]:
    query = _board_rows(board).where(JobPostingRow.status == Status.PENDING, JobPostingRow.expires_at > now)
    return [_posting(r) for r in session.scalars(query.order_by(JobPostingRow.id)).all()]


MAX_POSTING_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL: a larger one cannot exist


def get_posting(session: Session, board: Board, posting_id: int) -> Posting | None:
    if not 0 < posting_id <= MAX_POSTING_ID:  # asking PostgreSQL would overflow its integer
        return None
    row = session.scalars(_board_rows(board).where(JobPostingRow.id == posting_id)).first()
    return _posting(row) if row else None


def url_taken(session: Session, board: Board, url: str) -> bool:
    query = _board_rows(board).where(JobPostingRow.apply_url == url,
                                     JobPostingRow.status.in_((Status.LIVE, Status.PENDING)))
    return session.scalars(query.limit(1)).first() is not None


# --- writing -------------------------------------------------------------------------------------------

def requires_approval(session: Session, board: Board) -> bool:
    row = session.get(JobBoardSettingsRow, (board.platform, board.workspace_id))
    return bool(row and row.require_approval)


def set_requires_approval(session: Session, board: Board, on: bool) -> None:
    _settings_row(session, board).require_approval = on


def board_timezone(session: Session, board: Board) -> str:
    """The zone this board's digests default to; "" until someone gives one."""
    row = session.get(JobBoardSettingsRow, (board.platform, board.workspace_id))
    return row.timezone if row is not None else ""


def set_board_timezone(session: Session, board: Board, zone: str, *, keep_existing: bool = False) -> None:
    """Remember the board's zone; with `keep_existing`, only when it has none yet (the first one given)."""
    row = _settings_row(session, board)
    if not (keep_existing and row.timezone):
        row.timezone = zone


def _settings_row(session: Session, board: Board) -> JobBoardSettingsRow:
    row = session.get(JobBoardSettingsRow, (board.platform, board.workspace_id))
    if row is None:
        row = JobBoardSettingsRow(platform=board.platform, workspace_id=board.workspace_id,
                                  require_approval=False, timezone="")
        session.add(row)
    return row


def add_posting(session: Session, board: Board, draft: PostingDraft, *, posted_by: str, now: datetime,
                status: str, source: str = "chat", source_id: str = "",
                lifetime: timedelta = DEFAULT_LIFETIME, created_at: datetime | None = None) -> Posting:
    created = created_at or now
    row = JobPostingRow(
        platform=board.platform, workspace_id=board.workspace_id, title=draft.title, employer=draft.employer,
        location=draft.location, workplace=draft.workplace, employment_type=draft.employment_type,
        credentials=",".join(draft.credentials), specialty=draft.specialty, experience=draft.experience,
        salary_min=draft.salary_min, salary_max=draft.salary_max, apply_url=draft.apply_url,
        description=draft.description, posted_by=posted_by, created_at=created,
        expires_at=created + lifetime, live_at=now if status == Status.LIVE else None, status=status,
        source=source, source_id=source_id or f"chat:{uuid.uuid4().hex}", moderated_by="",
    )
    session.add(row)
    session.flush()
    return _posting(row)


def set_status(session: Session, board: Board, posting_id: int, status: str, *, by: str,
               now: datetime) -> Posting | None:
    row = session.scalars(_board_rows(board).where(JobPostingRow.id == posting_id)).first()
    if row is None:
        return None
    row.status, row.moderated_by = status, by
    if status == Status.LIVE:
        row.live_at = now  # approval is when it goes live: the next digest picks it up
    session.flush()
    return _posting(row)


def sweep_expired(session: Session, now: datetime) -> int:
    """Mark every posting past its expiry as expired (all boards: it is housekeeping, not a read)."""
    result = session.execute(
        update(JobPostingRow)
        .where(JobPostingRow.status.in_((Status.LIVE, Status.PENDING)), JobPostingRow.expires_at <= now)
        .values(status=Status.EXPIRED))
    return int(getattr(result, "rowcount", 0) or 0)
