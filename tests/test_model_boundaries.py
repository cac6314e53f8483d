"""The model stage receives arrays and parameters: no module under ``planner/model`` reads a file or imports
a reader, and the cold-chain helpers see the model through a protocol, not by importing ``model.py``."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from planner.model import coldchain as cc
from planner.model.coldchain.milp import ColdChainMILP

MODEL = Path(__file__).resolve().parents[1] / "planner" / "model"

#: modules that read files (the data folder, the catalog built on it, the benchmark reader)
READER_MODULES = ("planner.paths", "planner.domain", "planner.orlib")
#: calls that open or parse a file, by function or method name
READ_CALLS = {"open", "read_csv", "read_excel", "read_parquet", "read_json", "read_table", "read_file", "read_text",
              "read_bytes", "loadtxt", "genfromtxt", "fromfile", "load", "safe_load"}
#: (file under planner/model, function) allowed to open a file, and why
ALLOWED = {
    ("matrix.py", "_solve_pulp"): "reads back the CBC log the solve itself wrote",
    ("location/common.py", "flush"): "appends the solve log to SolverOptions.log_path",
}


def file_access(source: str, name: str) -> list[str]:
    """Reader imports and file-reading calls in ``source`` (``name``: its path under planner/model), each as
    ``name:line: what``, leaving out the :data:`ALLOWED` places."""
    found: list[str] = []

    def visit(node: ast.AST, function: str) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            function = node.name
        if isinstance(node, ast.Import):
            found.extend(f"{name}:{node.lineno}: imports {a.name}" for a in node.names if a.name.startswith(READER_MODULES))
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            found.extend(f"{name}:{node.lineno}: imports {m}" for m in modules if m in READER_MODULES)
        elif isinstance(node, ast.Call):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if called in READ_CALLS and (name, function) not in ALLOWED:
                found.append(f"{name}:{node.lineno}: calls {called}() in {function or 'the module'}")
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(ast.parse(source), "")
    return found


def test_no_model_module_reads_a_file_or_imports_a_reader() -> None:
    found = [hit for path in sorted(MODEL.rglob("*.py"))
             for hit in file_access(path.read_text(encoding="utf-8"), path.relative_to(MODEL).as_posix())]
    assert found == []


def test_the_check_finds_reads_and_reader_imports() -> None:
    source = ("import pandas as pd\nfrom planner import domain\nfrom planner.paths import geodata_dir\n"
              "def f(p):\n    with open(p) as h:\n        return pd.read_csv(h), p.read_text()\n"
              "def flush(p):\n    return open(p)\n")
    assert file_access(source, "coldchain/x.py") == [
        "coldchain/x.py:2: imports planner.domain", "coldchain/x.py:3: imports planner.paths",
        "coldchain/x.py:5: calls open() in f", "coldchain/x.py:6: calls read_csv() in f",
        "coldchain/x.py:6: calls read_text() in f", "coldchain/x.py:8: calls open() in flush",
    ]
    assert file_access("def flush(p):\n    return open(p)\n", "location/common.py") == []


def test_cold_chain_helpers_do_not_import_the_model_module() -> None:
    importers = []
    for path in sorted((MODEL / "coldchain").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "planner.model.coldchain.model" \
                    and path.name != "__init__.py":
                importers.append(path.name)
    assert importers == []


def test_the_cold_chain_model_is_what_its_helpers_expect() -> None:
    grain = cc.Product("grain", perishable=False, value_cny_per_t=2000.0)
    zero = np.zeros((1, 1))
    arcs = [cc.ArcMatrix(f, t, "road", zero, zero + 1.0, zero + 10.0, zero + 12.0)
            for f, t in (("production", "backbone"), ("backbone", "demand"))]
    problem = cc.ColdChainProblem(products=[grain], production_areas=["A"], supply_t={("A", "grain"): 10.0},
                                  demand_points=[cc.DemandPoint("D")], demand_t={("D", "grain"): 5.0},
                                  tiers=[cc.SiteTier("backbone", (cc.Site("B", ((100.0, 1.0),)),))], arcs=arcs)
    model = cc.ColdChainModel(problem)
    assert isinstance(model, ColdChainMILP)
    missing = [name for name in ColdChainMILP.__annotations__ if not hasattr(model, name)]
    assert missing == []
    # 1 CNY to open B, 5 t at 10 CNY/t on each of the two legs
    assert model.solve().report["objective"] == pytest.approx(101.0)
