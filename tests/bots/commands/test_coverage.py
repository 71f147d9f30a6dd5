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
