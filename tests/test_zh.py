"""Chinese phrasing of numbers (reportgen.zh)."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd

from reportgen import zh


def test_pct():
    assert zh.pct(0.8) == "80%"
    assert zh.pct(0.935) == "93.5%"
    assert zh.pct(0.57142857) == "57.1%"
    assert zh.pct(1) == "100%"
    assert zh.pct(0.0005) == "0.1%"  # half away from zero
    assert zh.pct(None) == "" and zh.pct(float("nan")) == ""


def test_pp_change():
    assert zh.pp_change(0.009, "上届") == "高于上届0.9个百分点"
    assert zh.pp_change(-0.02, "上季度") == "低于上季度2.0个百分点"  # one precision (issue 18)
    assert zh.pp_change(0, "上届") == "与上届持平"
    assert zh.pp_change(0.0004, "上届") == "与上届持平"  # rounds to 0.0 points
    assert zh.pp_change(None) == ""


def test_count_and_change():
    assert zh.count_change(6) == "比上届多6名"
    assert zh.count_change(-3, "上季度", "个") == "比上季度少3个"
    assert zh.count_change(0) == "与上届持平"
    assert zh.change(-3, "上季度", "人") == "比上季度减少3人"
    assert zh.change(12, "上季度", "人") == "比上季度增加12人"
    assert zh.change(0, "上季度", "人") == "与上季度持平"


def test_age_change():
    assert zh.age_change(-1.8) == "比上届年轻1.8岁"
    assert zh.age_change(0.5) == "比上届提高0.5岁"  # never "大X岁" (issue 18)
    assert zh.age_change(-0.04) == "与上届持平"


def test_wan_and_approx():
    assert zh.wan(18500) == "1.85万"
    assert zh.wan(100_270_000) == "10027万"
    assert zh.wan(9876) == "9876"
    assert zh.approx(1234) == "1230多"
    assert zh.approx(58) == "50多"
    assert zh.approx(7) == "7"
    assert zh.approx(18543) == "1.85万多"
    assert zh.approx(1230) == "1230"


def test_ordinal_headings():
    assert zh.ordinal(1) == "一、"
    assert zh.ordinal(10) == "十、"
    assert zh.ordinal(12) == "十二、"
    assert zh.ordinal(3, 2) == "（三）"
    assert zh.ordinal(21, 2) == "（二十一）"
    assert zh.ordinal(4, 3) == "4."
    assert zh.ordinal(5, 4) == "（5）"


def test_num_and_date():
    assert zh.num(44.0) == "44"
    assert zh.num(42.333333) == "42.3"
    assert zh.num(math.nan) == ""
    assert zh.date_zh(date(2026, 9, 30)) == "2026年9月30日"
    assert zh.date_zh(pd.Timestamp("2026-01-05")) == "2026年1月5日"
    assert zh.date_zh("2026-07-01") == "2026年7月1日"
    assert zh.date_zh(pd.NaT) == "" and zh.date_zh(None) == ""


def test_filters_registered():
    for name in ("pct", "pp_change", "count_change", "change", "age_change", "wan", "approx", "ordinal",
                 "date_zh"):
        assert callable(zh.FILTERS[name])


def test_tidy_spaces_next_to_chinese():
    from reportgen.zh import tidy_spaces

    assert tidy_spaces("核对任期， 建立台账， 明确时限。 ") == "核对任期，建立台账，明确时限。"
    assert tidy_spaces("用 reportgen explain 命令") == "用reportgen explain命令"
