"""The row and set rules of SPEC §2, each with real workbooks: rule id, severity, row, column,
value, message, and whether the row is counted."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import person_id, valid_sheets, write_workbook
from reportgen import schema
from reportgen.ingest import load
from reportgen.ingest import normalize as nz
from reportgen.validate import catalog

O, M, E, C, U = schema.ORGS, schema.MEMBERS, schema.ELECTIONS, schema.COMMITTEE, schema.UNITS


class Book:
    """valid_sheets() with edits by field key; row 1 is the first data row (Excel row 2)."""

    def __init__(self):
        self.sheets = {k: [list(r) for r in v] for k, v in valid_sheets().items()}

    def col(self, sheet: schema.Sheet, key: str) -> int:
        return self.sheets[sheet.name][0].index(sheet.header(key))

    def set(self, sheet: schema.Sheet, row: int, **values) -> "Book":
        for key, value in values.items():
            self.sheets[sheet.name][row][self.col(sheet, key)] = value
        return self

    def add(self, sheet: schema.Sheet, **values) -> int:
        rows = self.sheets[sheet.name]
        rows.append([None] * len(rows[0]))
        self.set(sheet, len(rows) - 1, **values)
        return len(rows)  # the Excel row number

    def drop_column(self, sheet: schema.Sheet, key: str) -> "Book":
        c = self.col(sheet, key)
        for r in self.sheets[sheet.name]:
            del r[c]
        return self

    def load(self, tmp_path, name: str = "a.xlsx"):
        write_workbook(tmp_path / "2026Q3" / name, self.sheets)
        return load(tmp_path / "2026Q3", period="2026Q3")


def issues(ds, rule: str) -> pd.DataFrame:
    return ds.issues[ds.issues["rule"] == rule].reset_index(drop=True)


def only(ds, rule: str) -> pd.Series:
    """The dataset's one issue, which must be of ``rule`` with the catalogue's severity."""
    assert len(ds.issues) == 1, ds.issues[["row", "column", "rule", "message"]].to_dict("records")
    line = ds.issues.iloc[0]
    assert line["rule"] == rule and line["severity"] == catalog.rule(rule).severity
    assert "；" in line["message"]  # what is wrong; how to fix it
    return line


def member_names(ds) -> list[str]:
    return sorted(ds.members["name"])


ALL = ["丁四", "丙三", "乙二", "甲一"]


def test_valid_book_has_no_issue(tmp_path):
    ds = Book().load(tmp_path)
    assert ds.issues.empty
    assert len(ds.orgs) == 3 and len(ds.members) == 4 and len(ds.committee) == 2


def test_required(tmp_path):
    ds = Book().set(M, 1, name=None).load(tmp_path)
    line = only(ds, "row.required")
    assert (line["row"], line["column"], line["severity"]) == (2, "姓名", "错误")
    # the ID identifies the person: counted, the name unknown (SPEC §2)
    assert line["message"] == "“姓名”为空；请补填该项；已计入统计，该项按未填写处理"
    assert len(ds.members) == 4 and ds.members["name"].isna().sum() == 1


def test_required_column_missing_entirely(tmp_path):
    ds = Book().drop_column(M, "joined").load(tmp_path)
    lines = issues(ds, "row.required")
    assert len(lines) == 4 and set(lines["column"]) == {"入党日期"}
    assert lines["message"].iloc[0].startswith("本表没有“入党日期”列")
    assert len(ds.members) == 4 and ds.members["joined"].isna().all()  # counted, field unknown


def test_enum(tmp_path):
    ds = Book().set(M, 1, education="高级").set(M, 2, education="硕士").load(tmp_path)
    line = only(ds, "row.enum")
    assert (line["row"], line["column"], line["value"]) == (2, "学历", "高级")
    assert "高级" in line["message"] and "大学本科" in line["message"]
    assert ds.members.set_index("name").loc["乙二", "education"] == "研究生"


@pytest.mark.parametrize("value", ["2010/13/01", "去年七月", "2010"])
def test_date_unreadable(tmp_path, value):
    ds = Book().set(M, 1, joined=value).load(tmp_path)
    line = only(ds, "row.date")
    assert (line["column"], line["value"]) == ("入党日期", value)
    assert line["message"].endswith("已计入统计，该项按未填写处理")
    assert member_names(ds) == ALL
    assert pd.isna(ds.members.set_index("name").loc["甲一", "joined"])


@pytest.mark.parametrize("edit,column,words", [
    (dict(birth_date="1890-01-01", id_number=None), "出生日期", "早于1900年"),
    (dict(joined="2026-10-08", full_member_since=None), "入党日期", "晚于统计截止日期2026-09-30"),
    (dict(joined="2005-07-01"), "入党日期", "早于年满18周岁之日2008-01-01"),
    (dict(full_member_since="2026-12-01"), "转正日期", "晚于统计截止日期"),
])
def test_date_range(tmp_path, edit, column, words):
    ds = Book().set(M, 1, **edit).load(tmp_path)
    line = only(ds, "row.date_range")
    assert line["column"] == column and words in line["message"]
    assert member_names(ds) == ALL  # counted, that date unknown
    field = {"出生日期": "birth_date", "入党日期": "joined", "转正日期": "full_member_since"}[column]
    assert pd.isna(ds.members.set_index("name").loc["甲一", field])


def test_birth_date_derived_from_an_id_must_be_plausible(tmp_path):
    ds = Book().set(M, 3, id_number=person_id("20300101", True, 3)).load(tmp_path)
    line = only(ds, "row.date_range")
    assert line["column"] == "公民身份号码" and "2030-01-01" in line["message"]
    assert person_id("20300101", True, 3) not in line["message"]


def test_date_order(tmp_path):
    ds = Book().set(M, 1, full_member_since="2015-07-01").load(tmp_path)
    line = only(ds, "row.date_order")
    assert line["column"] == "转正日期" and "不晚于“入党日期”2015-07-01" in line["message"]
    row = ds.members.set_index("name").loc["甲一"]  # counted; 转正日期 unknown, still a 正式党员
    assert pd.isna(row["full_member_since"]) and row["status"] == "正式党员"
    ds = Book().set(E, 1, previous_date="2024-06-18").load(tmp_path / "e")
    line = only(ds, "row.date_order")
    assert line["column"] == "上届选举日期" and len(ds.elections) == 1


@pytest.mark.parametrize("value", ["二十五", "-3", "25.5", "约25"])
def test_int(tmp_path, value):
    ds = Book().set(E, 1, eligible=value).load(tmp_path)
    line = only(ds, "row.int")
    assert (line["column"], line["value"]) == ("应到会人数", value)
    assert len(ds.elections) == 1 and pd.isna(ds.elections["eligible"].iloc[0])


def test_present_and_seats(tmp_path):
    ds = Book().set(E, 1, present=26).load(tmp_path)
    line = only(ds, "row.present_gt_eligible")
    assert line["column"] == "实到会人数" and "26多于“应到会人数”25" in line["message"]
    assert ds.elections[["present", "eligible"]].isna().all(axis=None)  # counted, both unknown
    ds = Book().set(E, 1, candidates=4).load(tmp_path / "b")
    line = only(ds, "row.seats_gt_candidates")
    assert line["column"] == "候选人数" and len(ds.elections) == 1
    assert ds.elections[["candidates", "seats"]].isna().all(axis=None)


def test_id_invalid_is_a_warning_when_gender_and_birth_are_given(tmp_path):
    pid = person_id("19900101", True, 1)
    wrong = pid[:-1] + ("0" if pid[-1] != "0" else "1")
    ds = Book().set(M, 1, id_number=wrong).set(M, 2, id_number="9901011985").load(tmp_path)
    lines = issues(ds, "row.id_invalid")
    assert lines["row"].tolist() == [2, 3] and set(lines["severity"]) == {"警告"}
    assert "校验位" in lines["message"].iloc[0] and "位数" in lines["message"].iloc[1]
    assert member_names(ds) == ALL  # counted
    assert wrong not in "".join(lines["value"]) + "".join(lines["message"])


def test_id_invalid_without_gender_is_a_required_error(tmp_path):
    pid = person_id("20000220", True, 3)
    ds = Book().set(M, 3, id_number=pid[:-1] + ("0" if pid[-1] != "0" else "1")).load(tmp_path)
    lines = issues(ds, "row.required")
    assert sorted(lines["column"]) == ["出生日期", "性别"]
    assert "身份证号有误" in lines["message"].iloc[0]
    assert member_names(ds) == ALL
    assert ds.members.set_index("name").loc["丙三", ["gender", "birth_date"]].isna().all()
    assert issues(ds, "row.id_invalid").empty


def test_id_mismatch(tmp_path):
    ds = Book().set(M, 1, gender="女").set(M, 2, birth_date="1985-03-16").load(tmp_path)
    lines = issues(ds, "row.id_mismatch")
    assert lines[["row", "column"]].values.tolist() == [[2, "性别"], [3, "出生日期"]]
    assert "显示性别为男" in lines["message"].iloc[0]
    assert "显示出生日期为1985-03-15" in lines["message"].iloc[1]
    assert member_names(ds) == ALL  # counted: the column as written wins
    m = ds.members.set_index("name")
    assert m.loc["甲一", "gender"] == "女" and m.loc["乙二", "birth_date"] == pd.Timestamp("1985-03-16")


def test_month_only_birth_date_agrees_with_the_id(tmp_path):
    ds = Book().set(M, 2, birth_date="1985.03").load(tmp_path)
    assert ds.issues.empty
    assert ds.members.set_index("name").loc["乙二", "birth_date"] == pd.Timestamp("1985-03-01")
    ds = Book().set(M, 2, birth_date="1985.04").load(tmp_path / "b")
    assert only(ds, "row.id_mismatch")["column"] == "出生日期"


def test_credit_code_and_phone_are_warnings(tmp_path):
    ds = Book().set(U, 1, credit_code="91990101MA00000011").set(M, 1, phone="0123").load(tmp_path)
    assert set(ds.issues["rule"]) == {"row.credit_code", "row.phone"}
    assert set(ds.issues["severity"]) == {"警告"}
    assert len(ds.units) == 1 and member_names(ds) == ALL


def test_age_over_100(tmp_path):
    ds = (Book().set(M, 1, id_number=None, birth_date="1925-09-30")
          .set(M, 2, id_number=None, birth_date="1926-10-01").load(tmp_path))
    line = only(ds, "row.age_over_100")
    assert (line["row"], line["column"]) == (2, "出生日期")
    assert member_names(ds) == ALL


def test_optional_blank_per_cell_and_per_sheet(tmp_path):
    ds = Book().set(O, 3, area=None).drop_column(M, "occupation").load(tmp_path)
    lines = issues(ds, "row.optional_blank")
    assert set(lines["severity"]) == {"警告"}
    cell = lines[lines["sheet"] == O.name].iloc[0]
    assert (cell["row"], cell["column"]) == (4, "所属片区")
    sheet = lines[lines["sheet"] == M.name].iloc[0]
    assert pd.isna(sheet["row"]) and "本表没有“工作岗位”列" in sheet["message"] and "4行" in sheet["message"]
    assert len(lines) == 2 and len(ds.orgs) == 3


def test_duplicate_org_names_the_first_place(tmp_path):
    b = Book()
    row = b.add(O, org_id="A0101", name="中共示例第一支部委员会", org_type="党支部", sector="机关",
                area="城东街道", last_election="2024-01-01")  # the same organization, written in full
    ds = b.load(tmp_path)
    line = only(ds, "set.duplicate_org")
    assert line["row"] == row and line["message"].startswith("“组织编码”“A0101”与a.xlsx的“党组织”表第3行重复；")
    assert len(ds.orgs) == 3 and "中共示例第一支部委员会" not in set(ds.orgs["name"])
    assert len(ds.members) == 4  # members of A0101 still resolve: one organization written twice


def test_duplicate_member_across_files(tmp_path):
    b = Book()
    ds = b.load(tmp_path, "a.xlsx")
    second = {M.name: [b.sheets[M.name][0], b.sheets[M.name][2]]}
    second[M.name][1][b.col(M, "id_number")] = " " + person_id("19850315", False, 2).lower() + " "
    write_workbook(tmp_path / "2026Q3" / "b.xlsx", second)
    ds = load(tmp_path / "2026Q3", period="2026Q3")
    line = only(ds, "set.duplicate_member")
    assert (line["file"], line["row"]) == ("b.xlsx", 2)
    assert "a.xlsx的“党员”表第3行" in line["message"] and "乙二" in line["message"]
    assert len(ds.members) == 4


def test_duplicate_committee(tmp_path):
    b = Book()
    b.add(C, org_id="A0101", term="本届", name="张书记", id_number=person_id("19750101", True, 5),
          education="大学本科", role="委员")
    b.add(C, org_id="A0101", term="本届", name="王委员", birth_date="1980-01-01", gender="女",
          education="大学本科", role="委员")
    row = b.add(C, org_id="A0101", term="本届", name="王委员", birth_date="1980.01.01", gender="女",
                education="大专", role="委员")
    ds = b.load(tmp_path)
    lines = issues(ds, "set.duplicate_committee")
    assert lines["row"].tolist() == [4, row]
    assert "班子成员”表第2行" in lines["message"].iloc[0]
    assert len(ds.committee) == 3  # the 上届 row of the same person is not a duplicate


def test_unknown_org_for_members_elections_committee(tmp_path):
    b = Book().set(M, 1, org_id="A0999").set(E, 1, org_id="示例第三支部").set(C, 1, org_id="Z1")
    ds = b.load(tmp_path)
    lines = issues(ds, "set.unknown_org")
    assert lines[["sheet", "column"]].values.tolist() == [
        [M.name, "所在党组织编码"], [E.name, "组织编码"], [C.name, "组织编码"]]
    assert set(lines["severity"]) == {"错误"}
    assert "甲一" not in member_names(ds) and ds.elections.empty and len(ds.committee) == 1


def test_org_with_an_unknown_type_is_kept_and_known_to_others(tmp_path):
    # contract change (SPEC §2): one bad value makes the field unknown, the organization stays
    ds = Book().set(O, 3, org_type="大队").load(tmp_path)
    assert set(ds.issues["rule"]) == {"row.enum"}
    assert len(ds.orgs) == 3 and ds.orgs["org_type"].isna().sum() == 1
    assert member_names(ds) == ALL and len(ds.units) == 1


def test_org_left_out_by_a_row_error_is_unknown_to_others(tmp_path):
    ds = Book().set(O, 3, org_id=None, name=None).load(tmp_path)
    line = issues(ds, "row.unidentified")
    assert len(line) == 1 and "无法确定本行是哪个党组织" in line["message"].iloc[0]
    assert set(ds.issues["rule"]) == {"row.unidentified", "set.unknown_org", "set.unit_unknown_org"}
    assert sorted(issues(ds, "set.unknown_org")["row"]) == [4, 5]  # 丙三 (by name) and 丁四
    assert issues(ds, "set.unit_unknown_org")["severity"].tolist() == ["警告"]
    assert len(ds.units) == 1


def test_ambiguous_org_name(tmp_path):
    b = Book()
    b.add(O, org_id="A0103", name="示例第二支部", parent_id="A01", org_type="党支部", sector="机关",
          area="城东街道", last_election="2024-01-01")
    ds = b.load(tmp_path)
    line = only(ds, "set.unknown_org")
    assert line["value"] == "示例第二支部" and "多个党组织" in line["message"]


def test_parent_unknown_and_cycle(tmp_path):
    b = Book().set(O, 3, parent_id="A99")
    common = dict(org_type="党支部", sector="机关", area="城东街道", last_election="2024-01-01")
    b.add(O, org_id="B1", name="环一", parent_id="B2", **common)
    b.add(O, org_id="B2", name="环二", parent_id="B1", **common)
    b.add(O, org_id="B3", name="环下", parent_id="B1", **common)
    b.add(O, org_id="B4", name="自环", parent_id="B4", **common)
    ds = b.load(tmp_path)
    unknown = issues(ds, "set.parent_unknown")
    assert unknown["row"].tolist() == [4] and unknown["severity"].tolist() == ["警告"]
    cycle = issues(ds, "set.parent_cycle")
    assert cycle["row"].tolist() == [5, 6, 8]
    assert "B1 → B2 → B1" in cycle["message"].iloc[0]
    orgs = ds.orgs.set_index("org_id")
    assert len(orgs) == 7
    assert orgs.loc[["A0102", "B1", "B2", "B4"], "parent_id"].isna().all()
    assert orgs.loc["B3", "parent_id"] == "B1"


def test_secretary_count_once_per_org(tmp_path):
    b = Book()
    b.add(C, org_id="A0101", term="本届", name="另一书记", gender="男", birth_date="1970-01-01",
          education="大学本科", role="书记")
    b.add(C, org_id="A0102", term="本届", name="委员甲", gender="男", birth_date="1970-01-01",
          education="大学本科", role="委员")
    ds = b.load(tmp_path)
    lines = issues(ds, "set.secretary_count")
    assert lines["row"].tolist() == [2, 5] and set(lines["column"]) == {"职务"}
    assert "有2名书记" in lines["message"].iloc[0] and "有0名书记" in lines["message"].iloc[1]
    assert len(ds.committee) == 4


@pytest.mark.parametrize("extra,warned", [(49, True), (48, False)])
def test_branch_over_50(tmp_path, extra, warned):
    b = Book()
    for i in range(extra):  # A0101 already has 甲一 and 乙二
        b.add(M, name=f"成员{i}", id_number=person_id("19900101", True, 10 + i, area=f"99{i:04d}"),
              education="大学本科", joined="2015-07-01", full_member_since="2016-07-01", org_id="A0101",
              occupation="工人")
    ds = b.load(tmp_path)
    lines = issues(ds, "set.branch_over_50")
    assert len(lines) == int(warned)
    if warned:
        assert (lines["row"].iloc[0], lines["severity"].iloc[0], lines["column"].iloc[0]) == (3, "警告", "组织编码")
        assert "“示例第一支部”有51名党员，超过50名" in lines["message"].iloc[0]
    assert len(ds.members) == 4 + extra


def test_unit_with_party_org_needs_its_code(tmp_path):
    ds = Book().set(U, 1, org_id=None).load(tmp_path)
    line = only(ds, "row.required")
    assert line["column"] == "所属党组织编码" and "单独组建" in line["message"]


def test_every_row_and_set_rule_in_one_submission(tmp_path):
    """All row, set and sheet rules at once: each found, nothing else, reconciliation holds."""
    b = Book()
    pid = person_id("19900101", True, 1)
    common = dict(org_type="党支部", sector="机关", area="城东街道", last_election="2024-01-01")
    b.set(M, 1, id_number=int(pid))  # row.id_numeric
    b.set(M, 3, education="高级")  # row.enum
    b.set(M, 4, gender="男", phone="12")  # row.id_mismatch, row.phone
    b.add(M, name=None, education="本科", joined="2015-01-01", org_id="A0101", gender="男",
          birth_date="1990-01-01", occupation="工人")  # row.unidentified (no name, no ID)
    b.add(M, name="缺学历", gender="女", birth_date="1990-01-01", joined="2015-01-01", org_id="A0101",
          occupation="工人")  # row.required
    b.add(M, name="老人", birth_date="1920-01-01", gender="男", education="本科", joined="1945-01-01",
          full_member_since="1944-01-01", org_id="A0101", occupation="离退休")  # age + date_order
    b.add(M, name="少年", birth_date="2000-01-01", gender="男", education="本科", joined="2010-01-01",
          org_id="A0101", occupation="学生")  # row.date_range
    b.add(M, name="无码", id_number="990101199001011", gender="女", birth_date="1990-01-01",
          education="本科", joined="2015-1-1", org_id="A0101")  # row.id_invalid + optional_blank
    b.add(M, name="坏日期", gender="女", birth_date="1990-01-01", education="本科", joined="2015-13-1",
          org_id="A0101", occupation="工人")  # row.date
    b.add(M, name="外人", gender="女", birth_date="1990-01-01", education="本科", joined="2015-01-01",
          org_id="Q1", occupation="工人")  # set.unknown_org
    b.add(M, name="乙二", id_number=person_id("19850315", False, 2), education="研究生",
          joined="2010-06-01", org_id="A0101", occupation="工人")  # set.duplicate_member
    b.set(E, 1, present=30)  # row.present_gt_eligible
    b.add(E, org_id="A0102", date="2023-05-01", eligible="十", present=9, seats=3, candidates=2)  # int, seats
    b.add(O, org_id="A0101", name="示例第一支部", **common)  # set.duplicate_org (same name: merely twice)
    b.add(E, org_id="A0102", date="2025-03-01", eligible=25, present=23, seats=5, candidates=6)
    b.add(E, org_id="示例第二支部", date="2025.3.1", eligible=25, present=23, seats=5,
          candidates=6)  # set.duplicate_election (the same organization by name, the same date)
    b.add(U, unit_name="示例科技 有限公司", unit_type="非公有制企业", employees=5,
          party_org="未建立")  # set.duplicate_unit (by name)
    for _ in range(2):  # set.duplicate_member_noid
        b.add(M, name="无证", gender="女", birth_date="1991-02-03", education="本科", joined="2015-01-01",
              org_id="A0101", occupation="工人")
    b.add(O, org_id="B1", name="环一", parent_id="B1", **common)  # set.parent_cycle
    b.add(O, org_id="B2", name="无上级", parent_id="ZZ", **{**common, "area": None})  # parent_unknown, optional
    b.add(C, org_id="A0101", term="本届", name="张书记", id_number=person_id("19750101", True, 5),
          education="大学本科", role="委员")  # set.duplicate_committee
    b.add(C, org_id="A0102", term="本届", name="李", gender="男", birth_date="1970-01-01",
          education="大学本科", role="委员")  # set.secretary_count
    first17 = "91990101MA0000001"
    b.set(U, 1, credit_code=first17 + ("0" if nz.credit_check_char(first17) != "0" else "1"))  # row.credit_code
    b.add(U, unit_name="无名", unit_type="企业", employees=3, party_org="联合组建", org_id="NOPE")  # unit_unknown_org
    for i in range(51):  # set.branch_over_50 for A0102 (丙三 has a row error)
        b.add(M, name=f"员{i}", id_number=person_id("19900101", False, i, area=f"98{i:04d}"),
              education="大学本科", joined="2015-07-01", org_id="A0102", occupation="工人")
    b.sheets[M.name][0].append("自定义栏")  # sheet.unknown_column (备注 is a known column)
    b.sheets[E.name][0].append(E.header("eligible"))  # sheet.duplicate_header
    b.sheets[schema.COVER.name] = [[schema.COVER.header("period"), "2026Q2"]]  # sheet.period_mismatch
    b.sheets[schema.ELECTIONS.aliases[0]] = [["没有表头"], ["x"]]  # sheet.no_header
    ds = b.load(tmp_path)
    emitted = set(ds.issues["rule"])
    # rules for hidden and not-data rows and sheets are planted in tests/test_sheet_furniture.py
    furniture = {r for r in catalog.RULES if catalog.rule(r).severity == catalog.SKIPPED
                 or r in ("sheet.hidden_read", "sheet.hidden_rows", "sheet.hidden_column")}
    expected = {r for r in catalog.RULES if not r.startswith("file.")} - furniture
    assert emitted == expected, (expected - emitted, emitted - expected)
    for r in ds.issues.itertuples():
        assert r.severity == catalog.rule(r.rule).severity
        assert catalog.rule(r.rule).fix in r.message or "；" in r.message
        assert pid not in r.message and pid not in r.value
    rec = ds.reconciliation
    assert (rec["rows_read"] == rec["rows_used"] + rec["rows_left_out"] + rec["rows_skipped"]).all()
    drops = ds.issues["rule"].map(lambda r: catalog.rule(r).drops_row).astype(bool)
    errors = ds.issues[drops & ds.issues["row"].notna()]
    per_sheet = errors.drop_duplicates(["file", "sheet", "row"]).groupby("sheet").size()
    rec = rec.set_index("sheet")
    for sheet, n in per_sheet.items():
        assert rec.loc[sheet, "rows_left_out"] == n, sheet
    assert rec.loc[schema.ELECTIONS.aliases[0], "rows_left_out"] == 2  # no header: both rows left out
