"""Worksheet rows built column-wise as XML, spliced into a workbook xlsxwriter has written.

xlsxwriter handles every cell in Python twice (the ``write_*`` call, then its XML at ``close``);
for sheets of tens of thousands of cells that is most of the time a workbook takes. Here a block
of data rows becomes ``<row>`` elements through Arrow string kernels over whole columns: text as
inline strings (never a formula), numbers with a round-trip repr, dates as the serial numbers
``write_datetime`` gives, blanks carrying their column's format. Titles, headers and sheet
settings stay with xlsxwriter, which writes them (parts in memory, a small zip into the temporary
file of :func:`~reportgen.outputs.atomic_write`); :class:`BulkWorkbook` then inserts the rows
before ``</sheetData>``, corrects ``<dimension>`` and rewrites the zip with fixed entry dates.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_cell_to_rowcol, xl_col_to_name, xl_rowcol_to_cell

from .arrowtext import string_buffers
from .outputs import atomic_write, clean_text

KINDS = ("text", "number", "date", "blank")
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # what xlsxwriter gives every entry of an in-memory workbook
COMPRESS_LEVEL = 1  # deflate level of every entry: 3× faster than zlib's default 6, files ~20% larger
MAX_UTF16 = 32767  # Excel's longest cell text, in UTF-16 code units (xlsxwriter truncates too)

_L = pa.large_string()
_EMPTY = pa.scalar("", _L)
_ESCAPED_ESCAPE = r"_x[0-9a-fA-F]{4}_"  # Excel's own escape syntax, as xlsxwriter matches it
_CONTROL = r"[\x00-\x08\x0b-\x1f\x{fffe}\x{ffff}]"  # what xlsxwriter turns into _xHHHH_
_XML_INVALID = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x{fffe}\x{ffff}]"  # as outputs.clean_text (no surrogates in Arrow)
_CONTROL_CODES = (*range(0x00, 0x09), *range(0x0B, 0x20), 0xFFFE, 0xFFFF)
_EPOCH_US = (datetime(1899, 12, 31) - datetime(1970, 1, 1)) // pd.Timedelta(microseconds=1)
_DAY_US = 86_400_000_000
_DIMENSION = re.compile(rb'<dimension ref="([A-Z]+[0-9]+)(?::([A-Z]+[0-9]+))?"/>')


@dataclass(frozen=True)
class Column:
    """One column of a block of rows: its values, how to write them (``"text"``, ``"number"``,
    ``"date"`` or ``"blank"``) and the style index ``s`` of its cells, one for all or one per row."""

    values: Any
    kind: str
    style: int | Sequence[int] | np.ndarray = 0


def _s(value: str) -> pa.Scalar:
    return pa.scalar(value, _L)


def xf_index(fmt: Format | None) -> int:
    """The style index (``s``) of cells written with ``fmt``, assigned now as xlsxwriter would on
    the format's first use. Uses xlsxwriter's private ``Format._get_xf_index``: tests read the
    number formats, fonts and fills of spliced cells back with openpyxl to catch a change."""
    return 0 if fmt is None else int(fmt._get_xf_index())


def _utf16_truncate(value: str) -> str:
    units = value.encode("utf-16-le", "surrogatepass")
    if len(units) <= 2 * MAX_UTF16:
        return value
    return units[:2 * MAX_UTF16].decode("utf-16-le", "ignore")  # a split pair loses its half


def _any(mask: pa.Array) -> bool:
    return bool(pc.any(mask).as_py())


def text_array(values: Any) -> pa.LargeStringArray:
    """A column as Arrow text, nulls where blank; numbers and other values as ``str`` gives them.
    Values Arrow cannot hold as UTF-8 (lone surrogates) go through :func:`clean_text` one by one."""
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        arr = values
    else:
        series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
        try:
            if not isinstance(series.dtype, pd.StringDtype):
                series = series.astype(pd.StringDtype("pyarrow"))
            arr = pa.array(series.array)
        except (pa.ArrowException, UnicodeError, TypeError, ValueError):
            missing = series.isna().to_numpy(dtype=bool)
            arr = pa.array([None if m else clean_text(v) for v, m in zip(series.astype(object).tolist(), missing)],
                           type=_L)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return pc.cast(arr, _L)


def clean_texts(values: Any) -> pa.LargeStringArray:
    """:func:`~reportgen.outputs.clean_text` over a whole column: the characters XML forbids
    removed; nulls stay null."""
    arr = text_array(values)
    if _any(pc.match_substring_regex(arr, _XML_INVALID)):
        arr = pc.replace_substring_regex(arr, _XML_INVALID, "")
    return arr


def escape_text(values: Any) -> pa.LargeStringArray:
    """Text made ready for ``<t>``: cut to Excel's 32,767 UTF-16 units, a literal ``_xHHHH_``
    protected as ``_x005F_xHHHH_`` and control characters written ``_xHHHH_`` (as xlsxwriter's
    shared strings do), then ``& < >`` escaped. Nulls stay null."""
    arr = text_array(values)
    long = pc.fill_null(pc.greater(pc.utf8_length(arr), MAX_UTF16 // 2), False)
    if _any(long):  # only these few cells can exceed the limit: measured and cut one by one
        cut = [_utf16_truncate(v) for v in pc.filter(arr, long).to_pylist()]
        arr = pc.replace_with_mask(arr, long, pa.array(cut, type=_L))
    if not _any(pc.match_substring_regex(arr, f"{_ESCAPED_ESCAPE}|[&<>]|{_CONTROL}")):
        return arr  # most columns: nothing to escape, one pass to know it
    if _any(pc.match_substring_regex(arr, _ESCAPED_ESCAPE)):
        arr = pc.replace_substring_regex(arr, f"({_ESCAPED_ESCAPE})", r"_x005F\1")
    if _any(pc.match_substring_regex(arr, _CONTROL)):
        for code in _CONTROL_CODES:
            arr = pc.replace_substring(arr, chr(code), f"_x{code:04X}_")
    for raw, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        arr = pc.replace_substring(arr, raw, entity)
    return arr


def excel_serials(values: Any) -> np.ndarray:
    """Dates and times as Excel serial numbers (1900 system), exactly as xlsxwriter's
    ``write_datetime`` computes them from ``Timestamp.to_pydatetime()``: days since 1899-12-31
    plus the fraction of the day, one day less on 1900-01-01, one more after 1900-02-28 (Excel's
    phantom 1900-02-29); a time zone is dropped (wall time kept); NaN where missing."""
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    if not pd.api.types.is_datetime64_any_dtype(series.dtype):
        series = pd.to_datetime(series)
    if getattr(series.dt, "tz", None) is not None:
        series = series.dt.tz_localize(None)
    raw = series.to_numpy()
    missing = np.isnat(raw)
    unit, count = np.datetime_data(raw.dtype)
    ticks = raw.view("int64").copy()
    ticks[missing] = 0
    per_us = {"ns": -1000, "us": 1, "ms": 1000, "s": 1_000_000, "m": 60_000_000, "h": 3_600_000_000,
              "D": _DAY_US}[unit] * count
    micros = ticks // -per_us if per_us < 0 else ticks * per_us  # nanoseconds dropped as to_pydatetime does
    delta = micros - _EPOCH_US
    days = delta // _DAY_US
    rest = delta - days * _DAY_US
    seconds = rest // 1_000_000
    serial = days + (seconds.astype(np.float64) + (rest - seconds * 1_000_000).astype(np.float64) / 1e6) / 86400
    serial = np.where(days == 1, serial - 1, serial)  # xlsxwriter's 1900-01-01 rule
    serial = np.where(serial > 59, serial + 1, serial)
    serial[missing] = np.nan
    return serial


def _numbers(values: Any) -> pa.LargeStringArray:
    """Numbers as the shortest text that reads back to the same double; NaN/±inf → null."""
    if isinstance(values, pd.Series):
        floats = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        floats = np.asarray(pd.to_numeric(pd.Series(values), errors="coerce"), dtype=np.float64)
    finite = np.isfinite(floats)
    out = pc.cast(pa.array(floats, mask=~finite), _L)
    return pc.replace_substring(out, "e", "E")


def _tail(col: Column, n: int) -> pa.Array | pa.Scalar:
    """What follows ``s="…`` in each cell of ``col``: the value, or ``"/>`` for a blank cell."""
    blank = _s('"/>')
    if col.kind == "blank":
        return blank
    if col.kind == "text":
        body = escape_text(col.values)
        head, end = '" t="inlineStr"><is><t xml:space="preserve">', "</t></is></c>"
    elif col.kind in ("number", "date"):
        body = _numbers(excel_serials(col.values) if col.kind == "date" else col.values)
        head, end = '"><v>', "</v></c>"
    else:
        raise ValueError(f"unknown column kind {col.kind!r}; expected one of {KINDS}")
    if len(body) != n:
        raise ValueError(f"column of {len(body)} values in a block of {n} rows")
    return pc.fill_null(pc.binary_join_element_wise(_s(head), body, _s(end), _EMPTY), blank)


def _styles(style: int | Sequence[int] | np.ndarray, n: int) -> pa.Array | pa.Scalar:
    if isinstance(style, (int, np.integer)):
        return _s(str(int(style)))
    arr = np.asarray(style, dtype=np.int64)
    if len(arr) != n:
        raise ValueError(f"{len(arr)} style indices for a block of {n} rows")
    return pc.cast(pa.array(arr), _L)


def _length(col: Column) -> int | None:
    if col.values is not None:
        return len(col.values)
    if not isinstance(col.style, (int, np.integer)):
        return len(col.style)
    return None  # a blank column with one style fits any block


def rows_xml(columns: Sequence[Column], first_row: int, first_col: int = 0) -> pa.LargeStringArray:
    """The ``<row>`` elements of a block: one string per row, row ``first_row`` (0-based) first,
    column ``first_col`` (0-based) first. Join them with :func:`xml_bytes`."""
    lengths = {m for m in (_length(c) for c in columns) if m is not None}
    if len(lengths) > 1:
        raise ValueError(f"columns of different lengths: {sorted(lengths)}")
    n = lengths.pop() if lengths else 0
    if not n:
        return pa.array([], type=_L)
    nums = pc.cast(pa.array(np.arange(first_row + 1, first_row + n + 1, dtype=np.int64)), _L)
    parts: list[Any] = [_s('<row r="'), nums, _s('">')]
    for j, col in enumerate(columns):
        parts += [_s(f'<c r="{xl_col_to_name(first_col + j)}'), nums, _s('" s="'),
                  _styles(col.style, n), _tail(col, n)]
    parts.append(_s("</row>"))
    return pc.binary_join_element_wise(*parts, _EMPTY)


def xml_bytes(rows: pa.Array) -> memoryview:
    """The strings of ``rows`` (no nulls) end to end, without copying them."""
    if isinstance(rows, pa.ChunkedArray):
        rows = rows.combine_chunks()
    rows = pc.cast(rows, _L)
    if not len(rows):
        return memoryview(b"")
    if rows.null_count:
        raise ValueError("a row of the block is null")
    offsets, data = string_buffers(rows)
    return memoryview(data)[int(offsets[0]):int(offsets[-1])]


@dataclass(frozen=True)
class Block:
    """Rows to insert into one worksheet: their XML and the cell range they cover (0-based)."""

    first_row: int
    n_rows: int
    first_col: int
    n_cols: int
    rows: pa.Array

    @property
    def last_row(self) -> int:
        return self.first_row + self.n_rows - 1

    @property
    def last_col(self) -> int:
        return self.first_col + self.n_cols - 1


def _bounds(ref_1: bytes, ref_2: bytes | None) -> tuple[int, int, int, int]:
    r1, c1 = xl_cell_to_rowcol(ref_1.decode())
    r2, c2 = xl_cell_to_rowcol((ref_2 or ref_1).decode())
    return r1, c1, r2, c2


def _sheet_pieces(xml: bytes, blocks: Sequence[Block]) -> list[Any]:
    """The sheet XML cut where the rows go, with the rows in between and the dimension widened."""
    found = _DIMENSION.search(xml)
    if found is None:
        raise ValueError("worksheet XML without a <dimension>")
    has_data = b"</sheetData>" in xml  # else <sheetData/> and the dimension is a default "A1"
    bounds = _bounds(found.group(1), found.group(2)) if has_data else None
    last = bounds[2] if bounds else -1
    for b in blocks:
        if b.first_row <= last:
            raise ValueError(f"rows from {b.first_row + 1} overlap rows already written (to {last + 1})")
        last = b.last_row
        mine = (b.first_row, b.first_col, b.last_row, b.last_col)
        bounds = mine if bounds is None else (min(bounds[0], mine[0]), min(bounds[1], mine[1]),
                                              max(bounds[2], mine[2]), max(bounds[3], mine[3]))
    r1, c1, r2, c2 = bounds
    ref = xl_rowcol_to_cell(r1, c1) + ("" if (r1, c1) == (r2, c2) else ":" + xl_rowcol_to_cell(r2, c2))
    xml = xml[:found.start()] + f'<dimension ref="{ref}"/>'.encode() + xml[found.end():]
    if has_data:
        at = xml.index(b"</sheetData>")
        head, tail = xml[:at], xml[at:]
    else:
        at = xml.index(b"<sheetData/>")
        head, tail = xml[:at] + b"<sheetData>", b"</sheetData>" + xml[at + len(b"<sheetData/>"):]
    return [head, *(xml_bytes(b.rows) for b in blocks), tail]


def splice(xlsx: bytes, blocks: Mapping[str, Sequence[Block]], out: Any) -> None:
    """Copy the workbook ``xlsx`` to the file or path ``out``, inserting each worksheet's blocks
    (keyed by zip entry name, ``xl/worksheets/sheet3.xml``) before its ``</sheetData>``. The
    entries keep their order; every entry gets the fixed date of :data:`ZIP_DATE` and is deflated
    at :data:`COMPRESS_LEVEL`. A sheet is written piece by piece, never joined in memory."""
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, \
            zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        missing = set(blocks) - set(src.namelist())
        if missing:
            raise ValueError(f"no such worksheet in the workbook: {sorted(missing)}")
        for info in src.infolist():
            data = src.read(info)
            sheet_blocks = [b for b in blocks.get(info.filename, ()) if b.n_rows]
            pieces = _sheet_pieces(data, sheet_blocks) if sheet_blocks else [data]
            entry = zipfile.ZipInfo(info.filename, ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry._compresslevel = COMPRESS_LEVEL  # as ZipFile.writestr(compresslevel=) sets it
            entry.external_attr, entry.create_system = info.external_attr, info.create_system
            entry.file_size = sum(len(p) for p in pieces)
            with dst.open(entry, "w", force_zip64=entry.file_size > 1 << 30) as fh:
                for piece in pieces:
                    fh.write(piece)


class BulkWorkbook:
    """An xlsxwriter workbook, plus blocks of data rows built column-wise and spliced into their
    worksheets by :meth:`save`.

    Write titles, headers and sheet settings (widths, panes, filters, merges) through
    ``self.workbook`` as usual; give the data rows, which must come after every row xlsxwriter
    writes in that sheet, to :meth:`append_rows`.
    """

    def __init__(self, options: Mapping[str, Any] | None = None):
        # parts kept in memory; the file name is the temporary file save() writes the zip to
        self.workbook = xlsxwriter.Workbook(None, {**(options or {}), "in_memory": True})
        self._blocks: list[tuple[Any, Block]] = []

    def style(self, fmt: Format | None) -> int:
        """The style index of ``fmt`` (see :func:`xf_index`)."""
        return xf_index(fmt)

    def append_rows(self, worksheet: Any, columns: Sequence[Column], first_row: int,
                    first_col: int = 0) -> int:
        """Build the XML of a block of rows of ``worksheet`` now; return its number of rows."""
        rows = rows_xml(columns, first_row, first_col)
        if len(rows):
            self._blocks.append((worksheet, Block(first_row, len(rows), first_col, len(columns), rows)))
        return len(rows)

    def save(self, path: str | Path) -> Path:
        """Close the workbook into a temporary file beside ``path``, splice the rows in and move
        it into place (:func:`~reportgen.outputs.atomic_write`): a failure leaves ``path`` as it was."""
        number = {id(ws): n for n, ws in
                  enumerate((w for w in self.workbook.worksheets() if not w.is_chartsheet), 1)}
        blocks: dict[str, list[Block]] = {}
        for ws, block in self._blocks:  # packager.py names worksheets sheet1.xml… in add order
            blocks.setdefault(f"xl/worksheets/sheet{number[id(ws)]}.xml", []).append(block)
        for sheet_blocks in blocks.values():
            sheet_blocks.sort(key=lambda b: b.first_row)
        target = Path(path)
        with atomic_write(target) as tmp:
            self.workbook.filename = str(tmp)
            self.workbook.close()
            written = tmp.read_bytes()
            splice(written, blocks, tmp)
        self._blocks.clear()
        return target
