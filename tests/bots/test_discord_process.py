"""`codedesk run discord` as a process against the fake Discord: it serves Prometheus metrics on
its own port and stops cleanly on SIGTERM (gateway closed, scheduler stopped, exit 0)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import CACHE_DIR, ROOT
from tests.fakes.discord_server import TOKEN, FakeDiscord


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def fake_discord() -> Iterator[tuple[FakeDiscord, asyncio.AbstractEventLoop]]:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    fake = FakeDiscord()
    asyncio.run_coroutine_threadsafe(fake.start(), loop).result(10)
    yield fake, loop
    asyncio.run_coroutine_threadsafe(fake.stop(), loop).result(10)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(10)


def test_metrics_port_and_sigterm(fake_discord: tuple[FakeDiscord, asyncio.AbstractEventLoop],
                                  tmp_path: Path) -> None:
    fake, loop = fake_discord
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_", "DATABASE_"))}
    env.update(DISCORD_TOKEN=TOKEN, DISCORD_API_BASE=fake.api_base, DISCORD_GATEWAY_URL=fake.gateway_url,
               CODEDESK_METRICS_PORT=str(port), CODEDESK_HOME=str(tmp_path), CODEDESK_CACHE_DIR=str(CACHE_DIR))
    log = tmp_path / "discord.log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "bots.cli", "run", "discord"], env=env, cwd=ROOT,
                                   stdout=out, stderr=subprocess.STDOUT)
    try:
        asyncio.run_coroutine_threadsafe(fake.wait_for_sessions(1, timeout=120), loop).result(130)
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
                    body = answer.read().decode()
                break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)  # the metrics server starts beside the gateway connection
        assert "# TYPE codedesk_requests_total counter" in body
        process.send_signal(signal.SIGTERM)
        assert process.wait(60) == 0, log.read_text()
        asyncio.run_coroutine_threadsafe(fake.wait_for_sessions(0, timeout=10), loop).result(15)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
