"""The notebooks in notebooks/: committed without outputs, and each runs top to bottom in a fresh kernel.

Each notebook runs in the ``python3`` kernel that ipykernel installs (a test extra), with the notebooks
folder as working directory, as Jupyter would start it; a cell that raises fails the test with the
cell's traceback. Notebook 03 reads a file, so it also runs from the repository root.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = REPO / "notebooks"
NOTEBOOKS = ["01_layouts.ipynb", "02_cold_chain_siting.ipynb", "03_network.ipynb"]
CELL_TIMEOUT_S = 240  # the longest cell solves the Xinjiang fruit scenario (about 10-20 s on two cores)


def execute(notebook: nbformat.NotebookNode, cwd: Path) -> nbformat.NotebookNode:
    """Run every cell of ``notebook`` in a new python3 kernel started in ``cwd``; raise on a failing cell."""
    client = NotebookClient(notebook, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                            resources={"metadata": {"path": str(cwd)}})  # fmt: skip
    return client.execute()


def outputs_of(notebook: nbformat.NotebookNode) -> list[str]:
    """Each code cell's outputs joined as text (HTML and plain text), in cell order."""
    texts = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        parts = []
        for output in cell.outputs:
            if output.output_type == "stream":
                parts.append(output.text)
            elif output.output_type in ("execute_result", "display_data"):
                parts.extend(str(output.data.get(kind, "")) for kind in ("text/plain", "text/html"))
        texts.append("\n".join(parts))
    return texts


def test_the_notebooks_are_the_documented_ones() -> None:
    assert sorted(p.name for p in NOTEBOOKS_DIR.glob("*.ipynb")) == NOTEBOOKS


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_notebook_has_no_outputs(name: str) -> None:
    notebook = nbformat.read(NOTEBOOKS_DIR / name, as_version=4)
    nbformat.validate(notebook)
    assert notebook.nbformat == 4
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code and all(cell.outputs == [] and cell.execution_count is None for cell in code)
    assert all("execution" not in cell.metadata for cell in code)
    markdown = [cell for cell in notebook.cells if cell.cell_type == "markdown"]
    assert len(markdown) >= 5 and notebook.cells[0].cell_type == "markdown"
    assert "import planner as pl" in code[0].source
    raw = json.loads((NOTEBOOKS_DIR / name).read_text(encoding="utf-8"))
    assert all(cell.get("outputs", []) == [] for cell in raw["cells"])


def test_a_failing_cell_fails_the_run(tmp_path: Path) -> None:
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import planner as pl\ngraph = pl.build_network()"),
        nbformat.v4.new_code_cell("pl.route(graph, '乌鲁木齐', 'Atlantis')"),
        nbformat.v4.new_code_cell("print('not reached')"),
    ])  # fmt: skip
    with pytest.raises(CellExecutionError, match="unknown place 'Atlantis'"):
        execute(notebook, tmp_path)
    assert notebook.cells[2].outputs == []


@pytest.mark.slow
def test_layouts_notebook_runs() -> None:
    notebook = execute(nbformat.read(NOTEBOOKS_DIR / "01_layouts.ipynb", as_version=4), NOTEBOOKS_DIR)
    texts = outputs_of(notebook)
    joined = "\n".join(texts)
    for expected in ("xinjiang", "gansu", "乌鲁木齐", "national_hub", "河西走廊", "新亚欧大陆桥国际走廊", "650000"):
        assert expected in joined, expected
    # the two layout maps display inline as the last cells' results
    for cell in [c for c in notebook.cells if c.cell_type == "code"][-2:]:
        html = cell.outputs[0].data["text/html"]
        assert "leaflet" in html.lower()


@pytest.mark.slow
def test_cold_chain_notebook_runs() -> None:
    notebook = execute(nbformat.read(NOTEBOOKS_DIR / "02_cold_chain_siting.ipynb", as_version=4), NOTEBOOKS_DIR)
    joined = "\n".join(outputs_of(notebook))
    assert "新疆特色林果冷链网络" in joined and "total cost" in joined
    assert "scenario xinjiang_fruit_cold_chain: tiers[1].max_open: Input should be greater than or equal to 0" in joined
    assert "did you mean 'unmet_penalty_cny_per_t'?" in joined
    assert "600 CNY/t" in joined and "20,000 CNY/t (shipped)" in joined  # the rows of the penalty table
    images = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs if "image/png" in o.get("data", {})]
    assert len(images) == 1  # cost against service level
    last = [c for c in notebook.cells if c.cell_type == "code"][-1]
    assert "leaflet" in last.outputs[0].data["text/html"].lower()


@pytest.mark.slow
@pytest.mark.parametrize("cwd", ["notebooks", "repository root"])
def test_network_notebook_runs(cwd: str) -> None:
    where = NOTEBOOKS_DIR if cwd == "notebooks" else REPO
    notebook = execute(nbformat.read(NOTEBOOKS_DIR / "03_network.ipynb", as_version=4), where)
    joined = "\n".join(outputs_of(notebook))
    assert "R-NANJIANG" in joined and "X-ALASHANKOU-ROAD" in joined
    assert "joined at kashgar|road <-> osm:kashgar:" in joined


def test_extras_carry_what_the_notebooks_need() -> None:
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]

    def names(requirements: list[str]) -> set[str]:
        return {re.split(r"[<>=!\[ ]", r, maxsplit=1)[0].lower() for r in requirements}

    core = names(project["dependencies"])
    assert {"nbclient", "nbformat", "ipykernel"} <= names(extras["test"])
    assert {"ipykernel", "matplotlib"} <= names(extras["notebooks"])
    assert "matplotlib" in core | names(extras["test"])  # notebook 02 plots
