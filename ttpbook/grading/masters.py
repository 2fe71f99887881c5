"""Read the assignment masters (otter MyST files): their questions, solutions and tests, and lint them.

One source of truth per assignment: ``exercises/masters/<name>.md``. ``read_master`` collects the
questions (points, written or autograded), the solution cells and the public and hidden tests;
``lint_master`` lists every problem that would make ``otter assign`` leak an answer or write a
test that cannot run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

ROOT = Path(__file__).resolve().parents[2]
EXERCISES = ROOT / "exercises"
MASTERS = EXERCISES / "masters"


class AssignError(RuntimeError):
    """A master is malformed, otter assign failed, or a generated file would leak an answer."""


@dataclass
class Question:
    name: str
    points: float
    manual: bool


@dataclass
class Master:
    name: str
    path: Path
    notebook: Any
    questions: list[Question] = field(default_factory=list)
    solution_cells: list[tuple[str, str]] = field(default_factory=list)   # (cell_type, source)
    public_tests: list[str] = field(default_factory=list)
    hidden_tests: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def source_of(cell: Any) -> str:
    """The text of a notebook cell, whether stored as one string or a list of lines."""
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def master_paths(names: Iterable[str] | None = None, masters_dir: Path = MASTERS) -> list[Path]:
    paths = sorted(masters_dir.glob("*.md"))
    if names:
        wanted = list(names)
        known = {p.stem for p in paths}
        missing = [n for n in wanted if n not in known]
        if missing:
            raise AssignError(f"No master named {', '.join(missing)} in {masters_dir} "
                              f"(known: {', '.join(sorted(known)) or 'none'}).")
        paths = [p for p in paths if p.stem in wanted]
    return paths


def read_master(path: Path | str) -> Master:
    """Read a MyST master with jupytext and collect its questions, solutions and tests."""
    import jupytext
    import yaml

    path = Path(path)
    nb = jupytext.read(path)
    master = Master(name=path.stem, path=path, notebook=nb)
    block: list[str] = []
    config_name = None
    current: dict | None = None
    for index, cell in enumerate(nb.cells):
        src = source_of(cell)
        first = src.strip().splitlines()[0].strip() if src.strip() else ""
        if cell.cell_type == "raw":
            if first == "# ASSIGNMENT CONFIG":
                config = yaml.safe_load(src.split("\n", 1)[1]) or {}
                config_name = config.get("name")
                continue
            marker = first.upper()
            if marker.startswith("# BEGIN "):
                kind = marker[len("# BEGIN "):].strip()
                block.append(kind)
                if kind == "QUESTION":
                    current = yaml.safe_load(src.split("\n", 1)[1]) or {}
                    points = current.get("points", 1)
                    total = sum(p or 0 for p in points) if isinstance(points, list) else float(points or 0)
                    master.questions.append(Question(str(current.get("name")), float(total),
                                                     bool(current.get("manual", False))))
                continue
            if marker.startswith("# END "):
                kind = marker[len("# END "):].strip()
                if not block or block[-1] != kind:
                    master.problems.append(f"cell {index}: '# END {kind}' does not close an open block")
                else:
                    block.pop()
                continue
        in_solution = "SOLUTION" in block
        in_tests = "TESTS" in block
        if in_solution:
            master.solution_cells.append((cell.cell_type, src))
            if cell.cell_type == "code" and not _has_solution_markers(src):
                master.problems.append(
                    f"cell {index}: a solution code cell without '# SOLUTION' or '# BEGIN SOLUTION' "
                    "markers would be copied to students as it is")
        elif in_tests and cell.cell_type == "code":
            hidden = bool(re.search(r"\bhidden\b", first, flags=re.IGNORECASE)) and first.startswith("#")
            (master.hidden_tests if hidden else master.public_tests).append(src)
            master.problems.extend(f"cell {index}: {p}" for p in _lint_test(src))
        elif cell.cell_type == "code" and _has_solution_markers(src):
            master.problems.append(
                f"cell {index}: '# SOLUTION' markers outside a BEGIN/END SOLUTION block are not "
                "removed by otter assign and would leak the answer")
    if block:
        master.problems.append(f"unclosed block(s) at the end: {block}")
    if config_name != master.name:
        master.problems.append(f"ASSIGNMENT CONFIG name is {config_name!r}; it must be the file name {master.name!r}")
    return master


def _has_solution_markers(src: str) -> bool:
    return any(line.rstrip().endswith(("# SOLUTION", "# SOLUTION NO PROMPT")) or
               re.match(r"\s*# BEGIN SOLUTION", line) for line in src.splitlines())


def _lint_test(src: str) -> list[str]:
    """Tests must be assert statements with a message: a bare expression is compared with the
    master's stored output, which an unexecuted master does not have."""
    import ast

    try:
        tree = ast.parse(src)
    except SyntaxError as error:
        return [f"test does not parse: {error}"]
    problems = []
    asserts = 0
    assigned = {t.id for node in tree.body if isinstance(node, ast.Assign)
                for t in node.targets if isinstance(t, ast.Name)}
    for node in ast.walk(tree):
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp, ast.Lambda)):
            inner = node.body if isinstance(node, ast.Lambda) else node
            skip = {id(n) for n in ast.walk(node.generators[0].iter)} if not isinstance(node, ast.Lambda) else set()
            used = {n.id for n in ast.walk(inner) if isinstance(n, ast.Name) and id(n) not in skip}
            if used & assigned:
                problems.append(f"line {node.lineno}: a comprehension or lambda uses {sorted(used & assigned)}, "
                                "defined in the test: otter's doctests cannot see them there")
    for node in tree.body:
        if isinstance(node, ast.Assert):
            asserts += 1
            if node.msg is None:
                problems.append(f"assert on line {node.lineno} has no message for the student")
        elif isinstance(node, ast.Expr):
            problems.append(f"bare expression on line {node.lineno}: write `assert …, \"message\"`")
        elif not isinstance(node, (ast.Import, ast.ImportFrom, ast.Assign)):
            problems.append(f"unexpected statement on line {node.lineno} in a test")
    if not asserts:
        problems.append("a test cell with no assert")
    return problems


def lint_master(master: Master) -> list[str]:
    problems = list(master.problems)
    auto = [q for q in master.questions if not q.manual]
    manual = [q for q in master.questions if q.manual]
    if len(auto) < 5:
        problems.append(f"{len(auto)} autograded questions; at least 5 are expected")
    if len(manual) < 2:
        problems.append(f"{len(manual)} written questions; at least 2 are expected")
    intro = next((source_of(c) for c in master.notebook.cells if c.cell_type == "markdown"), "")
    for q in master.questions:
        if not re.search(rf"\|\s*{re.escape(q.name)}\b", intro):
            problems.append(f"question {q.name} is missing from the points/objectives table of the intro")
    if "Estimated time" not in intro:
        problems.append("the intro has no 'Estimated time' column")
    return problems


