"""The ``planner`` command line.

Each module in this package (other than those starting with ``_``) defines ``register(app)`` that adds
its commands or sub-apps to the root Typer app; modules are found at start-up, so a new command group is
one new file. They import only Typer and light modules at the top and the heavy libraries (pandas,
geopandas, the network, the solver) inside the commands, so ``planner --help`` starts fast.

Errors derived from :class:`planner.errors.PlannerError` print as one line and exit 2; a wrong option
prints the usage and exits 2; any other exception prints one line and exits 1. ``--debug`` shows the
traceback. Ctrl-C (SIGINT) and SIGTERM unwind the command (its temporary files are removed), print
"interrupted" and exit with 128 + the signal number (130, 143). Nothing the user wrote is read as
terminal markup. ``--lang zh|en`` (anywhere on the line; default from ``PLANNER_LANG`` or the locale)
sets the language of help, messages and table headers.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import typer

from planner.cli._common import STATE, Interrupted, err_console, interrupts_unwind, styled
from planner.cli._help import plain_help
from planner.cli._i18n import LANGUAGES, current, detect, h, localise, say, set_language, split_lang
from planner.errors import PlannerError

app = typer.Typer(
    name="planner",
    help=h("Spatial logistics network planner: layouts, network, MILP siting, scenarios, reports and maps.",
           "空间物流网络规划工具：布局、网络、混合整数规划选址、场景、报告和地图。"),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help=h("Show full tracebacks on errors.", "出错时显示完整的调用栈。")),
    quiet: bool = typer.Option(False, "--quiet", "-q", help=h("Print only results and errors.", "只输出结果和错误。")),
    lang: str = typer.Option(None, "--lang", metavar="zh|en",
                             help=h("Language of help, messages and tables (default: PLANNER_LANG or the locale).",
                                    "帮助、消息和表格的语言（默认取 PLANNER_LANG 或系统区域设置）。")),
) -> None:
    STATE.debug = debug
    STATE.quiet = quiet


def _register_commands() -> None:
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)


_register_commands()


def _error(message: str) -> None:
    err_console.print(styled(say("error:", "错误："), "bold red"), message, soft_wrap=True)


def _usage_error(exc: Exception) -> int | None:
    """Show a command-line usage error (a click exception, Typer's own or click's) and return its code."""
    import click  # already loaded by Typer

    show, code = getattr(exc, "show", None), getattr(exc, "exit_code", None)
    if callable(show) and isinstance(code, int) and (isinstance(exc, click.exceptions.ClickException) or type(exc).__name__ in (
        "ClickException", "UsageError", "BadParameter", "MissingParameter", "NoSuchOption", "BadOptionUsage",
        "BadArgumentUsage", "FileError",
    )):
        show()
        return code
    return None


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the process exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    lang, args = split_lang(args)
    if lang is not None and lang not in LANGUAGES:
        err_console.print(f"error: --lang must be one of {', '.join(LANGUAGES)}, not {lang!r}", markup=False, highlight=False)
        return 2
    set_language(lang or detect())
    command = typer.main.get_command(app)
    localise(command, current())
    plain_help(command, current())
    try:
        with interrupts_unwind():
            code = command.main(args=args, prog_name="planner", standalone_mode=False)
    except PlannerError as exc:
        if debug:
            raise
        _error(" ".join(str(exc).split("\n")))
        return 2
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except typer.Abort:
        err_console.print(say("aborted", "已中止"))
        return 130
    except (KeyboardInterrupt, Interrupted) as exc:
        err_console.print(say("interrupted", "已中断"))
        return 128 + getattr(exc, "signum", 2)
    except Exception as exc:  # noqa: BLE001 - the CLI's last line of defence
        usage = _usage_error(exc)
        if usage is not None:
            return usage
        if debug:
            raise
        _error(f"{type(exc).__name__}: {exc} {say('(run with --debug for the traceback)', '（加 --debug 查看调用栈）')}")
        return 1
    if code == 130:  # typer turns a KeyboardInterrupt raised outside our handler into Exit(130)
        err_console.print(say("interrupted", "已中断"))
    return int(code) if isinstance(code, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
