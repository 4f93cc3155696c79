"""Chinese phrasing of numbers, shared by every renderer (SPEC §4).

Each function returns ``""`` when its value is missing (None or NaN), so that a template can test
a phrase for truth before writing the sentence around it.
"""

from __future__ import annotations

import math
import re
from numbers import Number

_DIGITS = "零一二三四五六七八九"


def _missing(x: object) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or not isinstance(x, Number)


def _trim(x: float, digits: int) -> str:
    """Round half away from zero (as people do), drop trailing zeros: 80.0 → "80", 93.50 → "93.5"."""
    q = 10 ** digits
    v = math.floor(abs(x) * q + 0.5) / q
    v = math.copysign(v, x) if v else 0.0
    s = f"{v:.{digits}f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def num(x: object, digits: int = 1) -> str:
    """A number with at most ``digits`` decimals and thousands kept plain: 44.0 → "44"."""
    return "" if _missing(x) else _trim(float(x), digits)


def pct(share: object, digits: int = 1) -> str:
    """A share in [0, 1] as a percentage with at most one decimal: 0.8 → "80%", 0.935 → "93.5%"."""
    return "" if _missing(share) else f"{_trim(float(share) * 100, digits)}%"


def pp(delta: object, digits: int = 1) -> str:
    """A share difference as percentage points without sign: 0.009 → "0.9"."""
    return "" if _missing(delta) else _trim(abs(float(delta)) * 100, digits)


def pp_change(delta: object, ref: str = "上届", digits: int = 1) -> str:
    """A change of a share: "高于上届0.9个百分点", "低于上季度2个百分点", "与上届持平"."""
    if _missing(delta):
        return ""
    p = pp(delta, digits)
    if p == "0":
        return f"与{ref}持平"
    return f"{'高于' if float(delta) > 0 else '低于'}{ref}{p}个百分点"


def count_change(delta: object, ref: str = "上届", unit: str = "名") -> str:
    """A change of a count: "比上届多6名", "比上届少3名", "与上届持平"."""
    if _missing(delta):
        return ""
    d = int(round(float(delta)))
    if d == 0:
        return f"与{ref}持平"
    return f"比{ref}{'多' if d > 0 else '少'}{abs(d)}{unit}"


def change(delta: object, ref: str = "上季度", unit: str = "人", digits: int = 1) -> str:
    """A change stated with a verb: "比上季度增加3人", "比上季度减少3人", "与上季度持平"."""
    if _missing(delta):
        return ""
    v = _trim(abs(float(delta)), digits)
    if v == "0":
        return f"与{ref}持平"
    return f"比{ref}{'增加' if float(delta) > 0 else '减少'}{v}{unit}"


def age_change(delta: object, ref: str = "上届", digits: int = 1) -> str:
    """A change of a mean age: "比上届年轻1.8岁", "比上届大0.5岁", "与上届持平"."""
    if _missing(delta):
        return ""
    v = _trim(abs(float(delta)), digits)
    if v == "0":
        return f"与{ref}持平"
    return f"比{ref}{'年轻' if float(delta) < 0 else '大'}{v}岁"


def wan(n: object, digits: int = 2) -> str:
    """Large counts in 万: 18500 → "1.85万"; below 10,000 the plain number: 9876 → "9876"."""
    if _missing(n):
        return ""
    v = float(n)
    if abs(v) >= 10_000:
        return f"{_trim(v / 10_000, digits)}万"
    return _trim(v, 0) if v == int(v) else _trim(v, 1)


def approx(n: object) -> str:
    """An approximate count as people write it: 1234 → "1230多", 58 → "50多", 18543 → "1.85万多", 7 → "7"."""
    if _missing(n):
        return ""
    v = int(n)
    if v < 20:
        return str(v)
    step = 10 if v < 10_000 else 10 ** (len(str(v)) - 3)
    base = v // step * step
    if base == v:
        return wan(v) if v >= 10_000 else str(v)
    return f"{wan(base) if base >= 10_000 else base}多"


def chinese_number(n: int) -> str:
    """1 → "一", 10 → "十", 12 → "十二", 23 → "二十三" (for ordinal headings, up to 99)."""
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else _DIGITS[tens]
    return f"{head}十{_DIGITS[ones] if ones else ''}"


def ordinal(i: int, level: int = 1) -> str:
    """Ordinal heading marks of Chinese documents: level 1 "一、", 2 "（一）", 3 "1.", 4 "（1）"."""
    if level == 1:
        return f"{chinese_number(i)}、"
    if level == 2:
        return f"（{chinese_number(i)}）"
    if level == 3:
        return f"{i}."
    return f"（{i}）"


def date_zh(d: object) -> str:
    """A date as Chinese documents write it: 2026-09-30 → "2026年9月30日"; "" when missing."""
    if d is None or (isinstance(d, float) and math.isnan(d)):
        return ""
    try:
        year, month, day = d.year, d.month, d.day  # type: ignore[attr-defined]
    except AttributeError:
        from datetime import date

        try:
            parsed = date.fromisoformat(str(d)[:10])
        except ValueError:
            return ""
        year, month, day = parsed.year, parsed.month, parsed.day
    if year != year:  # NaT
        return ""
    return f"{year}年{month}月{day}日"


_CJK = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef"
_SPACE_NEAR_CJK = re.compile(f"(?<=[{_CJK}])[ \\t\\r\\n]+|[ \\t\\r\\n]+(?=[{_CJK}])")


def tidy_spaces(text: str) -> str:
    """Remove the spaces a folded YAML or copied text leaves next to Chinese characters and
    punctuation ("任期， 建立" → "任期，建立"); spaces between Latin words stay."""
    return _SPACE_NEAR_CJK.sub("", str(text)).strip()


FILTERS = {
    "num": num, "pct": pct, "pp": pp, "pp_change": pp_change, "count_change": count_change,
    "change": change, "age_change": age_change, "wan": wan, "approx": approx, "ordinal": ordinal,
    "cn": chinese_number, "date_zh": date_zh,
}
