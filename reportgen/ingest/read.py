"""Reading one submitted file into raw sheets: cells as text, header found, columns named.

Workbooks are read with fastexcel (calamine) with every cell as text, so ID and phone numbers
never become numbers. IDs that Excel stored as numbers have lost their last digits: for .xlsx
the size guard's inflate pass already found the big number cells in the sheet XML (xlsxscan);
for other formats, or a sheet that scan could not vouch for, the ID column is read a second time
with fastexcel's boolean conversion, which is non-null exactly for number cells. CSV text is decoded BOM → strict UTF-8 → GB18030 → charset detection; an ID in
scientific notation (``9.90101E+17``) there, or anywhere, is a number too.

Rows are numbered as the user sees them in Excel (1-based, title and header rows counted).
A row whose every kept cell is blank is not a row: it is neither read nor counted.
"""

from __future__ import annotations

import codecs
import functools
import io
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import fastexcel
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import schema
from ..config import Limits
from ..validate import catalog
from . import headers as hdr
from . import normalize as nz
from .discover import WPS_EXTENSIONS, Sniffed, sniff

ID_NUMERIC = "_id_numeric"  # per row: the ID cell was a number (or scientific notation text)
ROW = "_row"
_SEPARATORS = ("\t", ",", ";")  # a tie in a line goes to the first
_SCI = r"^\d(?:\.\d+)?[eE]\+?\d+$|^\d{16,}\.0*$"


@dataclass
class RawSheet:
    """One recognised data sheet of one file: text cells under field keys."""

    file: str
    sheet: str  # name as written (the file name without extension for a CSV)
    key: str  # schema sheet key
    data: pd.DataFrame  # field keys and extra columns as text, ``_row``, ``_id_numeric``
    headers: dict[str, str]  # column of ``data`` → header as the user wrote it
    rows_read: int
    id_col: int | None = None  # position of the ID column in the sheet as read


@dataclass
class Cover:
    file: str
    sheet: str
    values: dict[str, tuple[str, int]]  # field key → (text, row)


@dataclass
class FileResult:
    file: str
    kind: str | None
    status: str
    sheets: list[RawSheet] = field(default_factory=list)
    covers: list[Cover] = field(default_factory=list)
    issues: list[dict] = field(default_factory=list)
    rows_left_out: list[tuple[str, int]] = field(default_factory=list)  # (sheet, rows) dropped whole


class _Refused(Exception):
    def __init__(self, rule: str, detail: str) -> None:
        super().__init__(detail)
        self.rule, self.detail = rule, detail


def issue(file: str, sheet: str, rule_id: str, detail: str, column: str = "", value: str = "",
          row: int | None = None) -> dict:
    """One issue line for a file or a sheet (message: detail + the catalogue's fix)."""
    rule = catalog.rule(rule_id)
    fix = rule.fix
    message = detail if fix in detail else f"{detail}；{fix}"
    return {"file": file, "sheet": sheet, "row": row, "column": column, "value": value,
            "rule": rule_id, "severity": rule.severity, "message": message}


def read_file(path: Path, rel: str, limits: Limits) -> FileResult:
    """Read one file; every problem becomes an issue line, never an exception."""
    sniffed = sniff(path, limits)
    if not sniffed.ok:
        return _failed(rel, sniffed.kind, sniffed.rule, sniffed.detail)
    try:
        if sniffed.kind == "csv":
            return _read_csv(path, rel, limits)
        return _read_workbook(path, rel, sniffed, limits)
    except _Refused as exc:
        return _failed(rel, sniffed.kind, exc.rule, exc.detail)
    except MemoryError:
        return _failed(rel, sniffed.kind, "file.too_large", "文件内容过大，内存不足以读取")
    except Exception as exc:  # noqa: BLE001 - one bad file never stops the others
        return _failed(rel, sniffed.kind, *_explain(exc, path))


def _failed(rel: str, kind: str | None, rule_id: str, detail: str) -> FileResult:
    return FileResult(rel, kind, catalog.rule(rule_id).title, issues=[issue(rel, "", rule_id, detail)])


def _explain(exc: Exception, path: Path) -> tuple[str, str]:
    text = " ".join(str(exc).split())
    low = text.lower()
    tech = f"（技术信息：{text[:160]}）" if text else ""
    if "password" in low or "encrypt" in low:
        return "file.encrypted", "文件已加密（设置了打开密码）"
    if path.suffix.lower() in WPS_EXTENSIONS:
        return "file.unsupported", "这是 WPS 表格专用格式（.et），无法读取；请在 WPS 中另存为 .xlsx 后再报送"
    if "entity" in low or "doctype" in low:  # the parser never expands user-declared XML entities
        return "file.unreadable", ("文件中含有自定义的 XML 实体声明（Excel 和 WPS 不会这样保存），为安全起见不予读取；"
                                   "请用 Excel 或 WPS 打开后另存为 .xlsx 再报送")
    return "file.unreadable", f"文件已损坏或内容无法读取{tech}"


# --------------------------------------------------------------------------- workbooks

def _read_workbook(path: Path, rel: str, sniffed: Sniffed, limits: Limits) -> FileResult:
    ext_ok = {"xlsx": (".xlsx", ".xlsm"), "xlsb": (".xlsb",), "xls": (".xls",),
              "ods": (".ods",)}.get(sniffed.kind or "", ())
    source: Path | bytes = path if path.suffix.lower() in ext_ok else path.read_bytes()
    reader = fastexcel.read_excel(source)
    result = FileResult(rel, sniffed.kind, "已读取")
    sheet_names = list(reader.sheet_names)
    for idx, name in enumerate(sheet_names):
        named = hdr.match_sheet_name(name)
        sheet = reader.load_sheet(idx, header_row=None, dtypes="string", skip_rows=0)
        if sheet.visible != "visible" and named is None:
            continue  # hidden helper sheets (drop-down lists and the like)
        if sheet.height > limits.max_rows_per_sheet:
            raise _Refused("file.too_large", f"工作表“{name}”有 {sheet.height} 行，超过上限 "
                                             f"{limits.max_rows_per_sheet} 行")
        table = sheet.to_arrow()
        columns = [c.absolute_index for c in sheet.available_columns()]
        del sheet
        _check_cells(table, f"工作表“{name}”", limits)
        if named is schema.COVER:
            result.covers.append(Cover(rel, name, hdr.cover_values(_top_rows(table, 60))))
            continue
        raw = _recognise(rel, name, named, table, result)
        del table
        if raw is None:
            continue
        if raw.id_col is not None:
            _mark_numeric_ids(reader, idx, raw, sniffed.big_numbers.get(name), columns[raw.id_col])
        result.sheets.append(raw)
    _no_sheet(result)
    return result


def _check_cells(table: pa.Table | pa.RecordBatch, where: str, limits: Limits) -> None:
    """Refuse text longer than Excel allows in a cell: only a crafted file holds it (vectorised)."""
    for column in table.columns:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            widest = pc.max(pc.binary_length(column)).as_py()  # bytes, read off the offsets
            if widest is None or widest <= limits.max_cell_chars:
                continue  # no cell has more characters than bytes
            longest = pc.max(pc.utf8_length(column)).as_py()
            if longest is not None and longest > limits.max_cell_chars:
                raise _Refused("file.too_large", f"{where}中有单元格的文字长达 {longest} 个字符，超过上限 "
                                                 f"{limits.max_cell_chars} 个字符（Excel 单元格的上限），疑似异常文件")


def _no_sheet(result: FileResult) -> None:
    if not result.sheets and not result.covers and not any(
            i["rule"] == "sheet.no_header" for i in result.issues):
        names = "、".join(s.name for s in schema.DATA_SHEETS)
        result.issues.append(issue(result.file, "", "file.no_sheet",
                                   f"文件中没有可识别的数据工作表（工作表名称应为{names}之一，"
                                   "或带有这些表的表头）"))
        result.status = catalog.rule("file.no_sheet").title


def _top_rows(table: pa.RecordBatch | pa.Table, n: int) -> list[list[str | None]]:
    top = table.slice(0, n).to_pydict()
    cols = list(top.values())
    return [list(r) for r in zip(*cols)] if cols else []


def _mark_numeric_ids(reader: fastexcel.ExcelReader, idx: int, raw: RawSheet,
                      big: np.ndarray | None, column: int) -> None:
    """Flag rows whose ID cell is a number of 16 digits or more (digits lost). The cell type is
    what tells: no sign in the text is sound — a number cell written with 17 significant digits
    passes its check character and gender digit as often as a typed ID does (a property test
    found one). ``big`` holds the sheet's big number cells from the XML scan (row, absolute
    column); without it the ID column is read again with fastexcel's boolean conversion
    (non-null only for number and true/false cells)."""
    ids = raw.data["id_number"]
    digits = ids.str.fullmatch(r"\d{16,}").fillna(False).to_numpy(dtype=bool)
    if not digits.any():
        return
    rows = raw.data[ROW].to_numpy()
    if big is not None:
        hit = np.isin(rows, big[big[:, 1] == column, 0])
    else:
        flags = reader.load_sheet(idx, header_row=None, dtypes="boolean", skip_rows=0,
                                  use_columns=[raw.id_col]).to_arrow()
        numeric = flags.column(0).is_valid().to_numpy(zero_copy_only=False)
        inside = rows - 1 < len(numeric)
        hit = np.zeros(len(rows), dtype=bool)
        hit[inside] = numeric[rows[inside] - 1]
    raw.data[ID_NUMERIC] = raw.data[ID_NUMERIC] | (hit & digits)


# --------------------------------------------------------------------------- CSV

def decode_text(data: bytes) -> str:
    """Decode CSV bytes: BOM, then strict UTF-8, then GB18030, then charset detection."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                     (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(enc, errors="replace")
    for enc in ("utf-8", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    return str(best) if best is not None else data.decode("gb18030", errors="replace")


def _read_csv(path: Path, rel: str, limits: Limits) -> FileResult:
    text = decode_text(path.read_bytes())
    lines = pd.Series(text.splitlines() or [""], dtype=nz.STRING)
    sep = _separator([x for x in lines.head(100) if x and x.strip()][:20])
    width = int(lines.str.count(sep).max() or 0) + 1
    if len(lines) > limits.max_rows_per_sheet:
        raise _Refused("file.too_large", f"文件有 {len(lines)} 行，超过上限 {limits.max_rows_per_sheet} 行")
    frame = pd.read_csv(io.StringIO(text), sep=sep, header=None, names=range(width), dtype=str,
                        keep_default_na=False, skip_blank_lines=False, engine="c")
    table = pa.Table.from_pandas(frame.astype(object).where(frame.ne(""), None), preserve_index=False)
    _check_cells(table, "文件", limits)
    name = Path(rel).stem
    result = FileResult(rel, "csv", "已读取")
    named = hdr.match_sheet_name(name)
    raw = _recognise(rel, name, named if named in schema.DATA_SHEETS else None, table, result)
    if raw is not None:
        result.sheets.append(raw)
    _no_sheet(result)
    return result


def _separator(lines: list[str]) -> str:
    """The separator most of the first lines use (each line votes for the one it holds most of):
    a title line above the header holds none and does not decide."""
    votes = Counter(max(_SEPARATORS, key=line.count) for line in lines if any(s in line for s in _SEPARATORS))
    return votes.most_common(1)[0][0] if votes else ","


# --------------------------------------------------------------------------- sheets

def _recognise(rel: str, name: str, named: schema.Sheet | None, table: pa.Table | pa.RecordBatch,
               result: FileResult) -> RawSheet | None:
    """Find the header, name the columns, keep non-blank rows. None when the sheet is not a
    data sheet (then an issue is added only if its name said it was one)."""
    if table.num_columns == 0 or table.num_rows == 0:
        return None  # an empty sheet holds nothing to count or to report
    top = _top_rows(table, hdr.HEADER_SCAN_ROWS)
    candidates = (named,) if named is not None else schema.DATA_SHEETS
    min_fields = hdr.MIN_FIELDS_BY_NAME if named is not None else hdr.MIN_FIELDS_BY_HEADER
    match = hdr.find_header(top, candidates, min_fields)
    if match is None:
        if named is not None:
            result.issues.append(issue(
                rel, name, "sheet.no_header",
                f"工作表“{name}”的前{hdr.HEADER_SCAN_ROWS}行中找不到{named.name}表的表头"
                f"（如{'、'.join(f.header for f in named.fields[:4])}）"))
            result.rows_left_out.append((name, _count_nonblank(table)))
        return None
    sheet = match.sheet
    start = match.last_row + 1
    body = table.slice(start)
    columns: dict[str, pa.Array] = {}
    headers: dict[str, str] = {}
    dup = set(match.duplicates)
    id_col = None
    width = body.num_columns
    for col in range(width):
        written = match.headers[col] if col < len(match.headers) else None
        key = match.keys[col] if col < len(match.keys) else None
        if col in dup:
            result.issues.append(issue(
                rel, name, "sheet.duplicate_header",
                f"表头“{written}”（第{col + 1}列）与前面的列重复，本列未使用", column=written or ""))
            continue
        if key is None and written is not None and hdr.is_ignored_header(written):
            continue
        values = nz.clean_arrow(body.column(col))
        if key is not None:
            columns[key] = values
            headers[key] = written or sheet.header(key)
            if key == "id_number":
                id_col = col
            continue
        if written is None:
            if values.null_count == len(values):
                continue
            written = f"第{col + 1}列"
        extra = hdr.EXTRA_PREFIX + written
        if extra in columns:
            continue
        columns[extra] = values
        headers[extra] = written
        result.issues.append(issue(
            rel, name, "sheet.unknown_column",
            f"无法识别的列“{written}”，已保留但不参与统计", column=written, value=""))
    rows = np.arange(start + 1, start + 1 + body.num_rows, dtype=np.int64)
    if columns:  # a row whose every kept cell is blank is not a row
        keep = functools.reduce(pc.or_, [pc.is_valid(a) for a in columns.values()])
        columns = {k: a.filter(keep) for k, a in columns.items()}
        rows = rows[keep.to_numpy(zero_copy_only=False)]
    else:
        rows = rows[:0]
    numeric = np.zeros(len(rows), dtype=bool)
    if "id_number" in columns:
        numeric = nz._np(pc.match_substring_regex(columns["id_number"], _SCI))
    data: dict[str, object] = {k: pd.arrays.ArrowStringArray(pa.chunked_array([a])) for k, a in columns.items()}
    data[ROW], data[ID_NUMERIC] = rows, numeric  # made in one go: adding columns one by one costs more
    frame = pd.DataFrame(data, copy=False)
    return RawSheet(rel, name, sheet.key, frame, headers, len(rows), id_col)


def _count_nonblank(table: pa.Table | pa.RecordBatch) -> int:
    frame = table.to_pandas()
    return int(frame.notna().any(axis=1).sum())
