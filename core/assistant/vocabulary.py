"""The clinical vocabulary: words that appear in ICD-10-CM titles of the disease, symptom and injury
chapters (A00-T88), plus the search synonyms people type (htn, gerd, afib). It tells a question about
a condition ("knee pain") from chat the desk cannot answer ("tell me a joke")."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from core.codes.catalog import Catalog
from core.codes.record import System
from core.search.text import STOPWORDS, stem, words

SYNONYMS = Path(__file__).resolve().parents[2] / "data" / "search" / "synonyms.tsv"
# Words that sit in clinical titles but are everyday words too; alone they do not make a question clinical.
_EVERYDAY = frozenset({
    "other", "unspecified", "specified", "type", "due", "without", "not", "elsewhere", "classified", "site",
    "part", "time", "place", "person", "use", "day", "night", "game", "last", "new", "old", "first", "second",
    "state", "capital", "letter", "book", "stock", "flight", "weather", "joke", "president", "won", "win",
    "good", "best", "great", "food", "eat", "write", "read", "work", "home", "car", "water", "air", "long",
    "short", "high", "low", "open", "closed", "left", "right", "single", "multiple", "year", "month", "week",
    "city", "near", "nearby", "buy", "sell", "money", "price", "cover", "translate", "spanish",
    "french", "english", "pizza", "movie", "music", "song", "sport", "team", "play", "player",
})


@lru_cache(maxsize=4)
def clinical_stems(catalog: Catalog, synonyms: Path = SYNONYMS) -> frozenset[str]:
    """Stems of every clinical word; built once per catalog (about a second), then shared."""
    out: set[str] = set()
    for record in catalog.records(System.ICD10CM):
        if record.code[0] > "T":  # V-Y: external causes (places, vehicles, activities) and Z: not conditions
            continue
        out.update(stem(w) for w in words(record.title) if len(w) > 2 and not w.isdigit())
    if synonyms.exists():
        for line in synonyms.read_text(encoding="utf-8").splitlines():
            if line.startswith("#") or not line.strip():
                continue
            term, _, rest = line.partition("\t")
            expansion = rest.partition("\t")[0]
            out.update(stem(w) for w in words(term + " " + expansion) if len(w) > 1 and not w.isdigit())
    everyday = {stem(w) for w in _EVERYDAY}
    return frozenset(out - everyday - {stem(w) for w in STOPWORDS})
