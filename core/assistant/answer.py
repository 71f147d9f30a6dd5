"""What the assistant answers: the Reply a platform shows, plus what it was about (intent, entities,
codes) and where it came from (sources), and a plain-text form for `codedesk ask` and the bench."""

from __future__ import annotations

from dataclasses import dataclass

from core.assistant.entities import Entities
from core.assistant.intents import Intent
from core.replies import Reply


@dataclass(frozen=True)
class Answer:
    question: str
    intent: Intent
    entities: Entities
    reply: Reply
    codes: tuple[str, ...] = ()  # the codes the answer is about or proposes
    sources: tuple[str, ...] = ()  # code set and release, or note and source section
    opened_cards: bool = False  # True when the answer opened full code cards (which count views)

    def text(self) -> str:
        return reply_text(self.reply)


def reply_text(reply: Reply) -> str:
    """A Reply and its parts as plain text (no markup, no buttons)."""
    out: list[str] = []
    for part in reply.all_parts():
        out.append(part.title)
        if part.subtitle:
            out.append(part.subtitle)
        out.extend(f"{f.label}: {f.value}" for f in part.fields)
        for section in part.sections:
            if section.heading:
                out.append(section.heading + ":")
            out.extend(line for line in section.text.replace("`", "").replace("*", "").splitlines())
        for item in part.results:
            out.append(" — ".join(x for x in (item.title, item.subtitle, item.detail) if x))
        if part.footer:
            out.append(part.footer)
        out.append("")
    return "\n".join(out).strip()
