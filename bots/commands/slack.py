"""`codedesk run slack [--http --port N]`, `codedesk slack manifest`, and the options of `codedesk bench slack`
(its code is bench/slack.py)."""

from __future__ import annotations

import argparse
import gc
import os
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from bots.app import Services
from bots.commands import bench
from bots.commands.jobs import start_scheduler

MANIFEST_PATH = Path("deploy/slack/manifest.yaml")

if TYPE_CHECKING:
    from apscheduler.schedulers.background import BackgroundScheduler

    from adapters.slack.config import SlackConfig


def register(sub: argparse._SubParsersAction) -> None:
    slack = sub.add_parser("slack", help="the Slack app: write its manifest")
    actions = slack.add_subparsers(dest="slack_action", required=True)
    manifest = actions.add_parser("manifest", help="write deploy/slack/manifest.yaml from the command registry")
    manifest.add_argument("--url", default="https://codedesk.example.org",
                          help="the public base URL of `codedesk run slack --http`")
    manifest.add_argument("--output", type=Path, default=MANIFEST_PATH,
                          help="where to write it ('-' for standard output; default deploy/slack/manifest.yaml)")
    manifest.set_defaults(func=cmd_manifest)
    p = bench.add_target(sub, "slack", "bench.slack",
                         help="signed slash commands from many clients into the HTTP app")
    p.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    p.add_argument("--requests", type=int, default=3000, help="commands to send after warm-up")
    p.add_argument("--workers", default="1", help="worker counts to compare, e.g. 1,2 (one server run each)")
    p.add_argument("--database-url", default="",
                   help="a PostgreSQL server to run on (a fresh schema each run); default a new SQLite file")


def add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--http", action="store_true", help="Slack: serve HTTP (gunicorn) instead of Socket Mode")
    parser.add_argument("--port", type=int, default=None, help="Slack HTTP port (default $PORT or 3000)")
    parser.add_argument("--host", default="0.0.0.0", help="Slack HTTP bind address")
    parser.add_argument("--workers", type=int, default=None,
                        help="Slack HTTP worker processes (default $CODEDESK_WORKERS, or one per CPU core)")


def run_slack(args: argparse.Namespace, services: Services) -> int:
    from adapters.slack.config import ConfigError, SlackConfig

    try:
        config = SlackConfig.from_env(services.env)
    except ConfigError as err:
        print(f"Cannot start the Slack app: {err}.", file=sys.stderr)
        return 2
    http = getattr(args, "http", False) or not config.app_token
    if http:
        from bots.serve import prepare_metrics_folder

        prepare_metrics_folder()  # before any metric exists: every worker adds to the same values
    services.upgrade()
    services.search_engine  # noqa: B018 - load the index before serving, so no request waits for it
    services.assistant().warm()  # notes and clinical vocabulary: the first mention should not wait
    # Requests allocate many short-lived objects; collecting less often trims the latency tail.
    gc.set_threshold(20_000, 20, 20)
    if http:
        return _serve_http(args, services, config)
    return _serve_socket(services, config)


def _serve_http(args: argparse.Namespace, services: Services, config: SlackConfig) -> int:
    from adapters.slack.app import build_app
    from adapters.slack.clients import slack_poster
    from adapters.slack.wsgi import SlackWsgi
    from bots.health import readiness
    from bots.serve import SlackGunicorn, WorkerHooks, gunicorn_options

    if args.workers is not None and args.workers < 1:
        print("--workers: at least 1", file=sys.stderr)
        return 2
    workers = args.workers or services.config.codedesk_workers or os.cpu_count() or 1
    port = args.port if args.port is not None else services.config.port
    host = getattr(args, "host", "0.0.0.0")

    def load() -> SlackWsgi:
        parts = build_app(services.desk(), config, services.engine)
        return SlackWsgi(parts, ready=readiness(services.settings.database_url, services.loaded),
                         metrics=services.metrics.exposition, observe=services.metrics.http_request)

    def after_fork() -> None:
        services.engine.dispose(close=False)  # the master's pooled connections are not the worker's

    def scheduler() -> BackgroundScheduler:
        # Every worker runs the digest scheduler; the send log makes each digest go out once.
        return start_scheduler(services, {"slack": slack_poster(config, services.engine)})

    print(f"CodeDesk for Slack: HTTP on http://{host}:{port} with {workers} worker{'s' if workers != 1 else ''} "
          "(events at /slack/events; /healthz, /readyz, /metrics)", file=sys.stderr, flush=True)
    SlackGunicorn(load, gunicorn_options(host, port, workers), WorkerHooks(after_fork, scheduler)).run()
    return 0


def _serve_socket(services: Services, config: SlackConfig) -> int:
    from adapters.slack.app import build_app
    from adapters.slack.clients import slack_poster
    from adapters.slack.socket import socket_handler

    parts = build_app(services.desk(), config, services.engine)
    scheduler = start_scheduler(services, {"slack": slack_poster(config, services.engine)})
    print("CodeDesk for Slack: Socket Mode", file=sys.stderr, flush=True)
    stop = threading.Event()
    # SIGTERM: stop taking events, let the scheduler finish its job in progress, then exit.
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    handler = socket_handler(parts, config.app_token)
    try:
        handler.connect()
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        handler.close()
        scheduler.shutdown(wait=True)
    return 0


def cmd_manifest(args: argparse.Namespace, services: Services) -> int:
    from adapters.slack.manifest import manifest_yaml

    text = manifest_yaml(services.desk().registry.commands, args.url.rstrip("/"))
    if str(args.output) == "-":
        sys.stdout.write(text)
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0
