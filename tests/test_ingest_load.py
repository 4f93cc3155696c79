"""ingest.load end to end: period and as-of date, meta, progress, blank rows, numeric IDs,
reconciliation, determinism."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

import reportgen.ingest as ingest
from conftest import person_id, valid_sheets, write_workbook
from reportgen import schema
from reportgen.dataset import ISSUE_COLUMNS
from reportgen.ingest import IngestError, load
from reportgen.periods import Period

COVER = schema.COVER


def _cover(period: str | None = None, as_of: str | None = None, unit: str = "示例街道") -> list[list]:
    rows = [[COVER.header("unit"), unit]]
    if period:
        rows.append([COVER.header("period"), period])
    if as_of:
        rows.append([COVER.header("as_of"), as_of])
    return rows


def test_period_given_wins_and_cover_mismatch_is_warned(tmp_path):
    folder = tmp_path / "data"
    write_workbook(folder / "a.xlsx", {COVER.name: _cover("2026Q2"), **valid_sheets()})
    ds = load(folder, period="2026年第三季度")
    assert ds.period.label == "2026Q3" and ds.as_of == date(2026, 9, 30)
    (line,) = ds.issues.itertuples()
    assert (line.rule, line.severity, line.sheet, line.row) == ("sheet.period_mismatch", "警告", COVER.name, 2)
    assert "2026Q3" in line.message


def test_period_from_covers_then_folder_name(tmp_path):
    folder = tmp_path / "报送"
    write_workbook(folder / "a.xlsx", {COVER.name: _cover("2026年三季度"), **valid_sheets()})
    write_workbook(folder / "b.xlsx", {COVER.name: _cover("2026Q3")})
    write_workbook(folder / "c.xlsx", {COVER.name: _cover("2026Q2")})
    ds = load(folder)
    assert ds.period.label == "2026Q3"
    assert ds.issues["rule"].tolist() == ["sheet.period_mismatch"]
    assert ds.issues["file"].tolist() == ["c.xlsx"]
    named = tmp_path / "2026年第一季度报送"
    write_workbook(named / "a.xlsx", valid_sheets())
    assert load(named).period.label == "2026Q1"


def test_no_period_anywhere_is_an_ingest_error(tmp_path):
    write_workbook(tmp_path / "data" / "a.xlsx", valid_sheets())
    with pytest.raises(IngestError, match="--period"):
        load(tmp_path / "data")
    with pytest.raises(IngestError, match="2026Q3"):
        load(tmp_path / "data", period="第三季度")


def test_missing_or_empty_folder(tmp_path):
    with pytest.raises(IngestError, match="找不到"):
        load(tmp_path / "nope", period="2026Q3")
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "~$lock.xlsx").write_bytes(b"x")
    with pytest.raises(IngestError, match="没有找到任何报送文件"):
        load(tmp_path / "empty", period="2026Q3")


def test_as_of_from_consistent_covers(tmp_path):
    folder = tmp_path / "2026Q3"
    write_workbook(folder / "a.xlsx", {COVER.name: _cover(as_of="2026-09-20"), **valid_sheets()})
    write_workbook(folder / "b.xlsx", {COVER.name: _cover(as_of="2026年9月20日", unit="第二单位")})
    ds = load(folder)
    assert ds.as_of == date(2026, 9, 20) and ds.meta["as_of"] == date(2026, 9, 20)
    assert ds.meta["units"] == ["示例街道", "第二单位"]
    assert ds.meta["source"] == str(folder)
    write_workbook(folder / "c.xlsx", {COVER.name: _cover(as_of="2026-09-25")})
    assert load(folder).as_of == date(2026, 9, 30)  # covers disagree: the period's end
    assert load(folder, period=Period(2026, 3, date(2026, 9, 1))).as_of == date(2026, 9, 1)


def test_progress_is_called_per_file(tmp_path):
    folder = tmp_path / "2026Q3"
    for i in range(3):
        # three different files (identical ones would be read once)
        write_workbook(folder / f"{i}.xlsx", valid_sheets() if i == 0
                       else {(schema.ORGS if i == 1 else schema.ELECTIONS).name: []})
    calls = []
    load(folder, progress=lambda stage, done, total: calls.append((stage, done, total)))
    reads = [c for c in calls if c[0] == ingest.READ_STAGE]
    assert reads[0] == (ingest.READ_STAGE, 0, 3) and reads[-1] == (ingest.READ_STAGE, 3, 3)
    assert [d for _, d, _ in reads] == [0, 1, 2, 3]
    assert calls[-1] == (ingest.CHECK_STAGE, 1, 1)


def test_blank_rows_are_not_rows(tmp_path):
    members = [list(r) for r in valid_sheets()[schema.MEMBERS.name]]
    blank = [None] * len(members[0])
    spaces = ["  ", "\u3000", None] + [None] * (len(members[0]) - 3)
    rows = [members[0], members[1], blank, spaces, members[2], blank, blank, members[3], members[4],
            blank, spaces]
    folder = tmp_path / "2026Q3"
    write_workbook(folder / "a.xlsx", {**valid_sheets(), schema.MEMBERS.name: rows})
    ds = load(folder)
    assert ds.issues.empty
    assert ds.members["_row"].tolist() == [2, 5, 8, 9]
    rec = ds.reconciliation.set_index("sheet").loc[schema.MEMBERS.name]
    assert rec["rows_read"] == 4


def test_numeric_id_cell_is_an_error_and_stays_masked(tmp_path):
    rows = [list(r) for r in valid_sheets()[schema.MEMBERS.name]]
    rows[1][1] = int(person_id("19900101", True, 1))  # typed into a General cell: a number
    rows[2][1] = int("990101850315021")  # a 15-digit legacy number loses nothing
    rows[2][2] = "男"
    rows[2][3] = "1985-03-15"
    folder = tmp_path / "2026Q3"
    write_workbook(folder / "a.xlsx", {**valid_sheets(), schema.MEMBERS.name: rows})
    ds = load(folder)
    (line,) = ds.issues.itertuples()
    assert (line.rule, line.severity, line.row, line.column) == ("row.id_numeric", "错误", 2, "公民身份号码")
    assert "文本格式" in line.message
    assert line.value.startswith("990101") and "********" in line.value
    for text in (line.value, line.message):
        assert person_id("19900101", True, 1)[:14] not in text
    assert sorted(ds.members["name"]) == ["丁四", "丙三", "乙二"]


def _messy(tmp_path):
    folder = tmp_path / "2026Q3"
    sheets = valid_sheets()
    members = [list(r) for r in sheets[schema.MEMBERS.name]]
    col = {f.key: i for i, f in enumerate(schema.MEMBERS.fields)}
    members[2][col["education"]] = "高级"  # row 3 enum
    members[2][col["joined"]] = "2010/13/01"  # row 3 date as well: one row, two errors
    members[4][col["org_id"]] = "不存在的支部"  # row 5 unknown org
    bad_check = person_id("19950505", True, 9)
    bad_check = bad_check[:-1] + ("1" if bad_check[-1] != "1" else "2")
    extra = dict(name="戊五", id_number=bad_check, gender="男", birth_date="1995-05-05", education="本科",
                 joined="2020-01-01", full_member_since="2021-01-01", org_id="A0101", phone="123")
    members.append([extra.get(f.key) for f in schema.MEMBERS.fields])  # three warnings only
    write_workbook(folder / "a.xlsx", {**sheets, schema.MEMBERS.name: members})
    second = [members[0], members[1]]  # the same member again in another file: duplicate
    write_workbook(folder / "b" / "b.xlsx", {schema.MEMBERS.name: second})
    (folder / "c.xlsx").write_bytes(b"PK\x03\x04 damaged")
    return folder


def test_reconciliation_identity(tmp_path):
    ds = load(_messy(tmp_path))
    rec = ds.reconciliation
    assert (rec["rows_read"] == rec["rows_used"] + rec["rows_left_out"]).all()
    m = rec.set_index(["file", "sheet"])
    assert tuple(m.loc[("a.xlsx", schema.MEMBERS.name)]) == (5, 3, 2)
    assert tuple(m.loc[("b/b.xlsx", schema.MEMBERS.name)]) == (1, 0, 1)
    errors = ds.issues[(ds.issues["severity"] == "错误") & ds.issues["row"].notna()]
    left = errors.drop_duplicates(["file", "sheet", "row"]).groupby(["file", "sheet"]).size()
    assert left.to_dict() == {("a.xlsx", schema.MEMBERS.name): 2, ("b/b.xlsx", schema.MEMBERS.name): 1}
    for key in ("orgs", "members", "elections", "committee", "units"):
        used = rec[rec["sheet"] == schema.sheet(key).name]["rows_used"].sum()
        assert len(getattr(ds, key)) == used
    assert list(ds.issues.columns) == list(ISSUE_COLUMNS)
    dup = ds.issues[ds.issues["rule"] == "set.duplicate_member"].iloc[0]
    assert (dup["file"], dup["row"]) == ("b/b.xlsx", 2)
    assert "a.xlsx" in dup["message"] and "第2行" in dup["message"]
    summary = ingest.iss.file_summary(ds).set_index("文件")
    assert summary.loc["a.xlsx"].tolist() == [12, 10, 2, 3, 3]
    assert summary.loc["c.xlsx"].tolist() == [0, 0, 0, 1, 0]


def test_dataset_tables_are_conformed_and_completed(tmp_path):
    folder = tmp_path / "2026Q3"
    write_workbook(folder / "a.xlsx", valid_sheets())
    ds = load(folder)
    assert isinstance(ds.members["education"].dtype, pd.CategoricalDtype)
    assert str(ds.members["joined"].dtype) == "datetime64[ns]"
    assert ds.members.set_index("name").loc["丙三", "status"] == "预备党员"  # no 转正日期
    assert ds.members.set_index("name").loc["丙三", "gender"] == "男"  # from the ID number
    orgs = ds.orgs.set_index("org_id")
    assert orgs.loc["A01", "term_years"] == 5 and orgs.loc["A0101", "term_years"] == 3
    assert orgs.loc["A0101", "term_end"] == pd.Timestamp("2027-06-18")
    assert ds.elections["previous_date"].iloc[0] == pd.Timestamp("2021-06-18")
    assert list(ds.members.columns[-3:]) == ["_file", "_sheet", "_row"]


def test_conform_codes_text_of_several_chunks_like_astype():
    """Enumeration text that arrives in several Arrow chunks (frames of several files concatenated)
    is coded in Arrow, equal to pandas' own astype, unknown values missing."""
    from reportgen.dataset import conform

    edu = schema.EDUCATION.values
    parts = [pd.Series([edu[0], None, edu[-1]], dtype="string[pyarrow]"),
             pd.Series(["不是学历", edu[1]], dtype="string[pyarrow]")]
    text = pd.concat(parts, ignore_index=True)
    assert text.array._pa_array.num_chunks == 2
    out = conform("members", pd.DataFrame({"education": text}))["education"]
    assert isinstance(out.dtype, pd.CategoricalDtype) and list(out.dtype.categories) == list(edu)
    assert out.isna().tolist() == [False, True, False, True, False]
    assert out.dropna().astype(str).tolist() == [edu[0], edu[-1], edu[1]]


def test_results_do_not_depend_on_reading_order(tmp_path, monkeypatch):
    folder = _messy(tmp_path)
    monkeypatch.setattr(ingest, "MAX_WORKERS", 1)
    one = load(folder)
    monkeypatch.setattr(ingest, "MAX_WORKERS", 4)
    many = load(folder)
    pd.testing.assert_frame_equal(one.issues, many.issues)
    pd.testing.assert_frame_equal(one.members, many.members)
    pd.testing.assert_frame_equal(one.reconciliation, many.reconciliation)
    assert one.issues["file"].tolist() == sorted(one.issues["file"].tolist())


def test_worker_processes_give_the_same_dataset(tmp_path, monkeypatch):
    """Large sets are read by processes: same tables, issues and order as threads; a pool that
    cannot start falls back to threads."""
    folder = _messy(tmp_path)
    threads = load(folder)
    monkeypatch.setattr(ingest, "PROCESS_MIN_BYTES", 0)
    used = []
    real = ingest.ProcessPoolExecutor

    class Counting(real):
        def __init__(self, *args, **kwargs):
            used.append(kwargs.get("mp_context"))
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(ingest, "ProcessPoolExecutor", Counting)
    procs = load(folder)
    assert len(used) == 1
    for a, b in ((threads.issues, procs.issues), (threads.members, procs.members),
                 (threads.reconciliation, procs.reconciliation), (threads.files, procs.files)):
        pd.testing.assert_frame_equal(a, b)

    class Broken(real):
        def submit(self, *args, **kwargs):
            raise ingest.BrokenProcessPool("cannot start")

    monkeypatch.setattr(ingest, "ProcessPoolExecutor", Broken)
    pd.testing.assert_frame_equal(load(folder).issues, threads.issues)


def test_while_reading_runs_once_and_cannot_break_the_load(tmp_path, monkeypatch):
    folder = _messy(tmp_path)
    calls = []
    ds = load(folder, while_reading=lambda: calls.append(1))
    assert calls == [1] and len(ds.members) == 3

    def broken():
        calls.append(2)
        raise ImportError("no such module")

    monkeypatch.setattr(ingest, "PROCESS_MIN_BYTES", 0)
    assert len(load(folder, while_reading=broken).members) == 3
    assert calls == [1, 2]


def _damaged_but_valid() -> str:
    """An 18-digit ID as Excel keeps it in a number cell (last three digits 000) that still
    passes the check character; its 17th digit 0 reads as a woman."""
    from conftest import check_char

    for seq in range(100):
        first15 = f"990101199001{seq:03d}"
        if check_char(first15 + "00") == "0":
            return first15 + "000"
    raise AssertionError("no such number")


def test_numeric_id_that_still_validates_is_found_through_the_gender(tmp_path):
    damaged = _damaged_but_valid()
    rows = [list(r) for r in valid_sheets()[schema.MEMBERS.name]]
    rows[1][1] = int(damaged)  # 甲一, written 男 and 1990-01-01
    folder = tmp_path / "2026Q3"
    write_workbook(folder / "a.xlsx", {**valid_sheets(), schema.MEMBERS.name: rows})
    ds = load(folder)
    (line,) = ds.issues.itertuples()
    assert (line.rule, line.row) == ("row.id_numeric", 2)



def test_number_cell_id_that_passes_its_checks_is_still_found(tmp_path):
    """An ID written by a program as a number keeps 17 significant digits: its text can pass the
    check character and show the gender of the row (found by the reconciliation property test).
    Only the cell's type tells it was a number."""
    from conftest import check_char

    hit = None
    base = -(-990106196201240000 // 128) * 128  # a double's spacing here is 128
    for k in range(70):  # stays within the sequence digits: birth date 1962-01-24 unchanged
        text = str(base + 128 * k)
        if check_char(text[:17]) == text[17]:
            hit = text
            break
    assert hit is not None
    sheets = valid_sheets()
    members = sheets[schema.MEMBERS.name]
    header = members[0]
    col = header.index(schema.MEMBERS.header("id_number"))
    members[2][col] = int(hit)  # now a number cell whose text passes every check of the row
    members[2][header.index(schema.MEMBERS.header("birth_date"))] = "1962-01-24"
    members[2][header.index(schema.MEMBERS.header("gender"))] = "男" if int(hit[16]) % 2 else "女"
    folder = tmp_path / "2026Q3"
    write_workbook(folder / "a.xlsx", sheets)
    issues = load(folder).issues
    found = issues[issues["rule"] == "row.id_numeric"]
    assert found["row"].tolist() == [3]
    assert set(issues["rule"]) == {"row.id_numeric"}

