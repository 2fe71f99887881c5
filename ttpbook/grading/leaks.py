"""Leak checks: find any solution line or hidden test of a master in files students receive.

``solution_fragments`` and ``hidden_fragments`` list the text that must stay secret;
``find_leaks`` searches files for it (notebook cells included), and ``check`` lints every master
and searches the committed student folder and the chapters.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Iterable

from .masters import EXERCISES, MASTERS, ROOT, Master, lint_master, master_paths, read_master, source_of

_TRIVIAL = {"...", "pass", "", "```"}


def solution_fragments(master: Master) -> set[str]:
    """Text that must never appear in a student notebook or a public test: every line inside a
    solution block of a code cell, the right-hand side of every ``# SOLUTION`` line, and every
    line of a Markdown solution (model answers)."""
    fragments: set[str] = set()
    for cell_type, src in master.solution_cells:
        if cell_type != "code":
            for line in src.splitlines():
                if len(line.strip()) >= 12:
                    fragments.add(line.strip())
            continue
        inside = False
        for line in src.splitlines():
            stripped = line.strip()
            if re.match(r"# BEGIN SOLUTION", stripped):
                inside = True
                continue
            if stripped == "# END SOLUTION":
                inside = False
                continue
            if inside:
                if stripped not in _TRIVIAL and not stripped.startswith("#"):
                    fragments.add(stripped)
                continue
            marker = re.search(r"\s*# SOLUTION( NO PROMPT)?\s*$", line)
            if marker:
                code = line[: marker.start()].strip()
                fragments.add(code)
                match = re.match(r"^[\w.,\s\[\]'\"]+?=(?!=)(.*)$", code)
                if match and match.group(1).strip() not in _TRIVIAL:
                    fragments.add(match.group(1).strip())
    return {f for f in fragments if len(f) >= 6}


def hidden_fragments(master: Master) -> set[str]:
    """Lines of hidden tests that are not also in a public test or in the student's own cells."""
    public_lines = {line.strip() for src in master.public_tests for line in src.splitlines()}
    solution_cell_sources = {src for _, src in master.solution_cells}
    test_sources = set(master.public_tests) | set(master.hidden_tests)
    student_visible = set()
    for cell in master.notebook.cells:
        src = source_of(cell)
        if cell.cell_type == "raw" or src in solution_cell_sources or src in test_sources:
            continue
        student_visible.update(line.strip() for line in src.splitlines())
    fragments = set()
    for src in master.hidden_tests:
        for line in src.splitlines()[1:]:
            stripped = line.strip()
            if len(stripped) >= 6 and stripped not in public_lines and stripped not in student_visible:
                fragments.add(stripped)
    return fragments


def find_leaks(master: Master, paths: Iterable[Path]) -> list[str]:
    """Every (file, fragment) pair where a solution or a hidden test shows up in ``paths``."""
    secrets = [("solution", f) for f in solution_fragments(master)] + \
              [("hidden test", f) for f in hidden_fragments(master)]
    leaks = []
    for path in paths:
        try:
            text = Path(path).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if Path(path).suffix == ".ipynb":
            try:
                cells = json.loads(text).get("cells", [])
                text = "\n".join(source_of(c) for c in cells) + "\n" + text
            except ValueError:
                pass
        for kind, fragment in secrets:
            if fragment in text:
                leaks.append(f"{path}: {kind} text {fragment!r}")
    return leaks


def check(masters_dir: Path | str = MASTERS, exercises: Path | str = EXERCISES) -> list[str]:
    """Lint every master and look for its answers in the committed student files and chapters/."""
    problems = []
    exercises = Path(exercises)
    for path in master_paths(None, Path(masters_dir)):
        master = read_master(path)
        problems += [f"{path.name}: {p}" for p in lint_master(master)]
        public = [p for p in (exercises / "student").rglob("*") if p.is_file()]
        public += [p for p in (ROOT / "chapters").rglob("*") if p.is_file()]
        problems += find_leaks(master, public)
    return problems


