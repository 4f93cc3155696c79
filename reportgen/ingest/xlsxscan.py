"""Where an .xlsx holds big numbers: the cells whose stored value is a number of 16 digits or
more (or written with an exponent), found in the sheet XML the size guard inflates anyway.

An ID number typed into a cell formatted as a number has lost its last digits, and the text the
reader gives for it looks like any other ID. The cell's type is in the XML, not in the text:
a ``<c>`` without ``t`` (or with ``t="n"``) whose ``<v>`` holds the number. One C-level regex
pass over the inflated part finds the ``<v>`` values that can be such numbers; only those few
matches are looked at in Python. When a part cannot be scanned soundly (no ``r`` on a cell,
a cell start not found, a part too big to keep) it is left out, and the reader falls back to
asking fastexcel for the cell types of that sheet's ID column.
"""

from __future__ import annotations

import html
import posixpath
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Parts kept in memory for the scan while the size guard inflates them (bytes of XML).
MAX_SCAN_BYTES = 512 * 1024 * 1024

WORKSHEET_PART = re.compile(r"^/?xl/worksheets/[^/]+\.xml$", re.IGNORECASE)

# A <v> whose text a number parser could read as 1e15 or more: 16+ digits, or an exponent.
# The literal "<v>" prefix keeps the scan at memchr speed; prefixed tags (<x:v>) get their own.
_BIG = re.compile(rb"<v>\s*[+-]?(?:\d{16}|[\d.]*[Ee])")
_BIG_NS = re.compile(rb"<[A-Za-z_][\w.-]*:v>\s*[+-]?(?:\d{16}|[\d.]*[Ee])")
_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c(?=[\s>/])([^>]*)>")
_REF = re.compile(rb"""(?:^|\s)r\s*=\s*["']\$?([A-Za-z]{1,3})\$?(\d{1,7})["']""")
_TYPE = re.compile(rb"""(?:^|\s)t\s*=\s*["'](\w*)["']""")
_FORMULA_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?f>")
_WINDOWS = (512, 65536)
# Whether a part may hold any such value at all: a looser form of _BIG and _BIG_NS (any tag ending
# in "v>"), run by RE2 over the whole part at a few times the speed of a Python regex. Most parts
# hold none, and are done with after this one pass.
_MAYBE = r"v>[\t\n\x0b\x0c\r ]*[+-]?(?:[0-9]{16}|[0-9.]*[Ee])"


class Unsure(Exception):
    """The part cannot be scanned soundly; the reader asks fastexcel instead."""


def big_number_cells(xml: bytes) -> np.ndarray:
    """(row, column) pairs — Excel row (1-based), column index (0-based) — of the number cells
    of one worksheet part whose value may be 1e15 or more. Raises :class:`Unsure`."""
    found: list[tuple[int, int]] = []
    if not _may_hold(xml):
        return np.zeros((0, 2), dtype=np.int64)
    matches = list(_BIG.finditer(xml))
    if b":v>" in xml:
        matches += list(_BIG_NS.finditer(xml))
    for m in matches:
        attrs = _cell_attrs(xml, m.start())
        kind = _TYPE.search(attrs)
        if kind is not None and kind.group(1) not in (b"", b"n"):
            continue  # a shared-string index, formula text, error or date: not a number
        ref = _REF.search(attrs)
        if ref is None:
            raise Unsure("cell without a reference")
        found.append((int(ref.group(2)), _column_index(ref.group(1))))
    return np.array(found, dtype=np.int64).reshape(-1, 2)


def _may_hold(xml: bytes) -> bool:
    """RE2 over the bytes as they are (no copy): False means no value of _BIG or _BIG_NS is there."""
    return _matches(xml, _MAYBE)


def _matches(xml: bytes, pattern: str) -> bool:
    """Whether RE2 ``pattern`` matches somewhere in ``xml`` (the bytes wrapped, not copied)."""
    data = pa.LargeBinaryArray.from_buffers(
        pa.large_binary(), 1, [None, pa.array([0, len(xml)], pa.int64()).buffers()[1], pa.py_buffer(xml)])
    return bool(pc.match_substring_regex(data, pattern)[0].as_py())


def _cell_attrs(xml: bytes, pos: int) -> bytes:
    """The attribute text of the <c> element holding the <v> at ``pos``."""
    for width in _WINDOWS:
        lo = max(0, pos - width)
        window = xml[lo:pos]
        starts = list(_CELL.finditer(window))
        if starts:
            last = starts[-1]
            between = _FORMULA_END.sub(b"", window[last.end():])
            if last.group(1).rstrip().endswith(b"/") or b"</" in between:
                raise Unsure("value outside a cell")
            return last.group(1)
        if lo == 0:
            break
    raise Unsure("cell start not found")


def _column_index(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ch - 64)
    return n - 1


# --------------------------------------------------------------------------- which part is which sheet

_SHEET = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheet\s([^>]*)>")
_NAME = re.compile(rb"""(?:^|\s)name\s*=\s*"([^"]*)"|(?:^|\s)name\s*=\s*'([^']*)'""")
_RID = re.compile(rb"""(?:^|\s)[A-Za-z_][\w.-]*:id\s*=\s*["']([^"']*)["']""")
_REL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?Relationship\s([^>]*)>")
_ID = re.compile(rb"""(?:^|\s)Id\s*=\s*["']([^"']*)["']""")
_TARGET = re.compile(rb"""(?:^|\s)Target\s*=\s*["']([^"']*)["']""")


def sheet_parts(workbook_xml: bytes, rels_xml: bytes) -> dict[str, str]:
    """Sheet name (as the reader gives it) → its part's name in the zip."""
    targets = {}
    for m in _REL.finditer(rels_xml):
        rid, target = _ID.search(m.group(1)), _TARGET.search(m.group(1))
        if rid and target:
            path = html.unescape(target.group(1).decode("utf-8", "replace"))
            path = path.lstrip("/") if path.startswith("/") else posixpath.join("xl", path)
            targets[rid.group(1)] = posixpath.normpath(path)
    out = {}
    for m in _SHEET.finditer(workbook_xml):
        name, rid = _NAME.search(m.group(1)), _RID.search(m.group(1))
        if name and rid and rid.group(1) in targets:
            raw = name.group(1) if name.group(1) is not None else name.group(2)
            out[html.unescape(raw.decode("utf-8", "replace"))] = targets[rid.group(1)]
    return out


# --------------------------------------------------------------------------- hidden rows and columns

_MAY_HIDE = r"""hidden[\t\n\r ]*=[\t\n\r ]*["'](?:1|true)["']"""
_HIDDEN_ROW = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?row\s[^>]*?\bhidden\s*=\s*["'](?:1|true)["'][^>]*>""")
_HIDDEN_COL = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?col\s[^>]*?\bhidden\s*=\s*["'](?:1|true)["'][^>]*>""")
_ROW_R = re.compile(rb"""(?:^|\s)r\s*=\s*["'](\d{1,7})["']""")
_MIN = re.compile(rb"""(?:^|\s)min\s*=\s*["'](\d{1,5})["']""")
_MAX = re.compile(rb"""(?:^|\s)max\s*=\s*["'](\d{1,5})["']""")
_AUTOFILTER = re.compile(rb"""<(?:[A-Za-z_][\w.-]*:)?autoFilter\s[^>]*?\bref\s*=\s*["']\$?[A-Za-z]{1,3}\$?(\d{1,7})"""
                         rb"""(?::\$?[A-Za-z]{1,3}\$?(\d{1,7}))?["']""")
MAX_HIDDEN_COLS = 16384


def hidden_marks(xml: bytes) -> tuple[np.ndarray, np.ndarray, tuple[int, int] | None]:
    """What a worksheet part hides: (Excel row numbers of hidden rows, 0-based indexes of hidden
    columns, (first, last) rows of its autofilter or None). Most parts hide nothing and are done
    with after one RE2 pass; a hidden row without a number is left out."""
    empty = np.zeros(0, dtype=np.int64)
    if not _matches(xml, _MAY_HIDE):  # RE2 over the bytes as they are: ~0.04 s for 300 MB
        return empty, empty, None
    rows = []
    if b"row" in xml:
        for m in _HIDDEN_ROW.finditer(xml):
            r = _ROW_R.search(m.group(0)[4:])
            if r is not None:
                rows.append(int(r.group(1)))
    cols: list[int] = []
    for m in _HIDDEN_COL.finditer(xml):
        lo, hi = _MIN.search(m.group(0)), _MAX.search(m.group(0))
        if lo is None:
            continue
        a = int(lo.group(1))
        b = min(int(hi.group(1)) if hi is not None else a, a + MAX_HIDDEN_COLS)
        cols.extend(range(a - 1, b))
    auto = _AUTOFILTER.search(xml)
    ref = None
    if auto is not None:
        first = int(auto.group(1))
        ref = (first, int(auto.group(2)) if auto.group(2) else first)
    return (np.array(sorted(set(rows)), dtype=np.int64),
            np.array(sorted(set(c for c in cols if c < MAX_HIDDEN_COLS)), dtype=np.int64), ref)
