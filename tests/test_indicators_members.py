"""members.* and development.*: hand-computed figures on small hand-written rosters."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from reportgen.dataset import Dataset
from reportgen.indicators import compute
from reportgen.indicators.registry import completed_years
from reportgen.periods import Period

Q3 = Period(2026, 3)  # 2026-07-01 .. 2026-09-30, as of 2026-09-30


def _orgs():
    return pd.DataFrame([
        dict(org_id="B1", name="东风社区第一支部", org_type="党支部", sector="非公有制企业", area="东片",
             last_election="2025-01-10", secretary="甲"),
        dict(org_id="B2", name="西湖机关支部", org_type="党支部", sector="机关", area="西片",
             last_election="2025-01-10", secretary="乙"),
    ])


def _roster():
    # ages at 2026-09-30 worked out by hand in the comments
    return pd.DataFrame([
        # 30: birthday on the as-of date counts
        dict(name="成员一", gender="女", birth_date="1996-09-30", ethnicity="汉族", education="大学本科",
             joined="2018-06-01", full_member_since="2019-06-01", org_id="B1", occupation="学生", mobile="是"),
        # 34: the 35th birthday is the day after the as-of date
        dict(name="成员二", gender="男", birth_date="1991-10-01", ethnicity="回族", education="大学专科",
             joined="2015-06-01", full_member_since="2016-06-01", org_id="B1",
             occupation="企事业单位、社会组织专业技术人员", mobile="否"),
        # 36, ethnicity left blank
        dict(name="成员三", gender="男", birth_date="1990-09-30", education="中专",
             joined="2012-06-01", full_member_since="2013-06-01", org_id="B1", occupation="离退休人员"),
        # 66
        dict(name="成员四", gender="女", birth_date="1960-01-15", ethnicity="汉族", education="初中及以下",
             joined="1985-06-01", full_member_since="1986-06-01", org_id="B2", occupation="离退休人员"),
        # 60, probationary, occupation blank
        dict(name="成员五", gender="男", birth_date="1966-09-30", ethnicity="汉族", education="研究生",
             joined="2026-02-01", org_id="B2"),
    ])


@pytest.fixture(scope="module")
def ind():
    ds = Dataset.from_frames(Q3, orgs=_orgs(), members=_roster())
    return compute(ds)


def test_completed_years_birthday_boundaries():
    births = pd.Series(pd.to_datetime(["1990-09-30", "1990-10-01", "1990-09-29", "2000-02-29"]))
    ages = completed_years(births, pd.Timestamp("2026-09-30"))
    assert ages.tolist() == [36, 35, 36, 26]
    # a 29 February birthday is reached on 1 March in a common year, not on 28 February
    assert completed_years(pd.Series(pd.to_datetime(["2000-02-29"])), pd.Timestamp("2027-02-28")).tolist() == [26]
    assert completed_years(pd.Series(pd.to_datetime(["2000-02-29"])), pd.Timestamp("2027-03-01")).tolist() == [27]


def test_counts(ind):
    assert ind.get("members.total") == 5
    assert ind.get("members.full") == 4
    assert ind.get("members.probationary") == 1


def test_shares(ind):
    assert ind.get("members.female_share") == pytest.approx(2 / 5)
    assert ind.get("members.minority_share") == pytest.approx(1 / 4)  # blank ethnicity not in the denominator
    assert ind.get("members.college_share") == pytest.approx(3 / 5)
    assert ind.get("members.under35_share") == pytest.approx(2 / 5)  # 30 and 34; 36 is not
    assert ind.get("members.retired_share") == pytest.approx(2 / 4)  # blank occupation not counted
    assert ind.get("members.mobile_share") == pytest.approx(1 / 5)


def test_age_mean_and_bands(ind):
    assert ind.get("members.age_mean") == pytest.approx((30 + 34 + 36 + 66 + 60) / 5)
    bands = ind.table("members.age_bands")
    assert bands.columns.tolist() == ["年龄段", "人数", "占比"]
    assert dict(zip(bands["年龄段"], bands["人数"])) == {
        "30岁及以下": 1, "31至35岁": 1, "36至40岁": 1, "41至45岁": 0, "46至50岁": 0, "51至55岁": 0,
        "56至60岁": 1, "61岁及以上": 1}
    assert bands["占比"].sum() == pytest.approx(1.0)


def test_education_and_occupation_tables(ind):
    edu = ind.table("members.education")
    assert edu.columns.tolist() == ["学历", "人数", "占比"]
    assert edu["学历"].tolist() == ["研究生", "大学本科", "大学专科", "中专", "高中、中技", "初中及以下"]
    assert edu["人数"].tolist() == [1, 1, 1, 1, 0, 1]
    occ = ind.table("members.by_occupation")
    assert occ.iloc[-1]["工作岗位"] == "未填写" and occ.iloc[-1]["人数"] == 1
    assert pd.isna(occ.iloc[-1]["占比"])
    retired = occ[occ["工作岗位"] == "离退休人员"].iloc[0]
    assert retired["人数"] == 2 and retired["占比"] == pytest.approx(0.5)


def test_by_area(ind):
    t = ind.table("members.by_area")
    east = t[t["所属片区"] == "东片"].iloc[0]
    west = t[t["所属片区"] == "西片"].iloc[0]
    assert (east["人数"], west["人数"]) == (3, 2)
    assert east["占比"] == pytest.approx(0.6)
    assert east["女党员占比"] == pytest.approx(1 / 3)
    assert east["35岁及以下占比"] == pytest.approx(2 / 3)
    assert east["平均年龄"] == pytest.approx(100 / 3)
    assert west["平均年龄"] == pytest.approx(63)
    assert west["大专及以上占比"] == pytest.approx(0.5)


def test_reference_date_is_as_of():
    # the same roster seen on 2026-09-29: 成员一 (born 1996-09-30) is still 29
    p = Period(2026, 3, as_of_override=date(2026, 9, 29))
    ind = compute(Dataset.from_frames(p, orgs=_orgs(), members=_roster()))
    assert ind.get("members.age_mean") == pytest.approx((29 + 34 + 35 + 66 + 59) / 5)


# --------------------------------------------------------------------------- development


def _development_ds():
    orgs = pd.concat([_orgs(), pd.DataFrame([dict(org_id="B3", name="南山协会支部", org_type="党支部",
                                                  sector="社会组织", area="南片", last_election="2025-01-10",
                                                  secretary="丙")])], ignore_index=True)
    members = pd.DataFrame([
        # joined on the first day of the period; 25 when joining (26th birthday the next day)
        dict(name="新一", gender="女", birth_date="2000-07-02", education="大学本科", joined="2026-07-01",
             org_id="B1"),
        # joined on the last day, on the 36th birthday: not 35 or under
        dict(name="新二", gender="男", birth_date="1990-09-30", education="中专", joined="2026-09-30",
             org_id="B2"),
        # 34 when joining
        dict(name="新三", gender="男", birth_date="1991-10-01", education="大学专科", joined="2026-09-30",
             org_id="B3"),
        # outside the period on either side
        dict(name="旧一", gender="女", birth_date="1995-01-01", education="大学本科", joined="2026-06-30",
             org_id="B1"),
        dict(name="后一", gender="女", birth_date="1995-01-01", education="大学本科", joined="2026-10-01",
             org_id="B2"),
    ])
    return Dataset.from_frames(Q3, orgs=orgs, members=members)


def test_development():
    ind = compute(_development_ds())
    assert ind.get("development.total") == 3
    assert ind.get("development.under35_share") == pytest.approx(2 / 3)
    assert ind.get("development.college_share") == pytest.approx(2 / 3)
    assert ind.get("development.female_share") == pytest.approx(1 / 3)
    assert ind.get("development.two_new") == 2  # 非公有制企业 and 社会组织 branches
    assert ind.get("development.two_new_share") == pytest.approx(2 / 3)
    t = ind.table("development.by_area")
    assert dict(zip(t["所属片区"], t["人数"])) == {"东片": 1, "南片": 1, "西片": 1}
    assert t.loc[t["所属片区"] == "西片", "35岁及以下占比"].iloc[0] == 0


def test_zero_denominators_are_none_not_zero():
    ds = Dataset.from_frames(Q3, orgs=_orgs())  # organizations but no members, units or elections
    ind = compute(ds)
    for key in ("members.female_share", "members.minority_share", "members.under35_share",
                "members.college_share", "members.retired_share", "members.mobile_share", "members.age_mean",
                "development.under35_share", "development.college_share", "development.female_share",
                "elections.turnout", "elections.on_time_share", "committee.reelected_share",
                "committee.secretary_reelected_share", "committee.age_mean", "coverage.org_share",
                "coverage.work_share", "coverage.org_share_100plus", "coverage.union_share"):
        assert key in ind.values and ind.get(key) is None, key
    assert ind.get("members.total") == 0
    assert ind.get("development.total") == 0
    bands = ind.table("members.age_bands")
    assert bands["人数"].sum() == 0 and bands["占比"].isna().all()
