"""The whole job-board flow in the terminal chat: post through the form prompts, find, approve,
subscribe, and the digest printed into the terminal by the shell poster."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import time_machine
from sqlalchemy.orm import Session, sessionmaker

from adapters.shell.chat import ShellSession
from adapters.shell.poster import ShellPoster
from core.codes.catalog import Catalog
from core.jobs.digest import DigestRunner
from core.jobs.feature import JobsFeature
from core.replies import Reply
from core.requests import Actor, Platform
from tests.core.jobs.conftest import utc
from tests.desks import code_desk

ROOT = Path(__file__).resolve().parents[3]


def answers(*lines: str) -> Iterator[str]:
    yield from lines


def test_post_find_approve_subscribe_and_receive_a_digest(catalog: Catalog,
                                                          sessions: sessionmaker[Session]) -> None:
    desk = code_desk(catalog, features=(JobsFeature(sessions),))
    typed = answers("Remote CPC coder — denials", "Acme Health", "Remote, full-time",
                    "CPC · 2+ years · $55k-$65k", "https://acme.example/jobs/1")
    shell = ShellSession(desk, Actor(Platform.SHELL, "local", "boss", "boss", is_admin=True),
                         ask=lambda prompt: next(typed))
    with time_machine.travel(utc(2026, 4, 2, 13, 0), tick=False) as clock:
        assert "New job posts now need" in shell.send("/jobs settings approval on")
        assert "now typing as ana" in shell.send("/user ana").lower()
        posted = shell.send("/jobs post")
        assert "Job title:" not in posted  # prompts go to the terminal, the answer is the card
        assert "waiting for an admin's approval" in posted
        assert "No coding jobs are posted yet" in shell.send("/jobs")
        shell.send("/user boss admin")
        assert "#1 Remote CPC coder" in shell.send("/jobs pending")
        opened = shell.send("1")
        assert "[1] Approve" in opened
        assert "approved: it is live" in shell.send("1")
        subscribed = shell.send("/jobs subscribe 9:00 America/Chicago remote cpc")
        assert "daily at 09:00 America/Chicago · filters: remote cpc" in subscribed
        found = shell.send("/jobs search remote cpc")
        assert "#1 Remote CPC coder — denials — Acme Health" in found
        terminal = io.StringIO()
        runner = DigestRunner(sessions, {"shell": ShellPoster(terminal)})
        clock.move_to(utc(2026, 4, 3, 14, 0))  # 09:00 in Chicago (CDT)
        assert runner.tick().sent == 0  # approved before subscribing: not new for this channel
        clock.shift(timedelta(hours=1))
        shell.send("/user ana")
        typed = answers("Remote CPC auditor", "Lakeside", "Remote", "CPC audit work", "https://lake.example/2")
        shell.ask = lambda prompt: next(typed)
        shell.send("/jobs post")
        shell.send("/user boss admin")
        shell.send("/jobs approve 2")
        clock.move_to(utc(2026, 4, 4, 14, 0))
        assert runner.tick().sent == 1
        printed = terminal.getvalue()
        assert "── posted to #terminal ──" in printed
        assert "Coding jobs: 1 new posting" in printed and "#2 Remote CPC auditor — Lakeside" in printed


def test_shell_poster_reports_a_gone_channel() -> None:
    out = io.StringIO()
    poster = ShellPoster(out, gone=frozenset({"old"}))
    assert poster.post("local", "old", Reply(title="x")).outcome.value == "channel_gone"
    assert poster.notify_user("local", "ana", Reply(title="Hello")).ok
    assert "── message to @ana ──" in out.getvalue() and "Hello" in out.getvalue()


def test_a_terminal_digest_without_a_zone_runs_on_the_sessions_zone(catalog: Catalog,
                                                                    sessions: sessionmaker[Session]) -> None:
    desk = code_desk(catalog, features=(JobsFeature(sessions),))
    shell = ShellSession(desk, Actor(Platform.SHELL, "local", "ana", "ana"), timezone="Australia/Perth")
    with time_machine.travel(utc(2026, 4, 2, 13, 0), tick=False):
        assert "daily at 07:00 Australia/Perth" in shell.send("/jobs subscribe 07:00 remote")


def test_the_codedesk_shell_takes_the_machines_time_zone(tmp_path: Path) -> None:
    env = {**os.environ, "CODEDESK_HOME": str(tmp_path), "TZ": "America/Chicago"}
    env.pop("DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-m", "bots.cli", "shell", "--user", "ana"],
                          input="/jobs subscribe 09:00 remote\n", capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=300, check=True)
    assert "daily at 09:00 America/Chicago" in " ".join(done.stdout.split())
