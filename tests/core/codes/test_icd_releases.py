"""ICD-10-CM releases in the database (SQLite and PostgreSQL): a small release in the CDC layouts is
stored, listed, read back through the cache, and compared with the release before it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from core.codes import icd_releases
from core.codes.catalog import Catalog
from core.codes.lookup import Outcome, lookup
from core.codes.sources import icd10cm, icd_tabular
from core.codes.sources.icd_tabular import TabularError
from core.db import transaction

XML = """<?xml version="1.0" encoding="utf-8"?>
<ICD10CM.tabular>
  <version>{fy}</version>
  <introduction><introSection type="title"><title>t</title></introSection></introduction>
  <chapter>
    <name>13</name>
    <desc>Diseases of the musculoskeletal system and connective tissue (M00-M99)</desc>
    <notes><note>Use an external cause code following the code for the condition, if applicable.</note></notes>
    <section id="M50-M54">
      <desc>Other dorsopathies (M50-M54)</desc>
      <excludes1><note>current injury - see injury of spine by body region</note></excludes1>
      <diag>
        <name>M54</name>
        <desc>Dorsalgia</desc>
        <diag><name>M54.5</name><desc>Low back pain</desc>{children}</diag>
        <diag><name>M54.9</name><desc>Dorsalgia, unspecified</desc></diag>
      </diag>
    </section>
  </chapter>
</ICD10CM.tabular>
"""
CHILDREN = ('<diag><name>M54.50</name><desc>Low back pain, unspecified</desc></diag>'
            '<diag><name>M54.59</name><desc>Other low back pain</desc></diag>')


def _order(codes: list[tuple[str, bool, str]]) -> str:
    # CDC layout: 1-5 order number, 7-13 code without the dot, 15 header/billable, 17-76 short, 78- long.
    return "\n".join(f"{n:05d} {code:<7} {int(billable)} {title[:60]:<60} {title}"
                     for n, (code, billable, title) in enumerate(codes, start=1)) + "\n"


def _release(fy: int, expanded: bool) -> icd10cm.IcdData:
    xml = XML.format(fy=fy, children=CHILDREN if expanded else "")
    codes = [("M54", False, "Dorsalgia"), ("M545", not expanded, "Low back pain")]
    if expanded:
        codes += [("M5450", True, "Low back pain, unspecified"), ("M5459", True, "Other low back pain")]
    codes.append(("M549", True, "Dorsalgia, unspecified"))
    files = icd_releases.ReleaseFiles(xml, f"icd10cm_tabular_{fy}.xml", _order(codes), f"icd10cm_order_{fy}.txt")
    return icd_releases.read_release(files)


def test_order_file_layout_is_read() -> None:
    parsed = icd_tabular.read_code_list(_order([("M545", True, "Low back pain"), ("M54", False, "Dorsalgia")]))
    assert parsed.codes == {"M545", "M54"} and parsed.billable == {"M545"}
    assert parsed.titles["M545"] == "Low back pain"


def test_release_rows_carry_chapter_and_block_notes() -> None:
    data = _release(2022, expanded=True)
    rows = {r.code: r for r in data.rows}
    assert data.release == icd10cm.Release(2022, "", date(2021, 10, 1))
    assert data.version == "FY2022 (effective 1 October 2021)"
    assert rows["13"].notes and rows["M50-M54"].notes[0][0] == "excludes1"
    assert rows["M54.5"].kind == "category" and rows["M54.50"].kind == "code"


def test_history_between_two_releases() -> None:
    history = icd_releases.compute_history(_release(2021, expanded=False), _release(2022, expanded=True))
    assert [(h.code, h.last_fiscal_year, h.replaced_by, h.expanded) for h in history] == \
        [("M54.5", 2021, ("M54.50", "M54.59"), True)]
    assert history[0].sentence() == ("M54.5 was billable until FY2021; since FY2022 (1 October 2021) it is "
                                      "expanded into more specific codes: use M54.50, M54.59")


def test_a_deleted_code_is_not_an_expansion() -> None:
    old, new = _release(2021, expanded=False), _release(2022, expanded=False)
    new = new._replace(rows=[r for r in new.rows if r.code != "M54.9"])
    history = icd_releases.compute_history(old, new)
    assert [(h.code, h.expanded, h.replaced_by) for h in history] == [("M54.9", False, ())]


def test_a_file_without_a_fiscal_year_asks_for_one() -> None:
    files = icd_releases.ReleaseFiles(XML.replace("<version>{fy}</version>", "").format(fy=0, children=""),
                                      "tabular.xml", None, "")
    with pytest.raises(TabularError, match="pass --fy 2027"):
        icd_releases.read_release(files)


def test_releases_are_stored_listed_and_loaded(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    old, new = _release(2021, expanded=False), _release(2022, expanded=True)
    history = icd_releases.compute_history(old, new)
    with transaction(sessions) as session:
        icd_releases.store_release(session, old, "icd10cm_tabular_2021.xml", [])
        icd_releases.store_release(session, new, "icd10cm_tabular_2022.xml", history)
    with sessions() as session:
        known = icd_releases.releases(session)
        assert [i.release.fiscal_year for i in known] == [2021, 2022]
        assert known[-1].history[0].code == "M54.5"
        loaded = icd_releases.load_release(session, known[-1], tmp_path)
    assert loaded.rows == new.rows and loaded.release == new.release
    assert list(tmp_path.glob("icd10cm-release*.pickle"))  # cached for the next process
    with sessions() as session:
        again = icd_releases.load_release(session, known[-1], tmp_path)
    assert again.rows == new.rows


def test_an_older_imported_release_does_not_replace_the_package(sessions: sessionmaker[Session],
                                                               tmp_path: Path) -> None:
    from tests.conftest import CACHE_DIR

    with transaction(sessions) as session:
        icd_releases.store_release(session, _release(2021, expanded=False), "old.xml", [])
    catalog = Catalog.load(sessions, CACHE_DIR)
    assert catalog.icd_release == icd10cm.package_release()  # FY2026 April stays
    assert lookup(catalog, "M54.5").outcome is Outcome.HEADER
