"""Process wiring: settings -> database -> catalog -> Desk. Every entry point builds through here."""

from __future__ import annotations

import gc
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bots import logs
from bots.config import CodeDeskSettings, environ
from bots.config import load as load_config
from bots.metrics import MeteredDesk, Metrics
from core import db
from core.accounts import Accounts, AccountsFeature
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
    config: CodeDeskSettings = field(default_factory=lambda: load_config({}, None))  # validated settings
    env: Mapping[str, str] = field(default_factory=dict)  # the environment (+ .env) adapters' configs read

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
        return JobsFeature(self.sessions, feed_policy=self.config.feed_policy())

    @cached_property
    def metrics(self) -> Metrics:
        return Metrics()

    def desk(self) -> Desk:
        return MeteredDesk(self.features(), self.metrics, free_text=self.codes_feature.free_text,
                           suggester=SearchSuggester(lambda: self.catalog, self.code_search))

    def loaded(self) -> bool:
        """Whether the catalog and the search index are in memory (what /readyz waits for)."""
        return "catalog" in self.__dict__ and "search_engine" in self.__dict__


def services_from_env() -> Services:
    """Services from the environment and `.env`; raises bots.config.ConfigError (one line) when a
    setting is wrong."""
    config = load_config()
    logs.configure(config.codedesk_log_level, config.codedesk_log_format)
    return Services(config.core_settings(), quota_policy=config.quota_policy(), config=config, env=environ())
