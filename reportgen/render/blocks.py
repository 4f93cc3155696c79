"""Template objects: namespaces with dotted paths, and blocks that insert tables, figures and text.

A block is written in a template on a paragraph of its own as ``{{p members.age_bands}}``; docxtpl
replaces that paragraph by the block's ``__html__()`` (WordprocessingML, not escaped). Tables and
figures are numbered when they are rendered, so numbers follow document order whatever the
template does; a block with no data renders nothing and takes no number.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Iterator

import pandas as pd
from docx.shared import Emu, Mm

from .. import schema, zh
from ..zh import tidy_spaces
from . import fonts
from .chartdata import WIDTH_IN
from .chartset import CHART_TITLES, ChartInfo, ChartSet, placeholder
from .ooxml import (body_paragraph, numbered_paragraph, paragraph, placeholder_paragraph, run)
from .ooxml import text
from .tables import TableSpec, _header_levels, format_column, table_xml, title_of

FIGURE_WIDTH = Mm(150)
_NUMBERED = re.compile(r"^\s*(（[一二三四五六七八九十]+）|\([一二三四五六七八九十]+\)|[一二三四五六七八九十]+[、是]|\d+[.、])")


@dataclass
class RenderState:
    """Per-render bookkeeping: the docxtpl template (for images) and the numbered items."""

    template: Any = None
    config: Any = None  # reportgen.config.Config of the render (report.* wording and 落款)
    tables: list[TableSpec] = field(default_factory=list)
    figures: list[ChartInfo] = field(default_factory=list)
    placeholders: dict[bytes, str] = field(default_factory=dict)  # stand-in image → chart key

    def number_table(self, spec: TableSpec) -> int:
        if spec.number is None:
            self.tables.append(spec)
            spec.number = len(self.tables)
        return spec.number

    def number_figure(self, info: ChartInfo) -> int:
        if info.number is None:
            self.figures.append(info)
            info.number = len(self.figures)
        return info.number


class Block:
    """Something that becomes paragraphs or a table: insert it with ``{{p name}}``."""

    is_block = True

    def __html__(self) -> str:  # pragma: no cover - overridden
        return ""

    def __str__(self) -> str:
        return self.__html__()


class TableBlock(Block):
    """A DataFrame shown as a numbered three-line table; ``count`` is its number of rows."""

    def __init__(self, state: RenderState, key: str, frame: pd.DataFrame, title: str | None = None,
                 ledger: bool = False):
        self._state = state
        self._spec = TableSpec(key, title or title_of(key), frame, ledger=ledger)

    @property
    def count(self) -> int:
        return 0 if self._spec.empty else len(self._spec.frame)

    @property
    def title(self) -> str:
        return self._spec.title

    @property
    def number(self) -> int | None:
        return self._spec.number

    @property
    def columns(self) -> list[str]:
        """Column labels (the lower level of a two-level header)."""
        return [lab for _, lab in _header_levels(self._spec.frame.columns)] \
            if isinstance(self._spec.frame.columns, pd.MultiIndex) else \
            [text(c) for c in self._spec.frame.columns]

    @property
    def rows(self) -> list[dict[str, str]]:
        """The rows as display text (percentages, thousands separators), keyed by column label,
        for templates that write their own sentences: ``{% for r in members.by_area.rows %}``."""
        if self._spec.empty:
            return []
        frame = self._spec.frame.reset_index(drop=True)
        cols = [format_column(frame.iloc[:, j], frame.columns[j]) for j in range(len(frame.columns))]
        labels = self.columns
        return [{labels[j]: cols[j][i] for j in range(len(labels))} for i in range(len(frame))]

    def __bool__(self) -> bool:
        return not self._spec.empty

    def __len__(self) -> int:
        return self.count

    def __html__(self) -> str:
        if self._spec.empty:
            return ""
        n = self._state.number_table(self._spec)
        frame = self._spec.frame
        code, name = schema.ORGS.header("org_id"), schema.ORGS.header("name")
        if self._spec.ledger and code in frame.columns and name in frame.columns:
            frame = frame.drop(columns=[code])  # the name says it in a report; tables.xlsx keeps codes
        return table_xml(frame, caption=f"表{n} {self._spec.title}", note=self._spec.note)


class FigureBlock(Block):
    """A chart embedded at 150 mm wide with its numbered caption underneath. Whether it exists and
    its size come from the ChartSet at once; its PNG may still be being drawn."""

    def __init__(self, state: RenderState, charts: ChartSet, key: str):
        self._state = state
        self._charts = charts
        self._key = key

    @property
    def _info(self) -> ChartInfo | None:
        return self._charts.get(self._key)

    @property
    def title(self) -> str:
        return self._info.title if self._info else ""

    @property
    def number(self) -> int | None:
        return self._info.number if self._info else None

    def __bool__(self) -> bool:
        return self._info is not None

    def __html__(self) -> str:
        info = self._info
        if info is None or self._state.template is None:
            return ""
        n = self._state.number_figure(info)
        part = self._state.template.current_rendering_part
        # a stand-in image of the chart's size: the PNG replaces its bytes when the .docx is zipped
        blob = placeholder(info.key)
        self._state.placeholders[blob] = info.key
        height = Emu(round(FIGURE_WIDTH * self._charts.height(info.key) / WIDTH_IN))
        inline = part.new_pic_inline(io.BytesIO(blob), FIGURE_WIDTH, height)
        pic = paragraph(f"<w:r><w:drawing>{inline.xml}</w:drawing></w:r>", style="RGFigure",
                        align="center", first_line_chars=0, keep_next=True, line=240,
                        line_rule="auto", before=120, after=0, snap=False)
        caption = paragraph(run(f"图{n} {info.title}", fonts.HEI, fonts.SIZE_4),
                            style="RGFigureCaption", align="center", first_line_chars=0,
                            line=fonts.BODY_LINE, before=0, after=120, snap=False)
        return pic + caption


class NarrativeBlock(Block):
    """Qualitative paragraphs from narrative.yaml, or a highlighted 【待补充：…】 placeholder.

    A list becomes numbered paragraphs "（一）lead。body" (the lead, up to the first "。", in 楷体);
    a text becomes body paragraphs, one per line.
    """

    def __init__(self, key: str, value: Any):
        self.key = key
        self.value = value

    def __bool__(self) -> bool:
        return bool(self.value)

    @staticmethod
    def _item_text(item: Any) -> tuple[str, str]:
        if isinstance(item, dict):
            head = next((str(item[k]) for k in ("标题", "要点", "title", "lead") if item.get(k)), "")
            body = next((str(item[k]) for k in ("内容", "正文", "body", "text") if item.get(k)), "")
            head, body = tidy_spaces(head), tidy_spaces(body)
            return head.rstrip("。") + ("。" if head else ""), body
        s = tidy_spaces(str(item))
        cut = s.find("。")
        if 0 < cut <= 40 and cut < len(s) - 1:
            return s[:cut + 1], s[cut + 1:]
        return "", s

    def __html__(self) -> str:
        v = self.value
        if v is None or v == "" or v == [] or v == {}:
            return placeholder_paragraph(f"{self.key}。请在数据文件夹的 narrative.yaml 中填写“{self.key}”，"
                                         "或在生成的报告中直接改写本段")
        if isinstance(v, (list, tuple)):
            out = []
            number = 0
            for item in v:
                head, body = self._item_text(item)
                if not head and not body:
                    continue
                if _NUMBERED.match(head or body):
                    out.append(numbered_paragraph("", head, body) if head else body_paragraph(body))
                    continue
                number += 1
                from ..zh import ordinal
                if head:
                    out.append(numbered_paragraph(ordinal(number, 2), head, body))
                else:
                    out.append(numbered_paragraph(ordinal(number, 2), "", body))
            return "".join(out)
        lines = [s.strip() for s in str(v).splitlines() if s.strip()]
        return "".join(body_paragraph(s) for s in lines)


class Narrative(Mapping):
    """``narrative.<key>``: the paragraphs given for <key>, or a placeholder; ``'key' in narrative``
    tells whether they were given."""

    def __init__(self, data: dict):
        self._data = {str(k): v for k, v in (data or {}).items()}

    def __getitem__(self, key: str) -> NarrativeBlock:
        return NarrativeBlock(str(key), self._data.get(str(key)))

    def __getattr__(self, key: str) -> NarrativeBlock:
        if key.startswith("_"):
            raise AttributeError(key)
        return self[key]

    def __contains__(self, key: object) -> bool:
        v = self._data.get(str(key))
        return v is not None and v != "" and v != [] and v != {}

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)


class Node(Mapping):
    """A read-only namespace of the context that knows its dotted path (for error messages)."""

    def __init__(self, data: dict, path: str = ""):
        self._data = data
        self._path = path

    def __getattr__(self, key: str) -> Any:
        if key.startswith("_"):
            raise AttributeError(key)
        try:
            return self._data[key]
        except KeyError:
            raise AttributeError(key) from None

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __bool__(self) -> bool:
        return bool(self._data)

    def __repr__(self) -> str:
        return f"Node({self._path or '<root>'})"


def _shown_deltas(group: dict) -> dict:
    """A group whose ``*_delta`` of shares and mean ages are the differences of the values as
    the text prints them (zh.displayed_delta): 45.5% → 35.4% is "低于上季度10.1个百分点", and
    "持平" only when the two printed figures are equal. Counts are left as they are."""
    out = dict(group)
    for key, delta in group.items():
        if not key.endswith("_delta") or isinstance(delta, (pd.DataFrame, dict, list, str, bool)) \
                or delta is None:
            continue
        base = key[: -len("_delta")]
        current = group.get(base)
        if isinstance(current, bool) or not isinstance(current, (int, float)):
            continue
        previous = group.get(f"{base}_previous")
        previous = previous if isinstance(previous, (int, float)) and not isinstance(previous, bool) \
            else None
        if base.endswith("_share") or base in ("turnout",):
            out[key] = zh.displayed_delta(current, delta, previous, scale=100.0)
        elif base.startswith("age_mean"):
            out[key] = zh.displayed_delta(current, delta, previous, scale=1.0)
    return out


def shown(ctx: dict) -> dict:
    """The context with every group's deltas as printed (:func:`_shown_deltas`), two_new's too."""
    out = dict(ctx)
    for key, value in ctx.items():
        if key in ("orgs", "members", "development", "elections", "committee", "coverage") and \
                isinstance(value, dict):
            out[key] = _shown_deltas(value)
        elif key == "two_new" and isinstance(value, dict):
            out[key] = {k: _shown_deltas(v) if isinstance(v, dict) else v for k, v in value.items()}
    return out


def report_node(config: Any) -> dict:
    """``report.*`` of templates: the wording settings and the optional 落款 and 成文日期."""
    from ..config import DEFAULT

    rep = getattr(config, "report", None) or DEFAULT.report
    return {"signature_unit": zh.tidy_spaces(rep.signature_unit or ""),
            "date": zh.date_zh(rep.date) if rep.date else "",
            "small_base": int(rep.small_base), "pct_digits": int(rep.pct_digits),
            "appendix_min_rows": int(rep.appendix_min_rows)}


def wrap(ctx: dict, state: RenderState, charts: ChartSet) -> dict:
    """The context as template objects: Nodes for groups, TableBlocks for DataFrames, FigureBlocks
    under ``charts``, the Narrative under ``narrative``, findings as Nodes with their ledgers."""
    def conv(value: Any, path: str) -> Any:
        if isinstance(value, pd.DataFrame):
            ledger = path.endswith(("overdue", "due_soon", "_list", "ledger"))
            return TableBlock(state, path, value, ledger=ledger)
        if isinstance(value, dict):
            return Node({str(k): conv(v, f"{path}.{k}" if path else str(k)) for k, v in value.items()},
                        path)
        if isinstance(value, list):
            return [conv(v, path) for v in value]
        return value

    out: dict[str, Any] = {}
    ctx = shown(ctx)
    for key, value in ctx.items():
        if key == "narrative":
            out[key] = Narrative(value)
        elif key == "findings" or key.startswith("findings_"):
            items = []
            for f in value:
                node = {k: v for k, v in f.items() if k != "ledger"}
                node["ledger"] = TableBlock(state, f"findings.{f['id']}", f["ledger"],
                                            title=f"{f['title']}名单", ledger=True)
                items.append(Node(node, f"findings.{f['id']}"))
            out[key] = items
        elif key == "tables":
            names = {"committee_compare": "committee.compare",
                     "two_new_committee_compare": "two_new.committee.compare"}
            out[key] = Node({k: TableBlock(state, names.get(k, f"tables.{k}"), v)
                             for k, v in value.items()}, "tables")
        else:
            out[key] = conv(value, key)
    out["charts"] = Node({k: FigureBlock(state, charts, k) for k in CHART_TITLES}, "charts")
    rep = report_node(state.config)
    out.setdefault("report", Node(rep, "report"))
    out.setdefault("attachments", _attachments(out, rep["appendix_min_rows"]))
    return out


ATTACHABLE = ("elections.overdue", "elections.due_soon")  # long organization lists of a report


def _attachments(out: dict, min_rows: int) -> list[Node]:
    """``attachments``: the long lists (ATTACHABLE, more than ``report.appendix_min_rows`` rows)
    a template puts into 附件 — each a Node with ``title`` and ``block`` (the table), in order."""
    items = []
    for path in ATTACHABLE:
        group, key = path.split(".")
        node = out.get(group)
        block = node.get(key) if isinstance(node, Node) else None
        if isinstance(block, TableBlock) and block.count > min_rows:
            items.append(Node({"title": block.title, "block": block}, f"attachments.{key}"))
    return items
