"""Process wiring: settings -> database -> catalog -> Desk. Every entry point builds through here."""

from __future__ import annotations

import gc
import logging
import os
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from core import db
from core.accounts import Accounts, AccountsFeature
from core.assistant.assistant import Assistant
from core.assistant.guidelines import GuidelineLibrary
from core.codes.catalog import Catalog
from core.codes.feature import CodesFeature
from core.codes.views import ViewGate
from core.commands import Feature
from core.desk import Desk
from core.jobs.feature import JobsFeature
from core.quota import QuotaPolicy, ViewQuota
from core.search.engine import SearchEngine
from core.search.feature import CodeSearch
from core.search.suggest import SearchSuggester
from core.settings import Settings


@dataclass
class Services:
    settings: Settings
    quota_policy: QuotaPolicy = field(default_factory=QuotaPolicy)

    @cached_property
    def engine(self) -> Engine:
        return db.make_engine(self.settings.database_url)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return db.session_factory(self.engine)

    @cached_property
    def catalog(self) -> Catalog:
        return Catalog.load(self.sessions, self.settings.cache_dir)

    def upgrade(self) -> None:
        db.upgrade(self.settings.database_url)

    @cached_property
    def quota(self) -> ViewQuota:
        return ViewQuota(self.sessions, self.quota_policy)

    @cached_property
    def accounts(self) -> Accounts:
        return Accounts(self.quota)

    def views(self) -> ViewGate:
        return self.quota

    @cached_property
    def search_engine(self) -> SearchEngine:
        """The code search index, from the on-disk cache when the catalog's version matches."""
        engine = SearchEngine.open(self.catalog, self.settings.cache_dir)
        # Catalog and index live as long as the process: keep them out of every later GC pass.
        gc.collect()
        gc.freeze()
        return engine

    @cached_property
    def code_search(self) -> CodeSearch:
        return CodeSearch(lambda: self.search_engine)  # the index loads on the first search

    def searcher(self) -> CodeSearch:
        return self.code_search

    @cached_property
    def codes_feature(self) -> CodesFeature:
        return CodesFeature(lambda: self.catalog, views=self.views(), searcher=self.searcher())

    def features(self) -> tuple[Feature, ...]:
        """Every feature, in the order /help lists them; a new feature adds one line here."""
        return (
            self.codes_feature,
            self.code_search,
            AccountsFeature(self.accounts),
            self.jobs_feature(),
        )

    def jobs_feature(self) -> Feature:
        return JobsFeature(self.sessions)

    @cached_property
    def guideline_notes(self) -> GuidelineLibrary:
        return GuidelineLibrary.load()

    def assistant(self) -> Assistant:
        """The free-text answerer (mentions, DMs, shell lines); catalog and notes load on first use."""
        return Assistant(lambda: self.catalog, self.codes_feature, searcher=self.searcher(),
                         notes=self.guideline_notes)

    def desk(self) -> Desk:
        desk = Desk(self.features(), suggester=SearchSuggester(lambda: self.catalog, self.code_search))
        # The assistant answers data questions with the Desk's own commands (/ncci, /mue, /rvu, ...).
        desk.free_text = self.assistant().bind(desk.registry).free_text
        return desk


def services_from_env() -> Services:
    settings = Settings.from_env(os.environ)
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return Services(settings, quota_policy=QuotaPolicy.from_env(os.environ))
