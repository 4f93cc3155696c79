"""Statistical tables: DataFrame → three-line table (WordprocessingML), and the report's table list.

Conventions of the indicator tables (SPEC §3, helper contract): the first column is the category
label, counts are in columns named "人数"/"个数", shares (values in [0, 1]) in columns whose name ends
with "占比", "比例" or "率", previous-period columns start with "上期"/"上届". Groups of columns
are a two-level column MultiIndex (("本届", "人数"), ("本届", "占比"), …), drawn as merged header cells.
The whole w:tbl is built as one XML string: a 2,000-row ledger takes a few tens of milliseconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from .. import zh
from . import fonts
from .ooxml import esc, paragraph, rfonts, run, text

SHARE_SUFFIXES = ("占比", "比例", "率")
MISSING = "—"

# Titles of the tables the indicators provide, by indicator id (captions and sheet names).
TITLES: dict[str, str] = {
    "orgs.by_type": "党组织按组织类别分布",
    "orgs.by_sector": "党组织按所属领域分布",
    "orgs.by_area": "各片区党组织情况",
    "orgs.unverified": "待核实党组织名单",
    "members.age_bands": "党员年龄结构",
    "members.education": "党员学历结构",
    "members.by_occupation": "党员工作岗位分布",
    "members.by_area": "各片区党员队伍情况",
    "development.by_area": "各片区发展党员情况",
    "elections.overdue_by_area": "各片区到期未换届党组织情况",
    "elections.overdue": "到期未换届党组织名单",
    "elections.due_soon": "即将届满党组织名单",
    "elections.held_list": "本期换届选举情况",
    "committee.compare": "换届前后班子结构对比",
    "two_new.committee.compare": "“两新”组织党组织换届前后班子结构对比",
    "committee.age_bands": "换届前后班子成员年龄结构",
    "committee.education": "换届前后班子成员学历结构",
    "committee.by_area": "各片区换届后班子结构",
    "coverage.by_type": "“两新”组织按单位类型的党组织覆盖情况",
    "coverage.by_size": "“两新”组织按从业人员规模的党组织覆盖情况",
    "coverage.by_location": "各园区楼宇“两新”组织党组织覆盖情况",
}

# The order of the tables in the appendix of the default reports and in tables.xlsx.
ORDER: tuple[str, ...] = tuple(k for k in TITLES if not k.startswith("two_new.")
                               and k not in ("elections.held_list", "committee.age_bands",
                                             "committee.education", "orgs.unverified"))


@dataclass
class TableSpec:
    """A table of the report: where it comes from, its title and its data."""

    key: str
    title: str
    frame: pd.DataFrame
    note: str = ""
    number: int | None = None
    ledger: bool = False
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def caption(self) -> str:
        return f"表{self.number} {self.title}" if self.number else self.title

    @property
    def empty(self) -> bool:
        return self.frame is None or len(self.frame) == 0 or len(self.frame.columns) == 0


def title_of(key: str) -> str:
    """The Chinese title of a table: ours, else the indicator's label in the registry, else the id."""
    if key in TITLES:
        return TITLES[key]
    from ..indicators import REGISTRY

    spec = REGISTRY.get(key.removesuffix("_list")) or REGISTRY.get(key)
    if spec is not None and getattr(spec, "label", None):
        return str(spec.label)
    return key


def lookup(ctx: dict, dotted: str) -> Any:
    """The value at a dotted path of the report context ("members.age_bands"), or None."""
    node: Any = ctx
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


# --------------------------------------------------------------------------- formatting


def _label(col: object) -> str:
    """The name that decides a column's format: the lowest non-empty level of its header."""
    if isinstance(col, tuple):
        parts = [str(c) for c in col if c is not None and str(c) not in ("", "nan")]
        return parts[-1] if parts else ""
    return "" if col is None else str(col)


def is_share(col: object) -> bool:
    return _label(col).endswith(SHARE_SUFFIXES)


def column_kind(series: pd.Series, col: object) -> str:
    """"share", "count", "number", "date" or "text"."""
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return "date"
    if pd.api.types.is_bool_dtype(series.dtype):
        return "text"
    if pd.api.types.is_numeric_dtype(series.dtype):
        if is_share(col):
            return "share"
        values = pd.to_numeric(series, errors="coerce").dropna()
        if len(values) == 0 or bool(((values - values.round()).abs() < 1e-9).all()):
            return "count"
        return "number"
    return "text"


def _count(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return MISSING
    return f"{int(round(float(v))):,}"


def _date(v: Any) -> str:
    if v is None or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
        return ""
    try:
        return pd.Timestamp(v).strftime("%Y-%m-%d")
    except (TypeError, ValueError):
        return text(v)


def _or_missing(fn):
    def wrapped(v: Any) -> str:
        return fn(v) or MISSING
    return wrapped


def format_column(series: pd.Series, col: object, kind: str | None = None) -> list[str]:
    """The column's cells as display text (not yet XML-escaped); ``kind`` as column_kind gives it."""
    kind = kind or column_kind(series, col)
    values = series.astype(object).where(series.notna(), None)
    if kind == "share":
        return values.map(_or_missing(zh.pct)).tolist()
    if kind == "count":
        return values.map(_count).tolist()
    if kind == "number":
        return values.map(_or_missing(zh.num)).tolist()
    if kind == "date":
        return values.map(_date).tolist()
    return values.map(text).tolist()


def _width(s: str) -> float:
    """Approximate printed width in character units (CJK 1, Latin and digits about half)."""
    return sum(1.0 if ord(c) > 0x2E7F else 0.55 for c in s)


def column_widths(cells: list[list[str]], labels: list[str], kinds: list[str],
                  total: int = fonts.TEXT_WIDTH) -> list[int]:
    """Column widths (twips) filling ``total``: every column as wide as its longest cell (headers may
    wrap onto two lines); when that is too wide, long text columns (names) give way first."""
    char = fonts.SIZE_5 * 10  # one CJK character of 五号 text, in twips
    pad = 0.8
    natural = []
    for col, label, kind in zip(cells, labels, kinds):
        data = max((_width(c) for c in col), default=0.0)
        head = _width(label)
        natural.append(max(data, head if head <= max(data, 2.0) else max(head / 2, data), 2.0) + pad)
    need = sum(natural) * char
    if need > total:
        excess = need / char - total / char
        give = [max(n - 6.0, 0.0) if k == "text" else 0.0 for n, k in zip(natural, kinds)]
        room = sum(give)
        if room > 0:
            cut = min(excess, room)
            natural = [n - g * cut / room for n, g in zip(natural, give)]
    scale = total / (sum(natural) * char)
    widths = [int(n * char * scale) for n in natural]
    widths[-1] += total - sum(widths)
    return widths


# --------------------------------------------------------------------------- XML

_RULE_HEAVY = 12  # 1.5 pt in eighths of a point
_RULE_LIGHT = 6  # 0.75 pt
_RULE_SPANNER = 4  # 0.5 pt under a group label


def _header_levels(columns: pd.Index) -> list[tuple[str, str]] | None:
    """(group, label) per column for a two-level header; None for a one-level header."""
    if not isinstance(columns, pd.MultiIndex):
        return None
    out = []
    for col in columns:
        parts = ["" if c is None or str(c) == "nan" else str(c) for c in col]
        top = "·".join(p for p in parts[:-1] if p) if len(parts) > 2 else parts[0]
        out.append((top, parts[-1]))
    return out


def _cell(body: str, width: int, align: str = "center", bottom: int | None = None,
          span: int = 1, vmerge: str | None = None, header: bool = False) -> str:
    tcpr = [f'<w:tcW w:w="{width}" w:type="dxa"/>']
    if span > 1:
        tcpr.append(f'<w:gridSpan w:val="{span}"/>')
    if vmerge == "restart":
        tcpr.append('<w:vMerge w:val="restart"/>')
    elif vmerge == "continue":
        tcpr.append("<w:vMerge/>")
    if bottom:
        tcpr.append(f'<w:tcBorders><w:bottom w:val="single" w:sz="{bottom}" w:space="0" '
                    'w:color="000000"/></w:tcBorders>')
    tcpr.append('<w:vAlign w:val="center"/>')
    east = fonts.HEI if header else fonts.FANGSONG
    r = (f'<w:r><w:rPr>{rfonts(east)}<w:sz w:val="{fonts.SIZE_5}"/><w:szCs w:val="{fonts.SIZE_5}"/>'
         f'</w:rPr><w:t xml:space="preserve">{body}</w:t></w:r>') if body else ""
    return (f"<w:tc><w:tcPr>{''.join(tcpr)}</w:tcPr><w:p><w:pPr><w:pStyle w:val=\"RGTableText\"/>"
            f'<w:snapToGrid w:val="0"/><w:spacing w:before="0" w:after="0" w:line="{fonts.TABLE_LINE}" w:lineRule="exact"/>'
            f'<w:ind w:firstLineChars="0" w:firstLine="0"/><w:jc w:val="{align}"/></w:pPr>{r}</w:p></w:tc>')


def table_xml(frame: pd.DataFrame, caption: str | None = None, note: str | None = None) -> str:
    """A three-line table (top and bottom rules 1.5 pt, a 0.75 pt rule under the header, no
    vertical lines) with its caption above, as WordprocessingML for the document body."""
    frame = frame.reset_index(drop=True)
    ncols = len(frame.columns)
    levels = _header_levels(frame.columns)
    kinds = [column_kind(frame.iloc[:, j], frame.columns[j]) for j in range(ncols)]
    cells = [format_column(frame.iloc[:, j], frame.columns[j], kinds[j]) for j in range(ncols)]
    labels = [lab for _, lab in levels] if levels else [text(c) for c in frame.columns]

    widths = column_widths([[*c[:2000]] for c in cells], labels, kinds)
    first_left = bool(ncols) and kinds[0] == "text" and \
        max((_width(c) for c in cells[0][:2000]), default=0.0) > 8

    out = []
    if caption:
        out.append(paragraph(run(caption, fonts.HEI, fonts.SIZE_4), style="RGTableCaption",
                             align="center", first_line_chars=0, keep_next=True,
                             line=fonts.BODY_LINE, before=120, after=0, snap=False))
    out.append('<w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:jc w:val="center"/>'
               f'<w:tblBorders><w:top w:val="single" w:sz="{_RULE_HEAVY}" w:space="0" w:color="000000"/>'
               '<w:left w:val="nil"/>'
               f'<w:bottom w:val="single" w:sz="{_RULE_HEAVY}" w:space="0" w:color="000000"/>'
               '<w:right w:val="nil"/><w:insideH w:val="nil"/><w:insideV w:val="nil"/></w:tblBorders>'
               '<w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="60" w:type="dxa"/>'
               '<w:right w:w="60" w:type="dxa"/></w:tblCellMar>'
               '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" '
               'w:lastColumn="0" w:noHBand="1" w:noVBand="1"/></w:tblPr><w:tblGrid>')
    out.extend(f'<w:gridCol w:w="{w}"/>' for w in widths)
    out.append("</w:tblGrid>")

    head_tr = '<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>'
    if levels:
        row1, row2 = [head_tr], [head_tr]
        j = 0
        while j < ncols:
            top, sub = levels[j]
            if not sub:
                row1.append(_cell(esc(top), widths[j], vmerge="restart", header=True))
                row2.append(_cell("", widths[j], vmerge="continue", bottom=_RULE_LIGHT, header=True))
                j += 1
                continue
            k = j
            while k + 1 < ncols and levels[k + 1][0] == top and levels[k + 1][1]:
                k += 1
            span = k - j + 1
            row1.append(_cell(esc(top), sum(widths[j:k + 1]), span=span,
                              bottom=_RULE_SPANNER if top else None, header=True))
            for m in range(j, k + 1):
                row2.append(_cell(esc(levels[m][1]), widths[m], bottom=_RULE_LIGHT, header=True))
            j = k + 1
        out.append("".join(row1) + "</w:tr>" + "".join(row2) + "</w:tr>")
    else:
        out.append(head_tr + "".join(_cell(esc(labels[j]), widths[j], bottom=_RULE_LIGHT, header=True)
                                     for j in range(ncols)) + "</w:tr>")

    aligns = ["left" if (j == 0 and first_left) else "center" for j in range(ncols)]
    escaped = [[esc(c) for c in col] for col in cells]
    row_open = "<w:tr><w:trPr><w:cantSplit/></w:trPr>"
    for i in range(len(frame)):
        out.append(row_open + "".join(_cell(escaped[j][i], widths[j], aligns[j])
                                      for j in range(ncols)) + "</w:tr>")
    out.append("</w:tbl>")
    if note:
        out.append(paragraph(run(note, fonts.FANGSONG, fonts.SIZE_XIAO4), first_line_chars=0,
                             line=fonts.TABLE_LINE, before=60, after=0, snap=False))
    return "".join(out)


# --------------------------------------------------------------------------- composite tables


def _num(v: Any) -> float | None:
    if v is None or isinstance(v, (str, bytes)) or v is pd.NA:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def committee_compare(committee: dict[str, Any]) -> pd.DataFrame:
    """本届 vs 上届 committee structure with a two-level header (本届|上届 over 人数/占比)."""
    size, size_prev = _num(committee.get("size")), _num(committee.get("size_previous"))
    if not size:
        return pd.DataFrame()

    def count_of(share: Any, n: float | None) -> float | None:
        s = _num(share)
        return None if s is None or not n else round(s * n)

    female_prev = _num(committee.get("female_previous"))
    college_prev = _num(committee.get("college_share_previous"))
    rows = [
        ("成员总数", size, None, size_prev, None),
        ("大专及以上学历", count_of(committee.get("college_share"), size),
         _num(committee.get("college_share")), count_of(college_prev, size_prev), college_prev),
        ("女性", _num(committee.get("female")), _num(committee.get("female_share")), female_prev,
         (female_prev / size_prev) if female_prev is not None and size_prev else None),
        ("连选连任", _num(committee.get("reelected")), _num(committee.get("reelected_share")), None, None),
        ("新进班子", _num(committee.get("new")), _num(committee.get("new_share")), None, None),
    ]
    columns = pd.MultiIndex.from_tuples([("项目", ""), ("本届", "人数"), ("本届", "占比"),
                                         ("上届", "人数"), ("上届", "占比")])
    frame = pd.DataFrame(rows, columns=columns)
    for col in columns[1:]:
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("Float64")
    return frame


def count_column(frame: pd.DataFrame) -> Any:
    """The first count column of an indicator table (not a share, not a previous-period column)."""
    for col in frame.columns[1:]:
        label = col[-1] if isinstance(col, tuple) else str(col)
        if label.endswith(SHARE_SUFFIXES) or label.startswith(("上期", "上届")):
            continue
        if pd.api.types.is_numeric_dtype(frame[col].dtype):
            return col
    return None
