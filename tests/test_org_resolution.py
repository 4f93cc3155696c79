"""Organizations referred to the way users write them (issue 16): by code, by a code that Excel
turned into a number (leading zeros lost), by full name, by 简称; parents by name; a code that two
differently named organizations share identifies neither."""

from __future__ import annotations

import pandas as pd
import pytest

import reportgen
from conftest import person_id, write_workbook
from reportgen import schema

O, M, E = schema.ORGS, schema.MEMBERS, schema.ELECTIONS
ORG_HEAD = {**{f.key: f.header for f in O.fields}, "parent_id": "上级党组织", "short_name": "简称"}


def _orgs(*rows: dict) -> list[list[object]]:
    keys = [f.key for f in O.fields]
    common = dict(org_type="党支部", sector="机关", area="东片", last_election="2024-06-18", secretary="甲")
    return [[ORG_HEAD[k] for k in keys], *[[{**common, **r}.get(k) for k in keys] for r in rows]]


def _members(*orgs: object) -> list[list[object]]:
    keys = [f.key for f in M.fields]
    rows = [[M.header(k) for k in keys]]
    for i, org in enumerate(orgs):
        v = dict(name=f"成员{i}", id_number=person_id("19900101", i % 2 == 0, i + 1), education="大学本科",
                 joined="2015-07-01", full_member_since="2016-07-01", org_id=org, occupation="工人")
        rows.append([v.get(k) for k in keys])
    return rows


def _load(tmp_path, orgs, members, **more):
    folder = tmp_path / "2026Q3"
    write_workbook(folder / "a.xlsx", {O.name: orgs, M.name: members, **more})
    return reportgen.load(folder, period="2026Q3")


TREE = _orgs(
    dict(org_id="030100", name="中共示例街道工作委员会", short_name="示例街道党工委", org_type="党工委"),
    dict(org_id="030130", name="中共示例街道第一支部委员会", short_name="一支部", parent_id="中共示例街道工作委员会"),
    dict(org_id="030131", name="中共示例街道第二支部委员会", short_name="二支部", parent_id="示例街道党工委"),
    dict(org_id="030132", name="中共示例街道第三支部委员会", short_name="中共示例街道第二支部委员会",
         parent_id=30100),  # the parent's code as an Excel number; a 简称 that is another's full name
)


def test_members_by_code_padded_code_full_name_and_short_name(tmp_path):
    members = _members("030130", 30130, "一支部", "中共示例街道第一支部委员会", " ０３０１３１　", "'030131",
                       "中共示例街道第二支部委员会", "30132")
    ds = _load(tmp_path, TREE, members)
    assert ds.issues.empty, ds.issues[["sheet", "row", "value", "rule", "message"]].to_dict("records")
    got = dict(zip(ds.members["name"], ds.members["org_id"]))
    assert got == {"成员0": "030130", "成员1": "030130", "成员2": "030130", "成员3": "030130",
                   "成员4": "030131", "成员5": "030131",
                   "成员6": "030131",  # a full name wins over another organization's 简称
                   "成员7": "030132"}
    parents = dict(zip(ds.orgs["org_id"], ds.orgs["parent_id"]))
    assert pd.isna(parents.pop("030100"))
    assert parents == {"030130": "030100", "030131": "030100", "030132": "030100"}  # by name, 简称, 30100
    ind = reportgen.compute(ds)
    assert ind["members.total"] == 8


def test_elections_by_short_name_and_units_by_padded_code(tmp_path):
    e_keys = [f.key for f in E.fields]
    elections = [[E.header(k) for k in e_keys],
                 [dict(org_id="二支部", date="2024-06-18", eligible=20, present=19, seats=3, candidates=4).get(k)
                  for k in e_keys]]
    ds = _load(tmp_path, TREE, _members("030130"), **{E.name: elections})
    assert ds.issues.empty, ds.issues[["sheet", "row", "value", "rule"]].to_dict("records")
    assert ds.elections["org_id"].tolist() == ["030131"]


def test_an_unknown_and_an_ambiguous_short_name(tmp_path):
    orgs = _orgs(dict(org_id="A1", name="甲支部", short_name="支部"), dict(org_id="A2", name="乙支部", short_name="支部"))
    ds = _load(tmp_path, orgs, _members("支部", "丙支部", "乙支部"))
    lines = ds.issues[ds.issues["rule"] == "set.unknown_org"]
    assert lines["row"].tolist() == [2, 3]
    assert "多个党组织共用的名称或简称" in lines["message"].iloc[0]
    assert "既不是组织编码，也不是组织全称或简称" in lines["message"].iloc[1]
    assert ds.members["org_id"].tolist() == ["A2"]


def test_a_code_two_differently_named_orgs_share_merges_nobody(tmp_path):
    orgs = _orgs(dict(org_id="B01", name="东风社区支部"), dict(org_id="B01", name="西湖社区支部"),
                 dict(org_id="B02", name="南山社区支部"))
    ds = _load(tmp_path, orgs, _members("B01", "B01", "东风社区支部", "西湖社区支部", "B02"))
    dup = ds.issues[ds.issues["rule"] == "set.duplicate_org"]
    assert dup["row"].tolist() == [3] and dup["severity"].tolist() == ["错误"]
    assert "组织名称不同" in dup["message"].iloc[0] and "西湖社区支部" in dup["message"].iloc[0] \
        and "东风社区支部" in dup["message"].iloc[0]
    unknown = ds.issues[(ds.issues["rule"] == "set.unknown_org") & (ds.issues["sheet"] == M.name)]
    assert unknown["row"].tolist() == [2, 3, 5]
    assert "名称不同的多个党组织共用（东风社区支部、西湖社区支部）" in unknown["message"].iloc[0]
    # the members written by code are not merged into the first organization
    assert sorted(zip(ds.members["name"], ds.members["org_id"])) == [("成员2", "B01"), ("成员4", "B02")]
    assert ds.orgs["org_id"].tolist() == ["B01", "B02"]


def test_the_same_org_written_twice_is_a_plain_duplicate(tmp_path):
    orgs = _orgs(dict(org_id="B01", name="东风社区支部"), dict(org_id="B01", name="中共东风社区支部委员会"))
    ds = _load(tmp_path, orgs, _members("B01", "B01"))
    assert ds.issues["rule"].tolist() == ["set.duplicate_org"]
    assert "名称不同" not in ds.issues["message"].iloc[0]
    assert ds.members["org_id"].tolist() == ["B01", "B01"]


def test_parent_given_by_an_unknown_name_is_top_level(tmp_path):
    orgs = _orgs(dict(org_id="C1", name="上级党委", org_type="党委"),
                 dict(org_id="C2", name="下属支部", parent_id="不存在的党委"))
    ds = _load(tmp_path, orgs, _members("C2"))
    line = ds.issues.iloc[0]
    assert (len(ds.issues), line["rule"], line["column"], line["value"]) == (
        1, "set.parent_unknown", "上级党组织", "不存在的党委")
    assert ds.orgs["parent_id"].isna().all()


@pytest.mark.parametrize("header", ["所属党组织", "所属党组织名称", "党组织名称"])
def test_units_party_org_by_short_or_full_name_under_a_name_header(tmp_path, header):
    """A 两新 sheet names the unit's Party organization under 所属党组织 (by 简称 or full name), not
    by code: it is resolved like a member's; one that resolves needs no code, one that does not is
    a warning, and only a built organization with the column blank is 所属党组织编码为空."""
    units = [["单位名称", "单位类型", "从业人员数", "党组织组建情况", header, "党员人数"],
             ["甲公司", "非公有制企业", 50, "单独组建", "一支部", 5],
             ["乙公司", "非公有制企业", 30, "联合组建", "中共示例街道第二支部委员会", 2],
             ["丙公司", "非公有制企业", 20, "联合组建", "不存在的支部", 1],
             ["丁公司", "非公有制企业", 10, "未建立", None, 0],
             ["戊公司", "非公有制企业", 12, "单独组建", None, 3]]
    ds = _load(tmp_path, TREE, _members("030130"), 两新组织=units)
    assert ds.units["org_id"].tolist()[:2] == ["030130", "030131"]
    errors = ds.issues[ds.issues["severity"] == "错误"]
    assert list(zip(errors["row"], errors["rule"])) == [(6, "row.required")]
    unknown = ds.issues[ds.issues["rule"] == "set.unit_unknown_org"]
    assert list(zip(unknown["row"], unknown["value"])) == [(4, "不存在的支部")]
    assert len(ds.units) == 5
