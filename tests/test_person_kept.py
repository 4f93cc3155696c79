"""A person is kept unless they cannot be identified (SPEC §2): one bad value makes that field
unknown for that row, every share leaves the unknowns of its own field out of its denominator,
an unknown value is reported once per distinct value, a branch that left-out rows refer to is
待核实 instead of being stated under 3, and dates known only to the month are compared by month.

The workbooks are written here with openpyxl and read through the real entry points; the expected
figures are counted from the rows as written in this file, not from reportgen."""

from __future__ import annotations

import docx
import openpyxl
import pandas as pd
import pytest

from conftest import person_id, write_workbook
from reportgen import api, compute, schema
from reportgen.ingest import load

O, M, E, C = schema.ORGS, schema.MEMBERS, schema.ELECTIONS, schema.COMMITTEE
COLLEGE = {"研究生", "大学本科", "大专", "大学专科"}


def head(sheet):
    return [f.header for f in sheet.fields]


def row(sheet, **values):
    return [values.get(f.key) for f in sheet.fields]


def org(code, name, kind="党支部", parent="A01", last="2024-06-18"):
    return dict(org_id=code, name=name, parent_id=parent, org_type=kind, sector="机关", area="城东街道",
                last_election=last, secretary="书记" + code)


ORGS = [org("A01", "示例党委", "党委", None), org("B1", "第一支部"), org("B2", "第二支部"),
        org("B3", "第三支部"), org("B4", "第四支部")]


def member(i, **kw):
    male = i % 3 != 0
    birth = f"{1960 + i % 40}0{1 + i % 9}1{i % 10}"
    base = dict(name=f"党员{i}", id_number=person_id(birth, male, i, area=f"99{i:04d}"),
                gender="男" if male else "女", birth_date=f"{birth[:4]}-{birth[4:6]}-{birth[6:]}",
                ethnicity="汉族" if i % 10 else "回族", education=("大学本科", "大专", "高中")[i % 3],
                joined=f"{int(birth[:4]) + 25}-07-01", full_member_since=f"{int(birth[:4]) + 26}-07-01",
                org_id="B1", occupation="工人")
    base.update(kw)
    return base


def roster() -> list[dict]:
    """100 members of 第一支部 (12 with an unknown education, one bad date, one gender that
    disagrees with the ID, one who joined before 18), two 正式党员 in each of 第二/三/四支部; a row of
    第二支部 without name and ID (left out), a second copy of a 第四支部 member (left out)."""
    rows = [member(i) for i in range(100)]
    for i in range(5, 100, 8)[:12]:
        rows[i]["education"] = "进修结业"
    rows[3]["joined"] = "2010年13月"
    rows[4]["gender"] = "女" if rows[4]["gender"] == "男" else "男"  # disagrees with the ID
    rows[6].update(birth_date="1990-01-01", id_number=person_id("19900101", True, 6, area="990006"),
                   gender="男", joined="2005-07-01", full_member_since="2006-07-01")
    for code, start in (("B2", 200), ("B3", 210), ("B4", 220)):
        rows += [member(start, org_id=code, education="初中"), member(start + 1, org_id=code, education="初中")]
    return rows


def write_set(folder, members: list[dict], extra_rows: list[list] = ()):
    sheets = {
        O.name: [head(O)] + [row(O, **o) for o in ORGS],
        M.name: [head(M)] + [row(M, **m) for m in members] + list(extra_rows),
    }
    write_workbook(folder / "2026Q3" / "a.xlsx", sheets)
    return folder / "2026Q3"


@pytest.fixture(scope="module")
def kept(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kept")
    members = roster()
    nameless = row(M, education="大学本科", joined="2015-07-01", full_member_since="2016-07-01",
                   org_id="第二支部", gender="男", birth_date="1990-01-01")
    copy = row(M, **members[-1])  # the same ID a second time: a duplicate, one copy counted
    path = write_set(folder, members, [nameless, copy])
    ds = load(path, period="2026Q3")
    return folder, path, members, ds, compute(ds)


def test_every_identifiable_person_is_counted(kept):
    _, _, members, ds, ind = kept
    assert ind["members.total"] == len(members) == 106
    rec = ds.reconciliation.iloc[ds.reconciliation["sheet"].tolist().index(M.name)]
    assert (rec["rows_read"], rec["rows_used"], rec["rows_left_out"]) == (108, 106, 2)
    left = ds.issues[ds.issues["rule"].isin(["row.unidentified", "set.duplicate_member"])]
    assert sorted(left["row"].tolist()) == [108, 109]


def test_shares_are_over_the_known_values(kept):
    _, _, members, ds, ind = kept
    known = [m for m in members if m["education"] != "进修结业"]
    college = [m for m in known if m["education"] in COLLEGE]
    assert ind["members.unknown_education"] == 12
    assert ind["members.college_share"] == pytest.approx(len(college) / len(known))
    # the gender as written wins over the ID
    female = sum(m["gender"] == "女" for m in members)
    assert ind["members.female_share"] == pytest.approx(female / len(members))
    assert ds.members.set_index("name").loc["党员4", "gender"] == members[4]["gender"]
    # the unreadable and the impossible 入党日期 are unknown; the rows stay
    m = ds.members.set_index("name")
    assert pd.isna(m.loc["党员3", "joined"]) and pd.isna(m.loc["党员6", "joined"])
    assert ind["members.unknown_joined"] == 2
    minority = sum(m["ethnicity"] != "汉族" for m in members)
    assert ind["members.minority_share"] == pytest.approx(minority / len(members))


def test_an_unknown_value_is_one_line_with_its_count(kept):
    _, _, members, ds, _ = kept
    lines = ds.issues[ds.issues["rule"] == "row.enum"]
    assert len(lines) == 1
    line = lines.iloc[0]
    rows = [i + 2 for i, m in enumerate(members) if m["education"] == "进修结业"]
    assert (line["row"], line["column"], line["value"]) == (rows[0], "学历", "进修结业")
    assert "，该值共出现12次（第" + "、".join(map(str, rows[:10])) + "…行）" in line["message"]
    assert line["message"].endswith("已计入统计，该项按未填写处理")
    dates = ds.issues[ds.issues["rule"] == "row.date"]
    assert dates["value"].tolist() == ["2010年13月"] and dates["row"].tolist() == [5]
    mismatch = ds.issues[ds.issues["rule"] == "row.id_mismatch"]
    assert mismatch["row"].tolist() == [6] and "已计入统计" in mismatch["message"].iloc[0]


def test_a_branch_with_left_out_rows_is_to_be_verified(kept):
    _, _, _, ds, ind = kept
    # 第二支部 (a row left out for no identity refers to it by name) is 待核实; 第三支部 and 第四支部
    # (its left-out row is a second copy) are stated under 3
    ledger = ind.table("orgs.unverified")
    assert ledger["组织编码"].tolist() == ["B2"] and ledger["未计入的党员行数"].tolist() == [1]
    assert ind["orgs.branches_under_3"] == 2
    under = [f for f in ind.findings if f.id == "orgs.branch_under_3"]
    assert under and sorted(under[0].ledger["组织编码"]) == ["B3", "B4"]


def test_report_says_how_many_are_unknown_beside_the_share(kept, tmp_path):
    _, path, _, _, _ = kept
    out = tmp_path / "out"
    api.build(path, out, period="2026Q3")
    text = "\n".join(p.text for p in docx.Document(out / "report.docx").paragraphs)
    assert "（另有12名党员学历未填写或无法识别，未计入该比例）" in text
    # 2 of 106 入党日期 unknown is under 2%; gender is complete: no note there
    assert "性别未填写或无法识别" not in text
    book = openpyxl.load_workbook(out / "tables.xlsx", read_only=True)
    sheet = next(ws for ws in book.worksheets if "待核实" in ws.title)
    cells = [c for r in sheet.iter_rows(values_only=True) for c in r if c is not None]
    assert "B2" in cells and "第二支部" in cells


def test_month_only_dates_are_compared_by_month(tmp_path):
    orgs = [org("A01", "示例党委", "党委", None, "2024-06-18"),
            org("M1", "按月支部", last="2023.06"), org("F1", "按日支部", last="2023-06-01"),
            org("R1", "换届支部", last="2023-05-01")]
    members = [member(300 + i, org_id=code) for i, code in enumerate(["M1", "F1", "R1"] * 3)]
    sheets = {
        O.name: [head(O)] + [row(O, **o) for o in orgs],
        M.name: [head(M)] + [row(M, **m) for m in members],
        E.name: [head(E), row(E, org_id="R1", date="2026.05", eligible=10, present=9, seats=3, candidates=4)],
        C.name: [head(C),
                 row(C, org_id="R1", term="本届", name="王书记", id_number=person_id("19760520", True, 7),
                     gender="男", birth_date="1976-05-20", education="大学本科", role="书记")],
    }
    write_workbook(tmp_path / "2026Q2" / "a.xlsx", sheets)
    ds = load(tmp_path / "2026Q2", period="2026Q2")  # as of 2026-06-30
    assert ds.orgs.set_index("org_id").loc["M1", "last_election"] == pd.Timestamp("2023-06-01")
    ind = compute(ds)
    # 2023.06 + 3 years: due in June 2026, overdue only from July; 2023-06-01: overdue on 06-02
    overdue = ind.table("elections.overdue")
    assert overdue[O.header("org_id")].tolist() == ["F1"]
    terms = ind._inputs.org_terms.set_index("org_id")
    assert bool(terms.loc["M1", "due_soon"]) and not bool(terms.loc["M1", "overdue"])
    due = ind._inputs.due.set_index("org_id")
    assert bool(due.loc["M1", "is_due"]) and bool(due.loc["F1", "is_due"])
    # born 1976-05-20, elected "2026.05": 50 by month (a day-1 election would make it 49)
    assert ind["committee.age_mean"] == 50


def test_organizations_and_units_with_one_bad_value_are_counted(tmp_path):
    from conftest import valid_sheets

    U = schema.UNITS
    s = valid_sheets()

    def col(sheet, key):
        return s[sheet.name][0].index(sheet.header(key))

    s[O.name][2][col(O, "org_type")] = "大队"  # 示例第一支部: type unknown, still the members' branch
    s[U.name].append([None] * len(s[U.name][0]))
    unit = s[U.name][-1]
    for key, value in (("unit_name", "筹建中公司"), ("unit_type", "非公有制企业"), ("employees", 300),
                       ("party_org", "正在筹建")):
        unit[col(U, key)] = value
    s[U.name].append([None] * len(s[U.name][0]))  # no 单位名称: cannot be attributed
    s[U.name][-1][col(U, "employees")] = 5
    write_workbook(tmp_path / "2026Q3" / "a.xlsx", s)
    ds = load(tmp_path / "2026Q3", period="2026Q3")
    assert len(ds.orgs) == 3 and ds.orgs.set_index("org_id")["org_type"].isna().tolist() == [False, True, False]
    assert len(ds.members) == 4 and len(ds.units) == 2
    assert ds.issues.set_index("rule").loc["row.unidentified", "column"] == U.header("unit_name")
    ind = compute(ds)
    # the unit whose 党组织建立情况 is not recognised is neither covered nor uncovered
    assert ind["coverage.units"] == 2 and ind["coverage.org_share"] == 1.0
    assert ind["coverage.uncovered_100plus"] == 0
    assert not [f for f in ind.findings if f.id == "coverage.below_target_100plus"]


def test_development_shares_say_how_many_new_members_are_unknown(tmp_path):
    from reportgen.render.context import report_context

    members = [member(400 + i, joined="2026-08-0" + str(1 + i), full_member_since=None) for i in range(3)]
    members[0]["education"] = "党校"  # not an option: unknown
    members[1]["education"] = "大学本科"
    members[2]["education"] = "高中"
    folder = write_set(tmp_path, members)
    ind = compute(load(folder, period="2026Q3"))
    assert ind["development.total"] == 3 and ind["development.unknown_education"] == 1
    assert ind["development.college_share"] == pytest.approx(1 / 2)
    ctx = report_context(ind)
    assert ctx["development"]["college_share_note"] == "（另有1名新发展党员学历未填写或无法识别，未计入该比例）"
    assert ctx["development"]["female_share_note"] == "" and ctx["members"]["female_share_note"] == ""


def test_a_name_shared_by_two_branches_makes_both_to_be_verified(tmp_path):
    global ORGS
    saved = ORGS
    ORGS = saved + [org("B5", "第三支部")]  # the name of B3 a second time
    try:
        members = [member(500 + i, org_id=code) for i, code in enumerate(["B1", "B2", "B3", "B4", "B5"])]
        members.append(member(510, org_id="第三支部"))  # which 第三支部? left out
        ind = compute(load(write_set(tmp_path, members), period="2026Q3"))
    finally:
        ORGS = saved
    assert sorted(ind.table("orgs.unverified")["组织编码"]) == ["B3", "B5"]
    under = [f for f in ind.findings if f.id == "orgs.branch_under_3"][0]
    assert sorted(under.ledger["组织编码"]) == ["B1", "B2", "B4"]
