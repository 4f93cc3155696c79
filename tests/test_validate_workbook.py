"""The validation workbook: three sheets, frozen header, filter, text never a formula, masked IDs,
identical bytes for identical data; the per-file summary."""

from __future__ import annotations

import openpyxl
import pandas as pd

from conftest import person_id, valid_sheets, write_workbook
from reportgen import schema
from reportgen.ingest import load
from reportgen.validate import catalog
from reportgen.validate.issues import SUMMARY_COLUMNS, file_summary
from reportgen.validate.workbook import write_validation_xlsx


def _dataset(tmp_path):
    sheets = {k: [list(r) for r in v] for k, v in valid_sheets().items()}
    m = sheets[schema.MEMBERS.name]
    pid = person_id("19900101", True, 1)
    m[1][m[0].index(schema.MEMBERS.header("education"))] = "=1+1"  # a formula-looking value
    m[2][m[0].index(schema.MEMBERS.header("gender"))] = "男"  # ID mismatch, ID in the message
    m.append(["戊", pid, None, None, None, "大学本科", "2015-07-01", None, None, "A0101", "工人", None,
              "+8613800000000@x"])
    folder = tmp_path / "2026Q3"
    write_workbook(folder / "a.xlsx", sheets)
    book = openpyxl.load_workbook(folder / "a.xlsx")  # make "=1+1" a text cell, as typed with a '
    cell = book[schema.MEMBERS.name].cell(row=2, column=m[0].index(schema.MEMBERS.header("education")) + 1)
    cell.value, cell.data_type = "=1+1", "s"
    book.save(folder / "a.xlsx")
    (folder / "sub").mkdir()
    (folder / "sub" / "broken.xlsx").write_bytes(b"PK\x03\x04broken")
    return load(folder), pid


def test_validation_workbook(tmp_path):
    ds, pid = _dataset(tmp_path)
    path = write_validation_xlsx(ds, tmp_path / "out" / "validation.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["问题清单", "文件汇总", "核对"]
    ws = wb["问题清单"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
    header = [c.value for c in ws[1]]
    assert header[:5] == ["文件", "工作表", "行号", "列", "值"] and "说明" in header and "严重程度" in header
    rows = [dict(zip(header, [c.value for c in r])) for r in ws.iter_rows(min_row=2)]
    assert len(rows) == len(ds.issues)
    formula = next(r for r in rows if r["值"] == "=1+1")
    cell = next(c for r in ws.iter_rows(min_row=2) for c in r if c.value == "=1+1")
    assert cell.data_type == "s" and formula["规则"] == "row.enum"
    assert next(r for r in rows if r["文件"] == "sub/broken.xlsx")["行号"] is None
    assert isinstance(formula["行号"], int)
    everything = " ".join(str(c.value) for s in wb.worksheets for r in s.iter_rows() for c in r)
    assert pid not in everything and person_id("19850315", False, 2) not in everything
    assert "990101********" in everything
    sev = next(c for r in ws.iter_rows(min_row=2) for c in r if c.value == "错误")
    assert sev.fill.fgColor.rgb.endswith("FFC7CE")

    files = wb["文件汇总"]
    head = [c.value for c in files[1]]
    assert head[0] == "文件" and head[1] == "状态" and head[2:] == list(SUMMARY_COLUMNS[1:])
    body = [[c.value for c in r] for r in files.iter_rows(min_row=2)]
    assert body[-1][0] == "合计"
    assert [r[0] for r in body[:-1]] == ["a.xlsx", "sub/broken.xlsx"]
    assert body[-1][2] == int(ds.reconciliation["rows_read"].sum())

    rec = wb["核对"]
    lines = [[c.value for c in r] for r in rec.iter_rows(min_row=2)]
    for line in lines:
        assert line[2] == line[3] + line[4]
    assert lines[-1][0] == "合计" and len(lines) == len(ds.reconciliation) + 1


def test_same_data_same_bytes(tmp_path):
    ds, _ = _dataset(tmp_path)
    a = write_validation_xlsx(ds, tmp_path / "a.xlsx").read_bytes()
    b = write_validation_xlsx(ds, tmp_path / "b.xlsx").read_bytes()
    assert a == b
    assert not list(tmp_path.glob(".*.tmp"))  # written atomically, nothing left behind


def test_empty_dataset_still_writes(tmp_path):
    folder = tmp_path / "2026Q3"
    write_workbook(folder / "a.xlsx", {schema.ORGS.name: [valid_sheets()[schema.ORGS.name][0]]})
    ds = load(folder)
    path = write_validation_xlsx(ds, tmp_path / "v.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb["问题清单"].max_row == 1
    assert [c.value for c in wb["核对"][2]] == ["a.xlsx", schema.ORGS.name, 0, 0, 0, 0]


def test_file_summary(tmp_path):
    ds, _ = _dataset(tmp_path)
    s = file_summary(ds)
    assert list(s.columns) == list(SUMMARY_COLUMNS)
    a = s.set_index("文件").loc["a.xlsx"]
    errors = ds.issues[(ds.issues["file"] == "a.xlsx") & (ds.issues["severity"] == "错误")]
    assert a["错误"] == len(errors) and a["行数"] == a["计入"] + a["未计入"]
    # left out: the rows with an issue whose rule drops the row (other 错误 only make a field unknown)
    drops = errors[errors["rule"].map(lambda r: catalog.rule(r).drops_row).astype(bool)]
    assert a["未计入"] == drops.drop_duplicates(["sheet", "row"]).shape[0]
    broken = s.set_index("文件").loc["sub/broken.xlsx"]
    assert broken.tolist() == [0, 0, 0, 1, 0, 0]
    assert all(pd.api.types.is_integer_dtype(s[c]) for c in SUMMARY_COLUMNS[1:])
