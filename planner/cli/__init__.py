"""The ``planner`` command line.

Each module in this package (other than those starting with ``_``) defines ``register(app)`` that adds
its commands or sub-apps to the root Typer app; modules are found at start-up, so a new command group is
one new file. Errors derived from :class:`planner.errors.PlannerError` and usage errors print as one line
and exit 2; any other exception prints one line and exits 1. ``--debug`` shows the traceback. Ctrl-C
(SIGINT) and SIGTERM unwind the command (its temporary files are removed), print "interrupted" and exit
with 128 + the signal number (130, 143). Nothing the user wrote is read as terminal markup.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import typer

from planner.cli._common import STATE, Interrupted, err_console, interrupts_unwind, styled
from planner.errors import PlannerError

app = typer.Typer(
    name="planner",
    help="Spatial logistics network planner: layouts, network, MILP siting, scenarios and maps.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Print only results and errors."),
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
    err_console.print(styled("error:", "bold red"), message, soft_wrap=True)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the process exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        with interrupts_unwind():
            code = app(args=args, prog_name="planner", standalone_mode=False)
    except PlannerError as exc:
        if debug:
            raise
        _error(" ".join(str(exc).split("\n")))
        return 2
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except typer.Abort:
        err_console.print("aborted")
        return 130
    except (KeyboardInterrupt, Interrupted) as exc:
        err_console.print("interrupted")
        return 128 + getattr(exc, "signum", 2)
    except Exception as exc:  # noqa: BLE001 - the CLI's last line of defence
        import click

        if isinstance(exc, (click.exceptions.ClickException, typer.TyperException)):
            exc.show()  # a usage error: plain text, with the command's usage line
            return int(getattr(exc, "exit_code", 2))
        if debug:
            raise
        _error(f"{type(exc).__name__}: {exc} (run with --debug for the traceback)")
        return 1
    if code == 130:  # typer turns a KeyboardInterrupt raised outside our handler into Exit(130)
        err_console.print("interrupted")
    return int(code) if isinstance(code, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
