"""Replies for the job board: one posting, a list of postings, and a channel's daily digest."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from core.jobs.postings import Posting, Status
from core.replies import Action, ActionStyle, Field, Reply, ResultItem, Section, Visibility

OPEN_JOB = "jobs_open"
APPROVE_JOB = "jobs_approve"
REJECT_JOB = "jobs_reject"
REMOVE_JOB = "jobs_remove"
POST_FORM = "jobs_post"
FOOTER = "CodeDesk job board · postings expire after 30 days · `/jobs help`"


def summary_line(posting: Posting) -> str:
    parts = [posting.where]
    if posting.employment_type:
        parts.append(posting.employment_type)
    if posting.salary:
        parts.append(posting.salary)
    if posting.credentials:
        parts.append(", ".join(posting.credentials))
    return " · ".join(parts)


def result_item(posting: Posting) -> ResultItem:
    return ResultItem(title=f"#{posting.id} {posting.title} — {posting.employer}",
                      subtitle=summary_line(posting),
                      action=Action("Open", OPEN_JOB, str(posting.id)))


def posting_card(posting: Posting, now: datetime, *, can_moderate: bool = False,
                 can_remove: bool = False) -> Reply:
    status = posting.status_at(now)
    fields = [Field("Where", posting.where)]
    if posting.employment_type:
        fields.append(Field("Type", posting.employment_type))
    if posting.credentials:
        fields.append(Field("Credentials", ", ".join(posting.credentials)))
    if posting.specialty:
        fields.append(Field("Specialty", posting.specialty))
    if posting.experience:
        fields.append(Field("Experience", posting.experience))
    if posting.salary:
        fields.append(Field("Salary", posting.salary))
    fields.append(Field("Apply", posting.apply_url, inline=False))
    posted = f"{posting.created_at:%Y-%m-%d}" + (" from a feed" if posting.source == "feed" else "")
    fields.append(Field("Posted", posted))
    fields.append(Field("Expires", f"{posting.expires_at:%Y-%m-%d}"))
    if status != Status.LIVE:
        fields.append(Field("Status", {"pending": "waiting for an admin's approval", "expired": "expired",
                                       "removed": "removed"}.get(status, status)))
    actions: list[Action] = []
    if can_moderate and status == Status.PENDING:
        actions += [Action("Approve", APPROVE_JOB, str(posting.id), ActionStyle.PRIMARY),
                    Action("Reject", REJECT_JOB, str(posting.id), ActionStyle.DANGER)]
    if can_remove and status in (Status.LIVE, Status.PENDING):
        actions.append(Action("Remove", REMOVE_JOB, str(posting.id), ActionStyle.DANGER))
    sections = (Section("About the job", posting.description),) if posting.description else ()
    return Reply(title=f"#{posting.id} {posting.title}", subtitle=posting.employer, fields=tuple(fields),
                 sections=sections, actions=tuple(actions), footer=FOOTER)


def list_reply(title: str, postings: Sequence[Posting], *, subtitle: str = "", limit: int = 10,
               more_hint: str = "") -> Reply:
    shown = tuple(result_item(p) for p in postings[:limit])
    sections: tuple[Section, ...] = ()
    if len(postings) > limit:
        sections = (Section("", f"and {len(postings) - limit} more{': ' + more_hint if more_hint else ''}"),)
    return Reply(title=title, subtitle=subtitle, results=shown, sections=sections,
                 actions=(Action("Post a job", POST_FORM, ""),), footer=FOOTER)


def digest_reply(postings: Sequence[Posting], *, cap: int, filters: str) -> Reply:
    """The channel's daily digest: what went live since the last one, newest first, capped."""
    count = len(postings)
    title = f"Coding jobs: {count} new posting{'s' if count != 1 else ''}" if count \
        else "Coding jobs: nothing new today"
    subtitle = f"Matching “{filters}”" if filters else "New on this workspace's job board"
    more = f"/jobs search {filters}" if filters else "/jobs"
    sections: tuple[Section, ...] = ()
    if count > cap:
        sections = (Section("", f"and {count - cap} more: {more}"),)
    return Reply(title=title, subtitle=subtitle, results=tuple(result_item(p) for p in postings[:cap]),
                 sections=sections, footer="Daily digest · `/jobs unsubscribe` stops it",
                 visibility=Visibility.CHANNEL)
