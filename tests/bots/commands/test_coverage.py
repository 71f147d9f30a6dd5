"""`codedesk import coverage`: the nested zip as downloaded, then a damaged export refused with its
file and line while the loaded export stays."""

from __future__ import annotations

from pathlib import Path

import pytest

from bots.app import services_from_env
from bots.cli import main
from core.coverage import store
from core.db import transaction
from tests.core.coverage import export_fixture as fx

pytestmark = pytest.mark.usefixtures("local_home")


def test_import_then_a_damaged_export_is_refused_and_the_old_one_stays(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", "coverage", str(fx.write_nested_zip(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert "Imported the Medicare coverage export of 2026-11-27 from current_article.zip: 3 articles, " \
           "7 procedure codes, 34 covered and 4 non-covered diagnosis codes, 3 contractors" in out

    data = fx.tables()
    data["article.csv"][1][1][1] = "twelve"
    data["article.csv"][1].append(fx.article(59999, 1, "Billing and Coding: A New Article"))
    damaged = fx.write_folder(tmp_path / "damaged", data)
    assert main(["import", "coverage", str(damaged)]) == 1
    err = capsys.readouterr().err
    assert "nothing was imported; the previous coverage data is unchanged" in err
    assert "article.csv, line 3: article_version is “twelve”; it must be a whole number" in err

    services = services_from_env()
    with transaction(services.sessions) as session:
        info = store.export_info(session)
        assert info is not None and info.source == "current_article.zip" and info.articles == 3
        assert [a.display_id for a in store.articles_listing_procedure(session, "93000")] == \
            ["A54321", "A57326", "A58888"]
    services.engine.dispose()


def test_a_missing_file_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", "coverage", str(tmp_path / "nope.zip")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_bench_coverage_prints_import_and_question_lines(capsys: pytest.CaptureFixture[str]) -> None:
    from bench.coverage import main as bench_main

    assert bench_main(["--articles", "20", "--covered", "2000", "--noncovered", "200", "--questions", "5"]) == 0
    out = capsys.readouterr().out
    assert "generated current_article.zip" in out and "import: 20 articles" in out and "target <= 60 s" in out
    for kind in ("listing", "diagnoses", "crosswalk"):
        assert f"question {kind:10} p50 " in out and "over 4 (target <= 5 ms)" in out
    assert "machine load average while measuring" in out
