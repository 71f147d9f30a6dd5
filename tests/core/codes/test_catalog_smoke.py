from sqlalchemy.orm import Session, sessionmaker

from core.codes import store
from core.codes.catalog import Catalog
from core.codes.record import CodeRecord, RecordKind, System
from core.db import transaction
from tests.conftest import CACHE_DIR


def test_imported_codes_round_trip_on_both_databases(sessions: sessionmaker[Session]) -> None:
    record = CodeRecord(System.HCPCS, "J1885", "Ketorolac tromethamine inj", "Injection, ketorolac, 15 mg",
                        kind=RecordKind.CODE, source="test", version="2020")
    with transaction(sessions) as session:
        store.replace_dataset(session, store.HCPCS_DATASET, [record], source="test file", version="2020")
    catalog = Catalog.load(sessions, CACHE_DIR)
    loaded = catalog.get(System.HCPCS, "J1885")
    assert loaded is not None and loaded.description == "Injection, ketorolac, 15 mg"
    assert catalog.status(System.HCPCS).records == 1  # type: ignore[union-attr]
