"""`codedesk run slack --http --workers N`: the Slack WSGI app under gunicorn.

The master process loads everything once (catalog, search index, Bolt app: `preload_app`), then forks
N workers that share those pages; each worker gets fresh database connections and its own digest
scheduler (the send log makes every digest go out once). Workers use gunicorn's threaded worker, so
a connection is kept alive and a slow answer does not hold up the others.

SIGTERM (or SIGINT) is graceful: the master stops accepting, each worker finishes the requests it is
answering and the follow-ups it owes (response_url posts, lazy event handlers), stops its scheduler
after the job in progress, and exits; `graceful_timeout` bounds the wait."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from gunicorn.app.base import BaseApplication

from bots import metrics as metrics_module

GRACEFUL_SECONDS = 25  # within Kubernetes' default 30 s termination grace period
THREADS = 8  # per worker: Slack's 3-second budget leaves room for a few slow answers at once


@dataclass
class WorkerHooks:
    """What each worker starts after the fork and stops before it exits."""

    after_fork: Callable[[], None]
    start: Callable[[], Any]  # returns something with .shutdown(wait=True), e.g. the scheduler
    started: list[Any] = field(default_factory=list)

    def post_fork(self, _server: Any, _worker: Any) -> None:
        self.after_fork()

    def post_worker_init(self, _worker: Any) -> None:
        self.started.append(self.start())

    def worker_exit(self, _server: Any, _worker: Any) -> None:
        for thing in self.started:
            thing.shutdown(wait=True)  # the job in progress finishes; nothing is left half written
        self.started.clear()


class SlackGunicorn(BaseApplication):
    def __init__(self, load: Callable[[], Any], options: Mapping[str, Any], hooks: WorkerHooks) -> None:
        self._load = load
        self.options = dict(options)
        self.hooks = hooks
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        self.cfg.set("post_fork", self.hooks.post_fork)
        self.cfg.set("post_worker_init", self.hooks.post_worker_init)
        self.cfg.set("worker_exit", self.hooks.worker_exit)
        self.cfg.set("child_exit", lambda _server, worker: metrics_module.mark_worker_dead(worker.pid))

    def load(self) -> Any:
        return self._load()


def prepare_metrics_folder() -> str:
    """A fresh folder for the workers' metric values (multiprocess mode), unless the operator set one."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(prefix="codedesk-metrics-")
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(folder):  # values of a previous run would be added to this one's
        if name.endswith(".db"):
            os.remove(os.path.join(folder, name))
    metrics_module.use_multiprocess(folder)
    return folder


def gunicorn_options(host: str, port: int, workers: int) -> dict[str, Any]:
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": THREADS,
        "preload_app": True,
        "graceful_timeout": GRACEFUL_SECONDS,
        "timeout": 60,
        "keepalive": 75,  # longer than a load balancer's idle timeout, so it closes first
        "backlog": 2048,
        "accesslog": None,  # request lines carry OAuth codes in query strings
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "codedesk-slack",
    }
