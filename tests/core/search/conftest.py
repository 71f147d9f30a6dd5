"""The real search engine over the real catalog, built once per run (and cached on disk by version)."""

from __future__ import annotations

import pytest

from core.codes.catalog import Catalog
from core.search.engine import SearchEngine
from tests.conftest import CACHE_DIR


@pytest.fixture(scope="session")
def engine(catalog: Catalog) -> SearchEngine:
    return SearchEngine.open(catalog, CACHE_DIR)
