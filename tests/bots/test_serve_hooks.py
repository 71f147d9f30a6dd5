"""bots/serve.py's worker hooks: a worker's scheduler stops after the job it is running, never in the
middle of it (SIGTERM makes gunicorn call worker_exit)."""

from __future__ import annotations

import threading

from apscheduler.schedulers.background import BackgroundScheduler

from bots.serve import WorkerHooks, gunicorn_options


def test_worker_exit_waits_for_the_running_job() -> None:
    started, release, finished = threading.Event(), threading.Event(), threading.Event()

    def digest_job() -> None:
        started.set()
        release.wait(10)
        finished.set()

    def start() -> BackgroundScheduler:
        scheduler = BackgroundScheduler()
        scheduler.add_job(digest_job)  # runs at once
        scheduler.start()
        return scheduler

    forked: list[bool] = []
    hooks = WorkerHooks(lambda: forked.append(True), start)
    hooks.post_fork(None, None)
    hooks.post_worker_init(None)
    assert forked == [True] and started.wait(10)
    exiting = threading.Thread(target=hooks.worker_exit, args=(None, None))
    exiting.start()
    exiting.join(0.3)
    assert exiting.is_alive() and not finished.is_set()  # still waiting for the job in progress
    release.set()
    exiting.join(10)
    assert finished.is_set() and not exiting.is_alive() and hooks.started == []


def test_gunicorn_runs_threaded_preloaded_workers_with_a_grace_period() -> None:
    options = gunicorn_options("127.0.0.1", 3000, 2)
    assert options["workers"] == 2 and options["worker_class"] == "gthread" and options["preload_app"]
    assert 0 < options["graceful_timeout"] < 30 and options["accesslog"] is None
