"""orgs.* and coverage.*: organizational setup rules and 两新 coverage on a hand-built district."""

from __future__ import annotations

import pandas as pd
import pytest

from reportgen.dataset import Dataset
from reportgen.indicators import compute
from reportgen.periods import Period

Q3 = Period(2026, 3)


def org(org_id, org_type, parent=None, area="东片", secretary="书记甲", sector="非公有制企业"):
    return dict(org_id=org_id, name=f"{org_id}组织", org_type=org_type, parent_id=parent, sector=sector,
                area=area, last_election="2025-03-01", secretary=secretary)


def members_of(org_id, full, probationary=0):
    rows = [dict(name=f"{org_id}正{i}", gender="男", birth_date="1985-05-05", education="大学本科",
                 joined="2010-01-01", full_member_since="2011-01-01", org_id=org_id) for i in range(full)]
    rows += [dict(name=f"{org_id}预{i}", gender="女", birth_date="1998-05-05", education="大学本科",
                  joined="2026-01-01", org_id=org_id) for i in range(probationary)]
    return rows


def unit(name, employees, party_org, org_id=None, location=None, instructor=None, union=None, youth=None,
         women=None, unit_type="非公有制企业"):
    return dict(unit_name=name, unit_type=unit_type, employees=employees, party_org=party_org, org_id=org_id,
                location=location, has_instructor=instructor, has_union=union, has_youth_league=youth,
                has_women_org=women)


def _ds(with_committee=True):
    orgs = pd.DataFrame([
        org("P", "党委", sector="国有企业"), org("Z", "党总支", "P"), org("B1", "党支部", "Z"),
        org("B2", "党支部", "Z", area="西片"), org("B3", "党支部", area="西片"), org("J", "联合党支部"),
        org("K", "党支部", secretary=None, area=None), org("P2", "党委", secretary=" "),
        org("T", "临时党支部"),
    ])
    members = pd.DataFrame(members_of("B1", 2, 1) + members_of("B2", 51) + members_of("B3", 8)
                           + members_of("J", 3) + members_of("T", 1))
    committee = pd.DataFrame([dict(org_id="B2", term="本届", name="B2正0", gender="男", birth_date="1985-05-05",
                                   education="大学本科", role="书记")]) if with_committee else None
    units = pd.DataFrame(
        [unit(f"联建{i}", e, "联合组建", "J", "科技园", union="是" if i < 3 else "否", youth="是" if i == 0 else None)
         for i, e in enumerate([10, 20, 30, 40, 45, 49])]
        + [unit("大厂", 120, "单独组建", "B3", "科技园", union="是", youth="是", women="是"),
           unit("中厂", 150, "未建立", None, "商务楼", instructor="是"),
           unit("巨厂", 300, "未建立", None, "商务楼"),
           unit("协会", 60, "未建立", None, None, unit_type="社会组织")])
    frames = dict(orgs=orgs, members=members, units=units)
    if committee is not None:
        frames["committee"] = committee
    return Dataset.from_frames(Q3, **frames)


@pytest.fixture(scope="module")
def ind():
    return compute(_ds())


def test_org_counts_and_tables(ind):
    assert ind.get("orgs.total") == 9
    t = ind.table("orgs.by_type")
    assert dict(zip(t["组织类别"], t["个数"])) == {"党委": 2, "党工委": 0, "党总支": 1, "党支部": 4,
                                             "联合党支部": 1, "临时党支部": 1}
    assert t["占比"].sum() == pytest.approx(1.0)
    area = ind.table("orgs.by_area")
    assert area["所属片区"].tolist() == ["东片", "西片", "未填片区"]
    assert area["个数"].tolist() == [6, 2, 1]
    assert area["党员总数"].tolist() == [7, 59, 0]


def test_org_rules(ind):
    assert ind.get("orgs.secretary_vacant") == 2  # K blank, P2 only a space
    assert ind.get("orgs.branches_under_3") == 2  # B1 (2 正式), K (none); J has 3; T is temporary
    assert ind.get("orgs.branches_over_50") == 1  # B2 (51)
    assert ind.get("orgs.no_committee_7plus") == 1  # B3 (8 正式, no 本届 committee); B2 has one
    assert ind.get("orgs.type_size_mismatch") == 2  # B2: 党支部 of 51; P2: 党委 with no members
    assert ind.get("orgs.joint_branch_over_units") == 1  # J links 6 units


def test_no_committee_sheet_means_not_computable():
    ind = compute(_ds(with_committee=False))
    assert ind.get("orgs.no_committee_7plus") is None
    assert not any(f.id == "orgs.no_committee_7plus" for f in ind.findings)


def test_coverage_shares(ind):
    assert ind.get("coverage.units") == 10
    assert ind.get("coverage.org_share") == pytest.approx(7 / 10)
    assert ind.get("coverage.work_share") == pytest.approx(8 / 10)  # + 中厂's instructor
    assert ind.get("coverage.units_100plus") == 3
    assert ind.get("coverage.org_share_100plus") == pytest.approx(1 / 3)
    assert ind.get("coverage.uncovered_100plus") == 2
    assert ind.get("coverage.union_share") == pytest.approx(4 / 7)
    assert ind.get("coverage.youth_league_share") == pytest.approx(2 / 7)
    assert ind.get("coverage.women_org_share") == pytest.approx(1 / 7)
    assert ind.get("coverage.instructor_share") == pytest.approx(1 / 3)


def test_coverage_by_size(ind):
    t = ind.table("coverage.by_size")
    assert t["从业人员规模"].tolist() == ["少于50人", "50至99人", "100至299人", "300人及以上"]
    assert t["个数"].tolist() == [6, 1, 2, 1]
    assert t["已建党组织个数"].tolist() == [6, 0, 1, 0]
    assert t["党组织覆盖率"].tolist() == pytest.approx([1.0, 0.0, 0.5, 0.0])
    assert t["党的工作覆盖率"].tolist() == pytest.approx([1.0, 0.0, 1.0, 0.0])


def test_coverage_by_location_and_type(ind):
    t = ind.table("coverage.by_location")
    assert t["所在园区楼宇"].tolist() == ["科技园", "商务楼", "未填写"]
    assert t["个数"].tolist() == [7, 2, 1]
    assert t["党组织覆盖率"].tolist() == pytest.approx([1.0, 0.0, 0.0])
    k = ind.table("coverage.by_type")
    assert k["单位类型"].tolist() == ["非公有制企业", "社会组织"]
    assert k["个数"].tolist() == [9, 1]


def test_no_units_gives_none():
    ds = Dataset.from_frames(Q3, orgs=pd.DataFrame([org("B1", "党支部")]))
    ind = compute(ds)
    assert ind.get("coverage.units") == 0
    for key in ("coverage.org_share", "coverage.work_share", "coverage.org_share_100plus",
                "coverage.union_share", "coverage.youth_league_share", "coverage.women_org_share"):
        assert ind.get(key) is None, key
    assert not any(f.id.startswith("coverage.") for f in ind.findings)
