"""The command line: a thin door onto reportgen.api (typer + rich, all help texts in Chinese).

Exit codes (SPEC §4): build — 0 report written (even if rows were left out), 1 ``--strict`` with
errors, 2 nothing usable; validate — 0 clean, 1 errors found, 2 nothing usable; any user mistake
(bad folder, bad period, bad template) or operating-system fault on the user's paths (read-only,
full disk, no permission, a name taken, a file open in Word, another build writing into the same
folder) — 2 with a Chinese message, never a traceback (unless --debug); 3 an internal error;
130 Ctrl-C ("已中断，未生成新的输出"); 143 SIGTERM.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import __version__
from .cli_zh import ZhCommand, ZhGroup

app = typer.Typer(
    name="reportgen",
    help="把基层党组织季度报送的 Excel 表格变成统计分析报告（Word）、统计表和校验结果。",
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    cls=ZhGroup,
)

_state = {"quiet": False, "debug": False}

log = logging.getLogger("reportgen")


def _mask(text: str) -> str:
    from .outputs import mask_text

    return mask_text(text)


class _MaskedConsole(Console):
    """A console whose every printed text has its ID and mobile numbers masked (SPEC §2): file
    names, area names, messages and explain's rows all reach the terminal through it."""

    def print(self, *objects, **kwargs) -> None:  # noqa: D102
        super().print(*(_mask(o) if isinstance(o, str) else o for o in objects), **kwargs)


class _MaskingFormatter(logging.Formatter):
    """Log lines (--debug), tracebacks included, with ID and mobile numbers masked."""

    def format(self, record: logging.LogRecord) -> str:  # noqa: D102
        return _mask(super().format(record))


def _console(stderr: bool = False) -> Console:
    return _MaskedConsole(stderr=stderr, highlight=False, soft_wrap=True)


class UserError(Exception):
    """A mistake the user can fix: printed in Chinese, exit code 2."""


class Window(str, Enum):
    period = "period"
    year = "year"


@app.callback()
def _main(
    quiet: bool = typer.Option(False, "--quiet", "-q", help="只输出错误，不显示进度和汇总"),
    debug: bool = typer.Option(False, "--debug", help="出错时显示调试信息（给开发人员看）"),
    version: bool = typer.Option(False, "--version", help="显示版本号", is_eager=True,
                                 callback=lambda value: _show_version(value)),
) -> None:
    """reportgen 命令行。每个命令都可以加 --help 查看说明。"""
    _state["quiet"], _state["debug"] = quiet, debug
    handler = logging.StreamHandler()
    handler.setFormatter(_MaskingFormatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING, handlers=[handler])
    if debug and not isinstance(sys.excepthook, _MaskedHook):  # a traceback printed at exit
        sys.excepthook = _MaskedHook(sys.excepthook)


class _MaskedHook:
    """sys.excepthook with ID and mobile numbers masked in the traceback (--debug)."""

    def __init__(self, hook) -> None:
        self.hook = hook

    def __call__(self, kind, exc, tb) -> None:
        import traceback

        sys.stderr.write(_mask("".join(traceback.format_exception(kind, exc, tb))))


def _show_version(value: bool) -> None:
    """``--version`` alone (no command needed): print it and stop before the command is sought."""
    if value:
        _console().print(f"reportgen {__version__}")
        raise typer.Exit(0)


# --------------------------------------------------------------------------- helpers


class _Bar:
    """A rich progress bar on stderr, shown only on a terminal and when not --quiet."""

    def __init__(self) -> None:
        self.progress: Progress | None = None
        self.tasks: dict[str, int] = {}

    def __enter__(self) -> "_Bar":
        console = _console(stderr=True)
        if not _state["quiet"] and console.is_terminal:
            self.progress = Progress(TextColumn("{task.description}"), BarColumn(),
                                     MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                                     transient=True)
            self.progress.start()
        return self

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.progress is None:
            return
        stage = _mask(stage)
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(stage, total=total)
        self.progress.update(self.tasks[stage], completed=done, total=total)

    def __exit__(self, *exc) -> None:
        if self.progress is not None:
            self.progress.stop()


INTERRUPTED = "已中断，未生成新的输出"


class Terminated(BaseException):
    """SIGTERM reached the main process: unwind like Ctrl-C (the staging folder is removed, the
    lock released, the helper processes end), then exit 143."""


def _run(fn):
    """Call fn, turning user mistakes into a Chinese message and exit code 2.

    Exit codes: 0 done; 1 ``--strict`` with errors, or validate found errors; 2 a user mistake, an
    operating-system fault on the user's paths (read-only, full disk, no permission, a name taken,
    a file open in Word), another build writing into the same folder, or nothing usable; 3 an
    internal error; 130 interrupted (Ctrl-C), 143 terminated."""
    from .api import NothingUsable, StrictStop
    from .config import ConfigError
    from .outputs import OutputError, os_error_message
    from .periods import PeriodError

    try:
        return fn()
    except typer.Exit:
        raise
    except KeyboardInterrupt:
        _console(stderr=True).print(f"[red]{INTERRUPTED}[/red]")
        raise typer.Exit(130)
    except Terminated:
        _console(stderr=True).print("[red]已终止，未生成新的输出[/red]")
        raise typer.Exit(143)
    except StrictStop as exc:
        _console(stderr=True).print(f"[red]{exc}[/red]")
        raise typer.Exit(1)
    except NothingUsable as exc:
        _console(stderr=True).print(f"[red]{exc}[/red]")
        raise typer.Exit(2)
    except OutputError as exc:
        if _state["debug"]:
            log.exception("output error")
        _console(stderr=True).print(f"[red]错误：[/red]{exc}")
        raise typer.Exit(2)
    except OSError as exc:  # the system's fault on a path outside the output set (a template, a sample folder)
        if _state["debug"]:
            log.exception("os error")
        text = str(exc) if exc.errno is None else os_error_message(exc, verb="读写")  # ours: Chinese already
        _console(stderr=True).print(f"[red]错误：[/red]{text}")
        raise typer.Exit(2)
    except (UserError, PeriodError, ConfigError, ValueError) as exc:
        if _state["debug"]:
            log.exception("user error")
        _console(stderr=True).print(f"[red]错误：[/red]{exc}")
        raise typer.Exit(2)
    except Exception as exc:  # a bug: short message, traceback with --debug
        if _state["debug"]:
            raise
        from .ingest import IngestError

        if isinstance(exc, IngestError):
            _console(stderr=True).print(f"[red]错误：[/red]{exc}")
            raise typer.Exit(2)
        _console(stderr=True).print(f"[red]程序内部错误：{type(exc).__name__}: {exc}[/red]\n"
                                    "请加 --debug 重新运行，并把输出发给技术支持人员。")
        raise typer.Exit(3)


def _need_dir(path: Path) -> None:
    if not path.exists():
        raise UserError(f"找不到文件夹“{path}”，请检查路径是否正确")


def _print_summary(ds) -> None:
    """Per-file table of rows, errors and warnings, coloured; then one line of totals."""
    if _state["quiet"]:
        return
    from .validate.issues import file_summary

    console = _console()
    summary = file_summary(ds)
    table = Table(title=f"{ds.period.zh} 报送数据校验结果", title_justify="left")
    for col in summary.columns:
        table.add_column(str(col), justify="left" if col == summary.columns[0] else "right")
    errors_at, warnings_at = list(summary.columns).index("错误"), list(summary.columns).index("警告")
    for row in summary.itertuples(index=False):  # one line per file: few rows
        cells = [_mask(str(v)) for v in row]
        style = "red" if int(row[errors_at]) else ("yellow" if int(row[warnings_at]) else None)
        table.add_row(*cells, style=style)
    console.print(table)
    rec = ds.reconciliation
    read = int(rec["rows_read"].sum()) if len(rec) else 0
    used = int(rec["rows_used"].sum()) if len(rec) else 0
    skipped = int(rec["rows_skipped"].sum()) if len(rec) and "rows_skipped" in rec else 0
    colour = "red" if ds.error_count else ("yellow" if ds.warning_count else "green")
    also = f"，跳过非数据行（合计、说明、示例等） {skipped} 行" if skipped else ""
    console.print(f"[{colour}]共读取 {read} 行，计入统计 {used} 行，未计入 {read - used - skipped} 行{also}；"
                  f"错误 {ds.error_count} 个，警告 {ds.warning_count} 个。[/{colour}]")
    if ds.error_count:
        left = read - used - skipped
        console.print(f"无法确定归属或重复的 {left} 行没有计入统计；其余有错误的行已计入，有问题的那一项按未填写处理。"
                      if left else "有错误的行都已计入统计，有问题的那一项按未填写处理。")
        console.print("请打开 validation.xlsx 的“问题清单”，按“说明”列逐条修改后重新报送。")


def _print_previous(prev, notes: list[str]) -> None:
    """The previous period: what was wrong with it (always, on stderr) and its checks in one line."""
    err = _console(stderr=True)
    for note in notes:
        err.print(f"[yellow]注意：[/yellow]{note}。")
    if prev is None or _state["quiet"]:
        return
    rec = prev.reconciliation
    read = int(rec["rows_read"].sum()) if len(rec) else 0
    used = int(rec["rows_used"].sum()) if len(rec) else 0
    _console().print(f"上期数据（{prev.period.zh}）：共读取 {read} 行，计入统计 {used} 行；错误 {prev.error_count} 个，"
                     f"警告 {prev.warning_count} 个，明细见 validation.xlsx 的“上期问题”和“上期核对”。")


# --------------------------------------------------------------------------- commands


@app.command(cls=ZhCommand)
def build(
    data_dir: Path = typer.Argument(..., help="报送数据所在的文件夹（会读取其中所有工作簿，包括子文件夹）"),
    period: Optional[str] = typer.Option(None, "--period", "-p", help="统计期，如 2026Q3 或 2026年第三季度；不填则从封面或文件夹名识别"),
    previous: Optional[Path] = typer.Option(None, "--previous", help="上一期报送数据的文件夹，用于同比上期"),
    template: Optional[str] = typer.Option(None, "--template", "-t", help="报告类型（季度统计分析、换届工作情况报告、两新组织党建调研）或自己修改过的 .docx 模板"),
    out: Path = typer.Option(Path("out"), "--out", "-o", help="输出文件夹"),
    config: Optional[Path] = typer.Option(None, "--config", help="阈值配置文件（YAML）"),
    strict: bool = typer.Option(False, "--strict", help="有任何错误就不生成报告（退出码 1）"),
    by: Optional[str] = typer.Option(None, "--by", help="另按片区或组织树分别生成报告：--by area（每个片区一份）、--by level:2（组织树第2层的每个党组织连同下属组织一份，最上层为第1层）、--by 党工委（每个党工委连同下属组织一份；也可写党委、党总支等组织类别）"),
    election_window: Window = typer.Option(Window.period, "--election-window", help="换届统计范围：period 本季度，year 本年度累计"),
) -> None:
    """生成报告：report.docx、tables.xlsx、charts/ 和 validation.xlsx。"""
    from . import api

    def go():
        _need_dir(data_dir)
        with _Bar() as bar:
            result = api.build(data_dir, out=out, period=period, previous=previous, template=template,
                               config=config, strict=strict, by=by,
                               election_window=election_window.value, progress=bar)
        _print_summary(result.dataset)
        _print_previous(result.previous, result.notes)
        if not _state["quiet"]:
            c = _console()
            c.print(f"[green]报告已生成：[/green]{result.report}")
            c.print(f"统计表：{out / 'tables.xlsx'}　校验结果：{out / 'validation.xlsx'}")
            for area, part in result.parts.items():
                c.print(f"　{area}：{part.report}")
        return result

    _run(go)


@app.command(cls=ZhCommand)
def validate(
    data_dir: Path = typer.Argument(..., help="报送数据所在的文件夹或单个文件"),
    period: Optional[str] = typer.Option(None, "--period", "-p", help="统计期，如 2026Q3"),
    out: Path = typer.Option(Path("out"), "--out", "-o", help="validation.xlsx 的输出文件夹"),
    config: Optional[Path] = typer.Option(None, "--config", help="阈值配置文件（YAML）"),
) -> None:
    """只校验报送数据：在终端列出每个文件的问题数，并写出 validation.xlsx。"""
    from . import api

    def go():
        _need_dir(data_dir)
        with _Bar() as bar:
            ds = api.validate(data_dir, period=period, out=out, config=config, progress=bar)
        _print_summary(ds)
        if not _state["quiet"]:
            _console().print(f"校验结果已写入：{out / 'validation.xlsx'}")
        if not ds.usable:
            _console(stderr=True).print("[red]没有找到可用的数据，请确认文件夹和文件格式。[/red]")
            raise typer.Exit(2)
        raise typer.Exit(1 if ds.error_count else 0)

    _run(go)


@app.command(cls=ZhCommand)
def demo(out: Path = typer.Option(Path("out"), "--out", "-o", help="输出文件夹")) -> None:
    """用自带的示例区数据生成一份报告，看看效果。"""
    from . import api
    from .samples_bundle import demo_dirs

    def go():
        current, previous = demo_dirs()
        with _Bar() as bar:
            result = api.build(current, out=out, previous=previous, progress=bar)
        _print_summary(result.dataset)
        _print_previous(result.previous, result.notes)
        if not _state["quiet"]:
            _console().print(f"[green]示例报告已生成：[/green]{result.report}")

    _run(go)


@app.command(cls=ZhCommand)
def template(
    out: Path = typer.Option(Path("报送模板.xlsx"), "--out", "-o", help="输出文件"),
    report: Optional[str] = typer.Option(None, "--report", help="导出报告模板（.docx）供在 Word 中修改：季度统计分析、换届工作情况报告、两新组织党建调研"),
) -> None:
    """生成空白报送模板（Excel），或用 --report 导出报告模板（Word）。"""

    def go():
        if report:
            from .render import TEMPLATE_KINDS, export_template

            if report not in TEMPLATE_KINDS:
                raise UserError(f"没有“{report}”这种报告模板，可选：{'、'.join(TEMPLATE_KINDS)}")
            path = export_template(report, out if out.suffix.lower() == ".docx" else out.with_suffix(".docx"))
        else:
            from .submission_template import write_template

            path = write_template(out)
        if not _state["quiet"]:
            _console().print(f"[green]模板已生成：[/green]{path}")

    _run(go)


@app.command(cls=ZhCommand)
def sample(
    out: Path = typer.Option(..., "--out", "-o", help="输出文件夹"),
    members: int = typer.Option(10_000, "--members", "-n", help="要生成的党员人数"),
    workbooks: int = typer.Option(8, "--workbooks", "-k", help="工作簿个数"),
    seed: int = typer.Option(2026, "--seed", help="随机种子（相同种子生成相同数据）"),
    period: str = typer.Option("2026Q3", "--period", "-p", help="统计期，如 2026Q3"),
    messy: bool = typer.Option(False, "--messy", help="加入常见的填报问题，并写出问题清单 manifest"),
    previous: bool = typer.Option(False, "--previous", help="同时生成上一季度的数据"),
) -> None:
    """生成虚构示例区的合成数据（任意规模，可复现）。"""
    from .samples import generate

    def go():
        result = generate(out, members=members, workbooks=workbooks, seed=seed, period=period,
                          messy=messy, previous=previous)
        if not _state["quiet"]:
            _console().print(f"[green]已生成合成数据：[/green]{out}")
            if messy and result.manifest:
                _console().print(f"故意加入的填报问题清单：{result.manifest}")
            if previous and result.previous is not None:
                prev_dir = getattr(result.previous, "out_dir", result.previous)
                _console().print(f"上一季度数据：{prev_dir}")
        return result

    _run(go)


@app.command(cls=ZhCommand)
def context(
    data_dir: Path = typer.Argument(..., help="报送数据所在的文件夹"),
    period: Optional[str] = typer.Option(None, "--period", "-p", help="统计期，如 2026Q3"),
    previous: Optional[Path] = typer.Option(None, "--previous", help="上一期数据的文件夹"),
    as_json: bool = typer.Option(True, "--json/--no-json", help="以 JSON 输出全部指标（默认）"),
    config: Optional[Path] = typer.Option(None, "--config", help="阈值配置文件（YAML）"),
    election_window: Window = typer.Option(Window.period, "--election-window", help="换届统计范围"),
) -> None:
    """输出全部指标和发现的问题（JSON，按指标编号分组嵌套，如 {"members": {"total": 123}}）。"""
    from . import api

    def go():
        _need_dir(data_dir)
        ds = api.load(data_dir, period=period, config=config)
        prev = None
        if previous:
            check = api.load_previous(previous, ds, current=data_dir, config=config)
            prev = check.dataset
            for note in check.notes:  # stdout is the JSON
                _console(stderr=True).print(f"[yellow]注意：[/yellow]{note}。")
        ind = api.compute(ds, previous=prev, config=config, election_window=election_window.value)
        text = ind.to_json()
        if not as_json:
            text = json.dumps(json.loads(text), ensure_ascii=False, indent=2)
        sys.stdout.write(text + "\n")

    _run(go)


@app.command(cls=ZhCommand)
def explain(
    indicator_id: str = typer.Argument(..., help="指标编号，如 committee.reelected_share"),
    data_dir: Path = typer.Argument(..., help="报送数据所在的文件夹"),
    period: Optional[str] = typer.Option(None, "--period", "-p", help="统计期，如 2026Q3"),
    rows: int = typer.Option(10, "--rows", help="显示多少行明细"),
) -> None:
    """解释一个指标：名称、口径、分子、分母、数值和前几行明细（身份证号已遮盖）。"""
    from . import api
    from .indicators import REGISTRY, explain as _explain

    def go():
        if indicator_id not in REGISTRY:
            import difflib

            close = difflib.get_close_matches(indicator_id, list(REGISTRY), n=5, cutoff=0.4)
            hint = f"，是不是：{'、'.join(close)}" if close else "；可用 reportgen context 查看全部指标"
            raise UserError(f"没有编号为“{indicator_id}”的指标{hint}")
        _need_dir(data_dir)
        ds = api.load(data_dir, period=period)
        ind = api.compute(ds)
        _console().print(str(_explain(ind, indicator_id, n=rows)))

    _run(go)


def main() -> None:
    """Entry point of the console script; makes the console safe for GBK Windows terminals."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="replace")  # type: ignore[attr-defined]
        except (AttributeError, ValueError):
            pass
    _on_sigterm()
    try:
        app()  # standalone mode: always ends in SystemExit with the exit code
    except SystemExit as exc:
        _leave(exc.code)
    except KeyboardInterrupt:  # before or after a command ran
        print(INTERRUPTED, file=sys.stderr)
        _leave(130)


def _on_sigterm() -> None:
    """SIGTERM unwinds the command like Ctrl-C does (the helper processes die with this one in any
    case, PR_SET_PDEATHSIG; this also removes the staging folder and the lock at once)."""
    import signal

    def stop(signum, frame):
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second SIGTERM ends it at once
        raise Terminated()

    try:
        signal.signal(signal.SIGTERM, stop)
    except (ValueError, OSError, AttributeError):
        pass


def _leave(code: object) -> None:
    """Exit without tearing the interpreter down: the outputs are written and closed, the
    reading pool and the chart helper have ended, and freeing a large data set object by object
    costs a build 0.3–0.5 s for nothing. Streams and logs are flushed first."""
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # sys.exit("message"): printed as Python does
        print(code, file=sys.stderr)
        status = 1
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(status)


if __name__ == "__main__":
    main()
