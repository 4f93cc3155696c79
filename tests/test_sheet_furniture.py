"""Not-data rows and sheets (issue 16 items 4-5, issue 17 item 4): title rows, 填报单位/填表人
lines, 合计/小计 rows, section rows, notes, signature lines, 填写示例 rows, a 填表说明 sheet, a hidden
字典 sheet, a hidden members sheet with a name that says nothing, a hidden stale column, rows
hidden by an autofilter and by hand. Exact counts: rows read = counted + left out + skipped per
file and sheet; no 错误 from any of it; one 已跳过 line per skipped item with its reason."""

from __future__ import annotations

import openpyxl
import pytest
from openpyxl.chart import BarChart, Reference

from reportgen import schema
from reportgen.indicators import compute
from reportgen.ingest import load
from reportgen.validate.workbook import write_validation_xlsx

from conftest import person_id, valid_sheets, write_csv

MEMBER_HEADERS = ["序号", "姓名", "公民身份号码", "学历", "性别", "出生日期", "学历", "入党日期", "转正日期",
                  "所在党组织编码", "工作岗位"]


def _member(seq, name, birth, male=True, org="A0101", stale="高中"):
    b = birth.replace("-", "")
    return [seq, name, person_id(b, male, seq), stale, "男" if male else "女", birth, "大学本科",
            "2015-07-01", "2016-07-01", org, "工人"]


@pytest.fixture
def folder(tmp_path):
    folder = tmp_path / "2026Q3"
    folder.mkdir()
    book = openpyxl.Workbook()
    book.remove(book.active)
    ws = book.create_sheet("党组织")
    for r in valid_sheets()[schema.ORGS.name]:
        ws.append(r)
    ws.row_dimensions[3].hidden = True  # hidden by hand, no autofilter: read, counted, warned

    ws = book.create_sheet("党员")
    ws.append(["2026年第三季度党员花名册"])                                       # 1 title
    ws.append(["填报单位（盖章）：示例区城东街道", None, None, None, None, "报出时间：2026-10-08"])  # 2
    ws.append(MEMBER_HEADERS)                                                   # 3 header
    ws.append(["示例", "张示例", person_id("19800101", True, 90), "高中", "男", "1980-01-01", "大学本科",
               "2010-07-01", "2011-07-01", "A0101", "工人"])                    # 4 example
    ws.append(["一、机关党员"])                                                  # 5 section
    ws.append(_member(1, "甲一", "1990-01-01"))                                  # 6
    ws.append(_member(2, "乙二", "1985-03-15", male=False))                      # 7 (hidden by the filter)
    ws.append(_member(3, "丙三", "1970-07-07"))                                  # 8
    ws.append([None] * 11)                                                       # 9 blank: not a row
    ws.append(["（二）社会组织党员"])                                            # 10 section
    ws.append(_member(4, "丁四", "1992-02-02", org="A0102"))                     # 11
    ws.append(_member(5, "戊五", "1993-03-03", male=False, org="A0102"))         # 12
    ws.append(["小计", 2])                                                       # 13 subtotal
    ws.append([None, "合计", None, None, 5])                                     # 14 total
    ws.append(["注：1.本表由各党支部填报；2.日期格式为2010-05-01。"])              # 15 note
    ws.append(["审核人：", "王审核", None, "填表人：", "李填表", "联系电话：", "13800000000"])  # 16 signature
    ws.column_dimensions["D"].hidden = True  # a stale copy of 学历, hidden
    ws.auto_filter.ref = "A3:K12"
    ws.row_dimensions[7].hidden = True  # hidden by the filter: data, counted, no warning

    ws = book.create_sheet("填表说明")
    ws.append(["填表说明"])
    ws.append(["1. 每名党员一行"])
    ws.append(["示例", "张三", person_id("19800101", True, 91)])

    ws = book.create_sheet("字典")
    for v in (["男", "研究生"], ["女", "大学本科"], [None, "大学专科"]):
        ws.append(v)
    ws.sheet_state = "hidden"

    ws = book.create_sheet("Sheet3")  # a hidden roster whose name says nothing (issue 17)
    ws.append(["姓名", "公民身份号码", "性别", "出生日期", "学历", "入党日期", "所在党组织编码"])
    ws.append(["己六", person_id("19880808", True, 6), "男", "1988-08-08", "大学本科", "2012-07-01", "A0101"])
    ws.append(["庚七", person_id("19890909", False, 7), "女", "1989-09-09", "硕士", "2013-07-01", "A0102"])
    ws.sheet_state = "veryHidden"
    chart = BarChart()
    chart.add_data(Reference(book["党员"], min_col=1, min_row=6, max_row=8))
    book.create_chartsheet("图表").add_chart(chart)  # a chart sheet: not data, with a line
    book.save(folder / "城东街道.xlsx")
    # a CSV with a total and a signature line (a title row above a CSV header is the CSV
    # separator's business: helper 'files')
    head = [f.header for f in schema.ELECTIONS.fields]
    write_csv(folder / "换届选举.csv", [
        head,
        ["A0101", "2026-08-15", None, "党员大会", 25, 23, 5, 6],
        ["合计", None, None, None, 25, 23, 5, 6],
        ["填表人：李填表", None, None, None, None, None, None, None]], encoding="utf-8-sig")
    return folder


@pytest.fixture
def ds(folder):
    return load(folder, period="2026Q3")


def _lines(ds, sheet):
    return ds.issues[ds.issues["sheet"] == sheet]


def test_members_counted_exactly(ds):
    assert sorted(ds.members["name"]) == ["丁四", "丙三", "乙二", "己六", "庚七", "戊五", "甲一"]
    assert compute(ds)["members.total"] == 7
    assert "张示例" not in set(ds.members["name"])  # the example row is not a member


def test_no_error_from_furniture(ds):
    errors = ds.issues[ds.issues["severity"] == "错误"]
    assert errors.empty, errors.to_string()


def test_every_skipped_row_has_a_line_with_its_reason(ds):
    skipped = _lines(ds, "党员")
    skipped = skipped[skipped["severity"] == "已跳过"].set_index("row")["rule"].to_dict()
    assert skipped == {4: "row.skipped_example", 5: "row.skipped_section", 10: "row.skipped_section",
                       13: "row.skipped_total", 14: "row.skipped_total", 15: "row.skipped_note",
                       16: "row.skipped_signature"}
    line = _lines(ds, "党员").set_index("row").loc[14]
    assert "合计" in line["message"] and "不是数据" in line["message"]
    csv = _lines(ds, "换届选举")
    assert csv.set_index("row")["rule"].to_dict() == {3: "row.skipped_total", 4: "row.skipped_signature"}


def test_reconciliation_adds_up_per_file_and_sheet(ds):
    rec = ds.reconciliation
    assert (rec["rows_read"] == rec["rows_used"] + rec["rows_left_out"] + rec["rows_skipped"]).all()
    m = rec.set_index(["file", "sheet"])[["rows_read", "rows_used", "rows_left_out", "rows_skipped"]]
    assert tuple(m.loc[("城东街道.xlsx", "党员")]) == (12, 5, 0, 7)
    assert tuple(m.loc[("城东街道.xlsx", "Sheet3")]) == (2, 2, 0, 0)
    assert tuple(m.loc[("城东街道.xlsx", "党组织")]) == (3, 3, 0, 0)
    assert tuple(m.loc[("换届选举.csv", "换届选举")]) == (3, 1, 0, 2)
    assert ("城东街道.xlsx", "填表说明") not in m.index and ("城东街道.xlsx", "字典") not in m.index


def test_sheets_not_read_each_have_a_line(ds):
    lines = ds.issues[ds.issues["row"].isna()]
    by_sheet = {(r.sheet, r.rule): r.severity for r in lines.itertuples()}
    assert by_sheet[("填表说明", "sheet.skipped_instructions")] == "已跳过"
    assert by_sheet[("字典", "sheet.skipped_dictionary")] == "已跳过"
    assert by_sheet[("图表", "sheet.skipped_other")] == "已跳过"
    hidden = lines[(lines["sheet"] == "Sheet3") & (lines["rule"] == "sheet.hidden_read")]
    assert len(hidden) == 1 and hidden["severity"].iloc[0] == "警告"
    assert "Sheet3" in hidden["message"].iloc[0] and "2 行" in hidden["message"].iloc[0]


def test_hidden_stale_column_never_wins(ds):
    assert set(ds.members.loc[ds.members["name"].isin(["甲一", "乙二"]), "education"].astype(str)) == {"大学本科"}
    line = _lines(ds, "党员")
    line = line[line["rule"] == "sheet.hidden_column"]
    assert len(line) == 1 and "第4列" in line["message"].iloc[0] and "第7列" in line["message"].iloc[0]
    assert line["severity"].iloc[0] == "警告"


def test_rows_hidden_by_hand_are_warned_and_filter_rows_are_not(ds):
    orgs = _lines(ds, "党组织")
    warned = orgs[orgs["rule"] == "sheet.hidden_rows"]
    assert len(warned) == 1 and "第3行等1行" in warned["message"].iloc[0]
    assert not (_lines(ds, "党员")["rule"] == "sheet.hidden_rows").any()
    assert "乙二" in set(ds.members["name"])


def test_validation_workbook_shows_skipped_apart(ds, tmp_path):
    path = write_validation_xlsx(ds, tmp_path / "v.xlsx")
    wb = openpyxl.load_workbook(path)
    head = [c.value for c in wb["核对"][1]]
    assert head[-1] == "已跳过（非数据行）"
    rows = {(r[0], r[1]): r[2:] for r in wb["核对"].iter_rows(min_row=2, values_only=True)}
    assert rows[("城东街道.xlsx", "党员")] == (12, 5, 0, 7)
    files = {r[0]: r for r in wb["文件汇总"].iter_rows(min_row=2, values_only=True)}
    summary = files["城东街道.xlsx"]
    skipped_lines = int(((ds.issues["file"] == "城东街道.xlsx") & (ds.issues["severity"] == "已跳过")).sum())
    assert summary[5] == 0 and summary[-1] == skipped_lines == 10  # 错误 0; 7 rows + 3 sheets skipped
    assert ds.error_count == 0


def test_hidden_marks_read_from_the_sheet_xml():
    from reportgen.ingest.xlsxscan import hidden_marks

    xml = (b'<x:worksheet><x:cols><x:col min="2" max="3" width="0" hidden="true"/><x:col min="5" max="5"/>'
           b'</x:cols><x:sheetData><x:row r="1"><x:c r="A1"/></x:row><x:row r="4" hidden="1" spans="1:3">'
           b'</x:row><x:row hidden="1" r="9"/></x:sheetData><x:autoFilter ref="A1:C8"/></x:worksheet>')
    rows, cols, auto = hidden_marks(xml)
    assert rows.tolist() == [4, 9] and cols.tolist() == [1, 2] and auto == (1, 8)
    rows, cols, auto = hidden_marks(b'<worksheet><sheetData><row r="1"/></sheetData></worksheet>')
    assert len(rows) == 0 and len(cols) == 0 and auto is None


def test_rows_that_hold_a_person_are_never_skipped(tmp_path):
    """A stray word in the 序号 column does not make a person's row furniture: it holds a name and
    an ID number (identity fields), so it is read and counted like any other."""
    folder = tmp_path / "2026Q3"
    rows = [MEMBER_HEADERS,
            ["合计", "甲一", person_id("19900101", True, 1), "大学本科", "男", "1990-01-01", "大学本科", "2015-07-01",
             "2016-07-01", "A0101", "工人"],
            ["一、", "乙二", person_id("19850315", False, 2), "大学本科", "女", "1985-03-15", "大学本科", "2015-07-01",
             "2016-07-01", "A0101", "工人"],
            ["注：转入", "丙三", person_id("19700707", True, 3), "大学本科", "男", "1970-07-07", "大学本科", "2015-07-01",
             "2016-07-01", "A0101", "工人"]]
    from conftest import write_workbook
    write_workbook(folder / "a.xlsx", {schema.ORGS.name: valid_sheets()[schema.ORGS.name], "党员": rows})
    ds = load(folder, period="2026Q3")
    assert sorted(ds.members["name"]) == ["丙三", "乙二", "甲一"]
    assert not (ds.issues["severity"] == "已跳过").any() and ds.error_count == 0
    rec = ds.reconciliation.set_index("sheet").loc["党员"]
    assert (rec["rows_read"], rec["rows_used"], rec["rows_skipped"]) == (3, 3, 0)


def test_total_with_a_count_in_the_name_column_and_a_blank_signature_line_are_skipped(tmp_path):
    """A hand-made roster's 合计 row writes its figure as text in the 姓名 column ("共2人"), and its
    落款 line leaves the blanks after 负责人：/填表人：/联系电话： empty, spread over the row, and another
    starts past the first four cells ("填表人：张三  审核人：李四  报出日期：…"): all are skipped (not counted, not an error);
    a 合计 row that holds an ID number is a person and is read."""
    folder = tmp_path / "2026Q3"
    rows = [MEMBER_HEADERS,
            _member(1, "甲一", "1990-01-01"),
            _member(2, "乙二", "1985-03-15", male=False),
            ["合计", "共2人"],
            ["负责人：", None, None, None, "填表人：", None, None, None, None, "联系电话："],
            [None, None, None, None, "填表人：张三", None, "审核人：李四", None, "报出日期：2026-10-08"],
            ["合计", "丙三", person_id("19700707", True, 3), "大学本科", "男", "1970-07-07", "大学本科",
             "2015-07-01", "2016-07-01", "A0101", "工人"]]
    from conftest import write_workbook
    write_workbook(folder / "a.xlsx", {schema.ORGS.name: valid_sheets()[schema.ORGS.name], "党员": rows})
    ds = load(folder, period="2026Q3")
    assert sorted(ds.members["name"]) == ["丙三", "乙二", "甲一"]
    assert ds.error_count == 0, ds.issues[["row", "rule", "message"]].to_string()
    skipped = ds.issues[ds.issues["severity"] == "已跳过"]
    assert sorted(zip(skipped["row"].astype(int), skipped["rule"].astype(str))) == [
        (4, "row.skipped_total"), (5, "row.skipped_signature"), (6, "row.skipped_signature")]
    rec = ds.reconciliation.set_index("sheet").loc["党员"]
    assert (rec["rows_read"], rec["rows_used"], rec["rows_left_out"], rec["rows_skipped"]) == (6, 3, 0, 3)
