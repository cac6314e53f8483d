"""The ``planner`` command line.

Each module in this package (other than those starting with ``_``) defines ``register(app)`` that adds
its commands or sub-apps to the root Typer app; modules are found at start-up, so a new command group is
one new file. Errors derived from :class:`planner.errors.PlannerError` print as one line and exit 2; any
other exception prints one line and exits 1. ``--debug`` shows the traceback.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import typer

from planner.cli._common import STATE, err_console
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


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the process exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        code = app(args=args, prog_name="planner", standalone_mode=False)
    except PlannerError as exc:
        if debug:
            raise
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True, soft_wrap=True)
        return 2
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except typer.Abort:
        err_console.print("aborted")
        return 130
    except KeyboardInterrupt:
        err_console.print("interrupted")
        return 130
    except Exception as exc:  # noqa: BLE001 - the CLI's last line of defence
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            return exc.exit_code
        if debug:
            raise
        err_console.print(
            f"[bold red]error:[/] {type(exc).__name__}: {exc} (run with --debug for the traceback)",
            highlight=False,
            soft_wrap=True,
        )
        return 1
    return int(code) if isinstance(code, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
