"""committee.*: re-election matching, secretaries, ages at each term's election date, term deltas."""

from __future__ import annotations

import pandas as pd
import pytest

from reportgen.dataset import Dataset
from reportgen.indicators import compute
from reportgen.periods import Period

Q3 = Period(2026, 3)
_W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def idn(area: str, birth: str, seq: str) -> str:
    """A synthetic resident ID with a valid GB 11643 check digit."""
    body = area + birth + seq
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, _W)) % 11]


ID_ZHANG = idn("110105", "19750815", "121")
ID_LI = idn("110105", "19850816", "222")
ID_WANG = idn("330106", "19900101", "322")
ID_CHEN = idn("110105", "19800303", "412")
ID_LIU = idn("320102", "19920202", "512")
ID_ZHOU_NOW = idn("440103", "19880202", "611")
ID_ZHOU_THEN = idn("440103", "19880202", "713")
ID_SUN = idn("110105", "19650505", "822")
ID_WU = idn("310101", "19820721", "922")


def person(org, term, name, role, gender, birth, education, id_number=None, concurrent=None):
    return dict(org_id=org, term=term, name=name, role=role, gender=gender, birth_date=birth,
                education=education, id_number=id_number, concurrent=concurrent)


def _ds():
    orgs = pd.DataFrame([
        dict(org_id="C1", name="一支部", org_type="党支部", sector="非公有制企业", area="东片",
             last_election="2026-08-15", secretary="张伟", secretary_union_chair="是"),
        dict(org_id="C2", name="二支部", org_type="党支部", sector="社会组织", area="东片",
             last_election="2026-09-01", secretary="陈明"),
        dict(org_id="C3", name="三支部", org_type="党支部", sector="非公有制企业", area="西片",
             last_election="2026-07-20", secretary="吴静"),
        dict(org_id="C4", name="四支部", org_type="党支部", sector="机关", area="西片",
             last_election="2026-05-01", secretary="郑一"),
    ])
    elections = pd.DataFrame([
        dict(org_id="C1", date="2026-08-15", previous_date="2023-08-10", eligible=20, present=19, seats=3,
             candidates=4),
        dict(org_id="C2", date="2026-09-01", previous_date="2023-09-01", eligible=20, present=19, seats=3,
             candidates=4),
        dict(org_id="C3", date="2026-07-20", previous_date="2023-07-20", eligible=9, present=9, seats=1,
             candidates=1),
        dict(org_id="C4", date="2026-05-01", previous_date="2023-05-01", eligible=9, present=9, seats=3,
             candidates=4),  # before the period: C4's committees are not counted
    ])
    now, then = "本届", "上届"
    committee = pd.DataFrame([
        # C1: 张伟 secretary again (same ID); 李娜 (same ID); 王芳 has no ID now: name + birth date
        person("C1", now, "张伟", "书记", "男", "1975-08-15", "大学本科", ID_ZHANG),
        person("C1", now, "李娜", "委员", "女", "1985-08-16", "大学专科", ID_LI),
        person("C1", now, "王芳", "委员", "女", "1990-01-01", "中专"),
        person("C1", then, "张伟", "书记", "男", "1975-08-15", "大学本科", ID_ZHANG),
        person("C1", then, "李娜", "委员", "女", "1985-08-16", "大学专科", ID_LI),
        person("C1", then, "王芳", "委员", "女", "1990-01-01", "中专", ID_WANG),
        person("C1", then, "赵强", "委员", "男", "1970-05-05", "高中、中技"),
        # C2: 陈明 promoted from 委员 to 书记; 刘洋 has neither ID nor birth date now: name only;
        # 周杰 now and then have different ID numbers: two different people
        person("C2", now, "陈明", "书记", "男", "1980-03-03", "研究生", ID_CHEN),
        person("C2", now, "刘洋", "委员", "男", None, "大学本科"),
        person("C2", now, "周杰", "委员", "男", "1988-02-02", "高中、中技", ID_ZHOU_NOW),
        person("C2", then, "陈明", "委员", "男", "1980-03-03", "研究生", ID_CHEN),
        person("C2", then, "孙丽", "书记", "女", "1965-05-05", "大学本科", ID_SUN),
        person("C2", then, "刘洋", "委员", "男", "1992-02-02", "大学本科", ID_LIU),
        person("C2", then, "周杰", "委员", "男", "1988-02-02", "高中、中技", ID_ZHOU_THEN),
        # C3: a new one-person committee whose secretary also chairs the union
        person("C3", now, "吴静", "书记", "女", "1982-07-21", "大学本科", ID_WU, "工会主席、妇女组织负责人"),
        # C4: outside the window
        person("C4", now, "郑一", "书记", "男", "1970-01-01", "初中及以下"),
        person("C4", then, "钱二", "书记", "男", "1960-01-01", "初中及以下"),
    ])
    return Dataset.from_frames(Q3, orgs=orgs, elections=elections, committee=committee)


@pytest.fixture(scope="module")
def ind():
    return compute(_ds())


def test_sizes(ind):
    assert ind.get("committee.size") == 7
    assert ind.get("committee.size_previous") == 8
    assert ind.get("committee.size_delta") == -1


def test_reelection_by_id_name_and_birth_and_name(ind):
    # 张伟, 李娜 (ID), 王芳 (name + birth date), 陈明 (ID), 刘洋 (name): 5 of 7; 周杰 and 吴静 are new
    assert ind.get("committee.reelected") == 5
    assert ind.get("committee.reelected_share") == pytest.approx(5 / 7)
    assert ind.get("committee.new") == 2
    assert ind.get("committee.new_share") == pytest.approx(2 / 7)
    cur = ind._inputs.committee_current
    assert dict(zip(cur["name"], cur["reelected"])) == {
        "张伟": True, "李娜": True, "王芳": True, "陈明": True, "刘洋": True, "周杰": False, "吴静": False}


def test_promoted_member_is_reelected_but_not_a_reelected_secretary(ind):
    # secretaries now: 张伟 (secretary before), 陈明 (委员 before), 吴静 (new)
    assert ind.get("committee.secretary_reelected_share") == pytest.approx(1 / 3)


def test_ages_at_each_terms_election_date(ind):
    # now: 51 (birthday on 2026-08-15), 40 (birthday the next day), 36, 46, 38, 43; 刘洋 has no birth date
    assert ind.get("committee.age_mean") == pytest.approx((51 + 40 + 36 + 46 + 38 + 43) / 6)
    # then, at 2023-08-10 (C1) and 2023-09-01 (C2): 47, 37, 33, 53, 43, 58, 31, 35
    assert ind.get("committee.age_mean_previous") == pytest.approx(337 / 8)
    assert ind.get("committee.age_mean_delta") == pytest.approx(254 / 6 - 337 / 8)


def test_college_and_women(ind):
    assert ind.get("committee.college_share") == pytest.approx(5 / 7)
    assert ind.get("committee.college_share_previous") == pytest.approx(5 / 8)
    assert ind.get("committee.college_share_delta") == pytest.approx(5 / 56)
    assert ind.get("committee.female") == 3
    assert ind.get("committee.female_previous") == 3
    assert ind.get("committee.female_delta") == 0
    assert ind.get("committee.female_share") == pytest.approx(3 / 7)
    assert ind.get("committee.female_share_delta") == pytest.approx(3 / 7 - 3 / 8)


def test_secretary_union_chair(ind):
    # C1 says 是 in the orgs table; C2 blank and its secretary holds no union post; C3 blank but its
    # secretary's 兼任职务 names 工会主席
    assert ind.get("committee.secretary_union_chair_share") == pytest.approx(2 / 3)


def test_tables(ind):
    edu = ind.table("committee.education")
    assert edu.columns.tolist() == ["学历", "人数", "占比", "上届人数", "上届占比"]
    assert edu["人数"].tolist() == [1, 3, 1, 1, 1, 0]
    assert edu["上届人数"].tolist() == [1, 3, 1, 1, 2, 0]
    bands = ind.table("committee.age_bands")
    # now 51, 40, 36, 46, 38, 43 and one unknown age (a last 未填写 row); then 47, 37, 33, 53, 43, 58, 31, 35
    assert bands["年龄段"].tolist()[-1] == "未填写"
    assert bands["人数"].tolist() == [0, 0, 3, 1, 1, 1, 0, 0, 1]
    assert bands["上届人数"].tolist() == [0, 3, 1, 1, 1, 1, 1, 0, 0]
    assert bands["占比"].iloc[2] == pytest.approx(3 / 6)
    area = ind.table("committee.by_area")
    east = area[area["所属片区"] == "东片"].iloc[0]
    assert east["换届党组织个数"] == 2 and east["人数"] == 6
    assert east["连选连任比例"] == pytest.approx(5 / 6)


def test_few_women_finding(ind):
    f = next(f for f in ind.findings if f.id == "committee.few_women")
    assert f.ledger["组织编码"].tolist() == ["C2"]  # 0 of 3; C1 has 2 of 3, C3 1 of 1
    assert f.count == 1 and f.severity == "提示"


def test_nothing_held_means_no_committee_figures():
    ds = _ds()
    later = Dataset.from_frames(Period(2026, 4), orgs=ds.orgs, elections=ds.elections, committee=ds.committee)
    ind = compute(later)
    assert ind.get("committee.size") == 0
    assert ind.get("committee.reelected_share") is None
    assert ind.get("committee.age_mean") is None
    assert "committee.age_mean_delta" not in ind.values  # absent when a side is missing
    assert ind.get("committee.size_delta") == 0


def test_explain_term_delta(ind):
    from reportgen.indicators import explain

    e = explain(ind, "committee.age_mean_delta")
    assert e.parts == {"本届": pytest.approx(254 / 6), "上届": pytest.approx(337 / 8)}
    assert e.value == pytest.approx(254 / 6 - 337 / 8)
    assert e.total_rows == 6  # the 本届 members with a birth date behind the current mean
    text = str(e)
    assert "本届：42.3岁" in text and "上届：42.1岁" in text
    e = explain(ind, "committee.reelected_share")
    assert (e.numerator, e.denominator) == (5, 7)
    assert sorted(e.rows["姓名"]) == sorted(["张伟", "李娜", "王芳", "陈明", "刘洋"])
    assert ID_ZHANG not in str(e)
