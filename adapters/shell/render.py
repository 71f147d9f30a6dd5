"""Render a Reply as plain text for the terminal. Knows nothing about codes."""

from __future__ import annotations

import textwrap

from core.replies import Action, Reply

WIDTH = 100


def render(reply: Reply, buttons: list[Action] | None = None) -> str:
    """The reply and its parts as text. Buttons are numbered; `buttons` collects them in that order."""
    collected = buttons if buttons is not None else []
    return "\n\n".join(_render_one(part, collected) for part in reply.all_parts())


def _render_one(reply: Reply, buttons: list[Action]) -> str:
    out: list[str] = []
    marker = "✖ " if reply.is_error else ""
    out.append(f"{marker}{reply.title}")
    out.append("─" * min(WIDTH, max(10, len(out[0]))))
    if reply.subtitle:
        out.extend(textwrap.wrap(reply.subtitle, WIDTH))
    if reply.fields:
        width = max(len(f.label) for f in reply.fields)
        out.extend(f"{f.label.rjust(width)}: {f.value}" for f in reply.fields)
    for section in reply.sections:
        out.append("")
        if section.heading:
            out.append(f"{section.heading}:")
        for line in section.text.splitlines():
            out.append(textwrap.fill(line, WIDTH, initial_indent="  ", subsequent_indent="    ")
                       if line.strip() else "")
    if reply.results:
        out.append("")
        for item in reply.results:
            number = ""
            if item.action is not None:
                buttons.append(item.action)
                number = f"[{len(buttons)}] "
            line = f"  {number}{item.title}" + (f" — {item.subtitle}" if item.subtitle else "")
            out.append(line)
            if item.detail:
                out.append(textwrap.fill(item.detail, WIDTH, initial_indent="      ", subsequent_indent="      "))
    if reply.actions:
        labels = []
        for action in reply.actions:
            buttons.append(action)
            labels.append(f"[{len(buttons)}] {action.label}")
        out.append("")
        out.append("  ".join(labels))
    if reply.footer:
        out.append("")
        out.extend(textwrap.wrap(reply.footer, WIDTH))
    return "\n".join(out)
