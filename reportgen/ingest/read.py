"""Reading one submitted file into raw sheets: cells as text, header found, columns named.

Workbooks are read with fastexcel (calamine) with every cell as text, so ID and phone numbers
never become numbers. IDs that Excel stored as numbers have lost their last digits: for .xlsx
the size guard's inflate pass already found the big number cells in the sheet XML (xlsxscan);
for other formats, or a sheet that scan could not vouch for, the ID column is read a second time
with fastexcel's boolean conversion, which is non-null exactly for number cells. CSV text is decoded BOM → strict UTF-8 → GB18030 → charset detection; an ID in
scientific notation (``9.90101E+17``) there, or anywhere, is a number too.

Rows are numbered as the user sees them in Excel (1-based, title and header rows counted).
A row whose every kept cell is blank is not a row: it is neither read nor counted. A row that is
not data — a total (合计/小计), a section title ("一、非公有制企业"), a note ("注：…"), a signature
line (填表人/审核人/联系电话), a filled-in example (示例) — is read and skipped: it reaches no
rule, and leaves with a line of severity 已跳过 (``RawSheet.skipped``). Sheets that are not data
(填表说明, hidden drop-down lists, sheets without a header) get such a line too; hidden sheets
and columns that are data are read, with a warning.
"""

from __future__ import annotations

import codecs
import functools
import io
import re
import unicodedata
import zipfile
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
from . import xlsxscan
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
    rows_read: int  # data rows and skipped rows (rows read = counted + left out + skipped)
    id_col: int | None = None  # position of the ID column in the sheet as read
    skipped: list[dict] = field(default_factory=list)  # one 已跳过 issue line per row not data

    @property
    def rows_skipped(self) -> int:
        return len(self.skipped)


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
        if named is None and _INSTRUCTIONS.search(hdr.normalize_header(name)):
            result.issues.append(issue(rel, name, "sheet.skipped_instructions",
                                       f"工作表“{name}”是填表说明，不是数据，未读取"))
            continue
        sheet = reader.load_sheet(idx, header_row=None, dtypes="string", skip_rows=0)
        visibility = sheet.visible
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
        hidden = visibility != "visible"
        raw = _recognise(rel, name, named, table, result, sniffed.hidden.get(name), columns)
        if raw is None:
            if named is None and table.num_rows and table.num_columns:
                _not_data_sheet(rel, name, table, hidden, result)
            del table
            continue
        del table
        if hidden and raw.rows_read:
            how = "深度隐藏（veryHidden）" if visibility == "veryhidden" else "隐藏"
            result.issues.append(issue(
                rel, name, "sheet.hidden_read",
                f"工作表“{name}”是{how}的，但其表头是{_kind_name(raw)}表，其中 {raw.rows_read} 行已读取并计入统计"))
        if raw.id_col is not None:
            _mark_numeric_ids(reader, idx, raw, sniffed.big_numbers.get(name), columns[raw.id_col])
        result.sheets.append(raw)
    if sniffed.kind == "xlsx":
        for name in _chart_sheets(path):  # fastexcel lists them as empty sheets, or not at all
            result.issues.append(issue(rel, name, "sheet.skipped_other", f"工作表“{name}”是图表，不是数据，未读取"))
    _no_sheet(result)
    return result


def _chart_sheets(path: Path) -> list[str]:
    """Names of an .xlsx's chart sheets (the reader does not list them): a 已跳过 line each."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if not any(n.startswith("xl/chartsheets/") for n in names) or "xl/_rels/workbook.xml.rels" not in names:
                return []
            parts = xlsxscan.sheet_parts(zf.read("xl/workbook.xml"), zf.read("xl/_rels/workbook.xml.rels"))
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, EOFError):
        return []
    return [n for n, part in parts.items() if part.startswith("xl/chartsheets/")]


_INSTRUCTIONS = re.compile(r"^(填表|填报|填写|使用|操作)?(说明|须知|指南)|^(填写|填报)?(示例|样表|范例)$|注意事项")


_DICTIONARY = re.compile(r"字典|选项|下拉|列表|数据源|数据有效性|代码表|dict|list|option|lookup")


def _kind_name(raw: RawSheet) -> str:
    return schema.sheet(raw.key).name


def _not_data_sheet(rel: str, name: str, table: pa.Table | pa.RecordBatch, hidden: bool,
                    result: FileResult) -> None:
    """A 已跳过 line for a sheet that holds something but is not a data sheet."""
    top = _top_rows(table, 200)
    used = sum(1 for col in zip(*top) if any(c is not None and str(c).strip() for c in col)) if top else 0
    short = all(c is None or len(str(c).strip()) <= 30 for r in top for c in r)
    if hidden and (used <= 3 or short or _DICTIONARY.search(hdr.normalize_header(name))):
        result.issues.append(issue(rel, name, "sheet.skipped_dictionary",
                                   f"工作表“{name}”是隐藏的字典表（下拉选项列表），不是数据，未读取"))
        return
    how = "隐藏的" if hidden else ""
    near = hdr.find_header(top[:hdr.HEADER_SCAN_ROWS], schema.DATA_SHEETS, 1)
    if near is not None:  # the fix names the headers of the sheet it looks like
        sheet = near.sheet
        found = "、".join(dict.fromkeys(h for h, k in zip(near.headers, near.keys) if k is not None and h))
        need = "、".join(f.header for f in sheet.fields if f.required)
        detail = (f"{how}工作表“{name}”只认出了{sheet.name}表的“{found}”，不足以确认是{sheet.name}表，未读取；"
                  f"如该表是{sheet.name}表，表头应有：{need}")
    else:
        heads = "；".join(f"{s.name}表如{'、'.join(s.header(k) for k in hdr.IDENTITY[s.key])}"
                         for s in schema.DATA_SHEETS)
        detail = f"{how}工作表“{name}”中找不到数据表的表头（{heads}），不是数据表，未读取"
    result.issues.append(issue(rel, name, "sheet.skipped_other", detail))


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
        heads = "；".join(f"{s.name}表：{'、'.join(f.header for f in s.fields if f.required)}"
                         for s in schema.DATA_SHEETS)
        result.issues.append(issue(result.file, "", "file.no_sheet",
                                   f"文件中没有可识别的数据工作表（工作表名称应为{names}之一，"
                                   f"或带有这些表的表头——{heads}）；各工作表未读取的原因见本文件的“已跳过”行"))
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
               result: FileResult, hidden: tuple | None = None,
               absolute: list[int] | None = None) -> RawSheet | None:
    """Find the header, name the columns, keep non-blank rows, skip the rows that are not data.
    None when the sheet is not a data sheet (then an issue is added only if its name said it
    was one). ``hidden``: the sheet's (hidden rows, hidden columns, autofilter rows) from the
    XML scan; ``absolute``: the sheet column index of each column of ``table``."""
    if table.num_columns == 0 or table.num_rows == 0:
        return None  # an empty sheet holds nothing to count or to report
    top = _top_rows(table, hdr.HEADER_SCAN_ROWS)
    candidates = (named,) if named is not None else schema.DATA_SHEETS
    min_fields = hdr.MIN_FIELDS_BY_NAME if named is not None else hdr.MIN_FIELDS_BY_HEADER
    match = hdr.find_header(top, candidates, min_fields, identity=named is None)
    if match is None:
        if named is not None:
            result.issues.append(issue(
                rel, name, "sheet.no_header",
                f"工作表“{name}”的前{hdr.HEADER_SCAN_ROWS}行中找不到{named.name}表的表头"
                f"（{named.name}表的表头应有：{'、'.join(f.header for f in named.fields if f.required)}）"))
            result.rows_left_out.append((name, _count_nonblank(table)))
        return None
    sheet = match.sheet
    start = match.last_row + 1
    body = table.slice(start)
    width = body.num_columns
    hidden_cols = set()
    if hidden is not None and len(hidden[1]):
        pos = absolute if absolute is not None else list(range(width))
        hidden_at = set(hidden[1].tolist())
        hidden_cols = {c for c in range(min(width, len(pos))) if pos[c] in hidden_at}
    chosen = _choose_columns(rel, name, match, hidden_cols, width, result)
    columns: dict[str, pa.Array] = {}
    headers: dict[str, str] = {}
    id_col = None
    onehot: dict[str, list[tuple[int, str]]] = {}
    for col in range(width):
        written = match.headers[col] if col < len(match.headers) else None
        key = match.keys[col] if col < len(match.keys) else None
        if col in match.onehot:
            okey, value, group = match.onehot[col]
            onehot.setdefault(okey, []).append((col, value))
            headers.setdefault(okey, group)
            continue
        if key is not None and chosen.get(key) != col:
            continue  # a duplicate column: reported by _choose_columns
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
        if hdr.is_known_column(sheet.key, written):
            continue  # a column of another system's layout (党龄, 学位 …): kept, nothing to fix
        result.issues.append(issue(
            rel, name, "sheet.unknown_column",
            f"无法识别的列“{written}”，已保留但不参与统计", column=written, value=""))
    for key, group in onehot.items():
        if key not in columns:
            columns[key] = _one_hot(body, group)
    rows = np.arange(start + 1, start + 1 + body.num_rows, dtype=np.int64)
    furniture = _furniture(body, match, columns, rows)
    skipped: list[dict] = []
    if columns:  # a row whose every kept cell is blank is not a row
        keep = functools.reduce(pc.or_, [pc.is_valid(a) for a in columns.values()])
        keep = keep.to_numpy(zero_copy_only=False)
        if furniture is not None:
            skip_mask, reasons = furniture
            skipped = _skipped_lines(rel, name, rows[skip_mask], reasons)
            keep = keep & ~skip_mask
        keep_arr = pa.array(keep)
        columns = {k: a.filter(keep_arr) for k, a in columns.items()}
        rows = rows[keep]
    else:
        rows = rows[:0]
    numeric = np.zeros(len(rows), dtype=bool)
    if "id_number" in columns:
        numeric = nz._np(pc.match_substring_regex(columns["id_number"], _SCI))
    data: dict[str, object] = {k: pd.arrays.ArrowStringArray(pa.chunked_array([a])) for k, a in columns.items()}
    data[ROW], data[ID_NUMERIC] = rows, numeric  # made in one go: adding columns one by one costs more
    frame = pd.DataFrame(data, copy=False)
    if hidden is not None and len(hidden[0]) and len(rows):
        _hidden_rows(rel, name, rows, hidden, result)
    return RawSheet(rel, name, sheet.key, frame, headers, len(rows) + len(skipped), id_col, skipped)


def _choose_columns(rel: str, name: str, match: hdr.HeaderMatch, hidden_cols: set[int], width: int,
                    result: FileResult) -> dict[str, int]:
    """The column read for each field: the first visible one of its columns (a hidden column
    holding a stale copy of a field never wins over a visible one; for a code field, a column
    headed as a code wins over one holding names); the others are reported."""
    by_key: dict[str, list[int]] = {}
    for col in range(min(width, len(match.keys))):
        key = match.keys[col]
        if key is not None and col not in match.onehot:
            by_key.setdefault(key, []).append(col)
    chosen: dict[str, int] = {}
    for key, cols in by_key.items():
        visible = [c for c in cols if c not in hidden_cols] or cols
        coded: list[int] = []
        if match.sheet.field(key).type == "code":  # 所在党支部 beside 所在党支部编码: the code wins
            coded = [c for c in visible if re.search("编码|代码", match.headers[c] or "")]
            visible = coded or visible
        pick = visible[0]
        chosen[key] = pick
        for col in cols:
            written = match.headers[col] or ""
            if pick in coded and col not in coded and col not in hidden_cols:
                continue  # the organization's name beside its code: an ordinary layout, nothing to fix
            if col == pick:
                if col in hidden_cols:
                    result.issues.append(issue(
                        rel, name, "sheet.hidden_column",
                        f"第{col + 1}列“{written}”是隐藏列，已读取并计入统计", column=written))
                continue
            if col in hidden_cols and pick not in hidden_cols:
                result.issues.append(issue(
                    rel, name, "sheet.hidden_column",
                    f"隐藏的第{col + 1}列“{written}”与可见的第{pick + 1}列“{match.headers[pick] or ''}”"
                    "表头相同，使用可见列，隐藏列未使用", column=written))
            else:
                result.issues.append(issue(
                    rel, name, "sheet.duplicate_header",
                    f"表头“{written}”（第{col + 1}列）与第{pick + 1}列重复，本列未使用", column=written))
    return chosen


_MARK_NO = r"^(?:[×xX✗✘否无0]|不是|没有)?$"


def _one_hot(body: pa.Table | pa.RecordBatch, group: list[tuple[int, str]]) -> pa.Array:
    """One enumerated field from its one-hot columns (vectorised): the value whose column is
    marked ("√", "是", "1"…); two or more marks give their values joined ("单独组建、联合组建",
    which the enumeration rule reports), none gives a blank (the required rule reports it)."""
    marks = []
    for col, _value in group:
        cell = nz.clean_arrow(body.column(col))
        marks.append(pc.and_(pc.is_valid(cell),
                             pc.invert(pc.fill_null(pc.match_substring_regex(cell, _MARK_NO), False))))
    parts = [pc.if_else(m, pa.scalar(v + "、", pa.large_string()), pa.scalar("", pa.large_string()))
             for m, (_c, v) in zip(marks, group)]
    # no nulls in the parts: binary_join_element_wise with null handling loses rows (pyarrow)
    joined = pc.binary_join_element_wise(*parts, pa.scalar("", pa.large_string()))
    joined = pc.replace_substring_regex(joined, "、$", "")
    return pc.if_else(pc.equal(joined, ""), pa.scalar(None, pa.large_string()), joined)


# Not-data rows: the first non-blank text among the first FURNITURE_COLUMNS cells of a row.
FURNITURE_COLUMNS = 4
_TOTAL = r"^(?:合计|小计|总计|共计|累计|总合计)(?:[:：(（].*)?$"
_SECTION = r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[）)]|第[一二三四五六七八九十]+[部类])"
_NOTE = r"^(?:注|说明|备注|附注|填表说明|填报说明|注意)\d*[:：、.．]|^注\d"
_SIGNATURE = (r"^(?:填表人|填报人|审核人|审批人|制表人|负责人|单位负责人|主要负责人|联系人|联系电话|"
              r"报出日期|报出时间|填报日期|填报时间|填表日期|填表时间|报送日期|报送时间|填报单位|报送单位|"
              r"单位[（(]盖章[）)]|[（(]盖章[）)]|盖章)")
_EXAMPLE = r"^(?:示例|填写示例|填表示例|样例|范例|例)(?:[:：\d].*)?$|^例[:：]"
# A loose first-character filter for all of them, on text not yet cleaned (NFKC: （ = ( ).
_LEAD = (r"^\s*(?:合|小\s*计|总|共\s*计|累\s*计|[一二三四五六七八九十]+\s*[、.．]|[（(]\s*[一二三四五六七八九十]|"
         r"第[一二三四五六七八九十]|注|说\s*明|备\s*注|附\s*注|填|审|制\s*表|负\s*责|单\s*位|主\s*要|联\s*系|"
         r"报|盖|示|样|范\s*例|例)")
_NUMERIC = r"^(?:[-+]?[\d,，]*\.?\d+%?|[-—/／\\]+)$"
# A figure as a total row writes it: "共118人", "计5个", "合计：36名", "12户" (no person, no name)
_FIGURE = (r"^(?:[-+]?[\d,，]*\.?\d+%?|[-—/／\\]+|(?:共|计|合计|小计|总计|共计)[:：]?[\d,，]*\.?\d+"
           r"(?:人|名|个|户|家|项|条|次|位|支|所|%)?|[\d,，]*\.?\d+(?:人|名|个|户|家|项|条|次|位|支|所))$")
_LATE_REASONS = ("row.skipped_signature", "row.skipped_note")  # may start past FURNITURE_COLUMNS
_REASONS = (("row.skipped_example", _EXAMPLE), ("row.skipped_total", _TOTAL),
            ("row.skipped_section", _SECTION), ("row.skipped_note", _NOTE),
            ("row.skipped_signature", _SIGNATURE))


def _furniture(body: pa.Table | pa.RecordBatch, match: hdr.HeaderMatch, columns: dict[str, pa.Array],
               rows: np.ndarray) -> tuple[np.ndarray, list[tuple[str, str]]] | None:
    """Which rows of ``body`` are not data, and why: (mask, [(rule, text)] per masked row).

    Vectorised: one regex over the first non-blank text of the first few cells of every row finds
    the candidates; only those (usually none) are looked at further. A total, section or note
    row must hold none of the sheet's identity fields (other than the text itself, or a figure
    such as "共118人"), no ID number, and nothing but figures besides its text; a signature line
    (which may start past the first cells, as may a note) no ID number and blanks in most cells; an
    example row (示例, 例：) is skipped whatever else it holds."""
    n = body.num_rows
    if n == 0:
        return None
    firsts = [body.column(c) for c in range(min(FURNITURE_COLUMNS, body.num_columns))]
    if len({a.type for a in firsts}) > 1:
        firsts = [a.cast(pa.large_string()) for a in firsts]
    first = pc.coalesce(*firsts) if len(firsts) > 1 else firsts[0]
    # a 落款 line or a note may start further right (its first cells blank): the first text of the
    # rest of the row stands in, for those two kinds only
    late_only = np.zeros(n, dtype=bool)
    if body.num_columns > FURNITURE_COLUMNS:
        rest = [body.column(c).cast(pa.large_string()) for c in range(FURNITURE_COLUMNS, body.num_columns)]
        late = pc.coalesce(*rest) if len(rest) > 1 else rest[0]
        late_only = pc.and_(pc.is_null(first), pc.is_valid(late)).to_numpy(zero_copy_only=False)
        if late_only.any():
            first = pc.coalesce(first.cast(pa.large_string()), late)
    # one anchored RE2 pass over the raw text (most rows fail on their first character); the
    # few candidates are cleaned and matched precisely below
    cand = pc.fill_null(pc.match_substring_regex(first, _LEAD), False).to_numpy(zero_copy_only=False)
    if not cand.any():
        return None
    idx = np.flatnonzero(cand)
    take = pa.array(idx)
    texts = [re.sub(r"\s+", "", unicodedata.normalize("NFKC", t)) if t else "" for t in pc.take(first, take).to_pylist()]
    rules = [next((r for r, p in _REASONS if re.search(p, t)), None) for t in texts]
    rules = [None if late_only[i] and r not in _LATE_REASONS else r for i, r in zip(idx.tolist(), rules)]
    keep_cand = np.array([r is not None for r in rules], dtype=bool)
    if not keep_cand.any():
        return None
    idx, texts, rules = idx[keep_cand], [t for t, k in zip(texts, keep_cand) if k], [r for r in rules if r]
    take = pa.array(idx)
    first = pa.array(texts, pa.large_string())  # the candidates' cleaned texts
    sub = body.take(take)
    cells = [nz.clean_arrow(sub.column(c)) for c in range(sub.num_columns)]
    nonblank = np.sum([pc.is_valid(c).to_numpy(zero_copy_only=False) for c in cells], axis=0)
    nonnum = np.sum([pc.and_(pc.is_valid(c), pc.invert(pc.fill_null(pc.match_substring_regex(
        pc.replace_substring_regex(c, r"\s+", ""), _FIGURE), False))).to_numpy(zero_copy_only=False)
        for c in cells], axis=0)
    ident = np.zeros(len(idx), dtype=bool)
    for key in hdr.IDENTITY.get(match.sheet.key, ()):
        if key in columns:
            v = pc.take(columns[key], take)
            compact = pc.replace_substring_regex(v, r"\s+", "")
            other = pc.and_(pc.is_valid(v), pc.fill_null(pc.not_equal(compact, first), True))
            other = pc.and_(other, pc.invert(pc.fill_null(pc.match_substring_regex(compact, _FIGURE), False)))
            ident |= other.to_numpy(zero_copy_only=False)
    id_like = np.zeros(len(idx), dtype=bool)
    if "id_number" in columns:
        id_like = pc.fill_null(pc.match_substring_regex(pc.take(columns["id_number"], take), r"\d{15}"),
                               False).to_numpy(zero_copy_only=False)
    mask = np.zeros(n, dtype=bool)
    reasons: list[tuple[str, str]] = []
    width = max(body.num_columns, 1)
    for j, (text, rule) in enumerate(zip(texts, rules)):
        if rule == "row.skipped_signature":
            ok = not id_like[j] and nonblank[j] <= max(6, width // 2)
        elif rule == "row.skipped_example":
            ok = True
        else:  # a total's figures ("共118人") are not a name; an ID number never is furniture
            ok = not ident[j] and not id_like[j] and nonnum[j] <= 1
        if ok:
            mask[idx[j]] = True
            reasons.append((rule, text or ""))
    return (mask, reasons) if mask.any() else None


def _skipped_lines(rel: str, name: str, rows: np.ndarray, reasons: list[tuple[str, str]]) -> list[dict]:
    """One 已跳过 issue line per skipped row (per-row Python: these rows are few)."""
    what = {"row.skipped_total": "合计行", "row.skipped_section": "分组标题行", "row.skipped_note": "注释说明行",
            "row.skipped_signature": "落款行", "row.skipped_example": "填写示例行"}
    out = []
    for row, (rule, text) in zip(rows.tolist(), reasons):
        short = text if len(text) <= 30 else text[:30] + "…"
        out.append(issue(rel, name, rule, f"第{row}行“{short}”是{what[rule]}，不是数据，未计入统计",
                         value=short, row=row))
    return out


def _hidden_rows(rel: str, name: str, rows: np.ndarray, hidden: tuple, result: FileResult) -> None:
    """A warning for data rows hidden by hand (not by an autofilter): they are read and counted."""
    hidden_rows, _cols, auto = hidden
    hit = np.isin(rows, hidden_rows)
    if auto is not None:
        hit &= ~((rows >= auto[0]) & (rows <= auto[1]))
    if not hit.any():
        return
    found = rows[hit]
    result.issues.append(issue(
        rel, name, "sheet.hidden_rows",
        f"第{int(found[0])}行等{len(found)}行被隐藏（不是筛选隐藏的），已读取并计入统计", row=None))


def _count_nonblank(table: pa.Table | pa.RecordBatch) -> int:
    frame = table.to_pandas()
    return int(frame.notna().any(axis=1).sum())
