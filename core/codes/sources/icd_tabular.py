"""Read a CDC/CMS ICD-10-CM release: the tabular XML (`icd10cm_tabular_YYYY.xml`, the format the
simple-icd-10-cm package ships) and a list of valid codes — the order file (`icd10cm_order_YYYY.txt`,
fixed width: order number, code without the dot, 0 header / 1 billable, short and long titles) or the
package's plain code list (one code per line).

Every chapter, block, category, subcategory and 7th-character code becomes one flat row carrying only
its own notes; the catalog walks the rows upwards to show what a code inherits. A block that holds a
single category (C50, Z68, QA0, ...) is keyed "C50-C50" so the block and its category each have a
key, and the category's subcategories hang under the category, never under the block.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from core.codes.record import NoteKind, RecordKind

# XML element -> the note kind it carries.
_NOTE_TAGS: dict[str, NoteKind] = {
    "inclusionTerm": NoteKind.INCLUSION_TERM,
    "includes": NoteKind.INCLUDES,
    "excludes1": NoteKind.EXCLUDES1,
    "excludes2": NoteKind.EXCLUDES2,
    "codeFirst": NoteKind.CODE_FIRST,
    "useAdditionalCode": NoteKind.USE_ADDITIONAL_CODE,
    "codeAlso": NoteKind.CODE_ALSO,
    "notes": NoteKind.NOTE,
}
_ORDER_LINE = re.compile(r"^\s*(\d{1,5})\s+([A-Z0-9]{3,7})\s+([01])\s+(.*)$")


class IcdRow(NamedTuple):
    """One tabular entry, flattened. `notes` holds only the entry's own notes, as (kind, text)."""

    code: str
    kind: str  # a RecordKind value
    title: str
    parent: str | None
    notes: tuple[tuple[str, str], ...]


class TabularError(ValueError):
    """A file that is not an ICD-10-CM release, with the file, line and reason."""

    def __init__(self, path: str, line: int, reason: str) -> None:
        super().__init__(f"{path}, line {line}: {reason}")
        self.path, self.line, self.reason = path, line, reason


@dataclass(frozen=True)
class CodeList:
    """The valid codes of a release (without dots). `billable` is None for a plain list (leaves bill)."""

    codes: frozenset[str]
    billable: frozenset[str] | None
    titles: dict[str, str]  # long titles from an order file, keyed without the dot


def block_key(name: str) -> str:
    # A block named like the one category it holds (block "B20" over category "B20") gets its own key.
    return name if "-" in name else f"{name}-{name}"


def dotted(code: str) -> str:
    return code if len(code) <= 3 or "." in code else f"{code[:3]}.{code[3:]}"


def read_code_list(text: str, name: str = "codes") -> CodeList:
    """Parse the order file, or a plain list of codes one per line (the package's own list)."""
    codes: set[str] = set()
    billable: set[str] = set()
    titles: dict[str, str] = {}
    order_lines = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip()
        if not line.strip():
            continue
        match = _ORDER_LINE.match(line)
        if match and len(line) > 16:
            order_lines += 1
            code, flag, rest = match.group(2), match.group(3), match.group(4)
            codes.add(code)
            if flag == "1":
                billable.add(code)
            # Fixed width: short title in columns 17-76, long title from column 78.
            titles[code] = (line[77:].strip() if len(line) > 77 else rest[:60].strip()) or rest.strip()
            continue
        token = line.split()[0]
        if order_lines or not re.fullmatch(r"[0-9A-Z.-]{1,8}", token):
            raise TabularError(name, number, "expected an order-file line (number, code, 0/1, titles) "
                                             "or one code per line")
        codes.add(token.replace(".", ""))
    if not codes:
        raise TabularError(name, 1, "the file holds no codes")
    return CodeList(frozenset(codes), frozenset(billable) if order_lines else None, titles)


def read_version(xml_text: str) -> str:
    """The <version> of a tabular file ("2027"), or "" when it has none."""
    match = re.search(r"<version>\s*([^<]+?)\s*</version>", xml_text[:2000])
    return match.group(1) if match else ""


def parse(xml_text: str, codes: CodeList | None, name: str = "tabular.xml") -> list[IcdRow]:
    """Every entry of the tabular XML as rows, in tabular order."""
    try:
        root = ET.fromstring(xml_text)
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else 1
        raise TabularError(name, line, "the file is not well-formed XML") from None
    if root.tag != "ICD10CM.tabular":
        raise TabularError(name, 1, f"the root element is <{root.tag[:40]}>, not <ICD10CM.tabular>")
    rows: list[IcdRow] = []
    for chapter in root.iter("chapter"):
        number = _text(chapter, "name")
        if not number:
            raise TabularError(name, 1, "a chapter has no <name>")
        rows.append(IcdRow(number, RecordKind.CHAPTER.value, _text(chapter, "desc"), None, _notes(chapter)))
        for section in chapter.findall("section"):
            key = block_key(section.get("id", ""))
            rows.append(IcdRow(key, RecordKind.BLOCK.value, _text(section, "desc"), number, _notes(section)))
            for diag in section.findall("diag"):
                _diag(diag, key, None, codes, rows)
    if not rows:
        raise TabularError(name, 1, "the file holds no chapters")
    return rows


def _diag(node: ET.Element, parent: str, seventh: dict[str, str] | None, codes: CodeList | None,
          rows: list[IcdRow]) -> None:
    code = _text(node, "name")
    title = _text(node, "desc")
    notes = _notes(node)
    own_seventh = _seventh(node)
    applies = own_seventh or seventh
    children = node.findall("diag")
    plain = code.replace(".", "")
    index = len(rows)
    rows.append(IcdRow(code, "", title, parent, notes))  # kind filled in below, once children are known
    has_children = bool(children)
    for child in children:
        _diag(child, code, applies, codes, rows)
    if not children and applies:
        stem = plain.ljust(6, "X")
        for char, meaning in applies.items():
            full = stem + char
            if codes is not None and full not in codes.codes:
                continue  # a few categories refuse some 7th characters; the code list says which
            long_title = codes.titles.get(full) if codes is not None else None
            rows.append(IcdRow(dotted(full), _kind(full, False, codes), long_title or f"{title}, {meaning}",
                               code, ()))
            has_children = True
    rows[index] = rows[index]._replace(kind=_kind(plain, has_children, codes))


def _kind(plain: str, has_children: bool, codes: CodeList | None) -> str:
    if codes is not None and codes.billable is not None:
        return RecordKind.CODE.value if plain in codes.billable else RecordKind.CATEGORY.value
    return RecordKind.CATEGORY.value if has_children else RecordKind.CODE.value


def _text(node: ET.Element, tag: str) -> str:
    child = node.find(tag)
    return " ".join((child.text or "").split()) if child is not None else ""


def _notes(node: ET.Element) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for child in node:
        kind = _NOTE_TAGS.get(child.tag)
        if kind is not None:
            out.extend((kind.value, text) for text in _note_texts(child))
        elif child.tag == "sevenChrNote":
            out.extend((NoteKind.SEVENTH_CHARACTER.value, text) for text in _note_texts(child))
        elif child.tag == "sevenChrDef":
            out.extend((NoteKind.SEVENTH_CHARACTER.value, f"{char}: {meaning}")
                       for char, meaning in _seventh(node).items())
    return tuple(out)


def _note_texts(node: ET.Element) -> Iterable[str]:
    for note in node.findall("note"):
        text = " ".join((note.text or "").split())
        if text:
            yield text.lstrip(", ") if text.startswith(",") else text


def _seventh(node: ET.Element) -> dict[str, str]:
    definition = node.find("sevenChrDef")
    if definition is None:
        return {}
    chars: dict[str, str] = {}
    last = None
    for item in definition:
        if item.tag == "extension" and item.get("char"):
            last = item.get("char", "")
            chars[last] = " ".join((item.text or "").split())
        elif item.tag == "note" and last is not None and item.text:
            chars[last] += "/" + " ".join(item.text.split())
    return chars
