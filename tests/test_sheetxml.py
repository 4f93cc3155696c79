"""Data rows built column-wise as sheet XML and spliced into xlsxwriter's workbook: read back with
openpyxl and calamine (fastexcel) they hold what xlsxwriter's own cell-by-cell writes held."""

from __future__ import annotations

import re
import zipfile
from datetime import datetime

import numpy as np
import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from lxml import etree
import fastexcel
from xlsxwriter.utility import _datetime_to_excel_datetime

from conftest import person_id
from reportgen import schema
from reportgen.render.tables import TableSpec
from reportgen.render.xlsx import write_tables_xlsx
from reportgen.sheetxml import BulkWorkbook, Column, escape_text, excel_serials, rows_xml, xml_bytes
from reportgen.validate import catalog

PID = person_id("19850315", False, 7)
TRICKY = ["a&b<c>d\"e'f", "  两端有空格  ", "_x0041_", "=1+2", "第一党支部（机关）", "+SUM(A1)", ""]
CTX = {"members": {}, "findings": [], "tables": {}, "title": "测试"}


def _calamine(path, sheet):
    """The sheet as calamine (the reader inside fastexcel) reads it: rows of text, None where blank."""
    table = fastexcel.read_excel(str(path)).load_sheet(sheet, header_row=None, dtypes="string").to_arrow()
    return [list(row) for row in zip(*table.to_pydict().values())]


def _sheet_xml(path, n):
    with zipfile.ZipFile(path) as z:
        return z.read(f"xl/worksheets/sheet{n}.xml").decode()


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    """One report table of every column kind, a ledger, a two-level header and an empty table."""
    frame = pd.DataFrame({
        "名称": TRICKY + [f"身份证{PID}有误", None],
        "人数": pd.array([3, 0, 12, None, 7, 1_234_567, 5, 8, 9], dtype="Int64"),
        "平均年龄": [41.25, np.nan, 1 / 3, 50.0, 2.5, 60.125, 0.1, 33.3, 44.0],
        "占比": [0.5, 1 / 7, None, 0.0, 1.0, 0.123456789, 0.25, 0.75, 0.05],
        "日期": pd.to_datetime(["1900-02-28", "1900-03-01", "2026-09-30", None, "1899-12-31",
                              "2026-01-01 12:00", "1950-06-15", "2000-02-29", "1900-02-27"], format="ISO8601"),
    })
    merged = pd.DataFrame([["甲", 11, 0.5, 9, 0.25], ["乙", 4, 0.125, 6, 0.75]],
                          columns=pd.MultiIndex.from_tuples([("类别", ""), ("换届前", "人数"), ("换届前", "占比"),
                                                             ("换届后", "人数"), ("换届后", "占比")]))
    ledger = pd.DataFrame({"组织编码": ["A01", "A02", "A03"], "党组织名称": ["甲支部", "乙支部", None]})
    empty = pd.DataFrame({"名称": pd.Series([], dtype="str"), "人数": pd.Series([], dtype="int64")})
    specs = [TableSpec("t.kinds", "各类数据", frame, number=1),
             TableSpec("t.merged", "换届前后对比", merged, number=2),
             TableSpec("t.empty", "空表", empty, number=3),
             TableSpec("t.ledger", "测试名单", ledger, ledger=True)]
    root = tmp_path_factory.mktemp("sheetxml")
    a = write_tables_xlsx(CTX, root / "a.xlsx", rendered=specs)
    b = write_tables_xlsx(CTX, root / "b.xlsx", rendered=specs)
    return frame, a, b


def test_text_cells_read_back_as_typed(tables):
    frame, path, _ = tables
    ws = openpyxl.load_workbook(path)["表1 各类数据"]
    got = [ws.cell(r, 1).value for r in range(3, 3 + len(frame))]
    # openpyxl does not decode Excel's _xHHHH_ escapes in inline strings; calamine (below) does
    assert got[:2] == TRICKY[:2] and got[3:] == TRICKY[3:] + [f"身份证{PID[:6]}********{PID[-4:]}有误", None]
    assert got[2] == "_x005F_x0041_"
    assert all(ws.cell(r, 1).data_type == "s" for r in range(3, 3 + len(TRICKY) + 1))
    rows = _calamine(path, "表1 各类数据")
    assert [r[0] for r in rows[2:2 + len(TRICKY)]] == TRICKY  # "_x0041_" displays as typed
    xml = _sheet_xml(path, 2)
    assert "<f>" not in xml and PID not in xml and "a&amp;b&lt;c&gt;d\"e'f" in xml
    assert '<t xml:space="preserve">  两端有空格  </t>' in xml


def test_text_is_escaped_as_xlsxwriter_escapes_shared_strings(tmp_path):
    """Byte for byte the <t> text xlsxwriter gives the same strings in sharedStrings.xml."""
    values = ["_x0041_", "_X0041_ _x12G4_", "a\rb", "tab\tnl\n", "x\x07y\x1f", "&amp; <b>", "\ufffe",
              "中文_x005F_", "😀𠀀"]
    wb = xlsxwriter.Workbook(str(tmp_path / "ref.xlsx"))
    ws = wb.add_worksheet()
    for i, v in enumerate(values):
        ws.write_string(i, 0, v)
    wb.close()
    with zipfile.ZipFile(tmp_path / "ref.xlsx") as z:
        sst = z.read("xl/sharedStrings.xml").decode()
    theirs = dict(zip(range(len(values)), re.findall(r"<si><t[^>]*>(.*?)</t></si>", sst, re.S)))
    ours = escape_text(pd.Series(values)).to_pylist()
    # shared strings are stored once each in first-use order, all distinct here
    assert ours == [theirs[i] for i in range(len(values))]


def test_long_text_is_cut_to_excels_limit(tmp_path):
    long = "党" * 40_000
    astral = "a" + "😀" * 20_000  # 40,001 UTF-16 units: the cut falls inside a pair
    book = BulkWorkbook()
    ws = book.workbook.add_worksheet("x")
    book.append_rows(ws, [Column(pd.Series([long, astral, "短"]), "text")], 0)
    path = book.save(tmp_path / "long.xlsx")
    cells = [c.value for c in openpyxl.load_workbook(path)["x"]["A"]]
    assert cells[0] == "党" * 32_767 and cells[2] == "短"
    assert cells[1] == "a" + "😀" * 16_383  # 1 + 2 × 16,383 = 32,767 units, no half pair


def test_numbers_blanks_and_formats(tables):
    frame, path, _ = tables
    ws = openpyxl.load_workbook(path)["表1 各类数据"]
    n = len(frame)
    counts = [ws.cell(r, 2) for r in range(3, 3 + n)]
    assert [c.value for c in counts] == [3, 0, 12, None, 7, 1_234_567, 5, 8, 9]
    assert {c.number_format for c in counts} == {"#,##0"}  # the blank keeps the column format
    assert all(c.font.name == "宋体" and c.font.sz == 10 for c in counts)
    means = [ws.cell(r, 3) for r in range(3, 3 + n)]
    assert [c.value for c in means] == [None if pd.isna(v) else v for v in frame["平均年龄"]]
    assert {c.number_format for c in means} == {"0.0"}
    shares = [ws.cell(r, 4) for r in range(3, 3 + n)]
    assert [c.value for c in shares] == [None if pd.isna(v) else v for v in frame["占比"]]  # exact doubles
    assert {c.number_format for c in shares} == {"0.0%"} and shares[1].data_type == "n"
    rows = _calamine(path, "表1 各类数据")
    assert rows[2][1] == "3" and rows[5][1] is None and float(rows[3][3]) == pytest.approx(1 / 7)
    assert ws.freeze_panes == "A3" and ws.column_dimensions["A"].width > 8


def test_dates_around_excels_phantom_leap_day(tables):
    frame, path, _ = tables
    ws = openpyxl.load_workbook(path)["表1 各类数据"]
    cells = [ws.cell(r, 5) for r in range(3, 3 + len(frame))]
    assert {c.number_format for c in cells} == {"yyyy-mm-dd"}
    for cell, when in zip(cells, frame["日期"]):
        if pd.isna(when):
            assert cell.value is None
        elif when.year >= 1900:  # openpyxl knows the 1900-02-29 that never was
            assert cell.value == when.to_pydatetime(), cell.coordinate
    xml = _sheet_xml(path, 2)
    assert re.search(r'<c r="E3" s="\d+"><v>59</v>', xml) and re.search(r'<c r="E4" s="\d+"><v>61</v>', xml)
    rows = _calamine(path, "表1 各类数据")
    assert rows[2][4] == "1900-02-28 00:00:00" and rows[3][4] == "1900-03-01 00:00:00"


def test_serial_numbers_match_xlsxwriter_write_datetime():
    stamps = pd.Series(pd.to_datetime(
        ["1800-01-01", "1899-12-31 06:00", "1900-01-01", "1900-01-01 18:30", "1900-02-28 23:59:59",
         "1900-03-01", "1970-01-01", "2026-09-30 13:45:10.123456", "2262-04-11", "9999-12-31"],
        format="ISO8601").astype("datetime64[us]"))
    want = [_datetime_to_excel_datetime(t.to_pydatetime(), False, False) for t in stamps]
    assert excel_serials(stamps).tolist() == want
    ns = pd.Series(pd.to_datetime(["2026-09-30 13:45:10.123456789", None]))
    got = excel_serials(ns)
    assert got[0] == _datetime_to_excel_datetime(ns[0].to_pydatetime(warn=False), False, False)
    assert np.isnan(got[1])
    aware = pd.Series(pd.to_datetime(["2026-09-30 08:00"]).tz_localize("Asia/Shanghai"))
    assert excel_serials(aware)[0] == _datetime_to_excel_datetime(datetime(2026, 9, 30, 8), False, False)


def test_two_level_header_and_empty_table(tables):
    _, path, _ = tables
    wb = openpyxl.load_workbook(path)
    ws = wb["表2 换届前后对比"]
    assert {"A2:A3", "B2:C2", "D2:E2"} <= {str(r) for r in ws.merged_cells.ranges}
    assert [c.value for c in ws[4]] == ["甲", 11, 0.5, 9, 0.25]
    assert [c.value for c in ws[5]] == ["乙", 4, 0.125, 6, 0.75]
    assert ws["C5"].number_format == "0.0%" and ws["B5"].number_format == "#,##0"
    assert ws.freeze_panes == "A4" and ws.max_row == 5
    assert '<dimension ref="A1:E5"/>' in _sheet_xml(path, 3)
    empty = wb["表3 空表"]
    assert empty.max_row == 2 and [c.value for c in empty[2]] == ["名称", "人数"]
    ledger = wb["清单 测试名单"]
    assert ledger.auto_filter.ref == "A2:B5" and ledger["B5"].value is None and ledger["A5"].value == "A03"


def test_same_inputs_same_bytes_and_fixed_entry_dates(tables):
    _, a, b = tables
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        names = z.namelist()
        for name in names:  # every part well-formed XML (strict parser, no recovery)
            etree.fromstring(z.read(name))
    assert names[:3] == ["[Content_Types].xml", "_rels/.rels", "xl/_rels/workbook.xml.rels"]
    assert not list(a.parent.glob(".*.tmp"))


def test_spliced_cells_carry_the_formats_xlsxwriter_gives(tmp_path):
    """The same cells written by xlsxwriter one by one and as a spliced block read back the same:
    this is what catches a change in xlsxwriter's (private) style numbering."""
    values = pd.DataFrame({"t": ["甲", None, "=1"], "n": [1.5, None, 3.0],
                           "d": pd.to_datetime(["2026-01-02", None, "1899-12-31"])})
    severity = pd.Series([catalog.ERROR, catalog.WARNING, "提示"])

    def formats(wb):
        return [wb.add_format({"font_name": "宋体", "font_size": 10, "bold": True, "border": 1}),
                wb.add_format({"num_format": "0.00", "italic": True}),
                wb.add_format({"num_format": "yyyy-mm-dd", "font_color": "#9C0006"}),
                wb.add_format({"bg_color": "#FFC7CE"}), wb.add_format({"bg_color": "#FFEB9C"}),
                wb.add_format({"font_name": "黑体"})]

    ref = xlsxwriter.Workbook(str(tmp_path / "ref.xlsx"))
    f = formats(ref)
    ws = ref.add_worksheet("x")
    ws.write_string(0, 0, "表头", f[5])
    for i, (t, n, d) in enumerate(values.itertuples(index=False), 1):
        ws.write_blank(i, 0, None, f[0]) if pd.isna(t) else ws.write_string(i, 0, t, f[0])
        ws.write_blank(i, 1, None, f[1]) if pd.isna(n) else ws.write_number(i, 1, n, f[1])
        ws.write_blank(i, 2, None, f[2]) if pd.isna(d) else ws.write_datetime(i, 2, d.to_pydatetime(), f[2])
        ws.write_string(i, 3, severity[i - 1], {catalog.ERROR: f[3], catalog.WARNING: f[4]}.get(severity[i - 1], f[5]))
        ws.write_blank(i, 4, None, f[1])
    ref.close()

    book = BulkWorkbook()
    f = formats(book.workbook)
    ws = book.workbook.add_worksheet("x")
    ws.write_string(0, 0, "表头", f[5])
    colours = np.where(severity == catalog.ERROR, book.style(f[3]),
                       np.where(severity == catalog.WARNING, book.style(f[4]), book.style(f[5])))
    book.append_rows(ws, [Column(values["t"], "text", book.style(f[0])),
                          Column(values["n"], "number", book.style(f[1])),
                          Column(values["d"], "date", book.style(f[2])),
                          Column(severity, "text", colours), Column(None, "blank", book.style(f[1]))], 1)
    book.save(tmp_path / "new.xlsx")

    def cells(path):
        sheet = openpyxl.load_workbook(path)["x"]
        return [(c.coordinate, c.value, c.data_type, c.number_format, c.font.name, c.font.b, c.font.i,
                 c.font.color.rgb if c.font.color else None, c.fill.fgColor.rgb, c.border.left.style)
                for row in sheet.iter_rows() for c in row]

    assert cells(tmp_path / "new.xlsx") == cells(tmp_path / "ref.xlsx")
    assert _calamine(tmp_path / "new.xlsx", "x") == _calamine(tmp_path / "ref.xlsx", "x")


def test_rows_may_not_overlap_what_xlsxwriter_wrote(tmp_path):
    book = BulkWorkbook()
    ws = book.workbook.add_worksheet("x")
    ws.write_string(2, 0, "第三行")
    book.append_rows(ws, [Column(pd.Series(["冲突"]), "text")], 2)
    with pytest.raises(ValueError, match="overlap"):
        book.save(tmp_path / "bad.xlsx")
    assert not (tmp_path / "bad.xlsx").exists()


def test_row_xml_of_a_block_and_of_nothing():
    rows = rows_xml([Column(pd.Series(["a", None]), "text", 3), Column(pd.Series([1.0, np.inf]), "number", 4)],
                    first_row=4, first_col=1)
    assert bytes(xml_bytes(rows)).decode() == (
        '<row r="5"><c r="B5" s="3" t="inlineStr"><is><t xml:space="preserve">a</t></is></c>'
        '<c r="C5" s="4"><v>1</v></c></row>'
        '<row r="6"><c r="B6" s="3"/><c r="C6" s="4"/></row>')
    assert len(rows_xml([Column(pd.Series([], dtype="str"), "text", 1)], 3)) == 0
    with pytest.raises(ValueError, match="lengths"):
        rows_xml([Column(pd.Series(["a"]), "text"), Column(pd.Series([1, 2]), "number")], 0)


def test_validation_sheet_keeps_its_severity_colours(tmp_path):
    from reportgen.dataset import Dataset
    from reportgen.periods import parse_period
    from reportgen.validate.workbook import write_validation_xlsx

    n = 500
    sev = np.where(np.arange(n) % 3 == 0, catalog.ERROR, catalog.WARNING)
    issues = pd.DataFrame({
        "file": ["a.xlsx"] * n, "sheet": [schema.MEMBERS.name] * n,
        "row": pd.array([i + 2 if i % 7 else None for i in range(n)], dtype="Int64"),
        "column": ["姓名"] * n, "value": [f"=HYPERLINK(\"x\",{i})" if i % 5 == 0 else f"值{i}" for i in range(n)],
        "rule": ["row.enum"] * n, "severity": sev, "message": [f"第{i}行 <有误> & 请核对" for i in range(n)]})
    ds = Dataset(period=parse_period("2026Q3"), issues=issues)
    path = write_validation_xlsx(ds, tmp_path / "v.xlsx")
    ws = openpyxl.load_workbook(path)["问题清单"]
    header = [c.value for c in ws[1]]
    col = header.index("严重程度") + 1
    fills = [ws.cell(r, col).fill.fgColor.rgb[-6:] for r in range(2, 2 + n)]
    assert fills == ["FFC7CE" if s == catalog.ERROR else "FFEB9C" for s in sev]
    assert all(ws.cell(r, col).value == sev[r - 2] for r in (2, 3, 4, n + 1))
    row_col = header.index("行号") + 1
    assert [ws.cell(r, row_col).value for r in range(2, 9)] == [None, 3, 4, 5, 6, 7, 8]
    assert ws.cell(2, row_col).number_format == "0"
    msg = ws.cell(2, header.index("说明") + 1)
    assert msg.value == "第0行 <有误> & 请核对" and msg.alignment.wrap_text
    value = ws.cell(2, header.index("值") + 1)
    assert value.value == "=HYPERLINK(\"x\",0)" and value.data_type == "s"
    assert ws.max_row == n + 1 and ws.auto_filter.ref == f"A1:I{n + 1}"
