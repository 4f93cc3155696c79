"""Chinese phrasing of numbers, shared by every renderer (SPEC §4).

Each function returns ``""`` when its value is missing (None or NaN), so that a template can test
a phrase for truth before writing the sentence around it.
"""

from __future__ import annotations

import math
import re
from contextlib import contextmanager
from contextvars import ContextVar
from numbers import Number
from typing import Iterator

_DIGITS = "零一二三四五六七八九"

# The wording rules of report text (issue 18), set per render from config.Report:
# every percentage with the same number of decimals, and bases smaller than ``small_base``
# stated as counts. Tables and charts of the Python API keep :func:`pct` (trailing zeros dropped).
PCT_DIGITS: ContextVar[int] = ContextVar("PCT_DIGITS", default=1)
SMALL_BASE: ContextVar[int] = ContextVar("SMALL_BASE", default=10)
AGE_DIGITS = 1


@contextmanager
def wording(pct_digits: int | None = None, small_base: int | None = None) -> Iterator[None]:
    """Within the block, :func:`pct_text` & co. use ``pct_digits`` decimals and
    :func:`share_or_count` writes shares of fewer than ``small_base`` as counts."""
    tokens = []
    if pct_digits is not None:
        tokens.append((PCT_DIGITS, PCT_DIGITS.set(int(pct_digits))))
    if small_base is not None:
        tokens.append((SMALL_BASE, SMALL_BASE.set(int(small_base))))
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


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


def pp(delta: object, digits: int | None = None) -> str:
    """A share difference as percentage points without sign, with the text's precision
    (``report.pct_digits``, 1): 0.009 → "0.9", 0.01 → "1.0"."""
    if _missing(delta):
        return ""
    d = PCT_DIGITS.get() if digits is None else digits
    return f"{_round_half_up(abs(float(delta)) * 100, d):.{d}f}"


def _round_half_up(x: float, digits: int) -> float:
    q = 10 ** digits
    # rounding to 9 places first keeps 0.455 − 0.101 (0.35399999…) on the right side of a half
    v = math.floor(abs(round(x, 9)) * q + 0.5) / q
    return math.copysign(v, x) if v else 0.0


def pct_text(share: object, digits: int | None = None) -> str:
    """A share as the report text writes it: always ``digits`` decimals (default: the render's
    ``report.pct_digits``, 1): 0.8 → "80.0%", 0.354 → "35.4%"."""
    if _missing(share):
        return ""
    d = PCT_DIGITS.get() if digits is None else digits
    return f"{_round_half_up(float(share) * 100, d):.{d}f}%"


def displayed_delta(current: object, delta: object = None, previous: object = None,
                    scale: float = 100.0, digits: int | None = None) -> float | None:
    """The difference of two values *as printed*: both rounded the way the text shows them,
    then subtracted (in the unit of ``current``), so that a reader's subtraction of the two
    printed figures agrees with the stated change: 35.4% and 45.5% → −0.101 (10.1 个百分点),
    whatever the unrounded values were. ``previous`` defaults to ``current − delta``; ``scale``
    is 100 for shares, 1 for ages and other numbers; ``digits`` defaults to the percentage
    precision (shares) or one decimal (numbers)."""
    if _missing(current) or (_missing(delta) and _missing(previous)):
        return None if _missing(delta) else float(delta)  # type: ignore[arg-type]
    d = (PCT_DIGITS.get() if scale == 100.0 else AGE_DIGITS) if digits is None else digits
    cur = float(current)  # type: ignore[arg-type]
    prev = float(previous) if not _missing(previous) else cur - float(delta)  # type: ignore[arg-type]
    shown = _round_half_up(cur * scale, d) - _round_half_up(prev * scale, d)
    return round(shown, d) / scale


def pp_change(delta: object, ref: str = "上届", digits: int | None = None) -> str:
    """A change of a share: "高于上届0.9个百分点", "低于上季度10.1个百分点", "与上届持平".
    Pass the displayed difference (:func:`displayed_delta`; the renderer does it for every
    ``*_share_delta``) so that "持平" means the two printed figures are equal."""
    if _missing(delta):
        return ""
    d = PCT_DIGITS.get() if digits is None else digits
    v = _round_half_up(abs(float(delta)) * 100, d)
    if v == 0:
        return f"与{ref}持平"
    return f"{'高于' if float(delta) > 0 else '低于'}{ref}{v:.{d}f}个百分点"


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
    """A change of a mean age: "比上届年轻1.8岁", "比上季度提高0.5岁", "与上届持平" (never "大X岁")."""
    if _missing(delta):
        return ""
    v = _trim(abs(float(delta)), digits)
    if v == "0":
        return f"与{ref}持平"
    return f"比{ref}{'年轻' if float(delta) < 0 else '提高'}{v}岁"


def share_or_count(share: object, base: object, unit: str = "名", small: int | None = None) -> str:
    """A share written for the reader: "35.4%" as a rule; below ``small`` (the render's
    ``report.small_base``, 10) the counts instead: share 1/3 of 3 → "3名中的1名"; "" when either
    is missing or the base is 0 (never "0%" of nothing)."""
    if _missing(share) or _missing(base) or float(base) <= 0:  # type: ignore[arg-type]
        return ""
    limit = SMALL_BASE.get() if small is None else small
    b = int(round(float(base)))  # type: ignore[arg-type]
    if b < limit:
        return f"{b}{unit}中的{int(round(float(share) * b))}{unit}"  # type: ignore[arg-type]
    return pct_text(share)


def is_small(base: object, small: int | None = None) -> bool:
    """Whether a base is too small for a percentage (fewer than ``report.small_base``)."""
    limit = SMALL_BASE.get() if small is None else small
    return not _missing(base) and 0 < float(base) < limit  # type: ignore[arg-type]


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


# --------------------------------------------------------------------------- titles

TITLE_CHARS = 20  # 二号 (22 pt) characters on the 156 mm line of GB/T 9704
_AFTER = ("关于", "街道", "乡镇", "区", "县", "市", "旗", "镇", "乡", "年", "季度", "年度", "半年", "月", "的",
          "和", "与", "及", "暨", "中")
# phrases a title may break before (one string, not a tuple of words: these are phrases of a
# title, not the submission format's headers or values, which live in schema.py only)
_BEFORE = tuple("基层 党员 党组织 “两新” 换届 情况 工作 报告 调研 统计 分析 建设 专题".split())
_NOT_AFTER_CHAR = {"区": "域划", "市": "场", "年": "龄轻", "中": "国共心", "月": "份", "和": "谐"}
_WORDS = tuple("基层党组织 党员队伍 统计分析 党建工作 队伍 组织 季度 党建".split())


def text_width(text: str) -> float:
    """The width of a text in Chinese characters: ASCII letters and digits count half."""
    return sum(0.5 if ord(c) < 128 else 1.0 for c in text)


def title_breaks(title: str) -> list[int]:
    """Positions where a title may break: after 关于, a place (区/县/街道…), a time (年/季度), 的 or a
    conjunction; before the words that start a phrase (基层、党员、情况、报告 …); never inside a
    run of digits, a quoted name or a word of the lists above."""
    n = len(title)
    ok = set()
    for i in range(1, n):
        prev, nxt = title[:i], title[i:]
        if prev[-1].isdigit() and nxt[0].isdigit():
            continue
        if title[:i].count("“") > title[:i].count("”"):
            continue  # inside a quotation
        for w in _AFTER:
            if prev.endswith(w) and nxt[0] not in _NOT_AFTER_CHAR.get(w, ""):
                ok.add(i)
        for w in _BEFORE:
            if nxt.startswith(w):
                ok.add(i)
    # a break must not split one of the listed words
    for w in (*_AFTER, *_BEFORE, *_WORDS):
        start = title.find(w)
        while start >= 0:
            for i in range(start + 1, start + len(w)):
                ok.discard(i)
            start = title.find(w, start + 1)
    return sorted(ok)


def title_lines(title: str, width: int = TITLE_CHARS) -> list[str]:
    """A title cut into lines of at most ``width`` characters at phrase boundaries
    (:func:`title_breaks`), as even as possible, the upper line not shorter than the lower (a
    梯形 layout, GB/T 9704 §7.3.1); one line when it fits; unbroken when no boundary serves."""
    title = str(title).strip()
    if text_width(title) <= width:
        return [title]
    best: tuple[float, ...] | None = None
    choice: list[str] = [title]
    cuts = title_breaks(title)
    for i in cuts:
        a, b = title[:i], title[i:]
        wa, wb = text_width(a), text_width(b)
        if wb > width:
            lines = title_lines(b, width)
            if len(lines) == 1 or wa > width:
                continue
            score = (len(lines) + 1, abs(wa - text_width(lines[0])), 0)
            cand = [a, *lines]
        elif wa > width:
            continue
        else:
            score = (2, abs(wa - wb), 0 if wa >= wb else 1)
            cand = [a, b]
        if best is None or score < best:
            best, choice = score, cand
    return choice


def title_break(title: str, width: int = TITLE_CHARS) -> str:
    """:func:`title_lines` joined with line breaks (docxtpl writes "\n" as a w:br)."""
    return "\n".join(title_lines(title, width))


# --------------------------------------------------------------------------- body text

_CJK_CHAR = "\u3000-\u303f\u3400-\u9fff\uff00-\uffef\u201c\u201d\u2018\u2019\u2014\u2026"
_SPACE_BETWEEN_CJK = re.compile(f"(?<=[{_CJK_CHAR}])[ \\t\u00a0]+(?=[{_CJK_CHAR}])")


def tidy_body(text: str) -> str:
    """A space between two Chinese characters or punctuation marks removed ("换届选举、 班子成员" →
    "换届选举、班子成员"): what Jinja tags inside a Chinese sentence leave behind. Spaces between a
    Chinese character and a Latin word or number stay."""
    return _SPACE_BETWEEN_CJK.sub("", text)


_CHANGE_WORDS = re.compile(r"(高于|低于|增加|减少|提高|降低|年轻|[多少])")


def merge_level(text: str, ref: str = "上季度") -> str:
    """Two or more "与上季度持平" in one paragraph said once: the phrases are removed and the
    paragraph ends "其余各项与上季度持平。" (or "上述各项均与上季度持平。" when nothing changed)."""
    phrase = f"与{ref}持平"
    if text.count(phrase) < 2:
        return text
    out = re.sub(f"（{phrase}）|[，,；]{phrase}(?=[，。；）])", "", text)
    if phrase in out:  # a phrase in a position the pattern does not know: leave the text alone
        return text
    changed = bool(_CHANGE_WORDS.search(out)) and ref in out
    tail = f"其余各项与{ref}持平。" if changed else f"上述各项均与{ref}持平。"
    return out + tail if out.endswith("。") else out + "。" + tail


FILTERS = {
    "num": num, "pct": pct_text, "pp": pp, "pp_change": pp_change, "count_change": count_change,
    "change": change, "age_change": age_change, "wan": wan, "approx": approx, "ordinal": ordinal,
    "cn": chinese_number, "date_zh": date_zh, "share_or_count": share_or_count,
    "title_break": lambda t: title_break(str(t)),
}
