"""Consults wired into the process: the real Services desk in a piped `codedesk shell`, and the
scheduler `codedesk run` starts carrying the consult tick for the platforms it posts to."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from adapters.shell.poster import ShellPoster
from bots.app import Services
from bots.commands.jobs import start_scheduler
from core.consult.schedule import CONSULT_JOB
from core.settings import Settings
from tests.conftest import CACHE_DIR, ROOT

SESSION = """\
/codedesk consult channel #experts
/user ana
/consult Is 99497 billable with an annual wellness visit?
/register
Ana Asker
ana@example.org
y
/consult Is 99497 billable with an annual wellness visit?

99497 G0439
/consult Patient Jane Roe DOB 02/03/1950 is here
/user ed admin
/consult list
/consult answer 1 Yes: add modifier 33 so the advance care planning is not charged to the patient.
/user ana
/consult 1
"""


def test_a_piped_shell_runs_the_whole_consult(local_home: Path) -> None:
    env = {"CODEDESK_HOME": str(local_home), "CODEDESK_CACHE_DIR": str(CACHE_DIR), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "bots.cli", "shell", "--admin"], input=SESSION, text=True,
                          capture_output=True, cwd=ROOT, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "New consults now go to #experts" in out
    assert "needs a (free) registration" in out  # a guest first
    assert "Welcome, Ana Asker" in out
    assert out.index("── posted to ##experts ──") < out.index("Consult #1 is with the experts")
    assert "Consult #1: a coding question for the experts" in out
    assert "Remove the date of birth" in out and "Jane" not in out.split("Remove the date of birth")[1][:400]
    assert "#1 — open" in out
    assert "── message to @ana ──" in out and "Your consult #1 is answered by ed" in out
    assert "Consult #1: answered by ed" in out
    assert "Jane Roe" not in done.stderr and "99497" not in done.stderr


def test_the_scheduler_carries_the_consult_tick_and_the_poster(tmp_path: Path) -> None:
    services = Services(Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}", home=tmp_path, cache_dir=CACHE_DIR))
    services.upgrade()
    assert "consult" in services.desk().command_names
    poster = ShellPoster(io.StringIO())
    scheduler = start_scheduler(services, {"shell": poster})
    try:
        assert scheduler.get_job(CONSULT_JOB) is not None
        assert services.posters["shell"] is poster and services.consult_deliverer.posters["shell"] is poster
    finally:
        scheduler.shutdown(wait=False)
        services.engine.dispose()
