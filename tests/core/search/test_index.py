"""The on-disk index cache: reused while the catalog's data version holds, rebuilt when it changes."""

from pathlib import Path

from core.codes.catalog import Catalog, SystemStatus
from core.codes.record import CodeRecord, System
from core.codes.sources.icd10cm import IcdData, IcdRow
from core.search.engine import SearchEngine
from core.search.query import QueryProblem

ROWS = [
    IcdRow("10", "chapter", "Diseases of the respiratory system (J00-J99)", None, ()),
    IcdRow("J40-J47", "block", "Chronic lower respiratory diseases (J40-J47)", "10", ()),
    IcdRow("J45", "category", "Asthma", "J40-J47", ()),
    IcdRow("J45.909", "code", "Unspecified asthma, uncomplicated", "J45", (("inclusion_term", "Asthma NOS"),)),
    IcdRow("J45.20", "code", "Mild intermittent asthma, uncomplicated", "J45", ()),
]


def small_catalog(hcpcs_version: str) -> Catalog:
    hcpcs = [CodeRecord(System.HCPCS, "E0114", "Crutch underarm pair wood",
                        description="Crutches, underarm, wood, adjustable or fixed, pair", version=hcpcs_version)]
    statuses = (SystemStatus(System.ICD10CM, "test", "2026", len(ROWS), 2),
                SystemStatus(System.HCPCS, "test", hcpcs_version, 1, 1))
    return Catalog(IcdData("2026", ROWS, len(ROWS), 2), hcpcs, (), statuses)


def test_the_index_is_built_once_then_loaded_from_the_cache(tmp_path: Path) -> None:
    catalog = small_catalog("2020")
    first = SearchEngine.open(catalog, tmp_path)
    assert first.timing is not None and first.timing.built
    again = SearchEngine.open(catalog, tmp_path)
    assert again.timing is not None and not again.timing.built
    result = again.search("asthma")
    assert not isinstance(result, QueryProblem) and result.hits[0].code == "J45.909"


def test_a_new_data_version_rebuilds_the_index(tmp_path: Path) -> None:
    SearchEngine.open(small_catalog("2020"), tmp_path)
    newer = SearchEngine.open(small_catalog("2021"), tmp_path)
    assert newer.timing is not None and newer.timing.built
    result = newer.search("crutches", System.HCPCS)
    assert not isinstance(result, QueryProblem) and [h.code for h in result.hits] == ["E0114"]


def test_a_damaged_cache_file_is_rebuilt_not_fatal(tmp_path: Path) -> None:
    catalog = small_catalog("2020")
    SearchEngine.open(catalog, tmp_path)
    for path in tmp_path.glob("search-*.pickle"):
        path.write_bytes(b"not a pickle")
    engine = SearchEngine.open(catalog, tmp_path)
    assert engine.timing is not None and engine.timing.built
