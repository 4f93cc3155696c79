"""Recognising sheets and header rows (SPEC §1): sheet names, header text, per-sheet aliases.

Header text and sheet names are compared after :func:`normalize_header`: full-width characters
made half-width (NFKC), whitespace, asterisks and punctuation removed, "(必填)"-style notes dropped,
Latin letters case-folded. The schema's own headers and aliases go through the same function, so
both sides always agree.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Sequence

from .. import schema

# How many rows from the top of a sheet are searched for the header row.
HEADER_SCAN_ROWS = 15
# Matched fields a row needs to be taken as the header of a sheet recognised by its name,
# and of a sheet recognised by its header row alone.
MIN_FIELDS_BY_NAME = 2
MIN_FIELDS_BY_HEADER = 3
# Columns that number the rows in many hand-made tables; dropped silently (no warning, not kept).
IGNORED_HEADERS = ("序号", "编号序号", "行号", "排序")  # 排序: the display order in a 班子信息集 export
# Fields that identify a row of each sheet: a sheet recognised by its header alone must have
# one of them (a hidden drop-down list headed 性别 | 学历 | 民族 is not a roster), and a row
# holding one is never skipped as a total, note or signature line.
IDENTITY: dict[str, tuple[str, ...]] = {
    "orgs": ("org_id", "name"), "members": ("id_number", "name"), "elections": ("org_id",),
    "committee": ("id_number", "name"), "units": ("unit_name", "credit_code"),
}
# Prefix of the clean-table column that keeps an unknown column (header as written after it).
EXTRA_PREFIX = "extra:"

_INVISIBLE = re.compile("[\u200b-\u200f\u2060\ufeff]")
_PUNCT_OR_SPACE = re.compile(r"[\s\W_]+", re.UNICODE)
_PAREN = re.compile(r"[(\[{<【〔][^)\]}>】〕]*[)\]}>】〕]")


def _base(text: object) -> str:
    s = unicodedata.normalize("NFKC", str(text))
    return _INVISIBLE.sub("", s).casefold()


def _strip_notes(s: str) -> str:
    """Remove parenthesised notes made only of HEADER_NOTES words: "姓名(必填)" → "姓名"."""
    def drop(m: re.Match) -> str:
        inner = _PUNCT_OR_SPACE.sub("", m.group(0))
        return "" if inner in _NOTES else m.group(0)
    return _PAREN.sub(drop, s)


_NOTES = frozenset(unicodedata.normalize("NFKC", n) for n in schema.HEADER_NOTES)


def normalize_header(text: object) -> str:
    """The comparison form of a header cell or sheet name ("" for blank)."""
    if text is None:
        return ""
    return _normalize_header(str(text))


@lru_cache(maxsize=65536)
def _normalize_header(text: str) -> str:
    s = _strip_notes(_base(text))
    s = _PUNCT_OR_SPACE.sub("", s)
    for note in _NOTES:  # a trailing bare note: "姓名必填"
        if s.endswith(note) and len(s) > len(note):
            s = s[: -len(note)]
    return s


def normalize_header_loose(text: object) -> str:
    """Like :func:`normalize_header` but every parenthesised part removed: "任期年数(年)" → "任期年数"."""
    if text is None:
        return ""
    return normalize_header(_PAREN.sub("", _base(text)))


@lru_cache(maxsize=None)
def field_lookup(sheet_key: str) -> dict[str, str]:
    """normalised header or alias → field key, for one sheet (aliases are per sheet)."""
    table: dict[str, str] = {}
    for f in schema.sheet(sheet_key).fields:
        for h in f.headers:
            table.setdefault(normalize_header(h), f.key)
    return table


@lru_cache(maxsize=None)
def _sheet_names() -> dict[str, str]:
    table: dict[str, str] = {}
    for s in schema.SHEETS:
        for n in s.names:
            table.setdefault(normalize_header(n), s.key)
    return table


def match_sheet_name(name: str) -> schema.Sheet | None:
    """The schema sheet a worksheet's name stands for, or None."""
    key = _sheet_names().get(normalize_header(name))
    return schema.sheet(key) if key else None


def match_field(sheet_key: str, header: object) -> str | None:
    """The field key a header cell names on this sheet, or None."""
    return _match_field(sheet_key, None if header is None else str(header))


@lru_cache(maxsize=65536)  # the header search tries every top cell against every sheet
def _match_field(sheet_key: str, header: str | None) -> str | None:
    table = field_lookup(sheet_key)
    key = table.get(normalize_header(header))
    if key is None:
        loose = normalize_header_loose(header)
        key = table.get(loose) if loose else None
    return key


@functools.lru_cache(maxsize=None)
def _known_columns(sheet_key: str) -> frozenset[str]:
    return frozenset(normalize_header(h) for h in schema.sheet(sheet_key).known_columns)


def is_known_column(sheet_key: str, header: object) -> bool:
    """A column that other systems' layouts of the sheet carry and the statistics do not use."""
    return normalize_header(header) in _known_columns(sheet_key)


def is_ignored_header(header: object) -> bool:
    return normalize_header(header) in _IGNORED


_IGNORED = frozenset(normalize_header(h) for h in IGNORED_HEADERS)


@dataclass
class HeaderMatch:
    """Where a sheet's header is and what each column means."""

    sheet: schema.Sheet
    first_row: int  # 0-based index of the first header row in the grid
    last_row: int  # 0-based index of the last header row; data start on the next row
    headers: list[str | None]  # per column: the header as written (None when blank)
    keys: list[str | None]  # per column: field key, or None (unknown / blank)
    fields_matched: int = 0
    duplicates: list[int] = field(default_factory=list)  # columns whose field an earlier one has
    # One-hot group columns: column → (field key, the value a mark in it stands for, the group
    # header as written). A group
    # header naming an enumerated field ("党组织组建情况") over sub-headers that are its values
    # (单独组建 | 联合组建 | 未建立), each row marking one of them with "√".
    onehot: dict[int, tuple[str, str, str]] = field(default_factory=dict)


def _text(cell: object) -> str | None:
    if cell is None:
        return None
    s = _INVISIBLE.sub("", str(cell)).strip()
    return s or None


def _row_matches(sheet_key: str, row: Sequence[str | None]) -> list[str | None]:
    return [match_field(sheet_key, c) if c is not None else None for c in row]


def _score(keys: Sequence[str | None]) -> int:
    return len({k for k in keys if k is not None})


def find_header(top: Sequence[Sequence[object]], candidates: Sequence[schema.Sheet],
                min_fields: int, identity: bool = False) -> HeaderMatch | None:
    """Find the header row (or two-row merged header) among the first rows of a sheet.

    ``top`` holds the first rows of the sheet (cells as text or None). For every candidate schema
    sheet the row matching the most fields wins; a pair of rows (r, r+1) is taken together when
    combining them matches more fields, as two-row merged headers do: group titles over the real
    headers, or a header merged down over a blank cell. A data row under a header is never taken
    for a second header row, since a merged header leaves the cells under its upper headers blank.
    """
    rows = [[_text(c) for c in r] for r in top[:HEADER_SCAN_ROWS]]
    width = max((len(r) for r in rows), default=0)
    rows = [r + [None] * (width - len(r)) for r in rows]
    best: tuple[int, int, int, HeaderMatch] | None = None  # (score, -rows used, -first row)
    for sheet in candidates:
        matched = [_row_matches(sheet.key, r) for r in rows]
        must = IDENTITY.get(sheet.key, ()) if identity else ()
        for i, (row, keys) in enumerate(zip(rows, matched)):
            options = [(i, i, row, keys, {})]
            if i + 1 < len(rows):
                combo = _combine(row, keys, rows[i + 1], matched[i + 1], sheet)
                if combo is not None:
                    options.append((i, i + 1, *combo))
            for first, last, headers, ks, onehot in options:
                score = _score(ks)
                if score < min_fields or (must and not any(k in ks for k in must)):
                    continue
                if last > first and not onehot and score <= max(_score(keys), _score(matched[i + 1])):
                    continue
                rank = (score + bool(onehot), -(last - first), -first)
                if best is None or rank > best[:3]:
                    best = (*rank, HeaderMatch(sheet, first, last, list(headers), list(ks), score,
                                               onehot=dict(onehot)))
    if best is None:
        return None
    match = best[3]
    seen: set[str] = set()
    for col, key in enumerate(match.keys):
        if key is None or col in match.onehot:
            continue
        if key in seen:
            match.duplicates.append(col)
        seen.add(key)
    return match


def _enum_value(sheet: schema.Sheet, key: str, text: str | None) -> str | None:
    """The canonical value of an enumerated field that a sub-header names, or None."""
    if text is None:
        return None
    f = sheet.field(key)
    if f.enum is None:
        return None
    lookup = {normalize_header(k): v for k, v in f.enum.lookup().items()}
    return lookup.get(normalize_header(text))


def _combine(upper: list[str | None], upper_keys: list[str | None], lower: list[str | None],
             lower_keys: list[str | None], sheet: schema.Sheet | None = None
             ) -> tuple[list[str | None], list[str | None], dict[int, tuple[str, str, str]]] | None:
    """Flatten two header rows: per column the lowest non-blank text that names a field; and
    one-hot groups: an upper cell naming an enumerated field, merged across two or more columns
    whose lower cells are values of that field (the group's columns get the field's key).

    Returns None when the lower row cannot be part of a header: it has a value under a cell of
    the upper row that already names a field (a data row under a one-row header)."""
    onehot: dict[int, tuple[str, str, str]] = {}
    if sheet is not None:
        col = 0
        while col < len(upper):
            uk = upper_keys[col]
            value = _enum_value(sheet, uk, lower[col]) if uk is not None else None
            if value is None:
                col += 1
                continue
            group = [(col, value)]
            nxt = col + 1
            while nxt < len(upper) and upper[nxt] is None:
                v = _enum_value(sheet, uk, lower[nxt])
                if v is None:
                    break
                group.append((nxt, v))
                nxt += 1
            values = [v for _c, v in group]
            # two or more distinct values ("是 | 否" too); a data row never passes for sub-headers,
            # as it has values under the upper row's other field names (see below)
            if len(group) >= 2 and len(set(values)) == len(values):
                onehot.update({c: (uk, v, upper[col] or uk) for c, v in group})
            col = nxt
    headers: list[str | None] = []
    keys: list[str | None] = []
    for col, (u, uk, lo, lk) in enumerate(zip(upper, upper_keys, lower, lower_keys)):
        if col in onehot:
            headers.append(lo)
            keys.append(onehot[col][0])
            continue
        if uk is not None and lo is not None and lk is None:
            return None
        if lk is not None:
            headers.append(lo)
            keys.append(lk)
        elif uk is not None:
            headers.append(u)
            keys.append(uk)
        else:
            headers.append(lo if lo is not None else u)
            keys.append(None)
    return headers, keys, onehot


def cover_values(grid: Sequence[Sequence[object]]) -> dict[str, tuple[str, int]]:
    """Read a key–value cover sheet: field key → (value text, 1-based row of the value).

    A label's value is the next non-blank cell to its right, else the cell below it."""
    rows = [[_text(c) for c in r] for r in grid[:60]]
    found: dict[str, tuple[str, int]] = {}
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            if cell is None:
                continue
            key = match_field(schema.COVER.key, cell)
            if key is None:  # "填报单位：示例区城东街道" in one cell
                parts = re.split("[:：]", cell, maxsplit=1)
                label, rest = parts[0], (parts[1] if len(parts) == 2 else "")
                key = match_field(schema.COVER.key, label) if rest.strip() else None
                if key is not None and key not in found:
                    found[key] = (rest.strip(), i + 1)
                continue
            if key in found:
                continue
            value = next((c for c in row[j + 1:] if c is not None), None)
            row_no = i + 1
            if value is not None and match_field(schema.COVER.key, value) is not None:
                value = None  # the next cell is another label
            if value is None and i + 1 < len(rows) and j < len(rows[i + 1]):
                below = rows[i + 1][j]
                if below is not None and match_field(schema.COVER.key, below) is None:
                    value, row_no = below, i + 2
            if value is not None:
                found[key] = (value, row_no)
    return found
