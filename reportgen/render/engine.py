"""The Jinja side of report templates: a sandboxed environment and checks with Chinese messages.

Templates are documents users edit in Word, so their mistakes must come back as sentences a
statistician understands: an unknown variable names the closest known ones, a syntax error names
the paragraph and its text. Templates run in a sandbox with bounded loops and string sizes; values
from the data are printed as text (escaped into XML), never evaluated as template code.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any, Iterable

import pandas as pd
from jinja2 import StrictUndefined, nodes
from jinja2.compiler import CodeGenerator
from jinja2.exceptions import SecurityError, TemplateSyntaxError
from jinja2.filters import FILTERS as JINJA_FILTERS
from jinja2.sandbox import SandboxedEnvironment

from .. import zh
from ..outputs import clean_text, mask_ids_in_text
from .blocks import Block, Narrative, Node
from .context import zh_filters

MAX_RANGE = 10_000
MAX_STRING = 100_000
MAX_TEMPLATE_XML = 20 * 1024 * 1024
MAX_OUTPUT = 50 * 1024 * 1024  # characters of rendered document XML
LOCAL_GLOBALS = ("range", "loop", "namespace", "dict", "lipsum", "cycler", "joiner", "caller",
                 "varargs", "kwargs", "super", "self")
GUIDE = "可用的变量和写法见 docs/模板说明.md"

_known_names: ContextVar[tuple[str, ...]] = ContextVar("_known_names", default=())


class TemplateProblem(ValueError):
    """A report template that cannot be used; the message (Chinese) says what to change."""


def suggest(name: str, known: Iterable[str]) -> list[str]:
    """The known dotted names closest to ``name`` (same group first)."""
    known = list(known)
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    if not close and "." in name:
        head, last = name.rsplit(".", 1)
        same = [k for k in known if k.startswith(head + ".")]
        tails = difflib.get_close_matches(last, [k.rsplit(".", 1)[1] for k in same], n=3, cutoff=0.5)
        close = [f"{head}.{t}" for t in tails]
    return close


def unknown_message(name: str, known: Iterable[str], where: str = "") -> str:
    close = suggest(name, known)
    hint = f"您是不是要用：{'、'.join(close)}？" if close else "请检查拼写。"
    place = f"（{where}）" if where else ""
    return f"模板中用到的变量“{name}”不存在{place}。{hint}{GUIDE}。"


class ReportUndefined(StrictUndefined):
    """Like StrictUndefined (any use fails), with a Chinese message naming the closest names."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:  # type: ignore[override]
        obj, name = self._undefined_obj, self._undefined_name
        if name and str(name).startswith("_"):
            return f"模板中不能使用“{name}”这样的内部属性（出于安全考虑）。{GUIDE}。"
        path = name or "?"
        if isinstance(obj, Node) and obj._path:
            path = f"{obj._path}.{name}"
        elif obj is not None and not isinstance(obj, (Node, Mapping)) and name:
            path = f"{type(obj).__name__}.{name}"
        return unknown_message(str(path), _known_names.get())


def safe_range(*args: int) -> range:
    r = range(*args)
    if len(r) > MAX_RANGE:
        raise TemplateProblem(f"模板中的 range 最多 {MAX_RANGE} 项，这里要求 {len(r)} 项，请缩小范围")
    return r


def _bounded(fn, arg_index: int = 1, limit: int = 1000):
    def wrapped(*args, **kwargs):
        if len(args) > arg_index and isinstance(args[arg_index], int) and args[arg_index] > limit:
            raise TemplateProblem(f"模板中的宽度参数过大（{args[arg_index]}），最多 {limit}")
        return fn(*args, **kwargs)
    return wrapped


def finalize(value: Any) -> Any:
    """What ``{{ x }}`` prints: nothing for a missing value, trimmed numbers, cleaned text."""
    if value is None or isinstance(value, Block):
        return "" if value is None else value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return "" if math.isnan(value) else zh.num(value, 4)
    if isinstance(value, (int,)):
        return value
    if isinstance(value, (pd.DataFrame, pd.Series)):
        raise TemplateProblem("模板中把一张表格写进了句子：表格请单独成段，写成 {{p 表格名}}，"
                              "例如 {{p members.age_bands}}")
    if isinstance(value, (Node, Narrative)):
        raise TemplateProblem(f"模板中直接写了一组指标（{getattr(value, '_path', '') or 'narrative'}），"
                              "请写到具体的指标，例如 members.total")
    if hasattr(value, "__html__"):
        return value
    text = str(value)
    if text in ("nan", "NaN", "<NA>", "NaT", "None"):
        return ""
    return clean_text(mask_ids_in_text(text))


class _BoundedCodeGenerator(CodeGenerator):
    """Every ``~`` concatenation goes through ``environment.bounded_concat`` (the sandbox's binop
    hook does not see ``~``, so ``{% set s = s ~ s %}`` in a loop could otherwise double a string
    until memory runs out)."""

    def visit_Concat(self, node: nodes.Concat, frame) -> None:  # noqa: D102
        self.write("environment.bounded_concat(")
        super().visit_Concat(node, frame)
        self.write(")")


def _too_long(limit: int) -> TemplateProblem:
    return TemplateProblem(f"模板中生成的文字过长（超过 {limit} 个字符），已拒绝")


class ReportEnvironment(SandboxedEnvironment):
    """Sandboxed, autoescaping, strict about unknown names, bounded in loops and string sizes."""

    intercepted_binops = frozenset(["*", "**", "+"])
    code_generator_class = _BoundedCodeGenerator

    @staticmethod
    def bounded_concat(value: Any) -> Any:
        """The result of ``a ~ b``, refused past MAX_STRING characters."""
        if len(value) > MAX_STRING:
            raise _too_long(MAX_STRING)
        return value

    @staticmethod
    def concat(chunks: Iterable[str]) -> str:  # type: ignore[override]
        """Join the rendered output, refused past MAX_OUTPUT characters (loops of long strings)."""
        out, size = [], 0
        for chunk in chunks:
            size += len(chunk)
            if size > MAX_OUTPUT:
                raise _too_long(MAX_OUTPUT)
            out.append(chunk)
        return "".join(out)

    def call_binop(self, context, operator, left, right):  # noqa: D102
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > 64:
            raise TemplateProblem("模板中的乘方运算过大，已拒绝")
        if operator == "*":
            seq, times = (left, right) if isinstance(left, (str, list, tuple)) else (right, left)
            if isinstance(seq, (str, list, tuple)) and isinstance(times, int) and \
                    len(seq) * times > MAX_STRING:
                raise TemplateProblem(f"模板中生成的文字过长（超过 {MAX_STRING} 个字符），已拒绝")
        if operator == "+" and isinstance(left, (str, list)) and isinstance(right, (str, list)) and \
                len(left) + len(right) > MAX_STRING:
            raise TemplateProblem(f"模板中生成的文字过长（超过 {MAX_STRING} 个字符），已拒绝")
        return super().call_binop(context, operator, left, right)


def make_environment() -> ReportEnvironment:
    env = ReportEnvironment(autoescape=True, undefined=ReportUndefined, finalize=finalize,
                            keep_trailing_newline=False)
    env.filters.update(zh_filters())
    for name in ("center", "indent", "wordwrap", "truncate"):
        env.filters[name] = _bounded(JINJA_FILTERS[name], 1, 1000)
    env.globals["range"] = safe_range
    return env


class HeadingCounter:
    """``{{ sec() }}`` → "一、", "二、" …; ``{{ sub() }}`` → "（一）", "（二）" … (restarts under each sec)."""

    def __init__(self) -> None:
        self.top = 0
        self.second = 0

    def sec(self) -> str:
        self.top += 1
        self.second = 0
        return zh.ordinal(self.top, 1)

    def sub(self) -> str:
        self.second += 1
        return zh.ordinal(self.second, 2)


# --------------------------------------------------------------------------- static checks


def known_names(ctx: Mapping, prefix: str = "") -> list[str]:
    """Every dotted name a template may use: groups, indicators, tables, charts, functions."""
    out = []
    for key, value in ctx.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        out.append(path)
        if isinstance(value, Node):
            out.extend(known_names(value, path))
    return out


def _paragraph_text(line: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", line)).strip()


def _where(src_lines: list[str], lineno: int | None) -> str:
    if not lineno:
        return ""
    line = src_lines[lineno - 1] if 0 < lineno <= len(src_lines) else ""
    text = _paragraph_text(line)
    if len(text) > 40:
        text = text[:40] + "…"
    para = max(lineno - 1, 1)
    return f"第{para}段附近：“{text}”" if text else f"第{para}段附近"


_SYNTAX_HINTS = (
    (r"Unexpected end of template.*'(end\w+)'", "缺少结束标记 {{% {0} %}}"),
    (r"Encountered unknown tag '(\w+)'.*'(end\w+|else|elif)'", "标记 {{% {0} %}} 用错了位置，这里应是 {{% {1} %}}"),
    (r"Encountered unknown tag '(\w+)'", "不认识的标记 {{% {0} %}}"),
    (r"unexpected '(\}|%|\))'", "多了或少了括号（{0}），请检查 {{{{ }}}} 和 {{% %}} 是否成对"),
    (r"unexpected end of template", "模板意外结束，请检查 {{{{ }}}} 和 {{% %}} 是否成对"),
    (r"expected token '([^']+)', got '([^']+)'", "此处应是“{0}”，实际是“{1}”"),
    (r"unexpected char '(.)'", "出现了不能用在表达式中的字符“{0}”（请用半角符号）"),
)


def syntax_message(exc: TemplateSyntaxError, src_lines: list[str]) -> str:
    detail = ""
    for pattern, words in _SYNTAX_HINTS:
        m = re.search(pattern, str(exc.message or ""), flags=re.S)
        if m:
            detail = words.format(*m.groups())
            break
    if not detail:  # an unusual error: keep Jinja's own words as a technical detail
        detail = f"请检查 {{{{ }}}} 和 {{% %}} 是否成对、if/for 是否有对应的 endif/endfor（{exc.message}）"
    where = _where(src_lines, exc.lineno)
    return f"报告模板有语法错误（{where}）：{detail}。{GUIDE}。"


def _chain(node: nodes.Node) -> tuple[str, list[str]] | None:
    parts: list[str] = []
    while True:
        if isinstance(node, nodes.Getattr):
            parts.append(node.attr)
            node = node.node
        elif isinstance(node, nodes.Getitem):
            if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
                parts.append(node.arg.value)
            else:
                parts = []
            node = node.node
        elif isinstance(node, nodes.Name):
            return node.name, parts[::-1]
        else:
            return None


def check_template(src: str, env: ReportEnvironment, ctx: Mapping) -> None:
    """Parse the patched template XML and refuse unknown variables, filters and tests, with the
    paragraph where they occur; raise TemplateProblem."""
    lines = src.splitlines()
    try:
        tree = env.parse(src)
    except TemplateSyntaxError as exc:
        raise TemplateProblem(syntax_message(exc, lines)) from None
    known = set(known_names(ctx)) | set(env.globals) | set(LOCAL_GLOBALS)
    def value_of(path: list[str]) -> tuple[bool, Any]:
        node: Any = ctx
        for p in path:
            if isinstance(node, (Node, dict)) and p in node:
                node = node[p]
            else:
                return False, node
        return True, node

    local = {n.name for n in tree.find_all(nodes.Name) if n.ctx in ("store", "param")}
    guarded = set()  # names a template tests with "is defined": used only where they exist
    for test in tree.find_all(nodes.Test):
        if test.name in ("defined", "undefined"):
            chain = _chain(test.node)
            if chain:
                guarded.add(".".join([chain[0], *chain[1]]))
    problems: list[str] = []

    def check(node: nodes.Node) -> None:
        chain = _chain(node)
        if chain is None:
            return
        root, parts = chain
        if root in local or root in LOCAL_GLOBALS or root in env.globals:
            return
        if root == "narrative":
            return
        path = [root, *parts]
        if any(".".join(path[:i]) in guarded for i in range(1, len(path) + 1)):
            return
        for i in range(1, len(path) + 1):
            found, value = value_of(path[:i])
            if not found:
                parent_ok = i > 1 and not isinstance(value, (Node, dict))
                if parent_ok:
                    return  # an attribute of a number, text or block: checked at run time
                name = ".".join(path[:i])
                problems.append(unknown_message(name, sorted(known), _where(lines, node.lineno)))
                return

    def walk(node: nodes.Node, inner: bool = False, skip: bool = False) -> None:
        if isinstance(node, (nodes.Getattr, nodes.Getitem, nodes.Name)) and not inner and not skip:
            if not (isinstance(node, nodes.Name) and node.ctx != "load"):
                check(node)
        if isinstance(node, nodes.Filter) and node.name not in env.filters:
            close = difflib.get_close_matches(node.name, list(env.filters), n=3, cutoff=0.5)
            hint = f"您是不是要用：{'、'.join(close)}？" if close else ""
            problems.append(f"模板中用到的过滤器“{node.name}”不存在（{_where(lines, node.lineno)}）。"
                            f"{hint}{GUIDE}。")
        if isinstance(node, nodes.Test) and node.name not in env.tests:
            problems.append(f"模板中用到的判断“is {node.name}”不存在（{_where(lines, node.lineno)}）。"
                            f"{GUIDE}。")
        defined_test = isinstance(node, nodes.Test) and node.name in ("defined", "undefined")
        for child in node.iter_child_nodes():
            is_inner = isinstance(node, (nodes.Getattr, nodes.Getitem)) and child is node.node
            walk(child, is_inner, defined_test and child is node.node)

    walk(tree)
    if problems:
        raise TemplateProblem(problems[0] if len(problems) == 1 else
                              f"报告模板中有 {len(problems)} 处问题：" + "；".join(problems[:5]))


_TAG = re.compile(r"\{\{(.*?)\}\}", re.S)


def check_blocks_on_own_paragraph(src: str, ctx: Mapping) -> None:
    """A table, figure or narrative written inside a sentence (``{{ x }}`` instead of a paragraph
    of its own with ``{{p x}}``) would break the document: refuse it with the paragraph text."""
    lines = src.splitlines()
    for m in _TAG.finditer(src):
        expr = m.group(1).strip()
        name = re.match(r"[\w.]+", expr)
        if not name:
            continue
        parts = name.group(0).split(".")
        value: Any = ctx
        for p in parts:
            if isinstance(value, Narrative):
                value = value[p]
                continue
            if isinstance(value, (Node, dict)) and p in value:
                value = value[p]
            else:
                value = None
                break
        if not isinstance(value, Block):
            continue
        before = src[:m.start()]
        last_tag = before[before.rfind("<"):] if "<" in before else ""
        if re.match(r"<w:t[ >]", last_tag):
            lineno = before.count("\n") + 1
            raise TemplateProblem(
                f"“{name.group(0)}”是表格、图或成段的文字，不能写在句子中间（{_where(lines, lineno)}）。"
                f"请把它单独放在一段里，并写成 {{{{p {name.group(0)}}}}}。{GUIDE}。")
