"""What consults look like: ticket cards, the experts-channel post, the notices to the asker and the
emails (plain text and HTML). Built from the ticket at send time, so the outbox stores no text."""

from __future__ import annotations

import html
from datetime import datetime

from core.consult.mail import Email
from core.consult.tickets import Status, Ticket
from core.replies import Action, ActionStyle, Field, Reply, ResultItem, Section

CLAIM = "consult_claim"
ANSWER = "consult_answer"  # the Answer button: opens the answer form
ANSWER_FORM = "consult_answer_form"
ASK_FORM = "consult_ask"
OPEN = "consult_open"
FOOTER = "CodeDesk consult · a certified coder's answer, not legal or payer advice"
NO_IDENTIFIERS = ("Do not include patient identifiers: no names, dates of birth, record or member "
                  "numbers, phone numbers or SSNs. Describe the case (age, sex, what was done) instead.")


def _when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment is not None else ""


def status_text(ticket: Ticket) -> str:
    if ticket.status is Status.CLAIMED:
        return f"claimed by {ticket.claimed_by_name or ticket.claimed_by}"
    if ticket.status is Status.ANSWERED:
        return f"answered by {ticket.answered_by_name or ticket.answered_by}"
    return ticket.status.value


def expert_actions(ticket: Ticket) -> tuple[Action, ...]:
    if not ticket.is_open:
        return ()
    number = str(ticket.number)
    claim = () if ticket.status is Status.CLAIMED else (Action("Claim", CLAIM, number, ActionStyle.PRIMARY),)
    return (*claim, Action("Answer", ANSWER, number))


def ticket_card(ticket: Ticket, *, staff: bool, problems: tuple[str, ...] = ()) -> Reply:
    """`/consult 3`: the whole ticket; Claim and Answer for experts while it is open."""
    fields = [Field("Status", status_text(ticket)), Field("Asked by", ticket.asker_name or ticket.asker_id),
              Field("Asked", _when(ticket.created_at))]
    if ticket.codes:
        fields.append(Field("Codes", ticket.codes))
    if ticket.answered_at is not None:
        fields.append(Field("Answered", _when(ticket.answered_at)))
    if ticket.closed_at is not None:
        fields.append(Field("Closed", _when(ticket.closed_at)))
    sections = [Section("Question", ticket.question)]
    if ticket.answer:
        sections.append(Section(f"Answer from {ticket.answered_by_name or ticket.answered_by}", ticket.answer))
    if problems:
        sections.append(Section("Delivery problems (admins)", "\n".join(f"- {p}" for p in problems)))
    return Reply(title=f"Consult #{ticket.number}: {status_text(ticket)}", fields=tuple(fields),
                 sections=tuple(sections), actions=expert_actions(ticket) if staff else (), footer=FOOTER)


def list_reply(title: str, tickets: list[Ticket], empty: str) -> Reply:
    if not tickets:
        return Reply(title=empty, subtitle="Ask one with `/consult your question`.", footer=FOOTER)
    items = tuple(ResultItem(f"#{t.number} — {status_text(t)}", _snippet(t.question),
                             f"asked by {t.asker_name or t.asker_id}, {_when(t.created_at)}",
                             Action(f"Open #{t.number}", OPEN, str(t.number))) for t in tickets)
    return Reply(title=title, results=items, footer="`/consult 3` opens one")


def _snippet(text: str, limit: int = 90) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


def channel_post(ticket: Ticket, *, reminder: bool = False) -> Reply:
    """The ticket as the experts channel sees it, with Claim and Answer."""
    fields = [Field("Asked by", ticket.asker_name or ticket.asker_id), Field("Status", status_text(ticket))]
    if ticket.codes:
        fields.append(Field("Codes", ticket.codes))
    title = (f"Reminder: consult #{ticket.number} is still waiting for an expert" if reminder
             else f"Consult #{ticket.number}: a coding question for the experts")
    return Reply(title=title, fields=tuple(fields), sections=(Section("Question", ticket.question),),
                 actions=expert_actions(ticket),
                 footer=f"Claim it, then answer with the button, by replying in this thread, or with "
                        f"`/consult answer {ticket.number} your answer`").shared()


def answered_notice(ticket: Ticket) -> Reply:
    who = ticket.answered_by_name or ticket.answered_by
    return Reply(title=f"Your consult #{ticket.number} is answered by {who}",
                 sections=(Section("Your question", ticket.question), Section(f"Answer from {who}", ticket.answer)),
                 footer=f"`/consult {ticket.number}` shows it again · `/consult close {ticket.number}` when done")


def still_open_notice(ticket: Ticket) -> Reply:
    return Reply(title=f"Your consult #{ticket.number} is still open",
                 subtitle=f"It is {status_text(ticket)}; the experts have not answered yet. You will hear here "
                          "as soon as they do.",
                 sections=(Section("Your question", ticket.question),),
                 footer=f"`/consult {ticket.number}` to check · `/consult close {ticket.number}` if you no "
                        "longer need it")


def _email(to: str, subject: str, lines: list[str], blocks: list[tuple[str, str]]) -> Email:
    """Plain text and the same content as simple HTML."""
    text = "\n".join(lines) + "\n\n" + "\n\n".join(f"{h}:\n{b}" for h, b in blocks) + \
        "\n\n-- \nCodeDesk consult\n"
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    body += "".join(f"<h3>{html.escape(h)}</h3><p>{html.escape(b).replace(chr(10), '<br>')}</p>"
                    for h, b in blocks)
    page = f"<!doctype html><html><body>{body}<p style=\"color:#666\">CodeDesk consult</p></body></html>"
    return Email(to=to, subject=subject, text=text, html=page)


def new_ticket_email(ticket: Ticket, to: str, *, reminder: bool = False) -> Email:
    codes = [("Codes", ticket.codes)] if ticket.codes else []
    how = (f"Answer in the experts channel (Claim, then Answer, or reply in the ticket's thread), or type "
           f"/consult answer {ticket.number} followed by your answer.")
    if reminder:
        subject = f"Reminder: CodeDesk consult #{ticket.number} is waiting for an expert"
        lead = f"Consult #{ticket.number} has not been claimed yet."
    else:
        subject = f"CodeDesk consult #{ticket.number}: a new coding question"
        lead = f"{ticket.asker_name or ticket.asker_id} asked the experts a coding question (consult " \
               f"#{ticket.number})."
    return _email(to, subject, [lead, how], [("Question", ticket.question), *codes])


def answered_email(ticket: Ticket, to: str) -> Email:
    who = ticket.answered_by_name or ticket.answered_by
    return _email(to, f"Your CodeDesk consult #{ticket.number} is answered by {who}",
                  [f"{who} answered your consult #{ticket.number}."],
                  [("Your question", ticket.question), (f"Answer from {who}", ticket.answer)])
