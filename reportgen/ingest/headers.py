"""Recognising sheets and header rows (SPEC §1): sheet names, header text, per-sheet aliases.

Header text and sheet names are compared after :func:`normalize_header`: full-width characters
made half-width (NFKC), whitespace, asterisks and punctuation removed, "(必填)"-style notes dropped,
Latin letters case-folded. The schema's own headers and aliases go through the same function, so
both sides always agree.
"""

from __future__ import annotations

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
IGNORED_HEADERS = ("序号", "编号序号", "行号")
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
                min_fields: int) -> HeaderMatch | None:
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
        for i, (row, keys) in enumerate(zip(rows, matched)):
            options = [(i, i, row, keys)]
            if i + 1 < len(rows):
                combo = _combine(row, keys, rows[i + 1], matched[i + 1])
                if combo is not None:
                    options.append((i, i + 1, *combo))
            for first, last, headers, ks in options:
                score = _score(ks)
                if score < min_fields:
                    continue
                if last > first and score <= max(_score(keys), _score(matched[i + 1])):
                    continue
                rank = (score, -(last - first), -first)
                if best is None or rank > best[:3]:
                    best = (*rank, HeaderMatch(sheet, first, last, list(headers), list(ks), score))
    if best is None:
        return None
    match = best[3]
    seen: set[str] = set()
    for col, key in enumerate(match.keys):
        if key is None:
            continue
        if key in seen:
            match.duplicates.append(col)
        seen.add(key)
    return match


def _combine(upper: list[str | None], upper_keys: list[str | None], lower: list[str | None],
             lower_keys: list[str | None]) -> tuple[list[str | None], list[str | None]] | None:
    """Flatten two header rows: per column the lowest non-blank text that names a field.

    Returns None when the lower row cannot be part of a header: it has a value under a cell of
    the upper row that already names a field (a data row under a one-row header)."""
    headers: list[str | None] = []
    keys: list[str | None] = []
    for u, uk, lo, lk in zip(upper, upper_keys, lower, lower_keys):
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
    return headers, keys


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
