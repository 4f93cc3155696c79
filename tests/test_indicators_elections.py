"""elections.*: quorum, candidate margin, due / on time, overdue and due-soon boundaries."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from reportgen.dataset import Dataset
from reportgen.indicators import compute
from reportgen.periods import Period

Q3 = Period(2026, 3)  # 2026-07-01 .. 2026-09-30


def _branch(org_id, last_election, org_type="党支部", **kw):
    return dict(org_id=org_id, name=f"{org_id}支部委员会", org_type=org_type, sector="城市社区",
                area=kw.pop("area", "东片"), last_election=last_election, secretary="书记甲", **kw)


def _election(org_id, day, eligible, present, seats, candidates, method="党员大会", previous=None):
    return dict(org_id=org_id, date=day, previous_date=previous, method=method, eligible=eligible,
                present=present, seats=seats, candidates=candidates)


# --------------------------------------------------------------------------- validity of elections


@pytest.fixture(scope="module")
def votes():
    orgs = pd.DataFrame([_branch(f"X{i}", "2026-07-15") for i in range(6)])
    elections = pd.DataFrame([
        _election("X0", "2026-06-30", 10, 1, 3, 3),  # before the period: not counted
        _election("X1", "2026-07-15", 50, 40, 5, 5),  # exactly 4/5 present: invalid; 5 seats 5 cands
        _election("X2", "2026-07-16", 50, 41, 5, 6),  # 41/50 valid; 5 seats need 6: fine
        _election("X3", "2026-08-01", 5, 4, 2, 2),  # 4/5 invalid; 2 seats: margin not checked
        _election("X4", "2026-09-01", 10, 9, 3, 4),  # 3 seats need 4 (ceil 3.6): fine
        _election("X5", "2026-09-30", 20, 17, 7, 8),  # 7 seats need 9 (ceil 8.4): violation
    ])
    return compute(Dataset.from_frames(Q3, orgs=orgs, elections=elections))


def test_held_counts_the_window_only(votes):
    assert votes.get("elections.held") == 5


def test_quorum_exactly_four_fifths_is_invalid(votes):
    assert votes.get("elections.invalid_quorum") == 2  # X1 (40/50) and X3 (4/5); X2 41/50 is valid
    f = next(f for f in votes.findings if f.id == "elections.invalid_quorum")
    assert sorted(f.ledger["组织编码"]) == ["X1", "X3"]
    assert f.severity == "严重" and f.count == 2 and "2次" in f.sentence


def test_candidate_margin(votes):
    assert votes.get("elections.candidate_margin_violations") == 2  # X1 (5 for 5) and X5 (8 for 7)
    f = next(f for f in votes.findings if f.id == "elections.candidate_margin")
    assert sorted(f.ledger["组织编码"]) == ["X1", "X5"]


def test_turnout(votes):
    assert votes.get("elections.turnout") == pytest.approx((40 + 41 + 4 + 9 + 17) / (50 + 50 + 5 + 10 + 20))


def test_year_window_includes_earlier_elections():
    orgs = pd.DataFrame([_branch("X0", "2026-03-01"), _branch("X1", "2026-07-15")])
    elections = pd.DataFrame([_election("X0", "2026-03-01", 10, 10, 3, 4),
                              _election("X1", "2026-07-15", 10, 9, 3, 4)])
    ds = Dataset.from_frames(Q3, orgs=orgs, elections=elections)
    assert compute(ds).get("elections.held") == 1
    assert compute(ds, election_window="year").get("elections.held") == 2


def test_congress_in_small_organization():
    # P (党委) has 500 members through its branch Q; R (党委) has 499 of its own
    orgs = pd.DataFrame([_branch("P", "2026-08-01", "党委"), _branch("Q", "2025-01-01", parent_id="P"),
                         _branch("R", "2026-08-02", "党委")])
    members = pd.DataFrame({"name": [f"党员{i}" for i in range(999)], "gender": "男",
                            "birth_date": "1980-01-01", "education": "大学本科", "joined": "2005-01-01",
                            "full_member_since": "2006-01-01", "org_id": ["Q"] * 500 + ["R"] * 499})
    elections = pd.DataFrame([_election("P", "2026-08-01", 100, 90, 7, 9, "党员代表大会"),
                              _election("R", "2026-08-02", 100, 90, 7, 9, "党员代表大会")])
    ind = compute(Dataset.from_frames(Q3, orgs=orgs, members=members, elections=elections))
    assert ind.get("elections.congress_small_org") == 1
    f = next(f for f in ind.findings if f.id == "elections.congress_small_org")
    assert f.ledger["组织编码"].tolist() == ["R"]
    assert f.ledger["党员总数"].tolist() == [499]


# --------------------------------------------------------------------------- terms


def _terms():
    return pd.DataFrame([
        _branch("T1", "2023-09-29"),  # term ended 2026-09-29: overdue by 0 whole months
        _branch("T2", "2023-09-30"),  # ends on the as-of date: not overdue, due soon
        _branch("T3", "2024-03-30"),  # ends 2027-03-30, exactly 6 months after: due soon
        _branch("T4", "2024-03-31"),  # ends 2027-03-31: neither
        _branch("T5", "2022-09-30"),  # ended 2025-09-30: 12 months, not more than 12
        _branch("T6", "2022-09-29"),  # ended 2025-09-29: still 12 whole months
        _branch("T7", "2022-08-30"),  # ended 2025-08-30: 13 months: serious
        _branch("T8", "2021-09-30", "党委"),  # 5-year term ends 2026-09-30: due soon
        _branch("T9", "2023-06-01"),  # ended 2026-06-01, but a newer election on record below
    ])


@pytest.fixture(scope="module")
def terms():
    elections = pd.DataFrame([_election("T9", "2026-09-15", 20, 19, 5, 6)])
    return compute(Dataset.from_frames(Q3, orgs=_terms(), elections=elections))


def test_overdue_ledger(terms):
    led = terms.table("elections.overdue")
    assert led["组织编码"].tolist() == ["T7", "T5", "T6", "T1"]
    assert led["逾期月数"].tolist() == [13, 12, 12, 0]
    assert led["本届届满日期"].tolist() == [date(2025, 8, 30), date(2025, 9, 30), date(2025, 9, 29),
                                       date(2026, 9, 29)]
    assert terms.get("elections.overdue_count") == 4
    assert terms.get("elections.overdue_serious") == 1


def test_overdue_finding_is_serious_when_over_12_months(terms):
    f = next(f for f in terms.findings if f.id == "elections.overdue")
    assert f.severity == "严重" and f.count == 4
    assert f.sentence == "有4个党组织到期未换届，其中1个逾期超过12个月，超出规定的最长延期。"


def test_due_soon_ledger(terms):
    led = terms.table("elections.due_soon")
    assert led["组织编码"].tolist() == ["T2", "T8", "T3"]
    assert led["距届满天数"].tolist() == [0, 0, 181]
    f = next(f for f in terms.findings if f.id == "elections.due_soon")
    assert f.severity == "提示" and f.count == 3


def test_as_of_moves_the_boundaries():
    # one day earlier T1's term has not ended yet: it is due soon, not overdue
    p = Period(2026, 3, as_of_override=date(2026, 9, 29))
    ind = compute(Dataset.from_frames(p, orgs=_terms()))
    assert "T1" not in ind.table("elections.overdue")["组织编码"].tolist()
    assert "T1" in ind.table("elections.due_soon")["组织编码"].tolist()
    # without its newer election T9 is overdue (2026-06-01 → 2026-09-29: 3 whole months)
    led = ind.table("elections.overdue")
    assert led.loc[led["组织编码"] == "T9", "逾期月数"].tolist() == [3]


def test_not_serious_when_all_within_12_months():
    orgs = pd.DataFrame([_branch("T5", "2022-09-30")])
    ind = compute(Dataset.from_frames(Q3, orgs=orgs))
    f = next(f for f in ind.findings if f.id == "elections.overdue")
    assert f.severity == "一般" and f.sentence == "有1个党组织到期未换届。"


def test_due_and_on_time():
    orgs = pd.DataFrame([
        _branch("U1", "2023-08-01"),  # orgs table not yet updated; renewed on the term end: on time
        _branch("U2", "2026-09-10"),  # renewed 2026-09-10 though its term ended 2026-07-01: late
        _branch("U3", "2023-09-01"),  # ended 2026-09-01 and not renewed
        _branch("U4", "2024-01-01"),  # ends 2027-01-01: not due
        _branch("U5", "2026-07-15"),  # renewed early (its term would have ended 2027-07-01): not due
    ])
    elections = pd.DataFrame([
        _election("U1", "2026-08-01", 10, 10, 3, 4, previous="2023-08-01"),
        _election("U2", "2026-09-10", 10, 10, 3, 4, previous="2023-07-01"),
        _election("U5", "2026-07-15", 10, 10, 3, 4, previous="2024-07-01"),
    ])
    ind = compute(Dataset.from_frames(Q3, orgs=orgs, elections=elections))
    assert ind.get("elections.held") == 3
    assert ind.get("elections.due") == 3  # U1, U2, U3
    assert ind.get("elections.on_time_share") == pytest.approx(1 / 3)  # U1 only
    assert ind.table("elections.overdue")["组织编码"].tolist() == ["U3"]


def test_overdue_by_area():
    orgs = pd.DataFrame([_branch("A1", "2022-08-30", area="东片"), _branch("A2", "2023-09-29", area="东片"),
                         _branch("A3", "2025-01-01", area="西片"), _branch("A4", "2022-01-01", area=None)])
    t = compute(Dataset.from_frames(Q3, orgs=orgs)).table("elections.overdue_by_area")
    assert t["所属片区"].tolist() == ["东片", "西片", "未填片区"]
    assert t["党组织个数"].tolist() == [2, 1, 1]
    assert t["到期未换届个数"].tolist() == [2, 0, 1]
    assert t["逾期超过12个月个数"].tolist() == [1, 0, 1]
    assert t["到期未换届比例"].tolist() == pytest.approx([1.0, 0.0, 1.0])
