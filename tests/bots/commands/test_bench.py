"""`codedesk bench …`: targets run bench/<target>.py from the source checkout, and an installed
package without one says what is missing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bots import cli
from bots.commands import bench

ROOT = Path(__file__).resolve().parents[3]


def test_this_checkout_is_found() -> None:
    assert bench.checkout_root() == ROOT


def test_without_a_checkout_the_bench_says_what_is_missing(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert bench.run_in_checkout("bench.slack", [], "slack", root=tmp_path) == 2
    err = capsys.readouterr().err
    assert "needs a source checkout" in err and "bench/" in err and "tests/fakes/" in err
    assert "codedesk bench slack" in err


def test_an_installed_package_prints_the_message(tmp_path: Path) -> None:
    """The shipped packages copied alone into a site folder (as pip installs them), run from elsewhere."""
    site = tmp_path / "site"
    for package in ("bots", "adapters", "core"):
        shutil.copytree(ROOT / package, site / package)
    env = {**os.environ, "CODEDESK_HOME": str(tmp_path / "home")}
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from bots.cli import main; "
            "import bots; assert bots.__file__.startswith(sys.argv[1]), bots.__file__; "
            "sys.exit(main(['bench', 'digest', '--subscriptions', '1']))")
    done = subprocess.run([sys.executable, "-c", code, str(site)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "codedesk bench needs a source checkout" in done.stderr


def test_options_reach_the_bench_module_as_typed() -> None:
    top = cli.parser()
    args = top.parse_args(["bench", "digest", "--subscriptions", "7", "--poster", "quiet"])
    target = top._subparsers._group_actions[0].choices["bench"]  # type: ignore[union-attr]
    digest = target.get_default("bench_targets").choices["digest"]
    assert bench.argv_from(digest, args) == ["--subscriptions", "7", "--poster", "quiet"]


def test_relative_files_reach_the_bench_module_as_absolute_paths(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # The bench module runs from the checkout's root, not from where the command was typed.
    monkeypatch.chdir(tmp_path)
    top = cli.parser()
    args = top.parse_args(["bench", "cases", "--dev", "my_cases.tsv"])
    target = top._subparsers._group_actions[0].choices["bench"]  # type: ignore[union-attr]
    cases = target.get_default("bench_targets").choices["cases"]
    argv = bench.argv_from(cases, args)
    assert argv[argv.index("--dev") + 1] == str(tmp_path / "my_cases.tsv")


def test_codedesk_bench_runs_the_checkouts_module(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PYTHONPATH")}
    env["CODEDESK_HOME"] = str(tmp_path)
    done = subprocess.run([sys.executable, "-m", "bots.cli", "bench", "digest", "--subscriptions", "3",
                           "--workspaces", "1", "--postings", "2", "--poster", "quiet"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, check=False, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "3 due, 3 sent" in done.stdout
