"""The assistant's tests use the real catalog and the real search engine (shared with the search tests)."""

from tests.core.search.conftest import engine

__all__ = ["engine"]
