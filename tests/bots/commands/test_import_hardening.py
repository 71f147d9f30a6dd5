"""`codedesk import` against damaged files (issue 16, defects 1, 7 and 10): a truncated HCPCS file,
a CPT file with an unterminated quote or a huge field, NUL bytes. Each is refused with its line and
the data loaded before stays."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bots.cli import main
from tests.conftest import ROOT, shared_path

FIXTURE = ROOT / "tests" / "core" / "codes" / "sources" / "fixtures" / "hcpcs_2020_sample.txt"

pytestmark = pytest.mark.usefixtures("local_home")


def loaded_hcpcs(capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    assert main(["data", "status"]) == 0
    return next(line for line in capsys.readouterr().out.splitlines() if line.startswith("HCPCS"))


def test_a_file_cut_mid_record_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", "hcpcs", str(FIXTURE)]) == 0
    before = loaded_hcpcs(capsys)
    raw = FIXTURE.read_bytes()
    cut = raw.index(b"J9045")  # a first line near the end, cut after 150 of its 320 columns
    (tmp_path / "cut.txt").write_bytes(raw[:cut + 150])
    assert main(["import", "hcpcs", str(tmp_path / "cut.txt")]) == 1
    err = capsys.readouterr().err
    assert "ends in the middle of a record" in err and "nothing was imported" in err
    assert loaded_hcpcs(capsys) == before


def test_a_record_shorter_than_the_layout_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = FIXTURE.read_bytes().decode("latin-1").split("\n")
    lines[9] = lines[9][:200]  # C9899's first line loses its administrative columns
    (tmp_path / "short.txt").write_bytes("\n".join(lines).encode("latin-1"))
    assert main(["import", "hcpcs", str(tmp_path / "short.txt")]) == 1
    err = capsys.readouterr().err
    assert "line 10" in err and "cut short" in err and "column 293" in err


def test_far_fewer_records_than_loaded_asks_for_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", "hcpcs", str(FIXTURE)]) == 0
    before = loaded_hcpcs(capsys)
    lines = FIXTURE.read_bytes().decode("latin-1").split("\n")
    half = tmp_path / "half.txt"
    half.write_bytes("\n".join([*lines[:11], ""]).encode("latin-1"))  # cut at a line end: 5 of 9 records
    assert main(["import", "hcpcs", str(half)]) == 1
    err = capsys.readouterr().err
    assert "far fewer than the 9" in err and "--force" in err
    assert loaded_hcpcs(capsys) == before and "9 records" in before
    assert main(["import", "hcpcs", str(half), "--force"]) == 0
    assert "5 records" in loaded_hcpcs(capsys)


def test_the_real_2020_file_cut_in_half(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    real = shared_path("data", "cms", "hcpcs-2020", "HCPC2020_ANWEB_w_disclaimer.txt")
    assert main(["import", "hcpcs", str(real)]) == 0
    raw = real.read_bytes()
    (tmp_path / "half.txt").write_bytes(raw[:len(raw) // 2])
    assert main(["import", "hcpcs", str(tmp_path / "half.txt")]) == 1
    assert "nothing was imported" in capsys.readouterr().err
    at_line_end = raw[:raw.index(b"\n", len(raw) // 2) + 1]
    (tmp_path / "half_at_line_end.txt").write_bytes(at_line_end)
    assert main(["import", "hcpcs", str(tmp_path / "half_at_line_end.txt")]) == 1
    assert "--force" in capsys.readouterr().err
    assert main(["lookup", "J9999", "--json"]) == 0  # the full file's last codes are still there


def cpt_import(tmp_path: Path, text: bytes, name: str = "cpt.csv") -> int:
    path = tmp_path / name
    path.write_bytes(text)
    return main(["import", "cpt", str(path)])


def test_an_unterminated_quote_is_refused_with_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cpt_import(tmp_path, b"code,descriptor\n99212,Short visit\n") == 0
    capsys.readouterr()
    bad = b'code,descriptor\n99212,Short visit\n99213,"Office visit, established\n99214,Longer visit\n'
    assert cpt_import(tmp_path, bad) == 1
    err = capsys.readouterr().err
    assert "line 3" in err and "quote" in err and "nothing was imported" in err
    closed_later = bad + b'99215,Long visit"\n'
    assert cpt_import(tmp_path, closed_later) == 1
    assert "line 3" in capsys.readouterr().err
    assert main(["lookup", "99212", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["record"]["description"] == "Short visit"


def test_a_huge_field_is_refused_without_a_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    huge = b"code,descriptor\n99212,Short visit\n99213," + b"x" * 10_000_000 + b"\n"
    assert cpt_import(tmp_path, huge) == 1
    err = capsys.readouterr().err
    assert "line 3" in err and "larger than" in err and "Traceback" not in err


@pytest.mark.parametrize("kind", ["cpt", "hcpcs"])
def test_nul_bytes_are_refused_with_their_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                               kind: str) -> None:
    if kind == "cpt":
        code = cpt_import(tmp_path, b"code,descriptor\n99212,Short\x00 visit\n")
    else:
        raw = FIXTURE.read_bytes()
        at = raw.index(b"C9899") + 40
        (tmp_path / "nul.txt").write_bytes(raw[:at] + b"\x00" + raw[at + 1:])
        code = main(["import", "hcpcs", str(tmp_path / "nul.txt")])
    err = capsys.readouterr().err
    assert code == 1 and "NUL" in err and ("line 2" in err if kind == "cpt" else "line 10" in err)
