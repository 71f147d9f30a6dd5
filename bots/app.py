"""Process wiring: settings -> database -> catalog -> Desk. Every entry point builds through here."""

from __future__ import annotations

import gc
import logging
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bots import logs
from bots.config import CodeDeskSettings, environ
from bots.config import load as load_config
from core import db, logsafe
from core.accounts.feature import AccountsFeature
from core.accounts.policy import QuotaPolicy
from core.accounts.quota import ViewQuota
from core.accounts.service import Accounts
from core.assistant.assistant import Assistant
from core.assistant.guidelines import GuidelineLibrary
from core.channels import ChannelPoster
from core.codes.catalog import Catalog
from core.codes.feature import CodesFeature
from core.codes.views import ViewGate
from core.commands import Feature
from core.consult.feature import ConsultFeature
from core.consult.mail import Mailer, SmtpSettings
from core.consult.outbox import Deliverer
from core.consult.policy import ConsultPolicy
from core.coverage.claim_rule import CoverageRule
from core.coverage.feature import CoverageFeature
from core.desk import Desk
from core.edits.check import default_rules
from core.edits.claim import ClaimRule
from core.edits.feature import EditsFeature
from core.edits.store import EditStore
from core.jobs.feature import JobsFeature
from core.search.engine import SearchEngine
from core.search.feature import CodeSearch
from core.search.suggest import SearchSuggester
from core.settings import Settings

if TYPE_CHECKING:
    from bots.metrics import Metrics


@dataclass
class Services:
    settings: Settings
    quota_policy: QuotaPolicy = field(default_factory=QuotaPolicy)
    consult_policy: ConsultPolicy = field(default_factory=ConsultPolicy)
    smtp: SmtpSettings | None = None  # CODEDESK_SMTP_URL and CODEDESK_MAIL_FROM; None: no email
    # Each entry point adds the poster of the platform it connects to (start_scheduler does it);
    # consult deliveries for a platform go out from a process that has its poster.
    posters: dict[str, ChannelPoster] = field(default_factory=dict)
    consult_sends_inline: bool = False  # piped shell: print consult posts in order, before the next answer
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

    @cached_property
    def consult_deliverer(self) -> Deliverer:
        return Deliverer(self.sessions, self.posters, Mailer(self.smtp) if self.smtp is not None else None)

    @cached_property
    def _consult_sender(self) -> ThreadPoolExecutor:
        return ThreadPoolExecutor(1, thread_name_prefix="consult-send")

    @cached_property
    def consult_feature(self) -> ConsultFeature:
        # Deliveries run after the commit on their own thread: a slow SMTP server never holds up an
        # answer (Slack and Discord want one within three seconds). The scheduler retries the rest.
        kick = self._deliver_consults if self.consult_sends_inline else \
            (lambda: self._consult_sender.submit(self._deliver_consults))
        return ConsultFeature(self.sessions, self.consult_deliverer, policy=self.consult_policy,
                              zone=self.quota_policy.timezone, kick=kick)

    def _deliver_consults(self) -> None:
        try:
            self.consult_deliverer.deliver_due()
        except Exception as exc:  # the scheduler's next tick tries again
            logging.getLogger(__name__).error("consult delivery failed: %s", logsafe.describe(exc))
    def claim_rules(self) -> tuple[ClaimRule, ...]:
        """The rules `/check` runs; coverage adds its own rule here."""
        return (*default_rules(EditStore(self.sessions), lambda: self.catalog), CoverageRule(self.sessions))

    @cached_property
    def edits_feature(self) -> EditsFeature:
        return EditsFeature(self.sessions, self.claim_rules())

    @cached_property
    def coverage_feature(self) -> CoverageFeature:
        return CoverageFeature(self.sessions, lambda: self.catalog)

    def features(self) -> tuple[Feature, ...]:
        """Every feature, in the order /help lists them; a new feature adds one line here."""
        return (
            self.codes_feature,
            self.code_search,
            AccountsFeature(self.accounts),
            self.jobs_feature(),
            self.consult_feature,
            self.edits_feature,
            self.coverage_feature,
        )

    def jobs_feature(self) -> Feature:
        return JobsFeature(self.sessions, feed_policy=self.config.feed_policy())

    @cached_property
    def metrics(self) -> Metrics:
        from bots.metrics import Metrics  # prometheus-client: only for processes that serve or import

        return Metrics()

    @cached_property
    def guideline_notes(self) -> GuidelineLibrary:
        return GuidelineLibrary.load()

    def assistant(self) -> Assistant:
        """The free-text answerer (mentions, DMs, shell lines); catalog and notes load on first use."""
        return Assistant(lambda: self.catalog, self.codes_feature, searcher=self.searcher(),
                         notes=self.guideline_notes)

    def desk(self) -> Desk:
        from bots.metrics import MeteredDesk

        desk = MeteredDesk(self.features(), self.metrics,
                           suggester=SearchSuggester(lambda: self.catalog, self.code_search))
        # The assistant answers data questions with the Desk's own commands (/ncci, /mue, /rvu, ...);
        # when it finds nothing, the consult feature offers a human expert.
        desk.free_text = self.consult_feature.offering(self.assistant().bind(desk.registry).free_text)
        return desk

    def loaded(self) -> bool:
        """Whether the catalog and the search index are in memory (what /readyz waits for)."""
        return "catalog" in self.__dict__ and "search_engine" in self.__dict__


def services_from_env() -> Services:
    """Services from the environment and `.env`; raises bots.config.ConfigError (one line) when a
    setting is wrong."""
    config = load_config()
    logs.configure(config.codedesk_log_level, config.codedesk_log_format)
    env = environ()
    return Services(config.core_settings(), quota_policy=config.quota_policy(), config=config, env=env,
                    consult_policy=ConsultPolicy.from_env(env), smtp=SmtpSettings.from_env(env))
