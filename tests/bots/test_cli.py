"""The `codedesk` command, run in-process against a SQLite file of the test's own."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bots.cli import main
from tests.conftest import CACHE_DIR, ROOT

FIXTURE = ROOT / "tests" / "core" / "codes" / "sources" / "fixtures" / "hcpcs_2020_sample.txt"


pytestmark = pytest.mark.usefixtures("local_home")


def test_lookup_json_after_importing_hcpcs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", "hcpcs", str(FIXTURE)]) == 0
    assert "Imported HCPCS" in capsys.readouterr().out
    code = next(line[:5] for line in FIXTURE.read_text(encoding="latin-1").splitlines()
                if len(line) > 11 and line[10] == "3")
    assert main(["lookup", code, "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["outcome"] == "found" and payload["record"]["system"] == "hcpcs"
    assert payload["record"]["code"] == code and payload["record"]["description"]


def test_a_damaged_file_is_refused_with_its_line_and_the_old_data_stays(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", "hcpcs", str(FIXTURE)]) == 0
    before = capsys.readouterr()
    lines = FIXTURE.read_text(encoding="latin-1").splitlines(keepends=True)
    record_lines = [i for i, line in enumerate(lines) if len(line) > 11 and line[10] in "37"]
    bad_at = record_lines[3]
    lines[bad_at] = lines[bad_at][:10] + "9" + lines[bad_at][11:]  # an impossible record id
    damaged = tmp_path / "damaged.txt"
    damaged.write_text("".join(lines), encoding="latin-1")
    assert main(["import", "hcpcs", str(damaged)]) == 1
    err = capsys.readouterr().err
    assert f"line {bad_at + 1}" in err and "nothing was imported" in err
    assert main(["data", "status"]) == 0
    status = capsys.readouterr().out
    assert "hcpcs_2020_sample.txt" in status  # the previous import is still the loaded one
    assert before.out


def test_licensed_cpt_import_shows_the_official_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    licensed = tmp_path / "cpt2026.tsv"
    licensed.write_text("code\tdescriptor\n99213\tLicensed descriptor text for testing\n", encoding="utf-8")
    assert main(["import", "cpt", str(licensed)]) == 0
    capsys.readouterr()
    assert main(["lookup", "99213", "--json"]) == 0
    record = json.loads(capsys.readouterr().out)["record"]
    assert record["description"] == "Licensed descriptor text for testing" and record["licensed"]


def test_a_bad_cpt_file_names_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "cpt.csv"
    bad.write_text("code,descriptor\n99213,ok\nABCDE,not a code\n", encoding="utf-8")
    assert main(["import", "cpt", str(bad)]) == 1
    assert "line 3" in capsys.readouterr().err


def test_data_status_reports_icd10_counts(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "status"]) == 0
    out = capsys.readouterr().out
    assert "98,505 records" in out and "74,719 billable" in out
    assert "release: FY2026 (April 2026 update)" in out and "in effect from 1 April 2026" in out


def test_piped_shell_answers(local_home: Path) -> None:
    env = {"CODEDESK_HOME": str(local_home), "CODEDESK_CACHE_DIR": str(CACHE_DIR), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "bots.cli", "shell"], input="/icd10 e119\n", text=True,
                          capture_output=True, cwd=ROOT, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "E11.9 — Type 2 diabetes mellitus without complications" in done.stdout


def test_data_update_downloads_the_cms_zip_and_imports_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import http.server
    import threading
    import zipfile

    archive = tmp_path / "serve" / "hcpcs.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(FIXTURE, "HCPC2020_ANWEB_sample.txt")
        zf.writestr("README.txt", "not this one")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            super().__init__(*args, directory=str(archive.parent), **kwargs)

        def log_message(self, *args):  # type: ignore[no-untyped-def]
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/hcpcs.zip"
        assert main(["data", "update", "--url", url]) == 0
        assert "Imported HCPCS 2020" in capsys.readouterr().out
        assert main(["data", "update", "--url", url.replace("hcpcs.zip", "missing.zip")]) == 1
        assert "Nothing was imported" in capsys.readouterr().err
    finally:
        server.shutdown()
