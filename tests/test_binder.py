"""The Binder environment: built only from binder/, it runs every chapter and every assignment
top to bottom, and its post-build step makes MyST chapters open as notebooks. (Done the way
repo2docker would, in a fresh virtual environment; Binder itself is not reachable from here.)

Everything runs from the student release (`python -m ttpbook.release`), the copy that the launch
buttons open: so these tests also show that the release, which holds no answer key, is enough.

What this file executes, and why it is not a repeat of the site build (which executes every
chapter once, in book mode, in the development environment):
- each chapter once, in live mode (no TTPBOOK_MODE: real ipywidgets explorers and Altair's
  online renderer) in the Binder environment, which has none of the book's build tools. No other
  test runs the live explorers or this package set;
- each blank student assignment once (no other test runs them as a student would on Binder);
- for the JupyterHub check without an install, only a chapter's hidden first cell, which is the
  part that finds the package."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from site_tools import ROOT

pytestmark = pytest.mark.binder
RUNNER = r"""
import sys, jupytext, nbclient
path = sys.argv[1]
notebook = jupytext.read(path)
nbclient.NotebookClient(notebook, timeout=180, kernel_name="python3",
                        resources={"metadata": {"path": str(__import__("pathlib").Path(path).parent)}}).execute()
errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == "error"]
print("ERRORS", len(errors))
sys.exit(1 if errors else 0)
"""

# The chapter's hidden first cell only (it puts the repository on sys.path and imports the
# preamble), then where the package came from.
FIRST_CELL_RUNNER = r"""
import sys, jupytext, nbclient, nbformat
path = sys.argv[1]
notebook = jupytext.read(path)
first = next(c for c in notebook.cells if c.cell_type == "code")
notebook.cells = [first, nbformat.v4.new_code_cell("import ttpbook; print('PACKAGE', ttpbook.__file__)")]
nbclient.NotebookClient(notebook, timeout=180, kernel_name="python3",
                        resources={"metadata": {"path": str(__import__("pathlib").Path(path).parent)}}).execute()
errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
print("".join(o.get("text", "") for o in notebook.cells[1].outputs))
sys.exit(1 if errors else 0)
"""


@pytest.fixture(scope="session")
def student_release(tmp_path_factory):
    """A copy of its own (not test_student_release's): installing into it and running it leaves
    egg-info and __pycache__ behind, which that file checks are absent from a fresh release."""
    from ttpbook import release

    return release.build_student_release(tmp_path_factory.mktemp("binder-repo") / "repo")


@pytest.fixture(scope="session")
def binder_env(tmp_path_factory, student_release):
    home = tmp_path_factory.mktemp("binder-home")
    target = home / "venv"
    venv.EnvBuilder(with_pip=True).create(target)
    python = target / "bin" / "python"
    env = {**os.environ, "HOME": str(home), "JUPYTER_CONFIG_DIR": str(home / ".jupyter"), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    env.pop("TTPBOOK_MODE", None)
    env["PATH"] = f"{target / 'bin'}{os.pathsep}{env['PATH']}"
    repo = student_release
    install = subprocess.run([str(python), "-m", "pip", "install", "-q", "-r", str(repo / "binder" / "requirements.txt"),
                              "-c", str(ROOT / "constraints.txt")], cwd=repo, env=env, capture_output=True, text=True)
    assert install.returncode == 0, install.stderr[-3000:]
    post = subprocess.run(["bash", str(repo / "binder" / "postBuild")], cwd=repo, env=env, capture_output=True, text=True)
    assert post.returncode == 0, post.stderr[-3000:]
    where = subprocess.run([str(python), "-c", "import ttpbook; print(ttpbook.__file__)"], env=env, cwd=home,
                           capture_output=True, text=True)
    assert where.stdout.strip().startswith(str(repo)), "the book's package should come from the student release"
    return {"python": python, "env": env, "home": home, "repo": repo}


def test_binder_has_python_version_and_lighter_requirements():
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"
    wanted = [line.split("==")[0].strip().lower() for line in (ROOT / "binder" / "requirements.txt").read_text().splitlines()
              if line.strip() and not line.startswith("#")]
    assert "jupyter-book" not in wanted and not any(name.startswith("sphinx") for name in wanted)
    assert {"jupytext", "ipywidgets", "altair", "jupyterlab"} <= set(wanted)
    assert os.access(ROOT / "binder" / "postBuild", os.X_OK)


def test_post_build_makes_myst_open_as_notebooks(binder_env):
    overrides = Path(binder_env["env"]["JUPYTER_CONFIG_DIR"]) / "labconfig" / "default_setting_overrides.json"
    viewers = json.loads(overrides.read_text())["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]
    assert viewers["markdown"] == "Jupytext Notebook" and viewers["myst"] == "Jupytext Notebook"


def test_book_build_tools_are_not_needed(binder_env):
    probe = subprocess.run([str(binder_env["python"]), "-c", "import importlib.util as u; print(u.find_spec('jupyter_book'))"],
                           env=binder_env["env"], capture_output=True, text=True)
    assert probe.stdout.strip() == "None"


CHAPTERS = sorted(p for p in (ROOT / "chapters").glob("*.md") if "```{code-cell}" in p.read_text())


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_runs_in_the_binder_environment(binder_env, chapter):
    copy = binder_env["repo"] / chapter.relative_to(ROOT)
    result = subprocess.run([str(binder_env["python"]), "-c", RUNNER, str(copy)], env=binder_env["env"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]


STUDENT_NOTEBOOKS = sorted((ROOT / "exercises" / "student").glob("*/*.ipynb"))
STUDENT_RUNNER = r"""
import sys, nbformat, nbclient
path = sys.argv[1]
notebook = nbformat.read(path, as_version=4)
nbclient.NotebookClient(notebook, timeout=180, kernel_name="python3",
                        resources={"metadata": {"path": str(__import__("pathlib").Path(path).parent)}}).execute()
print("ran", len(notebook.cells), "cells")
"""


@pytest.mark.parametrize("notebook", STUDENT_NOTEBOOKS, ids=lambda p: p.stem)
def test_blank_student_assignment_runs_in_the_binder_environment(binder_env, notebook):
    """A student opening the assignment on Binder can run it top to bottom (checks report, not crash).
    It runs in place, in its folder of the student release (nbclient does not write it back)."""
    copy = binder_env["repo"] / notebook.relative_to(ROOT)
    result = subprocess.run([str(binder_env["python"]), "-c", STUDENT_RUNNER, str(copy)], env=binder_env["env"],
                            cwd=copy.parent, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]


def test_chapters_find_the_book_package_without_an_install(binder_env, tmp_path):
    """On a JupyterHub whose image has only binder/requirements.txt, nbgitpuller brings the
    repository but nobody runs `pip install -e .`: the chapters' hidden first cell finds the book's
    package next to chapters/. Checked with the package uninstalled (reinstalled afterwards)."""
    import shutil

    python, env = str(binder_env["python"]), binder_env["env"]
    pulled = tmp_path / "pulled"
    shutil.copytree(binder_env["repo"], pulled)
    subprocess.run([python, "-m", "pip", "uninstall", "-y", "-q", "ttpbook"], env=env, check=True, capture_output=True)
    try:
        absent = subprocess.run([python, "-c", "import ttpbook"], env=env, cwd=tmp_path, capture_output=True, text=True)
        assert absent.returncode != 0, "the package should not be importable for this check"
        chapter = pulled / "chapters" / "data-and-sources.md"
        result = subprocess.run([python, "-c", FIRST_CELL_RUNNER, str(chapter)], env=env, capture_output=True,
                                text=True, timeout=600)
        assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
        found = result.stdout.split("PACKAGE ", 1)[1].split()[0]
        assert Path(found).is_relative_to(pulled), found
    finally:
        subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", "-e", str(binder_env["repo"])], env=env,
                       check=True, capture_output=True)
