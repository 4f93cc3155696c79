"""The command line's own words in Chinese: help headings and usage errors.

typer (through click) writes "Usage:", "Options:", "[default: out]", "Error: Missing argument …"
and "Try '… --help' for help." in English. Its command classes let a program choose the help
formatter and see parsing errors before they are shown, so reportgen's commands use
:class:`ZhGroup` and :class:`ZhCommand`: the same parsing, with headings, defaults and errors
worded in Chinese and saying what to do. Nothing of the library is patched.

Works with the click that typer uses (its own copy in recent typer, the click package before).
"""

from __future__ import annotations

import importlib
import re
from contextlib import contextmanager
from difflib import get_close_matches
from typing import Any, Iterator

from typer.core import TyperCommand, TyperGroup

_CLICK = TyperCommand.__mro__[1].__module__.rsplit(".", 1)[0]  # "typer._click" or "click"
_exceptions = importlib.import_module(f"{_CLICK}.exceptions")
_formatting = importlib.import_module(f"{_CLICK}.formatting")
_core = importlib.import_module(f"{_CLICK}.core")
_utils = importlib.import_module(f"{_CLICK}.utils")

UsageError = _exceptions.UsageError
_NO_ARGS_HELP = getattr(_exceptions, "NoArgsIsHelpError", ())  # shows the help itself: left alone

HELP_OPTION = "显示本帮助并退出"
SECTIONS = {"Options": "选项", "Arguments": "参数", "Commands": "命令"}
_USAGE_WORDS = (("[OPTIONS]", "[选项]"), ("COMMAND [ARGS]...", "命令 [参数]..."), ("[ARGS]...", "[参数]..."))
_EXTRA = re.compile(r"\s*\[([^\[\]]*)\]\s*$")

# click's wording of a bad value (after "Invalid value for …:") → Chinese
_VALUE_PATTERNS = (
    (re.compile(r"'([^']*)' is not a valid (?:integer|int)\b"), "值“{0}”不是整数"),
    (re.compile(r"valid integer"), "值必须是整数"),
    (re.compile(r"'([^']*)' is not a valid float"), "值“{0}”不是数字"),
    (re.compile(r"valid number"), "值必须是数字"),
    (re.compile(r"'([^']*)' is not one of (.*?)\.?$"), "值“{0}”不是可选的值（可选：{1}）"),
    (re.compile(r"(?:File|Directory|Path) '([^']*)' does not exist"), "“{0}”不存在，请检查路径"),
)


class ZhFormatter(_formatting.HelpFormatter):
    """click's help formatter with Chinese headings, usage words and default/required notes."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        for english, chinese in _USAGE_WORDS:
            args = args.replace(english, chinese)
        super().write_usage(prog, args, prefix="用法：")

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}：\n")

    @contextmanager
    def section(self, name: str) -> Iterator[None]:
        self.write_paragraph()
        self.write_heading(SECTIONS.get(name, name))
        self.indent()
        try:
            yield
        finally:
            self.dedent()

    def write_dl(self, rows: Any, *args: Any, **kwargs: Any) -> None:
        super().write_dl([(term, _notes(text)) for term, text in rows], *args, **kwargs)


def _notes(text: str) -> str:
    """"… [default: out; required]" → "… [默认：out；必填]"."""
    m = _EXTRA.search(text or "")
    if m is None:
        return text
    parts = []
    for part in m.group(1).split("; "):
        if part.startswith("default: "):
            parts.append("默认：" + part[len("default: "):])
        elif part == "required":
            parts.append("必填")
        else:
            parts.append(part)
    return text[:m.start()] + "  [" + "；".join(parts) + "]"


class ZhContext(_core.Context):
    formatter_class = ZhFormatter


class ZhUsageError(UsageError):
    """A usage error worded in Chinese: the usage line, where to find help, what is wrong."""

    def show(self, file: Any = None) -> None:
        echo = _utils.echo
        ctx = self.ctx
        if ctx is not None:
            echo(ctx.get_usage(), file=file, err=file is None)
            echo(f"运行“{ctx.command_path} --help”查看说明。\n", file=file, err=file is None)
        from .outputs import mask_text  # a value typed on the command line may be a number to mask

        echo(f"错误：{mask_text(self.message)}", file=file, err=file is None)


def _param_name(param: Any) -> tuple[str, str]:
    """(what it is, how the user writes it) of a click parameter."""
    if getattr(param, "param_type_name", "") == "argument":
        return "参数", str(getattr(param, "name", "") or "")
    opts = list(getattr(param, "opts", ()) or ()) + list(getattr(param, "secondary_opts", ()) or ())
    return "选项", (max(opts, key=len) if opts else str(getattr(param, "name", "")))


def _bad_value(detail: str) -> str:
    for pattern, words in _VALUE_PATTERNS:
        m = pattern.search(detail.strip())
        if m:
            return words.format(*(g.replace("'", "").replace(", ", "、") for g in m.groups()))
    return f"值无效（{detail}）"


def chinese(exc: Any, ctx: Any = None) -> Any:
    """The Chinese form of a click usage error raised while parsing ``ctx``'s arguments (the
    error itself when it shows the help)."""
    if isinstance(exc, ZhUsageError) or (_NO_ARGS_HELP and isinstance(exc, _NO_ARGS_HELP)):
        return exc
    ctx = exc.ctx or ctx
    param = getattr(exc, "param", None)
    if isinstance(exc, _exceptions.MissingParameter):
        kind, name = _param_name(param) if param is not None else ("参数", "")
        help_text = f"（{param.help}）" if param is not None and getattr(param, "help", None) else ""
        message = f"缺少{kind} {name}{help_text}：请补上后重新运行"
    elif isinstance(exc, _exceptions.NoSuchOption):
        message = f"没有“{exc.option_name}”这个选项"
        if exc.possibilities:
            message += f"，是不是想用 {'、'.join(sorted(exc.possibilities))}？"
        else:
            message += "，可用的选项见 --help"
    elif isinstance(exc, _exceptions.BadParameter):
        kind, name = _param_name(param) if param is not None else ("参数", "")
        message = f"{kind} {name} 的{_bad_value(exc.message)}"
    elif isinstance(exc, _exceptions.BadOptionUsage) and "requires an argument" in exc.message:
        message = f"选项 {exc.option_name} 后面要跟一个值"
    elif exc.message.startswith("Got unexpected extra argument"):
        found = re.search(r"\(([^()]*)\)\s*$", exc.message)
        extra = found.group(1) if found else exc.message
        message = (f"多余的参数：{extra}。如果文件夹路径中有空格，请用英文双引号把整个路径括起来，"
                   "如 \"D:\\报送 数据\\2026Q3\"")
    elif exc.message.startswith("Missing command"):
        message = "缺少命令：请在 reportgen 后面写要执行的命令，如 build 或 validate"
    else:
        message = f"命令行写法有误（{exc.message}）"
    return ZhUsageError(message, ctx=ctx)


class _Zh:
    """What ZhGroup and ZhCommand add to typer's classes."""

    context_class = ZhContext

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_OPTION
        return option

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)  # type: ignore[misc]
        except UsageError as exc:
            raise chinese(exc, ctx) from None


class ZhCommand(_Zh, TyperCommand):
    """A typer command whose help and usage errors are in Chinese."""


class ZhGroup(_Zh, TyperGroup):
    """The typer command group of reportgen, its help and usage errors in Chinese."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except UsageError as exc:  # options but no command ("reportgen -q"): found only here
            if isinstance(exc, ZhUsageError) or not exc.message.startswith("Missing command"):
                raise
            raise chinese(exc, ctx) from None

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except UsageError as exc:
            if not args or args[0] in self.list_commands(ctx):
                raise chinese(exc, ctx) from None
            names = self.list_commands(ctx)
            message = f"没有“{args[0]}”这个命令"
            close = get_close_matches(args[0], names)
            message += f"，是不是想用 {'、'.join(close)}？" if close else f"；可用的命令：{'、'.join(names)}"
            raise ZhUsageError(message, ctx=ctx) from None
