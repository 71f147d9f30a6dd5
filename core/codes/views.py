"""The seam between code cards and whoever counts code views (core/accounts): a full card asks a
ViewGate first; search result lists and lookup errors never do."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from core.codes.record import System
from core.replies import Reply
from core.requests import Actor, Request


@dataclass(frozen=True)
class ViewDecision:
    """Whether a card may be shown. `remaining` is None for unlimited users; `refusal` replaces the card."""

    allowed: bool
    remaining: int | None = None
    refusal: Reply | None = None


class ViewGate(Protocol):
    def admit(self, actor: Actor, system: System, code: str) -> ViewDecision: ...


class UnlimitedViews:
    """Every view allowed: for the CLI's own lookups and for tests of the code cards themselves."""

    def admit(self, actor: Actor, system: System, code: str) -> ViewDecision:
        return ViewDecision(True)


class Searcher(Protocol):
    """Code search (core/search): a result list Reply for words, optionally within one system."""

    def search_reply(self, request: Request, words: str, system: System | None, page: int = 1) -> Reply: ...
