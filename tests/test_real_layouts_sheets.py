"""Sheets recognised by what they hold, in the layouts real submissions come in (issues 16, 17):
the national member system's export, the 班子信息集 committee layout (届别 derived from 任职/离职
dates against the organization's latest election), a 两新 sheet with one-hot "√" columns under a
group header, an elections sheet with the long 应到会有选举权党员数 headers."""

from __future__ import annotations

import openpyxl
import pytest

from reportgen import schema
from reportgen.indicators import compute
from reportgen.config import DEFAULT
from reportgen.ingest import load
from reportgen.ingest.read import read_file

from conftest import person_id

O = schema.ORGS

NATIONAL_MEMBER_HEADERS = [
    "序号", "姓名", "性别", "公民身份号码", "民族", "出生日期", "学历", "人员类别", "学位", "所在党支部", "手机号码",
    "入党日期", "转正日期", "党龄", "党龄校正值", "新社会阶层类型", "工作岗位", "从事专业技术职务", "是否农民工",
    "现居住地", "户籍所在地", "是否失联党员", "是否流动党员", "入党类型", "转正情况", "入党时所在支部",
    "延长预备期时间", "党员所属行业", "工作岗位补充"]


def _orgs() -> list[list[object]]:
    head = [f.header for f in O.fields]

    def row(**v):
        return [v.get(f.key) for f in O.fields]
    return [head,
            row(org_id="A01", name="示例党委", org_type="党委", sector="机关", area="城东街道",
                last_election="2024-06-18", secretary="李书记"),
            row(org_id="A0101", name="示例第一支部", parent_id="A01", org_type="党支部", sector="机关",
                area="城东街道", last_election="2026-08-15", secretary="张书记"),
            row(org_id="A0102", name="示例第二支部", parent_id="A01", org_type="党支部", sector="社会组织",
                area="城西街道", last_election="2025-05-01", secretary="钱书记")]


def _member(seq, name, gender, birth, status, branch, joined, full, post, mobile="否"):
    pid = person_id(birth.replace("-", ""), gender == "男", seq)
    values = {"序号": seq, "姓名": name, "性别": gender, "公民身份号码": pid, "民族": "汉族", "出生日期": birth,
              "学历": "大学本科", "人员类别": status, "学位": "学士", "所在党支部": branch,
              "手机号码": f"1380000{seq:04d}", "入党日期": joined, "转正日期": full, "党龄": 10,
              "党龄校正值": 0, "新社会阶层类型": "", "工作岗位": post, "从事专业技术职务": "无",
              "是否农民工": "否", "现居住地": "示例市", "户籍所在地": "示例市", "是否失联党员": "否",
              "是否流动党员": mobile, "入党类型": "", "转正情况": "按期转正", "入党时所在支部": branch,
              "延长预备期时间": "", "党员所属行业": "", "工作岗位补充": ""}
    return [values[h] for h in NATIONAL_MEMBER_HEADERS]


@pytest.fixture
def folder(tmp_path):
    folder = tmp_path / "2026Q3"
    folder.mkdir()
    book = openpyxl.Workbook()
    book.remove(book.active)
    book.create_sheet("党组织").append([])  # replaced below
    ws = book["党组织"]
    ws.delete_rows(1)
    for r in _orgs():
        ws.append(r)
    # the national member system's export, under a sheet name that says nothing
    ws = book.create_sheet("导出数据")
    ws.append(["党员信息导出"])
    ws.append(NATIONAL_MEMBER_HEADERS)
    ws.append(_member(1, "甲一", "男", "1990-01-01", "正式党员", "示例第一支部", "2015-07-01", "2016-07-01", "工人"))
    ws.append(_member(2, "乙二", "女", "1985-03-15", "预备党员", "示例第一支部", "2026-01-10", None, "管理人员"))
    ws.append(_member(3, "丙三", "女", "1970-07-07", "正式党员", "示例第二支部", "1995-07-01", "1996-07-01",
                      "离退休人员", mobile="是"))
    # 班子信息集: no 届别, 任职/离职 dates; A0101 was re-elected on 2026-08-15
    ws = book.create_sheet("班子信息集")
    ws.append(["所属党支部", "党内职务", "姓名", "公民身份证号码", "性别", "出生日期", "学历", "任职日期", "离职日期", "排序"])
    zhang = person_id("19750101", True, 5)
    wang = person_id("19800202", False, 6)
    ws.append(["示例第一支部", "支部书记", "张书记", zhang, "男", "1975-01-01", "大学本科", "2023-08-10", "2026-08-15", 1])
    ws.append(["示例第一支部", "支部书记", "张书记", zhang, "男", "1975-01-01", "大学本科", "2026-08-15", None, 1])
    ws.append(["示例第一支部", "组织委员", "李委员", person_id("19660303", True, 7), "男", "1966-03-03", "高中",
               "2023-08-10", "2026-08-15", 2])
    ws.append(["示例第一支部", "宣传委员", "王委员", wang, "女", "1980-02-02", "大学专科", "2023-08-10", None, 3])
    ws.append(["示例第一支部", "纪检委员", "赵新", person_id("19950505", True, 8), "男", "1995-05-05", "研究生",
               "2026-08-15", None, 4])
    # elections with the long headers
    ws = book.create_sheet("选举")
    ws.append(["组织编码", "选举日期", "应到会有选举权党员数", "实到会有选举权党员数", "应选委员数", "候选人数"])
    ws.append(["A0101", "2026-08-15", 40, 38, 5, 6])
    # 两新: two-row header, one-hot √ columns under 党组织组建情况
    ws = book.create_sheet("两新组织")
    ws.append(["序号", "单位名称", "单位类型", "从业人员数", "党组织组建情况", None, None, "党员人数", "所属党组织编码", "已建工会", None])
    ws.append([None, None, None, None, "单独组建", "联合组建", "未建立", None, None, "是", "否"])
    ws.merge_cells("E1:G1")
    ws.merge_cells("J1:K1")
    for c in ("A", "B", "C", "D", "H", "I"):
        ws.merge_cells(f"{c}1:{c}2")
    ws.append([1, "甲公司", "非公有制企业", 120, "√", None, None, 8, "A0102", "√", None])
    ws.append([2, "乙公司", "非公有制企业", 30, None, "√", None, 2, "A0102", None, "√"])
    ws.append([3, "丙协会", "社会组织", 10, None, None, "√", 0, None])
    ws.append([4, "丁公司", "非公有制企业", 15, "√", "√", None, 1, "A0102"])  # two marks: the field is not known
    ws.append([5, "戊公司", "非公有制企业", 15, None, None, None, 1, None])  # no mark
    book.save(folder / "城东街道.xlsx")
    return folder


@pytest.fixture
def ds(folder):
    return load(folder, period="2026Q3")


def test_national_member_export_read_by_its_headers(ds):
    m = ds.members.set_index("name")
    assert list(m.index) == ["甲一", "乙二", "丙三"]
    assert m.loc["乙二", "status"] == "预备党员" and m.loc["甲一", "status"] == "正式党员"
    assert m.loc["丙三", "org_id"] == "A0102" and m.loc["丙三", "mobile"] == "是"
    assert m.loc["甲一", "phone"] == "13800000001"
    assert m.loc["乙二", "occupation"] == "企事业单位、社会组织管理人员"
    rec = ds.reconciliation.set_index("sheet").loc["导出数据"]
    assert (rec["rows_read"], rec["rows_used"], rec["rows_left_out"], rec["rows_skipped"]) == (3, 3, 0, 0)
    ind = compute(ds)
    assert ind["members.total"] == 3 and ind["members.probationary"] == 1


def test_no_errors_in_the_real_layouts_but_for_the_one_hot_rows(ds):
    errors = ds.issues[ds.issues["severity"] == "错误"]
    assert set(errors["sheet"]) == {"两新组织"}, errors.to_string()
    assert sorted(errors["row"].tolist()) == [6, 7]


def test_committee_terms_derived_from_dates_against_the_latest_election(ds):
    c = ds.committee
    current = sorted(c.loc[c["term"] == "本届", "name"])
    previous = sorted(c.loc[c["term"] == "上届", "name"])
    assert current == ["张书记", "王委员", "赵新"]
    assert previous == ["张书记", "李委员", "王委员"]  # 王委员 sat on both with one record
    roles = dict(zip(c.loc[c["term"] == "本届", "name"], c.loc[c["term"] == "本届", "role"].astype(str)))
    assert roles == {"张书记": "书记", "王委员": "委员", "赵新": "委员"}
    assert not (ds.issues["rule"] == "set.secretary_count").any()
    ind = compute(ds)
    assert ind["committee.size"] == 3 and ind["committee.size_previous"] == 3
    assert ind["committee.reelected"] == 2 and ind["committee.new"] == 1


def test_elections_long_headers(ds):
    e = ds.elections
    assert len(e) == 1 and int(e["eligible"].iloc[0]) == 40 and int(e["present"].iloc[0]) == 38
    assert compute(ds)["elections.turnout"] == pytest.approx(38 / 40)


def test_one_hot_group_header_becomes_one_field(ds):
    u = ds.units.set_index("unit_name")
    # two marks (丁公司) or none (戊公司): the unit is counted, its 组建情况 unknown (SPEC §2)
    known = u["party_org"].astype(object).where(u["party_org"].notna(), None).to_dict()
    assert known == {"甲公司": "单独组建", "乙公司": "联合组建", "丙协会": "未建立", "丁公司": None, "戊公司": None}
    assert u.loc["甲公司", "has_union"] == "是" and u.loc["乙公司", "has_union"] == "否"
    lines = ds.issues[ds.issues["sheet"] == "两新组织"].set_index("row")
    two = lines.loc[6]
    assert two["rule"] == "row.enum" and "单独组建、联合组建" in two["value"]
    assert lines.loc[7, "rule"] == "row.required"
    assert lines.loc[6, "column"] == "党组织组建情况"
    ind = compute(ds)
    assert ind["coverage.units"] == 5 and ind["coverage.org_share"] == pytest.approx(2 / 3)  # of the 3 known


def _one_sheet(tmp_path, name, rows):
    folder = tmp_path / "2026Q3"
    folder.mkdir(exist_ok=True)
    book = openpyxl.Workbook()
    book.remove(book.active)
    ws = book.create_sheet("党组织")
    for r in _orgs():
        ws.append(r)
    ws = book.create_sheet(name)
    for r in rows:
        ws.append(r)
    book.save(folder / "a.xlsx")
    return load(folder, period="2026Q3")


@pytest.mark.parametrize("extra, value, table", [
    ("入党日期", "2015-07-01", "members"), ("人员类别", "正式党员", "members"),
    ("职务", "委员", "committee"), ("届别", "本届", "committee")])
def test_member_or_committee_decided_by_the_fields_only_one_has(tmp_path, extra, value, table):
    head = ["姓名", "公民身份号码", "性别", "出生日期", "学历", "所在党支部", extra]
    row = ["甲一", person_id("19900101", True, 1), "男", "1990-01-01", "大学本科", "A0101", value]
    _one_sheet(tmp_path, "Sheet1", [head, row])
    path = tmp_path / "2026Q3" / "a.xlsx"
    read = read_file(path, "a.xlsx", DEFAULT.limits)
    assert {r.sheet: r.key for r in read.sheets} == {"党组织": "orgs", "Sheet1": table}


def test_party_status_and_branch_code_beside_branch_name(tmp_path):
    head = ["姓名", "公民身份号码", "党籍状态（正式党员或预备党员）", "出生年月", "学历", "入党时间", "转正时间",
            "所在党支部", "所在党支部编码"]
    rows = [head,
            ["甲一", person_id("19690101", True, 1), "正", "1969.01", "大学本科", "1995.07", "1996.07", "示例第一支部", "A0101"],
            ["乙二", person_id("19900202", False, 2), "预", "1990.02", "大专", "2026.03", None, "示例第一支部", "A0102"]]
    ds = _one_sheet(tmp_path, "党员名册", rows)
    m = ds.members.set_index("name")
    assert m["status"].astype(str).to_dict() == {"甲一": "正式党员", "乙二": "预备党员"}
    assert m["org_id"].to_dict() == {"甲一": "A0101", "乙二": "A0102"}  # the code column wins over the name
    assert str(m.loc["甲一", "birth_date"].date()) == "1969-01-01"
    # the branch's name beside its code is an ordinary layout: the code is read, nothing to fix
    assert ds.issues[ds.issues["rule"].isin(["sheet.duplicate_header", "sheet.unknown_column"])].empty


def test_committee_offices_left_before_the_latest_election_are_in_no_term(tmp_path):
    """The 上届 is the committee the latest election (A0101: 2026-08-15) replaced — who held office
    at it. An office left at the election before (2023) or during the previous term is in neither
    committee, without a 届别为空 error; a 离职日期 given to the month of the election ("2026.08")
    counts as held at it."""
    head = ["所属党支部", "党内职务", "姓名", "公民身份证号码", "性别", "出生日期", "学历", "任职日期", "离职日期"]
    zhang = person_id("19750101", True, 5)

    def office(role, name, pid, start, end=None):
        return ["示例第一支部", role, name, pid, "男", f"{pid[6:10]}-{pid[10:12]}-{pid[12:14]}", "大学本科", start, end]
    rows = [head,
            office("宣传委员", "旧委员", person_id("19600101", True, 1), "2020-08-01", "2023-08-10"),
            office("支部书记", "张书记", zhang, "2023-08-10", "2026-08-15"),
            office("组织委员", "李委员", person_id("19660303", True, 7), "2023-08-10", "2024-05-20"),
            office("纪检委员", "钱委员", person_id("19700404", True, 9), "2023-08-10", "2026.08"),
            office("支部书记", "张书记", zhang, "2026-08-15"),
            office("纪检委员", "赵新", person_id("19950505", True, 8), "2026-08-15")]
    _one_sheet(tmp_path, "班子信息集", rows)
    book = openpyxl.load_workbook(tmp_path / "2026Q3" / "a.xlsx")
    ws = book.create_sheet("选举")
    ws.append(["组织编码", "选举日期", "应到会有选举权党员数", "实到会有选举权党员数", "应选委员数", "候选人数"])
    ws.append(["A0101", "2026-08-15", 40, 38, 2, 3])
    book.save(tmp_path / "2026Q3" / "a.xlsx")
    ds = load(tmp_path / "2026Q3", period="2026Q3")
    c = ds.committee
    assert sorted(c.loc[c["term"] == "本届", "name"]) == ["张书记", "赵新"]
    assert sorted(c.loc[c["term"] == "上届", "name"]) == ["张书记", "钱委员"]
    assert sorted(c.loc[c["term"].isna(), "name"]) == ["旧委员", "李委员"]
    assert ds.error_count == 0, ds.issues[["row", "rule", "message"]].to_string()
    ind = compute(ds)
    assert ind["committee.size"] == 2 and ind["committee.size_previous"] == 2
