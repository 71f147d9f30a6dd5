"""The search index: an inverted index over every catalog record, as flat arrays, cached on disk.

Each record is a document whose fields (title, inclusion terms, long description, plain-language
summary) are weighted differently; a posting holds the document's best BM25 term-frequency weight
for the term over its fields, so a query only multiplies by the term's idf and adds. The arrays are
pickled under the cache directory, keyed by the catalog's data version and this module's build
revision, and rebuilt automatically when either changes.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import pickle
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from core.codes.catalog import Catalog
from core.codes.record import CodeRecord, NoteKind, RecordKind, System
from core.search.text import STOPWORDS, stem, terms, words

log = logging.getLogger(__name__)

BUILD_REVISION = "16"  # bump when indexing changes, so cached indexes are rebuilt (16: retired codes not billable)
SYSTEMS: tuple[System, ...] = (System.ICD10CM, System.HCPCS, System.CPT)
KINDS: tuple[RecordKind, ...] = tuple(RecordKind)
K1, B = 1.2, 0.75

# Field weights: the title is the code's name; inclusion terms are official synonyms.
_TITLE, _ALIAS, _LONG, _SUMMARY = "title", "alias", "long", "summary"
_FIELD_WEIGHT = {_TITLE: 1.0, _ALIAS: 0.9, _LONG: 0.9, _SUMMARY: 0.6}
_ALIAS_NOTES = (NoteKind.INCLUSION_TERM, NoteKind.INCLUDES)

# Prior: the default code a coder reaches for when the query names nothing more specific.
_KIND_PRIOR = {RecordKind.CODE: 0.0, RecordKind.MODIFIER: 0.0, RecordKind.CATEGORY: -6.0,
               RecordKind.BLOCK: -8.0, RecordKind.CHAPTER: -10.0}
_DEFAULT_MARKERS = re.compile(r"\bunspecified\b|\bwithout complications?\b|\buncomplicated\b|\bnos\b|"
                              r"\bnot specified\b|\bsite not specified\b", re.IGNORECASE)
# ICD-10-CM puts nonessential modifiers in parentheses and synonyms in square brackets; neither, nor
# the default words, makes a text "longer" for length normalisation, so "Hypertension (arterial)
# (benign)" reads as plain hypertension.
_PARENTHESISED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_LENGTH_NEUTRAL = frozenset(terms("unspecified nos not elsewhere classified site initial encounter "
                                  "uncomplicated organism type"))
_UNSPECIFIED_DETAIL = re.compile(r"\bwith unspecified\b", re.IGNORECASE)  # E11.8: not the default
# Words that say "the default" rather than name a detail: left out of a text's signature, so the
# query "asthma" names "Asthma NOS" and "pneumonia" names "Pneumonia, unspecified organism".
SIGNATURE_NEUTRAL = _LENGTH_NEUTRAL | frozenset(terms("without complications"))
_LATER_ENCOUNTER = re.compile(r"subsequent encounter|\bsequela", re.IGNORECASE)
_OPEN_FRACTURE = re.compile(r"encounter for open fracture", re.IGNORECASE)  # closed is the default

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int32]


@dataclass
class SearchIndex:
    """Flat arrays; document i is (systems[i], codes[i]). Built by `build_index`, loaded by `load_index`."""

    catalog_version: str
    codes: list[str]
    titles: list[str]
    systems: npt.NDArray[np.int8]  # index into SYSTEMS
    kinds: npt.NDArray[np.int8]  # index into KINDS
    billable: npt.NDArray[np.bool_]
    prior: FloatArray  # added to every matching document's score
    vocab: list[str]  # sorted terms
    idf: FloatArray
    df: IntArray
    post_start: npt.NDArray[np.int64]  # postings of term t are [post_start[t], post_start[t+1])
    post_docs: IntArray
    post_weight: FloatArray
    title_start: npt.NDArray[np.int64]  # title term ids of doc d are title_terms[title_start[d]:...[d+1]]
    title_terms: IntArray
    surface: list[str]  # per term, the word it most often stands for in titles ("diabet" -> "diabetes")
    signatures: npt.NDArray[np.int64]  # sorted signatures of titles and inclusion terms
    signature_docs: IntArray  # the document each signature belongs to

    def __post_init__(self) -> None:
        self.term_id: dict[str, int] = {t: i for i, t in enumerate(self.vocab)}

    @property
    def size(self) -> int:
        return len(self.codes)

    def postings(self, term: int) -> tuple[IntArray, FloatArray]:
        lo, hi = int(self.post_start[term]), int(self.post_start[term + 1])
        return self.post_docs[lo:hi], self.post_weight[lo:hi]

    def surface_of(self, term: str) -> str:
        tid = self.term_id.get(term)
        return self.surface[tid] if tid is not None and self.surface[tid] else term

    def docs_named(self, sig: int) -> IntArray:
        """Documents whose title or an inclusion term has exactly this signature."""
        lo = int(np.searchsorted(self.signatures, sig, side="left"))
        hi = int(np.searchsorted(self.signatures, sig, side="right"))
        return self.signature_docs[lo:hi]

    def title_ids(self, doc: int) -> IntArray:
        return self.title_terms[int(self.title_start[doc]):int(self.title_start[doc + 1])]

    def system_of(self, doc: int) -> System:
        return SYSTEMS[int(self.systems[doc])]

    def kind_of(self, doc: int) -> RecordKind:
        return KINDS[int(self.kinds[doc])]


def _fields(record: CodeRecord) -> list[tuple[str, str]]:
    out = [(_TITLE, record.title)]
    if record.description and record.description != record.title:
        out.append((_LONG, record.description))
    if record.summary:
        out.append((_SUMMARY, record.summary))
    out.extend((_ALIAS, n.text) for n in record.notes if n.kind in _ALIAS_NOTES)
    if record.kind is RecordKind.MODIFIER:
        out.append((_ALIAS, f"modifier {record.code}"))  # "modifier 25", "59 modifier"
    return out


def _prior(record: CodeRecord) -> float:
    value = _KIND_PRIOR.get(record.kind, 0.0)
    if record.kind is RecordKind.CODE and not record.billable:
        value -= 2.0
    if not _UNSPECIFIED_DETAIL.search(record.title):
        # "Unspecified fracture of unspecified femur" is more the default than "Other fracture of ...".
        markers = len(_DEFAULT_MARKERS.findall(record.title))
        value += 1.5 * min(markers, 1) + 0.75 * min(max(markers - 1, 0), 1)
    if _LATER_ENCOUNTER.search(record.title):
        value -= 2.5
    if _OPEN_FRACTURE.search(record.title):
        value -= 1.0
    if record.system is System.ICD10CM and record.kind is RecordKind.CODE:
        value -= 0.25 * max(0, len(record.code.replace(".", "")) - 3)  # shorter = the family's default
    if record.system is System.ICD10CM and record.code[:1] in ("O", "P"):
        value -= 2.5  # pregnancy and newborn variants: found when the query says so, not by default
    if record.system is System.HCPCS and record.code[:2] in ("G8", "G9"):
        value -= 1.5  # quality-reporting codes whose long texts mention everything
    if record.kind is RecordKind.MODIFIER:
        value -= 1.0
    if record.terminated is not None:
        value -= 3.0
    return value


def signature(term_ids: Iterable[int]) -> int:
    """A stable 63-bit hash of a set of term ids: equal sets, equal signatures."""
    ids = np.array(sorted(set(term_ids)), dtype=np.int32)
    return int.from_bytes(hashlib.blake2b(ids.tobytes(), digest_size=8).digest(), "little") >> 1


def signature_terms(text: str) -> list[str]:
    """The terms that make a title or inclusion term specific (what a signature is computed over)."""
    return [t for t in terms(_PARENTHESISED.sub(" ", text)) if t not in SIGNATURE_NEUTRAL]


def _core_length(text: str) -> int:
    """The number of words that make the text specific: parenthesised and default words left out."""
    return max(1, sum(1 for t in terms(_PARENTHESISED.sub(" ", text)) if t not in _LENGTH_NEUTRAL))


def build_index(records: Iterable[CodeRecord], catalog_version: str) -> SearchIndex:
    codes: list[str] = []
    titles: list[str] = []
    systems: list[int] = []
    kinds: list[int] = []
    billable: list[bool] = []
    prior: list[float] = []
    doc_fields: list[list[tuple[str, list[str], int]]] = []
    length_sum: dict[str, int] = {}
    length_count: dict[str, int] = {}
    sig_texts: list[list[list[str]]] = []
    system_index = {s: i for i, s in enumerate(SYSTEMS)}
    kind_index = {k: i for i, k in enumerate(KINDS)}
    for record in records:
        codes.append(record.code)
        titles.append(record.title)
        systems.append(system_index[record.system])
        kinds.append(kind_index[record.kind])
        billable.append(record.billable and record.kind is RecordKind.CODE)
        prior.append(_prior(record))
        named = _fields(record)
        fields = [(name, terms(text), _core_length(text)) for name, text in named]
        doc_fields.append(fields)
        sig_texts.append([signature_terms(text) for name, text in named if name in (_TITLE, _ALIAS, _LONG)])
        for name, _, length in fields:
            length_sum[name] = length_sum.get(name, 0) + length
            length_count[name] = length_count.get(name, 0) + 1
    average = {name: max(1.0, length_sum[name] / length_count[name]) for name in length_sum}

    postings: dict[str, dict[int, float]] = {}
    title_lists: list[list[str]] = []
    for doc, fields in enumerate(doc_fields):
        title_lists.append(fields[0][1])
        for name, toks, length in fields:
            if not toks:
                continue
            norm = K1 * (1 - B + B * length / average[name])
            counts: dict[str, int] = {}
            for tok in toks:
                counts[tok] = counts.get(tok, 0) + 1
            weight = _FIELD_WEIGHT[name]
            for tok, tf in counts.items():
                w = weight * tf * (K1 + 1) / (tf + norm)
                per_doc = postings.setdefault(tok, {})
                if w > per_doc.get(doc, 0.0):
                    per_doc[doc] = w

    vocab = sorted(postings)
    n_docs = len(codes)
    starts = np.zeros(len(vocab) + 1, dtype=np.int64)
    df = np.zeros(len(vocab), dtype=np.int32)
    for i, term in enumerate(vocab):
        df[i] = len(postings[term])
    starts[1:] = np.cumsum(df)
    post_docs = np.empty(int(starts[-1]), dtype=np.int32)
    post_weight = np.empty(int(starts[-1]), dtype=np.float32)
    for i, term in enumerate(vocab):
        items = postings[term]
        lo = int(starts[i])
        post_docs[lo:lo + len(items)] = np.fromiter(items.keys(), dtype=np.int32, count=len(items))
        post_weight[lo:lo + len(items)] = np.fromiter(items.values(), dtype=np.float32, count=len(items))
    idf = np.array([math.log(1 + (n_docs - d + 0.5) / (d + 0.5)) for d in df.tolist()], dtype=np.float32)

    term_id = {t: i for i, t in enumerate(vocab)}
    title_start = np.zeros(n_docs + 1, dtype=np.int64)
    title_start[1:] = np.cumsum([len(t) for t in title_lists])
    title_terms = np.fromiter((term_id[t] for toks in title_lists for t in toks), dtype=np.int32,
                              count=int(title_start[-1]))
    seen_words: dict[str, dict[str, int]] = {}
    for title in titles:
        for word in words(title):
            if word not in STOPWORDS:
                counts_of = seen_words.setdefault(stem(word), {})
                counts_of[word] = counts_of.get(word, 0) + 1
    surface = [max(seen_words[t].items(), key=lambda kv: kv[1])[0] if t in seen_words else "" for t in vocab]
    pairs = sorted({(signature(term_id[t] for t in sig), doc)
                    for doc, sigs in enumerate(sig_texts) for sig in sigs if sig})
    return SearchIndex(
        catalog_version=catalog_version, codes=codes, titles=titles,
        systems=np.array(systems, dtype=np.int8), kinds=np.array(kinds, dtype=np.int8),
        billable=np.array(billable, dtype=np.bool_), prior=np.array(prior, dtype=np.float32),
        vocab=vocab, idf=idf, df=df, post_start=starts, post_docs=post_docs, post_weight=post_weight,
        title_start=title_start, title_terms=title_terms, surface=surface,
        signatures=np.array([p[0] for p in pairs], dtype=np.int64),
        signature_docs=np.array([p[1] for p in pairs], dtype=np.int32),
    )


def cache_path(cache_dir: Path, catalog_version: str) -> Path:
    return cache_dir / f"search-{catalog_version}-r{BUILD_REVISION}.pickle"


_ARRAY_FIELDS = ("catalog_version", "codes", "titles", "systems", "kinds", "billable", "prior", "vocab",
                 "idf", "df", "post_start", "post_docs", "post_weight", "title_start", "title_terms",
                 "surface", "signatures", "signature_docs")


def save_index(index: SearchIndex, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    with tmp.open("wb") as fh:
        pickle.dump({name: getattr(index, name) for name in _ARRAY_FIELDS}, fh, protocol=5)
    tmp.replace(path)  # atomic: a reader never sees half a file


def read_index(path: Path) -> SearchIndex | None:
    try:
        with path.open("rb") as fh:
            data = pickle.load(fh)
        return SearchIndex(**{name: data[name] for name in _ARRAY_FIELDS})
    except (OSError, pickle.UnpicklingError, KeyError, EOFError, TypeError, ValueError):
        return None


@dataclass(frozen=True)
class IndexTiming:
    built: bool  # False when the index came from the on-disk cache
    seconds: float


def load_index(catalog: Catalog, cache_dir: Path | None) -> tuple[SearchIndex, IndexTiming]:
    """The catalog's index from the cache when its version matches; otherwise built and cached."""
    started = time.perf_counter()
    path = cache_path(cache_dir, catalog.version) if cache_dir is not None else None
    if path is not None and path.exists():
        index = read_index(path)
        if index is not None and index.catalog_version == catalog.version:
            return index, IndexTiming(False, time.perf_counter() - started)
    index = build_index(catalog.records(), catalog.version)
    if path is not None:
        try:
            save_index(index, path)
            # Keep the three newest (the bench and the bot may hold different catalogs); drop older.
            cached = sorted(path.parent.glob("search-*.pickle"), key=lambda p: p.stat().st_mtime)
            for stale in cached[:-3]:
                stale.unlink(missing_ok=True)
        except OSError:
            log.warning("could not write the search index cache under %s", path.parent)
    return index, IndexTiming(True, time.perf_counter() - started)
