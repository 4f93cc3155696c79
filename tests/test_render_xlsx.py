"""tables.xlsx: one formatted sheet per report table and per ledger; text never becomes a formula."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook

from reportgen.indicators import compute
from reportgen.render import render_report, write_tables_xlsx
from reportgen.render.context import report_context
from test_render_context import FORMULA_NAME, TEMPLATE_NAME, district


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    ds, prev = district(tricky=True)
    ind = compute(ds, previous=prev)
    return ind, render_report(ind, tmp_path_factory.mktemp("x"))


def test_sheets_follow_the_report_tables_then_ledgers(rendered):
    _, result = rendered
    wb = load_workbook(result.tables_xlsx)
    names = wb.sheetnames
    assert names[0] == "目录"
    table_sheets = [n for n in names if n.startswith("表")]
    assert len(table_sheets) == len(result.tables)
    for name, spec in zip(table_sheets, result.tables):
        assert name == spec.caption[:31]
        assert wb[name]["A1"].value == spec.caption
    ledgers = [n for n in names if n.startswith("清单")]
    assert any("换届选举情况" in n for n in ledgers)  # elections.held_list is not in the report
    assert any("到会人数不足" in n for n in ledgers)  # a finding's ledger
    assert all(len(n) <= 31 for n in names) and len({n.lower() for n in names}) == len(names)
    index = wb["目录"]
    assert [index.cell(r, 2).value for r in range(3, 3 + len(names) - 1)] == names[1:]


def test_formats_freeze_and_numbers(rendered):
    _, result = rendered
    wb = load_workbook(result.tables_xlsx)
    age = wb[next(n for n in wb.sheetnames if "党员年龄结构" in n)]
    header = [c.value for c in age[2]]
    assert header == ["年龄段", "人数", "占比", "上期人数", "上期占比"]
    assert age.freeze_panes == "A3"
    assert age["B3"].data_type == "n" and age["B3"].number_format == "#,##0"
    assert age["C3"].number_format == "0.0%" and age["C3"].value == pytest.approx(10 / 85)
    assert age["A3"].value == "30岁及以下" and age["A3"].data_type == "s"
    compare = wb[next(n for n in wb.sheetnames if "换届前后班子结构对比" in n)]
    merged = {str(r) for r in compare.merged_cells.ranges}
    assert {"A2:A3", "B2:C2", "D2:E2"} <= merged
    assert [c.value for c in compare[3]][1:] == ["人数", "占比", "人数", "占比"]
    assert compare["B4"].value == 11


def test_formula_like_text_stays_text(rendered):
    _, result = rendered
    wb = load_workbook(result.tables_xlsx)
    found = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value in (FORMULA_NAME, TEMPLATE_NAME):
                    found.append(cell)
    assert {c.value for c in found} == {FORMULA_NAME, TEMPLATE_NAME}
    assert all(c.data_type == "s" for c in found)


def test_identical_bytes_and_clean_text(tmp_path):
    ctx = {"members": {"age_bands": pd.DataFrame({"年龄段": ["30岁及以下", "31至35岁\x07"],
                                                  "人数": [3, 4], "占比": [3 / 7, 4 / 7]})},
           "findings": [], "tables": {}, "title": "测试"}
    ctx = report_context(ctx)
    a = write_tables_xlsx(ctx, tmp_path / "a.xlsx")
    b = write_tables_xlsx(ctx, tmp_path / "b.xlsx")
    assert a.read_bytes() == b.read_bytes()
    ws = load_workbook(a)["表1 党员年龄结构"]
    assert ws["A4"].value == "31至35岁"  # the control character is gone
    assert ws["C4"].value == pytest.approx(4 / 7)


def test_ledger_ids_are_masked(tmp_path):
    ledger = pd.DataFrame({"姓名": ["测试甲"], "说明": ["证件110105199001011232有误"]})
    ctx = report_context({"findings": [{"id": "x.y", "title": "测试问题", "severity": "一般", "count": 1,
                                        "sentence": "", "measure": "", "ledger": ledger}]})
    path = write_tables_xlsx(ctx, tmp_path / "t.xlsx")
    ws = load_workbook(path)["清单 测试问题名单"]
    assert ws["B3"].value == "证件110105********1232有误"


def test_text_columns_are_cleaned_column_wise_as_cell_by_cell():
    """tables.xlsx cleans text columns in one pass; every cell must come out as text() makes it:
    ID numbers inside text masked, XML-invalid characters gone, blanks left blank."""
    from reportgen.render.ooxml import text
    from reportgen.render.tables import _width
    from reportgen.render.xlsx import _text_column

    def _texts(series):
        cells, width = _text_column(series)
        return cells.to_pylist(), width

    values = ["甲支部", None, "a\x01b", "备注：110101199003071234 已核", 7, float("nan"), "Ｗide全角", "",
              "全角证件１１０１０１１９９００３０７１２３４", "旧证110101900307123号", "⹿⺀⿕〇—“”·"]
    cells, width = _texts(pd.Series(values, dtype=object))
    expected = [None if v is None or (isinstance(v, float) and v != v) else text(v) for v in values]
    assert cells == expected
    assert "110101********1234" in cells[3] and "199003071234" not in cells[3]
    assert "１９９００３０７" not in cells[8] and "900307" not in cells[9]  # other digits, old 15-digit IDs
    assert width == pytest.approx(max(_width(c) for c in expected if c))
    for cell in filter(None, expected):  # every cell's own width, not just the widest
        assert _texts(pd.Series([cell]))[1] == pytest.approx(_width(cell)), cell
    odd, _ = _texts(pd.Series(["x\ud800y", "110101199003071234"], dtype=object))  # not valid UTF-8
    assert odd == [text("x\ud800y"), text("110101199003071234")] and "\ud800" not in odd[0]


def test_a_ledger_equal_to_another_table_is_written_once(tmp_path):
    """A finding's list that is an indicator's own ledger gets no second sheet; 目录 says so."""
    overdue = pd.DataFrame({"组织编码": ["A01", "A02"], "党组织名称": ["甲支部", "乙支部"],
                            "届满日期": pd.to_datetime(["2025-01-01", "2025-03-01"])})
    ctx = {"elections": {"overdue": overdue, "due_soon": overdue.iloc[:1]},
           "findings": [{"id": "overdue", "title": "到期未换届", "ledger": overdue.copy()},
                        {"id": "other", "title": "另一问题", "ledger": overdue.iloc[1:].copy()}],
           "tables": {}, "title": "测试"}
    wb = load_workbook(write_tables_xlsx(report_context(ctx), tmp_path / "t.xlsx"))
    assert any("到期未换届党组织名单" in n for n in wb.sheetnames)  # the indicator's own table
    assert not any(n.endswith("到期未换届名单") for n in wb.sheetnames)  # the finding's copy: no sheet
    assert "清单 另一问题名单" in wb.sheetnames  # a different list keeps its sheet
    index = wb["目录"]
    contents = [index.cell(r, 3).value for r in range(3, 3 + len(wb.sheetnames) - 1)]
    assert any("也是“到期未换届名单”" in (c or "") for c in contents)
