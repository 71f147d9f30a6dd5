"""Prometheus metrics for CodeDesk processes (prometheus-client).

One `Metrics` per process, on a registry of its own (tests build as many as they like). Under
gunicorn every worker writes its values to `PROMETHEUS_MULTIPROC_DIR` and `/metrics` adds them up
(multiprocess mode: that variable must be set before this module creates any metric, which
`bots/serve.py` does before the workers start). Labels are platform, command and outcome names:
never user ids, text or anything a person typed.

The Desk is measured by wrapping it (`MeteredDesk`), so no feature or adapter carries metric code."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess, values
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from core.commands import Feature, Suggester
from core.desk import Desk, FreeText
from core.jobs.digest import DigestRunner, TickReport
from core.jobs.feeds import FeedRun
from core.replies import ErrorKind, Reply
from core.requests import Request, RequestKind

LATENCY_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


def multiprocess_dir() -> str:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")


def use_multiprocess(folder: str) -> None:
    """Store metric values in `folder`, shared by every worker of this server. Call before the
    workers start; metrics made afterwards use it (prometheus-client reads this class per metric)."""
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    values.ValueClass = values.get_value_class()


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.requests = Counter("codedesk_requests", "Requests answered, by platform, command and outcome",
                                ["platform", "command", "outcome"], registry=r)
        self.latency = Histogram("codedesk_request_seconds", "Time to answer a request (the Desk's part)",
                                 ["platform"], buckets=LATENCY_BUCKETS, registry=r)
        self.quota_denials = Counter("codedesk_quota_denials", "Card views refused: no views left",
                                     ["platform"], registry=r)
        self.errors = Counter("codedesk_errors", "Requests that failed: internal (a bug) or unavailable "
                              "(the database)", ["platform", "kind"], registry=r)
        self.http = Counter("codedesk_http_requests", "Slack HTTP requests by route and status",
                            ["route", "status"], registry=r)
        self.http_latency = Histogram("codedesk_http_request_seconds", "Slack HTTP request time by route",
                                      ["route"], buckets=LATENCY_BUCKETS, registry=r)
        self.digest_sends = Counter("codedesk_digest_sends", "Daily digests sent", registry=r)
        self.digest_failures = Counter("codedesk_digest_failures", "Daily digests that failed to send",
                                       registry=r)
        self.feed_imports = Counter("codedesk_feed_imports", "Job feeds read, by outcome", ["outcome"],
                                    registry=r)
        self.feed_postings = Counter("codedesk_feed_postings_imported", "Postings imported from feeds",
                                     registry=r)
        self.import_runs = Counter("codedesk_import_runs", "Code data imports (codedesk import), by kind and "
                                   "outcome", ["kind", "outcome"], registry=r)

    # --- recording ------------------------------------------------------------------------------
    def request(self, request: Request, reply: Reply, seconds: float) -> None:
        platform = request.actor.platform.value
        command = request.command[:30] if request.kind is RequestKind.COMMAND else request.kind.value
        outcome = reply.error.value if reply.error is not None else "ok"
        self.requests.labels(platform, command, outcome).inc()
        self.latency.labels(platform).observe(seconds)
        if reply.error is ErrorKind.QUOTA:
            self.quota_denials.labels(platform).inc()
        if reply.error in (ErrorKind.INTERNAL, ErrorKind.UNAVAILABLE):
            self.errors.labels(platform, reply.error.value).inc()

    def http_request(self, route: str, status: int, seconds: float) -> None:
        self.http.labels(route, str(status)).inc()
        self.http_latency.labels(route).observe(seconds)

    def digest_tick(self, report: TickReport) -> None:
        self.digest_sends.inc(report.sent)
        self.digest_failures.inc(report.failed)

    def feed_run(self, run: FeedRun) -> None:
        outcome = "failed" if run.error else "not_modified" if run.not_modified else "read"
        self.feed_imports.labels(outcome).inc()
        self.feed_postings.inc(run.imported)

    def import_run(self, kind: str, ok: bool) -> None:
        self.import_runs.labels(kind, "ok" if ok else "refused").inc()

    # --- exposition -----------------------------------------------------------------------------
    def exposition(self) -> tuple[bytes, str]:
        """The text format: this process's values, or every worker's under multiprocess mode."""
        if multiprocess_dir():
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            return generate_latest(registry), CONTENT_TYPE_LATEST
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


def mark_worker_dead(pid: int) -> None:
    """gunicorn's child_exit: drop a dead worker's live gauges (counters keep their totals)."""
    if multiprocess_dir():
        multiprocess.mark_process_dead(pid)


class MeteredDesk(Desk):
    """The Desk, counting each request's outcome and time."""

    def __init__(self, features: Sequence[Feature], metrics: Metrics, *, free_text: FreeText | None = None,
                 suggester: Suggester | None = None, clock: Callable[[], float] = time.perf_counter) -> None:
        super().__init__(features, free_text=free_text, suggester=suggester)
        self.metrics = metrics
        self.clock = clock

    def handle(self, request: Request) -> Reply:
        started = self.clock()
        reply = super().handle(request)
        self.metrics.request(request, reply, self.clock() - started)
        return reply


class MeteredDigestRunner(DigestRunner):
    """The digest runner, counting sends and failures of every tick."""

    def __init__(self, *args: Any, metrics: Metrics, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.metrics = metrics

    def tick(self) -> TickReport:
        report = super().tick()
        self.metrics.digest_tick(report)
        return report
