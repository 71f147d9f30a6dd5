"""Desks for tests: the real code-lookup feature (and whatever else a test adds) on the real catalog."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from core.assistant.assistant import Assistant
from core.codes.catalog import Catalog
from core.codes.feature import CodesFeature
from core.codes.views import Searcher, ViewGate
from core.commands import Feature
from core.desk import Desk
from core.search.suggest import suggester_for


def code_desk(catalog: Catalog, *, views: ViewGate | None = None, searcher: Searcher | None = None,
              features: tuple[Feature, ...] = (), today: Callable[[], date] = date.today) -> Desk:
    """Free text goes to the real assistant, bound to this Desk's commands, as in bots/app.py."""
    codes = CodesFeature(catalog, views=views, searcher=searcher, today=today)
    desk = Desk((codes, *features), suggester=suggester_for(catalog, searcher))
    desk.free_text = Assistant(catalog, codes, searcher=searcher, today=today).bind(desk.registry).free_text
    return desk
