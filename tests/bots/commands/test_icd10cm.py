"""`codedesk import icd10cm`: a CDC/CMS release loaded from real files (the package's own tabular XML and
code list, and an order file in the CDC fixed-width layout), history against the release before it,
damaged files refused with the old data kept, and `codedesk data status` naming the release."""

from __future__ import annotations

import zipfile
from importlib import metadata
from pathlib import Path

import pytest

from bots.app import services_from_env
from bots.cli import main
from core.codes.sources.icd_tabular import dotted
from core.requests import Actor, Platform, Request

pytestmark = pytest.mark.usefixtures("local_home")


def _package_files() -> tuple[Path, Path]:
    data = Path(str(metadata.distribution("simple_icd_10_cm").locate_file("simple_icd_10_cm"))) / "data"
    return next(data.glob("icd10c*-tabular-*.xml")), next(data.glob("code-list-*.txt"))


@pytest.fixture
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # Imported releases are cached by release; keep these test releases out of the shared cache.
    cache = tmp_path / "cache"
    monkeypatch.setenv("CODEDESK_CACHE_DIR", str(cache))
    return cache


def _order_line(number: int, code: str, billable: bool, title: str) -> str:
    # CDC layout: 1-5 order number, 7-13 code without the dot, 15 header/billable, 17-76 short, 78- long.
    return f"{number:05d} {code:<7} {int(billable)} {title[:60]:<60} {title}"


def _fy2027(tmp_path: Path) -> tuple[Path, Path]:
    """The package's release re-dated FY2027, with I10 expanded into two codes and the order file to match."""
    xml, codes = _package_files()
    text = xml.read_text(encoding="utf-8").replace("<version>2026</version>", "<version>2027</version>", 1)
    anchor = "<name>I10</name>\n        <desc>Essential (primary) hypertension</desc>"
    assert anchor in text
    text = text.replace(anchor, anchor + "\n        <diag><name>I10.0</name><desc>Test hypertension zero</desc></diag>"
                                         "\n        <diag><name>I10.9</name><desc>Test hypertension nine</desc></diag>")
    out_xml = tmp_path / "icd10cm_tabular_2027.xml"
    out_xml.write_text(text, encoding="utf-8")
    headers = {line.strip() for line in codes.read_text(encoding="utf-8").splitlines()}
    lines, number = [], 0
    for code in codes.read_text(encoding="utf-8").split():
        if "-" in code or code.isdigit():
            continue  # chapters and blocks are not in the order file
        number += 1
        # A code is a header when a longer code starts with it; the package's list is in tabular order.
        lines.append((number, code))
        if code == "I10":
            lines += [(number + 1, "I100"), (number + 2, "I109")]
            number += 2
    all_codes = [c for _, c in lines]
    prefixes = {c[:n] for c in all_codes for n in range(3, len(c))}
    order = tmp_path / "icd10cm_order_2027.txt"
    order.write_text("\n".join(_order_line(n, c, c not in prefixes, f"Title of {dotted(c)}") for n, c in lines)
                     + "\n", encoding="utf-8")
    assert headers  # the package list was read
    return out_xml, order


def test_the_package_xml_imports_as_a_real_release_and_becomes_current(
        tmp_path: Path, own_cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    xml, codes = _package_files()
    assert main(["import", "icd10cm", str(xml), str(codes), "--fy", "2027"]) == 0
    out = capsys.readouterr().out
    assert "Imported ICD-10-CM FY2027 (effective 1 October 2026): 98,505 entries, 74,719 billable codes" in out
    assert main(["data", "status"]) == 0
    status = capsys.readouterr().out
    assert "release: FY2027 (effective 1 October 2026)" in status
    assert "in effect from 1 October 2026" in status and "took effect" not in status
    assert "the package's FY2026 (April 2026 update) stays the fallback" in status
    assert main(["lookup", "C50.911"]) == 0
    card = capsys.readouterr().out
    assert "Release: FY2027 (effective 1 October 2026)" in card and "(from C50)" in card


def test_an_order_file_release_records_history_against_the_one_before(
        tmp_path: Path, own_cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    xml, codes = _package_files()
    assert main(["import", "icd10cm", str(xml), str(codes), "--fy", "2026"]) == 0
    capsys.readouterr()
    new_xml, order = _fy2027(tmp_path)
    bundle = tmp_path / "icd10cm-table-and-index-2027.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.write(new_xml, new_xml.name)
        archive.write(order, order.name)
    assert main(["import", "icd10cm", str(bundle)]) == 0
    out = capsys.readouterr().out
    assert "FY2027" in out and "1 codes deleted or expanded since FY2026" in out
    assert main(["lookup", "I10"]) == 1  # a header now
    card = capsys.readouterr().out
    assert "I10 was billable until FY2026; since FY2027 (1 October 2026) it is expanded" in card
    assert "I10.0" in card and "I10.9" in card
    assert main(["lookup", "I10.0"]) == 0
    assert "I10.0 — Test hypertension zero" in capsys.readouterr().out
    assert main(["lookup", "S72.001A", "--json"]) == 0  # 7th-character codes take the order file's long title
    assert '"title": "Title of S72.001A"' in capsys.readouterr().out
    # Both releases are kept for `/changes`: I10 left the billable codes, I10.0 and I10.9 arrived.
    desk = services_from_env().desk()
    changes = desk.handle(Request.command_of(Actor(Platform.SHELL, "local", "ana"), "changes", "icd10cm FY2026 FY2027"))
    counts = {f.label: f.value for f in changes.fields}
    assert changes.title == "ICD-10-CM: FY2026 → FY2027"
    assert (counts["Added"], counts["Terminated"]) == ("2", "1")  # I10.0 and I10.9 in, I10 out


def test_a_damaged_release_is_refused_and_the_loaded_one_stays(
        tmp_path: Path, own_cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    xml, codes = _package_files()
    assert main(["import", "icd10cm", str(xml), str(codes), "--fy", "2027"]) == 0
    capsys.readouterr()
    broken = tmp_path / "icd10cm_tabular_2028.xml"
    text = xml.read_text(encoding="utf-8")
    broken.write_text(text[: len(text) // 2], encoding="utf-8")  # cut off half way
    assert main(["import", "icd10cm", str(broken), str(codes), "--fy", "2028"]) == 1
    err = capsys.readouterr().err
    assert "nothing was imported; the previous data is unchanged" in err
    assert "icd10cm_tabular_2028.xml, line " in err and "not well-formed XML" in err
    bad_order = tmp_path / "icd10cm_order_2028.txt"
    bad_order.write_text(_order_line(1, "A00", False, "Cholera") + "\nthis is not an order line\n", encoding="utf-8")
    assert main(["import", "icd10cm", str(xml), str(bad_order), "--fy", "2028"]) == 1
    assert "icd10cm_order_2028.txt, line 2" in capsys.readouterr().err
    assert main(["data", "status"]) == 0
    assert "release: FY2027" in capsys.readouterr().out


def test_a_file_that_is_not_a_tabular_list_is_refused(tmp_path: Path, own_cache: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "other.xml"
    other.write_text("<?xml version='1.0'?><catalog><item/></catalog>", encoding="utf-8")
    assert main(["import", "icd10cm", str(other)]) == 1
    assert "not an ICD-10-CM tabular list" in capsys.readouterr().err
