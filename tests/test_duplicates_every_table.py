"""Duplicates in every table (issue 17): elections (organization + date), 两新 units (credit
code, else name), members without an ID number (name + birth date + organization), and ID numbers
or codes behind the apostrophe that keeps a number as text (issue 17 item 5)."""

from __future__ import annotations

import reportgen
from conftest import person_id, write_csv, write_workbook
from reportgen import schema

O, M, E, U = schema.ORGS, schema.MEMBERS, schema.ELECTIONS, schema.UNITS
CREDIT = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_W = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code(first17: str) -> str:
    """A unified social credit code with its GB 32100 check character (written out here)."""
    total = sum(CREDIT.index(c) * w for c, w in zip(first17, CREDIT_W))
    return first17 + CREDIT[(31 - total % 31) % 31]


def _sheet(sheet: schema.Sheet, *rows: dict) -> list[list[object]]:
    keys = [f.key for f in sheet.fields]
    return [[sheet.header(k) for k in keys], *[[r.get(k) for k in keys] for r in rows]]


ORGS = _sheet(O, dict(org_id="D1", name="示例党委", org_type="党委", sector="机关", area="东片",
                      last_election="2024-06-18", secretary="甲"),
              dict(org_id="D11", name="示例第一支部", parent_id="D1", org_type="党支部", sector="非公有制企业",
                   area="东片", last_election="2021-06-18", secretary="乙"),
              dict(org_id="D12", name="示例第二支部", parent_id="D1", org_type="党支部", sector="社会组织",
                   area="东片", last_election="2021-05-01", secretary="丙"))


def _member(name: str, org: str = "D11", **more) -> dict:
    return dict(name=name, education="大学本科", joined="2015-07-01", full_member_since="2016-07-01",
                org_id=org, occupation="工人", **more)


def test_duplicate_elections(tmp_path):
    elections = _sheet(E, *[dict(org_id=o, date=d, eligible=20, present=19, seats=3, candidates=4)
                            for o, d in (("D11", "2026-08-15"), ("示例第一支部", "2026/8/15"),
                                         ("D11", "2026-09-01"), ("D12", "2026-08-15"), ("D11", "2026年8月15日"))])
    folder = tmp_path / "2026Q3"
    write_workbook(folder / "a.xlsx", {O.name: ORGS, M.name: _sheet(M, _member("甲", gender="男", birth_date="1990-01-01")),
                                       E.name: elections})
    ds = reportgen.load(folder, period="2026Q3")
    dup = ds.issues[ds.issues["rule"] == "set.duplicate_election"]
    assert dup["row"].tolist() == [3, 6] and set(dup["severity"]) == {"错误"}
    assert dup["column"].tolist() == ["选举日期", "选举日期"]
    assert "a.xlsx的“换届选举”表第2行" in dup["message"].iloc[0] and "2026-08-15" in dup["message"].iloc[0]
    assert len(ds.issues) == 2
    assert len(ds.elections) == 3
    assert reportgen.compute(ds)["elections.held"] == 3


def test_duplicate_units_by_credit_code_and_by_name(tmp_path):
    a, b = credit_code("91990101MA00000A1"), credit_code("91990101MA00000B2")
    units = _sheet(U, *[dict(unit_name=n, credit_code=c, unit_type="非公有制企业", employees=50, party_org="未建立")
                        for n, c in (("示例科技有限公司", a),
                                     ("示例科技（集团）有限公司", "'" + a.lower()),  # the same code
                                     ("示例物流有限公司", None),
                                     ("示例物流 有限公司", None),  # the same name without spaces
                                     ("示例物流有限公司", b),  # the same name, a code where the first has none
                                     ("示例商贸有限公司", a[:-1] + "Z"),
                                     ("示例商贸有限公司", b[:-1] + "Z"))])  # one name, two codes: two units
    folder = tmp_path / "2026Q3"
    write_workbook(folder / "a.xlsx", {O.name: ORGS, U.name: units})
    ds = reportgen.load(folder, period="2026Q3")
    dup = ds.issues[ds.issues["rule"] == "set.duplicate_unit"]
    assert dup["row"].tolist() == [3, 5, 6]
    assert dup["column"].tolist() == ["统一社会信用代码", "单位名称", "单位名称"]
    assert "第2行" in dup["message"].iloc[0] and "第4行" in dup["message"].iloc[1]
    assert set(ds.issues["rule"]) == {"set.duplicate_unit", "row.credit_code"}
    assert len(ds.units) == 4
    assert reportgen.compute(ds)["coverage.units"] == 4


def test_a_member_with_and_without_the_apostrophe_is_one_person(tmp_path):
    folder = tmp_path / "2026Q3"
    pid = person_id("19851224", False, 7)
    lower = pid[:-1] + pid[-1].lower()
    write_workbook(folder / "a.xlsx", {O.name: ORGS, M.name: _sheet(
        M, _member("甲", id_number=pid), _member("乙", id_number=person_id("19900101", True, 8)))})
    write_csv(folder / "b.csv", _sheet(M, _member("甲", id_number="'" + lower + "\u3000"),
                                       _member("丙", id_number="\u00a0'" + person_id("19920202", True, 9))),
              encoding="utf-8-sig")
    ds = reportgen.load(folder, period="2026Q3")
    dup = ds.issues[ds.issues["rule"] == "set.duplicate_member"]
    assert (dup["file"].tolist(), dup["row"].tolist()) == (["b.csv"], [2])
    assert "a.xlsx的“党员”表第2行" in dup["message"].iloc[0] and pid not in dup["message"].iloc[0]
    assert len(ds.issues) == 1, ds.issues[["file", "row", "rule", "message"]].to_dict("records")
    assert sorted(ds.members["name"]) == ["丙", "乙", "甲"]
    assert ds.members.set_index("name").loc["丙", "id_number"] == person_id("19920202", True, 9)
    ind = reportgen.compute(ds)
    assert ind["members.total"] == 3 and ind["members.female_share"] == 1 / 3


def test_members_without_an_id_number(tmp_path):
    rows = [_member("丁", gender="女", birth_date="1990-01-01"),
            _member("丁", gender="女", birth_date="1990/1/1"),  # the same person: left out
            _member("丁", gender="女", birth_date="1990-01-01", org="D12"),  # another organization
            _member("丁", gender="女", birth_date="1991-01-01"),  # another birth date
            _member("丁", gender="女", birth_date="1990-01-01", id_number=person_id("19900101", False, 3))]
    folder = tmp_path / "2026Q3"
    write_workbook(folder / "a.xlsx", {O.name: ORGS, M.name: _sheet(M, *rows)})
    ds = reportgen.load(folder, period="2026Q3")
    assert ds.issues[["row", "column", "rule", "severity"]].to_dict("records") == [
        {"row": 3, "column": "姓名", "rule": "set.duplicate_member_noid", "severity": "错误"}]
    assert "第2行" in ds.issues["message"].iloc[0]
    assert reportgen.compute(ds)["members.total"] == 4
