"""ICD-10-CM from the simple-icd-10-cm package (CDC data, public domain).

Importing the package costs seconds and ~200 MB, so its entries are flattened once into plain tuples
and cached on disk (a pickle keyed by package version, data release and build revision); later
processes load only the tuples, and `CodeRecord`s are made on demand by the catalog.
"""

from __future__ import annotations

import pickle
import warnings
from importlib import metadata
from pathlib import Path
from typing import Any, NamedTuple

from core.codes.record import NoteKind, RecordKind

SOURCE = "CDC ICD-10-CM tabular list (public domain), via simple-icd-10-cm"
# Bump when the row-building logic changes, so stale caches are rebuilt.
_BUILD_REVISION = "5"

_NOTE_GETTERS: tuple[tuple[NoteKind, str], ...] = (
    (NoteKind.INCLUSION_TERM, "get_inclusion_term"),
    (NoteKind.INCLUDES, "get_includes"),
    (NoteKind.EXCLUDES1, "get_excludes1"),
    (NoteKind.EXCLUDES2, "get_excludes2"),
    (NoteKind.CODE_FIRST, "get_code_first"),
    (NoteKind.USE_ADDITIONAL_CODE, "get_use_additional_code"),
    (NoteKind.CODE_ALSO, "get_code_also"),
    (NoteKind.NOTE, "get_notes"),
)


class IcdRow(NamedTuple):
    """One tabular entry, flattened. `notes` holds only the entry's own notes, as (kind, text)."""

    code: str
    kind: str  # a RecordKind value
    title: str
    parent: str | None
    notes: tuple[tuple[str, str], ...]


class IcdData(NamedTuple):
    version: str  # e.g. "April 2026"
    rows: list[IcdRow]
    entry_count: int  # entries in the package's list, as the package counts them
    leaf_entry_count: int  # entries the package's is_leaf() accepts


def _icd() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import simple_icd_10_cm

    return simple_icd_10_cm


def _package_dir() -> Path:
    dist = metadata.distribution("simple_icd_10_cm")
    return Path(str(dist.locate_file("simple_icd_10_cm")))


def data_version() -> str:
    """The release the package carries, read from its data file name (e.g. "April 2026")."""
    for path in sorted((_package_dir() / "data").glob("code-list-*.txt")):
        parts = path.stem.split("-")  # code-list-April-2026
        if len(parts) >= 4:
            return f"{parts[2]} {parts[3]}"
    return "unknown"


def cache_key() -> str:
    version = metadata.version("simple_icd_10_cm")
    return f"icd10cm-{version}-{data_version().replace(' ', '')}-r{_BUILD_REVISION}"


def _as_list(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        # One note over several lines ("code to identify control using:" + a list) stays one note.
        lines = [line.strip() for line in value.splitlines() if line.strip()]
        return ["; ".join(lines).replace(":;", ":")] if lines else []
    return [str(v).strip() for v in value if str(v).strip()]


def _block_key(name: str) -> str:
    # A few blocks share their name with the one category they hold (block "B20" holds category B20);
    # the catalog keys them "B20-B20" so each entry has a key of its own.
    return name if "-" in name else f"{name}-{name}"


def build() -> IcdData:
    """Flatten the package's data. Slow (seconds): call through `load`."""
    icd = _icd()
    codes: list[str] = icd.get_all_codes(True)
    blocks = {c for c in codes if icd.is_chapter_or_block(c) and not c.isdigit()}
    seen: set[str] = set()
    rows: list[IcdRow] = []
    leaf_entries = 0
    for code in codes:
        leaf_entries += bool(icd.is_leaf(code))
        # The package lists a shared name twice: first the block, then the category.
        as_block = code in blocks and code not in seen
        seen.add(code)
        if code.isdigit():
            kind, key = RecordKind.CHAPTER, code
        elif as_block:
            kind, key = RecordKind.BLOCK, _block_key(code)
        elif icd.is_leaf(code):
            kind, key = RecordKind.CODE, code
        else:
            kind, key = RecordKind.CATEGORY, code
        rows.append(IcdRow(key, kind.value, _title(icd, code, as_block), _parent(icd, code, as_block, blocks),
                           _notes(icd, code, as_block)))
    return IcdData(data_version(), rows, len(codes), leaf_entries)


def _title(icd: Any, code: str, as_block: bool) -> str:
    return str(icd.get_description(code, prioritize_blocks=as_block))


def _parent(icd: Any, code: str, as_block: bool, blocks: set[str]) -> str | None:
    if as_block:
        ancestors = [a for a in icd.get_ancestors(code, prioritize_blocks=True) if a != code]
        parent = ancestors[0] if ancestors else None
    else:
        parent = icd.get_parent(code) or None
    if parent is None:
        return None
    if parent in blocks and "-" not in parent and not parent.isdigit():
        # The parent is a block named like a category (block "B20" above category "B20").
        return _block_key(parent)
    return str(parent)


def _notes(icd: Any, code: str, as_block: bool) -> tuple[tuple[str, str], ...]:
    if as_block:
        return ()  # the package's note getters answer for the category of the same name
    notes: list[tuple[str, str]] = []
    for kind, getter in _NOTE_GETTERS:
        notes.extend((kind.value, text) for text in _as_list(getattr(icd, getter)(code)))
    seventh_note = icd.get_seven_chr_note(code)
    if seventh_note:
        notes.append((NoteKind.SEVENTH_CHARACTER.value, str(seventh_note).strip()))
    for char, meaning in (icd.get_seven_chr_def(code) or {}).items():
        notes.append((NoteKind.SEVENTH_CHARACTER.value, f"{char}: {meaning}"))
    return tuple(notes)


def load(cache_dir: Path) -> IcdData:
    """The data from the on-disk cache, building and writing it first when missing or stale."""
    path = cache_dir / f"{cache_key()}.pickle"
    if path.exists():
        try:
            with path.open("rb") as fh:
                version, rows, entries, leaves = pickle.load(fh)
            return IcdData(version, [IcdRow(*row) for row in rows], entries, leaves)
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError):
            path.unlink(missing_ok=True)  # a damaged cache is rebuilt, not trusted
    data = build()
    _write(path, data)
    return data


def _write(path: Path, data: IcdData) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{id(data)}.tmp")
    plain = (data.version, [tuple(row) for row in data.rows], data.entry_count, data.leaf_entry_count)
    with tmp.open("wb") as fh:
        pickle.dump(plain, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)  # atomic: a concurrent reader sees the old file or the whole new one
