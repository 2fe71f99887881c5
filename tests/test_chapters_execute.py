"""Every chapter runs top to bottom in a fresh kernel, as a student or instructor would run it
(live mode: no TTPBOOK_MODE), converted from MyST with jupytext and executed with nbclient."""

import os

import jupytext
import nbclient
import pytest

from site_tools import ROOT

NOTEBOOKS = sorted(p for p in (ROOT / "chapters").glob("*.md") if "```{code-cell}" in p.read_text())


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_chapter_executes_in_a_fresh_kernel(path, monkeypatch):
    monkeypatch.delenv("TTPBOOK_MODE", raising=False)
    notebook = jupytext.read(path)
    client = nbclient.NotebookClient(notebook, timeout=180, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    errors = [o for cell in notebook.cells if cell.cell_type == "code"
              for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
