"""The command line itself: help in Chinese or English, flags without value hints, tables that never break
a name, and start-up that imports only what the command needs (the timings are in bench/RESULTS.md)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cli_runner import REPO, run_planner

from planner.cli import app, main
from planner.cli._help import display_width, wrap
from planner.cli._i18n import ZH, split_lang


def _commands() -> list[list[str]]:
    """Every command path of the CLI (``[]`` is the root), from the click tree Typer builds."""
    import typer

    paths: list[list[str]] = []

    def walk(command: Any, path: list[str]) -> None:
        paths.append(path)
        for name, sub in (getattr(command, "commands", None) or {}).items():
            walk(sub, [*path, name])

    walk(typer.main.get_command(app), [])
    return paths


def _help(path: list[str], capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    assert main([*extra, *path, "--help"]) == 0
    return capsys.readouterr().out


def test_every_help_text_has_its_chinese() -> None:
    import typer

    missing = []

    def walk(command: Any, path: str) -> None:
        for text in (command.help, *(getattr(p, "help", None) for p in command.params)):
            if text and text not in ZH:
                missing.append(f"{path}: {text[:60]}")
        for name, sub in (getattr(command, "commands", None) or {}).items():
            walk(sub, f"{path} {name}")

    walk(typer.main.get_command(app), "planner")
    assert missing == [], "help texts without a Chinese translation (add it with h(en, zh) or to ZH)"


def test_help_in_both_languages_without_bool_hints(capsys: pytest.CaptureFixture[str]) -> None:
    for path in _commands():
        english = _help(path, capsys, "--lang", "en")
        chinese = _help(path, capsys, "--lang", "zh")
        for text in (english, chinese):
            assert "<bool>" not in text and "[default: False]" not in text, path
        assert "Usage:" in english and "用法：" in chinese, path
        assert re.search(r"[\u4e00-\u9fff]", chinese), path
    root = _help([], capsys, "--lang", "zh")
    assert "选项" in root and "命令" in root and "显示本帮助并退出。" in root
    assert "--json" in _help(["run"], capsys)


def test_lang_anywhere_and_from_the_environment(cold_chain_runs: tuple[Path, Path]) -> None:
    run_a, run_b = cold_chain_runs
    zh = run_planner("compare", run_a, run_b, "--lang", "zh")
    assert zh.returncode == 0, zh.stderr
    assert "关键指标" in zh.stdout and "总成本 (total_cost_cny)" in zh.stdout and "百万元" in zh.stdout
    env = run_planner_env({"PLANNER_LANG": "zh_CN.UTF-8"}, "scenarios", "list")
    assert "文件" in env.stdout and "运行示例" in env.stderr
    en = run_planner_env({"LANG": "zh_CN.UTF-8"}, "--lang", "en", "scenarios", "list")
    assert "file" in en.stdout and "文件" not in en.stdout
    bad = run_planner("--lang", "fr", "scenarios", "list")
    assert bad.returncode == 2 and "--lang must be one of zh, en" in bad.stderr
    assert split_lang(["compare", "a", "b", "--lang=zh"]) == ("zh", ["compare", "a", "b"])


def run_planner_env(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """``planner ARGS`` with the locale variables of ``env`` only."""
    full = {k: v for k, v in os.environ.items() if k not in ("PLANNER_LANG", "LANG", "LC_ALL", "LC_MESSAGES")}
    full.update({"COLUMNS": "200", "NO_COLOR": "1", **{k: v for k, v in env.items() if v}})
    return subprocess.run([sys.executable, "-m", "planner", *args], capture_output=True, text=True, env=full, cwd=REPO, timeout=120)


def test_a_wrong_option_prints_the_usage() -> None:
    done = run_planner("run", "--bogus")
    assert done.returncode == 2 and "No such option" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("columns", [72, 100])
def test_tables_never_break_an_id_or_a_file_name(columns: int) -> None:
    env = {**os.environ, "COLUMNS": str(columns), "NO_COLOR": "1"}

    def run(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "planner", *args], capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    listing = run("scenarios", "list")
    for path in sorted((REPO / "scenarios").glob("*.yaml")):
        assert f"scenarios/{path.name}" in listing, path.name
    shown = run("layout", "show", "gansu")
    for token in ("regional_centres:", "longdongnan", "land_ports", "G:L655-716"):
        assert token in shown, token
    for output in (listing, shown):
        assert max(display_width(line) for line in output.splitlines()) <= columns


def test_help_wraps_by_display_width() -> None:
    text = "构建场景的网络和模型，求解并写出 outputs/<scenario>/<run-id>/（表格、results.xlsx、map.html）。"
    lines = wrap(text, 30)
    assert all(display_width(line) <= 34 for line in lines)  # closing punctuation (2 columns each) may hang
    assert "outputs/<scenario>/<run-id>/" in "".join(lines)  # a path is not split
    assert not any(line.startswith(("。", "，", "）")) for line in lines)
    assert wrap("no mid-word breaks in English text here", 12) == ["no mid-word", "breaks in", "English text", "here"]


def _imported(*args: str) -> set[str]:
    """Top-level packages imported by ``planner ARGS`` (run in a fresh interpreter)."""
    code = ("import sys, io, contextlib\nfrom planner.cli import main\nbuf = io.StringIO()\n"
            "with contextlib.redirect_stdout(buf):\n    main(sys.argv[1:])\n"
            "print('\\n' + '\\n'.join(sorted({m.split('.')[0] for m in sys.modules})))")
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=REPO, timeout=120)
    return set(done.stdout.split())


def test_help_and_validate_import_only_what_they_need() -> None:
    help_modules = _imported("--help")
    assert not help_modules & {"pandas", "numpy", "geopandas", "networkx", "scipy", "folium", "pulp", "rich", "pydantic"}
    validate_modules = _imported("validate", str(REPO / "scenarios" / "gansu_emergency_reserves.yaml"))
    assert not validate_modules & {"networkx", "scipy", "folium", "pulp", "highspy", "openpyxl", "dask", "matplotlib"}


def test_compare_prints_what_changed(cold_chain_runs: tuple[Path, Path]) -> None:
    run_a, run_b = cold_chain_runs
    done = run_planner("compare", run_a, run_b, "--lang", "en")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    # scenario names as column heads, planner run's units, absolute and % differences
    assert re.search(r"KPI\s+┃\s+user_supply_apples\s+┃\s+apples_one_dc\s+┃\s+B - A\s+┃\s+\(B - A\) / A", out)
    data = json.loads(run_planner("compare", run_a, run_b, "--json").stdout)
    total = data["kpis"]["total_cost_cny"]
    assert f"{total['a'] / 1e6:,.1f} M CNY" in out and f"{total['delta_pct']:+.1%}" in out and "e+0" not in out
    assert "tonne-km by mode · road (tonne_km_by_mode.road)" in out and "{'road'" not in out
    # site changes per tier, unmet demand by place, flows that changed route
    assert data["sites_by_tier"]["dc"]["closed"][0]["name_zh"] == "庆阳"
    assert re.search(r"distribution centre \(dc\)\s+│\s+closed in B \(1\)\s+│\s+庆阳", out)
    assert "unmet demand by place" in out and "兰州 (lanzhou)" in out
    assert "flows that changed route" in out and "西安 (demand)" in out
    assert {r["to_id"] for r in data["routes_changed"]} >= {"xian"}
