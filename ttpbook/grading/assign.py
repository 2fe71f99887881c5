"""Assignment generation: turn each master into a student notebook and an otter autograder.

``assign`` converts a master to a notebook with jupytext, runs ``otter assign`` in a temporary
folder, refuses the result if any solution line or hidden test reached the student files, and
only then writes ``exercises/student/<name>/`` (committed) and ``exercises/dist/<name>/``
(git-ignored: the autograder zip holds the hidden tests).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Iterable

from .leaks import find_leaks
from .masters import EXERCISES, MASTERS, AssignError, lint_master, master_paths, read_master


def _normalise_student_notebook(path: Path) -> None:
    """Stable cell ids and no outputs, so that regenerating gives the same file (no git churn)."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index:03d}"
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    nb.metadata.pop("widgets", None)
    nb.metadata.pop("jupytext", None)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    nbformat.validate(nb)
    nbformat.write(nb, path)


def _write_tree(src: Path, dest: Path) -> None:
    """Replace ``dest`` with a copy of ``src`` (copied beside it first, then swapped in)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = dest.parent / f".{dest.name}.new-{uuid.uuid4().hex[:8]}"
    shutil.copytree(src, staging)
    old = dest.parent / f".{dest.name}.old-{uuid.uuid4().hex[:8]}"
    if dest.exists():
        os.replace(dest, old)
    os.replace(staging, dest)
    shutil.rmtree(old, ignore_errors=True)


def assign(names: Iterable[str] | None = None, out_root: Path | str = EXERCISES, *,
           masters_dir: Path | str = MASTERS, run_tests: bool = True, quiet: bool = False) -> list[dict]:
    """Generate the student notebook and the autograder of every master (or the named ones).

    Writes ``<out_root>/student/<name>/`` and ``<out_root>/dist/<name>/{student,autograder}/``.
    Refuses (AssignError) a master that fails the lint or whose output would leak an answer.
    """
    import jupytext

    out_root = Path(out_root)
    reports = []
    for path in master_paths(names, Path(masters_dir)):
        started = time.perf_counter()
        master = read_master(path)
        problems = lint_master(master)
        if problems:
            raise AssignError(f"{path}:\n  " + "\n  ".join(problems))
        with tempfile.TemporaryDirectory(prefix=f"ttpbook-assign-{master.name}-") as tmp:
            tmp = Path(tmp)
            source = tmp / "master" / f"{master.name}.ipynb"
            source.parent.mkdir()
            jupytext.write(master.notebook, source, fmt="ipynb")
            result = tmp / "dist"
            command = [sys.executable, "-m", "otter", "assign", "--no-pdfs", str(source), str(result)]
            if not run_tests:
                command.insert(-2, "--no-run-tests")
            env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", PYDEVD_DISABLE_FILE_VALIDATION="1")
            proc = subprocess.run(command, cwd=source.parent, capture_output=True, text=True, env=env)
            if proc.returncode != 0:
                raise AssignError(f"otter assign failed for {path}:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
            student_nb = result / "student" / f"{master.name}.ipynb"
            _normalise_student_notebook(student_nb)
            zips = sorted((result / "autograder").glob("*.zip"))
            if len(zips) != 1:
                raise AssignError(f"otter assign wrote {len(zips)} autograder zips for {path}")
            zips[0].rename(zips[0].with_name(f"{master.name}-autograder.zip"))
            student_files = [p for p in (result / "student").rglob("*") if p.is_file()]
            leaks = find_leaks(master, student_files)
            if leaks:
                raise AssignError("Generated student files would leak answers:\n  " + "\n  ".join(leaks))
            (result / "questions.json").write_text(json.dumps(
                [q.__dict__ for q in master.questions], indent=2) + "\n")
            _write_tree(result / "student", out_root / "student" / master.name)
            _write_tree(result, out_root / "dist" / master.name)
        seconds = time.perf_counter() - started
        reports.append({"name": master.name, "seconds": round(seconds, 1),
                        "student": str(out_root / "student" / master.name / f"{master.name}.ipynb"),
                        "autograder": str(out_root / "dist" / master.name / "autograder" /
                                          f"{master.name}-autograder.zip")})
        if not quiet:
            auto = sum(q.points for q in master.questions if not q.manual)
            manual = sum(q.points for q in master.questions if q.manual)
            print(f"{master.name}: {len(master.questions)} questions ({auto:g} autograded points, "
                  f"{manual:g} written) -> {reports[-1]['student']} ({seconds:.1f} s)")
    return reports


