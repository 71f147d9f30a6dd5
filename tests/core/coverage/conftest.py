"""A database holding the test export, and the coverage feature over it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from core.codes.catalog import Catalog
from core.coverage import store
from core.coverage.export import read_export
from core.coverage.feature import CoverageFeature
from core.db import transaction
from tests.core.coverage.export_fixture import write_nested_zip


@pytest.fixture
def export_zip(tmp_path: Path) -> Path:
    return write_nested_zip(tmp_path)


@pytest.fixture
def loaded(sessions: sessionmaker[Session], export_zip: Path) -> sessionmaker[Session]:
    with transaction(sessions) as session:
        store.replace_export(session, read_export(export_zip))
    return sessions


@pytest.fixture
def feature(loaded: sessionmaker[Session], catalog: Catalog) -> CoverageFeature:
    return CoverageFeature(loaded, catalog)
