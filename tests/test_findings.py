"""Findings on a crafted district: every reported finding is true of the data."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from reportgen.config import DEFAULT
from reportgen.dataset import Dataset
from reportgen.findings import FINDINGS, find
from reportgen.indicators import compute
from reportgen.periods import Period

Q3 = Period(2026, 3)  # as of 2026-09-30


def org(org_id, org_type="党支部", parent=None, area="东片", last="2025-03-01", secretary="书记甲",
        sector="非公有制企业"):
    return dict(org_id=org_id, name=f"{org_id}组织", org_type=org_type, parent_id=parent, sector=sector,
                area=area, last_election=last, secretary=secretary)


def people(org_id, n, birth="1985-05-05", full=True, occupation=None, joined="2010-01-01", gender="男",
           prefix="员"):
    return [dict(name=f"{org_id}{prefix}{i}", gender=gender, birth_date=birth, education="大学本科",
                 joined=joined, full_member_since="2011-01-01" if full else None, org_id=org_id,
                 occupation=occupation) for i in range(n)]


def seat(org_id, term, name, role="委员", gender="男"):
    return dict(org_id=org_id, term=term, name=name, role=role, gender=gender, birth_date="1980-01-01",
                education="大学本科")


ORGS = pd.DataFrame([
    org("P", "党委", sector="国有企业"),  # 0 members of its own, subtree 0: 党委 under 50 (type/size)
    org("OLD", last="2022-01-01"),  # term ended 2025-01-01: 20 months overdue (serious)
    org("LATE", last="2023-08-01"),  # ended 2026-08-01: 1 month overdue
    org("SOON", last="2023-12-15"),  # ends 2026-12-15: due soon
    org("TINY"),  # 2 正式: under 3
    org("BIG", area="西片"),  # 55 members: over 50, type/size mismatch; has a committee
    org("SEVEN", area="西片"),  # 7 正式, no committee
    org("JOINT", "联合党支部"),  # 3 正式, 6 units
    org("NOSEC", secretary=None),  # 3 正式, secretary vacant
    org("AGED", area="西片"),  # 6 members, 4 retired: aging
    org("E1", last="2026-08-01"),  # held an election: quorum exactly 4/5, 5 seats 5 candidates
    org("E2", "党委", last="2026-09-01", sector="机关"),  # 党员代表大会 with 3 members + all-male committee
])
MEMBERS = pd.DataFrame(
    people("OLD", 3) + people("LATE", 3) + people("SOON", 3) + people("TINY", 2) + people("TINY", 1, full=False,
                                                                                            prefix="预")
    + people("BIG", 55) + people("SEVEN", 7) + people("JOINT", 3) + people("NOSEC", 3)
    + people("AGED", 4, birth="1950-01-01", occupation="离退休人员") + people("AGED", 2, birth="1990-01-01",
                                                                        prefix="青")
    + people("E1", 3) + people("E2", 3)
    # development in the period: 东片 one new member aged 40 when joining; 西片 none
    + people("SOON", 1, birth="1986-07-01", full=False, joined="2026-08-01", prefix="新")
)
ELECTIONS = pd.DataFrame([
    dict(org_id="E1", date="2026-08-01", method="党员大会", eligible=50, present=40, seats=5, candidates=5),
    dict(org_id="E2", date="2026-09-01", method="党员代表大会", eligible=30, present=29, seats=3, candidates=4),
])
COMMITTEE = pd.DataFrame([seat("BIG", "本届", "甲", "书记")]
                         + [seat("E2", "本届", n, r) for n, r in (("乙", "书记"), ("丙", "委员"), ("丁", "委员"))]
                         + [seat("E1", "本届", "戊", "书记", "女"), seat("E1", "本届", "己")])
UNITS = pd.DataFrame(
    [dict(unit_name=f"小店{i}", unit_type="非公有制企业", employees=10, party_org="联合组建", org_id="JOINT")
     for i in range(6)]
    + [dict(unit_name="大厂", unit_type="非公有制企业", employees=200, party_org="未建立"),
       dict(unit_name="中厂", unit_type="非公有制企业", employees=100, party_org="单独组建", org_id="BIG")])

EXPECTED = {
    "elections.overdue": ["OLD", "LATE"],
    "elections.due_soon": ["SOON"],
    "elections.invalid_quorum": ["E1"],
    "elections.candidate_margin": ["E1"],
    "elections.congress_small_org": ["E2"],
    "orgs.branch_under_3": ["TINY"],
    "orgs.branch_over_50": ["BIG"],
    "orgs.no_committee_7plus": ["SEVEN"],
    "orgs.type_size_mismatch": ["BIG", "E2", "P"],  # E2 is a 党委 of 3 members too
    "orgs.joint_branch_units": ["JOINT"],
    "orgs.secretary_vacant": ["NOSEC"],
    "orgs.aging": ["AGED"],
    "committee.few_women": ["E2"],
}


@pytest.fixture(scope="module")
def ind():
    ds = Dataset.from_frames(Q3, orgs=ORGS, members=MEMBERS, elections=ELECTIONS, committee=COMMITTEE,
                             units=UNITS)
    return compute(ds)


def _by_id(ind):
    return {f.id: f for f in ind.findings}


def test_every_finding_is_reported(ind):
    assert set(_by_id(ind)) == set(FINDINGS)


def test_counts_ledgers_and_sentences(ind):
    for f in ind.findings:
        assert f.count == len(f.ledger) > 0, f.id
        assert str(f.count) in f.sentence, f.id
        assert f.sentence.endswith("。") and f.measure.endswith("。"), f.id
        assert f.severity in ("严重", "一般", "提示") and f.rule and f.title, f.id
    for fid, orgs in EXPECTED.items():
        assert sorted(_by_id(ind)[fid].ledger["组织编码"]) == sorted(orgs), fid


def test_ledger_rows_satisfy_their_condition(ind):
    f = _by_id(ind)
    m = MEMBERS
    n = m["org_id"].value_counts()
    full = m[m["full_member_since"].notna()]["org_id"].value_counts()
    for code in f["orgs.branch_under_3"].ledger["组织编码"]:
        assert full.get(code, 0) < 3
    for code in f["orgs.branch_over_50"].ledger["组织编码"]:
        assert n.get(code, 0) > 50
    for code in f["orgs.no_committee_7plus"].ledger["组织编码"]:
        assert full.get(code, 0) >= 7 and code not in set(COMMITTEE["org_id"])
    led = f["orgs.joint_branch_units"].ledger
    assert led["覆盖单位数"].tolist() == [6] and (UNITS["org_id"] == "JOINT").sum() == 6
    aged = f["orgs.aging"].ledger.iloc[0]
    assert (aged["党员总数"], aged["离退休或60岁以上人数"]) == (6, 4)
    assert aged["离退休或60岁以上占比"] == pytest.approx(4 / 6)
    overdue = f["elections.overdue"].ledger
    assert dict(zip(overdue["组织编码"], overdue["逾期月数"])) == {"OLD": 20, "LATE": 1}
    e1 = f["elections.invalid_quorum"].ledger.iloc[0]
    assert 5 * e1["实到会人数"] <= 4 * e1["应到会人数"]
    small = f["elections.congress_small_org"].ledger.iloc[0]
    assert small["党员总数"] == 3 and small["选举方式"] == "党员代表大会"
    women = f["committee.few_women"].ledger.iloc[0]
    assert (women["本届班子人数"], women["女性人数"]) == (3, 0)
    units = f["coverage.below_target_100plus"].ledger
    assert units["单位名称"].tolist() == ["大厂"]
    young = f["development.few_young"].ledger
    assert dict(zip(young["所属片区"], young["人数"])) == {"东片": 1, "西片": 0}


def test_severity_and_wording(ind):
    f = _by_id(ind)
    assert f["elections.overdue"].severity == "严重"
    assert f["elections.overdue"].sentence == "有2个党组织到期未换届，其中1个逾期超过12个月，超出规定的最长延期。"
    assert f["orgs.type_size_mismatch"].severity == "提示"
    assert f["coverage.below_target_100plus"].sentence == (
        "从业人员100人以上的2个两新组织中，有1个尚未建立党组织，党的组织覆盖率为50.0%，低于100%的目标。")
    assert f["development.few_young"].sentence == (
        "本期新发展党员中35岁及以下的占0.0%，低于60%的目标；有2个片区发展青年党员不足，其中1个片区新发展党员中"
        "35岁及以下的比例低于60%，1个片区本期没有发展党员。")


def test_order_is_severity_then_id(ind):
    rank = {"严重": 0, "一般": 1, "提示": 2}
    keys = [(rank[f.severity], f.id) for f in ind.findings]
    assert keys == sorted(keys)
    assert ind.findings[0].severity == "严重"


def test_thresholds_come_from_config():
    ds = Dataset.from_frames(Q3, orgs=ORGS, members=MEMBERS, elections=ELECTIONS, committee=COMMITTEE,
                             units=UNITS)
    lenient = replace(DEFAULT, regulations=replace(DEFAULT.regulations, overdue_serious_months=24,
                                                   branch_max_members=60),
                      concerns=replace(DEFAULT.concerns, aging_share=0.7))
    ind = compute(ds, config=lenient)
    f = {x.id: x for x in ind.findings}
    assert f["elections.overdue"].severity == "一般"
    assert "orgs.branch_over_50" not in f
    assert "orgs.aging" not in f
    assert {x.id for x in find(ds, ind.values, lenient)} == set(f)


def test_a_clean_district_has_no_findings():
    orgs = pd.DataFrame([org("OK", last="2025-03-01")])
    members = pd.DataFrame(people("OK", 5))
    ind = compute(Dataset.from_frames(Q3, orgs=orgs, members=members))
    # 东片 has no new member this quarter: the only concern left
    assert [f.id for f in ind.findings] == ["development.few_young"]
    ind = compute(Dataset.from_frames(Q3, orgs=orgs, members=pd.DataFrame(
        people("OK", 5) + people("OK", 1, birth="2000-01-01", full=False, joined="2026-08-01", prefix="新"))))
    assert ind.findings == []
