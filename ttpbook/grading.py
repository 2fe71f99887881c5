"""Graded exercises: build student notebooks and autograders from the masters, and grade a
folder of submissions on this machine, without Docker.

    python -m ttpbook.grading assign [NAME ...]                 # every master, or the named ones
    python -m ttpbook.grading grade ASSIGNMENT SUBMISSIONS_DIR OUT.csv [--format plain|canvas]
                                     [--overwrite] [--jobs N] [--timeout S] [--memory-mb M]
    python -m ttpbook.grading check                             # lint the masters, look for leaks

One source of truth per assignment: ``exercises/masters/<name>.md``, an otter-grader master
written as MyST text (jupytext). ``assign`` converts each master to a notebook in a temporary
folder, runs ``otter assign`` there, checks mechanically that no solution line and no hidden test
reached the student files, and writes:

- ``exercises/student/<name>/<name>.ipynb`` and its public tests: committed, for students and
  Binder (no solutions, no hidden tests);
- ``exercises/dist/<name>/``: the autograder (zip with the hidden tests), the solved notebook and
  otter's own student folder. Git-ignored: it contains the answer key.

``grade`` grades every ``*.ipynb`` in a folder with ``otter run``'s machinery, one submission per
sandbox: its own temporary folder holding a cleaned copy of the submission and the autograder
zip, a separate process (started in a new session, and as an unprivileged user of its own when
the grader runs as root), a memory limit (``RLIMIT_AS``), a CPU limit, a file-size limit and a
wall-clock timeout after which every process of that sandbox is killed. Broken or hostile
submissions get a row with a status instead of stopping the batch. The grades CSV is written
atomically and is never overwritten unless ``--overwrite`` is given.

The ``exact_*`` helpers below are used by the tests inside the masters: they accept only values
of the expected built-in, numpy or pandas type, so an object whose ``==`` always returns True
cannot pass a test.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

# A process forked from the fork server re-runs this module as multiprocessing's "__mp_main__"
# when the grader was started with `python -m ttpbook.grading`; that is harmless, so say nothing.
warnings.filterwarnings("ignore", message=r"'ttpbook\.grading' found in sys\.modules", category=RuntimeWarning)

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = ROOT / "exercises"
MASTERS = EXERCISES / "masters"

DEFAULT_TIMEOUT = 60          # seconds of wall-clock time per submission
DEFAULT_MEMORY_MB = 3072      # address-space limit per process of a submission's sandbox
MAX_SUBMISSION_BYTES = 20 * 1024 * 1024
MAX_OUTPUT_BYTES = 2 * 1024 * 1024     # output kept from one submission's cells, in total
MAX_FILE_BYTES = 256 * 1024 * 1024     # RLIMIT_FSIZE in the sandbox
MAX_RESULT_BYTES = 8 * 1024 * 1024
MAX_MESSAGE_CHARS = 600


# --------------------------------------------------------------------------------------------
# Answer checks used by the tests in the masters (kept free of heavy imports: they run in the
# student's kernel).
# --------------------------------------------------------------------------------------------

def _numpy_kind(value: Any, kind: str) -> bool:
    cls = type(value)
    if cls.__module__ != "numpy":
        return False
    import numpy as np

    return issubclass(cls, getattr(np, kind))


def exact_int(value: Any) -> int | None:
    """The value as a plain int if it is a whole number of a built-in or numpy type, else None.

    Accepts ``int``, numpy integers, and floats (built-in or numpy) with no fractional part.
    Rejects bool, strings, subclasses and any other object, whatever its ``__eq__`` says.
    """
    cls = type(value)
    if cls is int:
        return int.__int__(value)
    if _numpy_kind(value, "integer"):
        return int(value)
    if cls is float or _numpy_kind(value, "floating"):
        number = float(value)
        if number == number and number not in (float("inf"), float("-inf")) and number.is_integer():
            return int(number)
    return None


def exact_float(value: Any) -> float | None:
    """The value as a plain float if it is a finite built-in or numpy number, else None."""
    cls = type(value)
    if cls is int:
        number = float(int.__int__(value))
    elif cls is float:
        number = float.__float__(value)
    elif _numpy_kind(value, "integer") or _numpy_kind(value, "floating"):
        number = float(value)
    else:
        return None
    if number != number or number in (float("inf"), float("-inf")):
        return None
    return number


def exact_str(value: Any) -> str | None:
    """The value as a plain str if it is a built-in or numpy string, else None."""
    cls = type(value)
    if cls is str:
        return str.__str__(value)
    if cls.__module__ == "numpy" and cls.__name__ == "str_":
        return str.__str__(value)
    return None


def _exact_pairs(value: Any) -> list[tuple[Any, Any]] | None:
    cls = type(value)
    if cls is dict:
        return list(dict.items(value))
    if cls.__module__.startswith("pandas") and cls.__name__ == "Series":
        return [(k, v) for k, v in zip(list(value.index), list(value.to_numpy()))]
    return None


def exact_counts(value: Any) -> dict[str, int] | None:
    """A {label: count} dict from a dict or a pandas Series (e.g. value_counts()), else None.

    Keys must be strings and counts whole numbers; zero counts are dropped.
    """
    pairs = _exact_pairs(value)
    if pairs is None:
        return None
    counts: dict[str, int] = {}
    for key, count in pairs:
        label, number = exact_str(key), exact_int(count)
        if label is None or number is None:
            return None
        if number:
            counts[label] = number
    return counts


def exact_labels(value: Any) -> dict[int, str] | None:
    """A {whole number: string} dict from a dict or a pandas Series, else None."""
    pairs = _exact_pairs(value)
    if pairs is None:
        return None
    labels: dict[int, str] = {}
    for key, label in pairs:
        number, text = exact_int(key), exact_str(label)
        if number is None or text is None:
            return None
        labels[number] = text
    return labels


def label_report(answer: dict[int, str], key: dict[int, str]) -> dict[str, Any]:
    """How many labels of ``answer`` match ``key``, and which attributed claims were called facts."""
    return {"right": sum(answer.get(i) == label for i, label in key.items()), "total": len(key),
            "claims_called_facts": [i for i, label in key.items()
                                    if label == "attributed claim" and answer.get(i) == "fact"]}


def exact_ints(value: Any) -> list[int] | None:
    """A sorted list of plain ints from a list, tuple, set, numpy array or pandas Series/Index."""
    cls = type(value)
    if cls in (list, tuple, set, frozenset):
        items = list(value)
    elif (cls.__module__ == "numpy" and cls.__name__ == "ndarray") or (
        cls.__module__.startswith("pandas") and cls.__name__ in ("Series", "Index")
    ):
        items = list(value.tolist())
    else:
        return None
    numbers = [exact_int(item) for item in items]
    if any(number is None for number in numbers):
        return None
    return sorted(numbers)


# --------------------------------------------------------------------------------------------
# Masters: parsing, lint and leak checks
# --------------------------------------------------------------------------------------------

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


def _source(cell: Any) -> str:
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
        src = _source(cell)
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
    intro = next((_source(c) for c in master.notebook.cells if c.cell_type == "markdown"), "")
    for q in master.questions:
        if not re.search(rf"\|\s*{re.escape(q.name)}\b", intro):
            problems.append(f"question {q.name} is missing from the points/objectives table of the intro")
    if "Estimated time" not in intro:
        problems.append("the intro has no 'Estimated time' column")
    return problems


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
        src = _source(cell)
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
                text = "\n".join(_source(c) for c in cells) + "\n" + text
            except ValueError:
                pass
        for kind, fragment in secrets:
            if fragment in text:
                leaks.append(f"{path}: {kind} text {fragment!r}")
    return leaks


# --------------------------------------------------------------------------------------------
# assign
# --------------------------------------------------------------------------------------------

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
    nb.metadata.setdefault("language_info", {"name": "python"})
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


# --------------------------------------------------------------------------------------------
# grade: one sandboxed process per submission
# --------------------------------------------------------------------------------------------

STATUS_HELP = {
    "graded": "ran to the end with no error; the scores stand",
    "graded-with-errors": "some cells raised an error (named in the message); questions whose "
                          "answers were not defined score 0",
    "memory-limit": "the submission ran out of its memory allowance; scores are for what ran",
    "timeout": "did not finish within the time limit (an endless loop or very slow code); score 0",
    "kernel-died": "the notebook's Python process stopped during grading (os._exit, a crash); score 0",
    "output-too-large": "the submission tried to write more than the file-size limit; score 0",
    "not-a-notebook": "the file is empty, damaged, truncated or not a Jupyter notebook; score 0",
    "too-large": "the file is larger than the submission size limit; score 0",
    "wrong-assignment": "the notebook belongs to another assignment; score 0",
    "grader-error": "the grader itself failed on this submission; regrade or grade by hand",
}

SUSPICIOUS = [
    (re.compile(r"\botter\b"), "mentions otter"),
    (re.compile(r"""tests?[/\\]|['"]tests['"]|\.py['"]"""), "refers to test files"),
    (re.compile(r"__eq__|__hash__"), "overrides comparison"),
    (re.compile(r"\bos\._exit\b|\bsys\.exit\b|\bexit\(\)|\bquit\(\)"), "exits the interpreter"),
    (re.compile(r"\bsubprocess\b|\bos\.system\b|\bos\.fork\b|\bctypes\b"), "starts processes or native code"),
    (re.compile(r"\brmtree\b|\bos\.remove\b|\bos\.unlink\b|\bunlink\(|\.rmdir\b"), "deletes files"),
    (re.compile(r"\bpickle\b|\bdill\b|\bmarshal\b"), "uses pickle"),
    (re.compile(r"\bglobals\(\)|\bbuiltins\b|__import__"), "manipulates globals or builtins"),
]


@dataclass
class Row:
    student: str
    file: str
    status: str
    message: str = ""
    scores: dict[str, float] = field(default_factory=dict)
    feedback: dict[str, list[str]] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total(self) -> float:
        return round(sum(self.scores.values()), 4)


@dataclass
class Autograder:
    name: str
    zip_path: Path
    questions: list[Question]          # every question, in order; manual ones included

    @property
    def auto(self) -> list[Question]:
        return [q for q in self.questions if not q.manual]

    @property
    def possible(self) -> float:
        return sum(q.points for q in self.auto)


def find_autograder(assignment: str, dist: Path | str = EXERCISES / "dist") -> Autograder:
    """The autograder zip and question list that ``assign`` wrote for ``assignment``."""
    folder = Path(dist) / assignment
    zip_path = folder / "autograder" / f"{assignment}-autograder.zip"
    if not zip_path.is_file():
        raise FileNotFoundError(
            f"No autograder for {assignment!r} at {zip_path}. Run `python -m ttpbook.grading assign` "
            f"(or `make assignments`) first.")
    questions = [Question(**q) for q in json.loads((folder / "questions.json").read_text())]
    return Autograder(assignment, zip_path, questions)


def _student_id(path: Path) -> str:
    return path.name[: -len(".ipynb")] if path.name.endswith(".ipynb") else path.name


def _safe_name(text: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "submission"
    return name[:100]


def _first_line(text: str, limit: int = 120) -> str:
    line = next((l.strip() for l in text.splitlines() if l.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _clip(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


_OTTER_LINES = re.compile(r"^\s*(# Initialize Otter|import otter|grader\s*=\s*otter\.Notebook\(.*\)|"
                          r"grader\.check(_all)?\(.*\)|grader\.export\(.*\))\s*$")


def _flags_for(nb: Any) -> list[str]:
    code = "\n".join(line for c in nb.cells if c.get("cell_type") == "code"
                     for line in _source(c).splitlines() if not _OTTER_LINES.match(line))
    return [label for pattern, label in SUSPICIOUS if pattern.search(code)]


def prepare_submission(path: Path, assignment: str) -> tuple[Any | None, Row]:
    """Read and check one submission in the parent (no student code runs here).

    Returns (cleaned notebook, row); the notebook is None when the file cannot be graded, and
    the row then carries the reason.
    """
    import nbformat

    row = Row(student=_student_id(path), file=path.name, status="graded")
    notes = []
    if path.is_symlink() or not path.is_file():
        row.status, row.message = "not-a-notebook", "not a notebook: a link or special file, not a regular file"
        return None, row
    size = path.stat().st_size
    if size == 0:
        row.status, row.message = "not-a-notebook", "not a notebook: the file is empty"
        return None, row
    if size > MAX_SUBMISSION_BYTES:
        row.status = "too-large"
        row.message = f"file is {size / 2**20:.1f} MiB; the limit is {MAX_SUBMISSION_BYTES / 2**20:.0f} MiB"
        return None, row
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        row.status, row.message = "not-a-notebook", "not a notebook: not UTF-8 text (a binary file?)"
        return None, row
    try:
        data = json.loads(text)
    except ValueError as error:
        lineno = getattr(error, "lineno", "?")
        colno = getattr(error, "colno", "?")
        row.status = "not-a-notebook"
        row.message = (f"not a notebook: not valid JSON (line {lineno}, column {colno}: "
                       f"{getattr(error, 'msg', error)}); the file may be truncated or damaged")
        return None, row
    if not isinstance(data, dict) or not ("cells" in data or "worksheets" in data) or "nbformat" not in data:
        row.status, row.message = "not-a-notebook", "not a notebook: JSON, but without notebook cells"
        return None, row
    major = data.get("nbformat")
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as error:  # nbformat raises several kinds
        row.status, row.message = "not-a-notebook", _clip(f"not a notebook: {type(error).__name__}: {error}")
        return None, row
    if isinstance(major, int) and major < 4:
        notes.append(f"converted from notebook format {major} to 4")
    named = (nb.metadata.get("otter") or {}).get("assignment_name") if isinstance(nb.metadata.get("otter"), dict) else None
    if named and named != assignment:
        row.status = "wrong-assignment"
        row.message = f"this notebook is for assignment {named!r}, not {assignment!r}"
        return None, row
    cells = []
    for cell in nb.cells:
        if cell.get("cell_type") not in ("code", "markdown", "raw"):
            continue
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cells.append(cell)
    nb.cells = cells
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    otter_meta = nb.metadata.get("otter") if isinstance(nb.metadata.get("otter"), dict) else {}
    otter_meta["assignment_name"] = assignment
    nb.metadata["otter"] = otter_meta
    try:
        nbformat.validate(nb)
    except Exception as error:
        notes.append(_clip(f"notebook does not fully validate ({type(error).__name__}); graded anyway", 200))
    row.flags = _flags_for(nb)
    row.message = "; ".join(notes)
    return nb, row


class _Sandboxes:
    """Private folders and (as root) private user ids for the submissions being graded.

    Modes, strongest first (``mode``):

    - ``jail`` (root, and ``unshare`` works): each child starts in new mount and network
      namespaces (no network; loopback only), hides /root, /home and the submissions folder
      behind empty tmpfs mounts (the Python installation is mounted back read-only), then drops
      to a user id of its own with no_new_privs before any submission code runs;
    - ``user`` (root without namespaces): the child runs as a user id of its own;
    - ``none`` (not root): the child runs as you; limits and timeouts still apply.
    """

    def __init__(self, jobs: int, hide: Iterable[Path] = (), mode: str | None = None):
        self.root = Path(tempfile.mkdtemp(prefix="ttpbook-grade-"))
        self.hide = [str(Path(p).resolve()) for p in hide]
        self.mode = mode or self._detect()
        self.as_root = self.mode in ("jail", "user")
        if self.as_root:
            os.chmod(self.root, 0o711)   # children may pass through, but not list it
            base = 1_900_000_000 + (os.getpid() % 100_000) * 64
            self._free = list(range(base, base + jobs))
        else:
            self._free = [os.getuid()] * jobs
        self._lock = threading.Lock()
        self.zygote = None
        if os.environ.get("TTPBOOK_GRADING_SPAWN", "forkserver") == "forkserver":
            import importlib
            import multiprocessing

            self.zygote = multiprocessing.get_context("forkserver")
            self.zygote.set_forkserver_preload(["ttpbook.grading", "otter.run", "nbclient.client",
                                                "jupyter_client", "nbformat", "psutil"])
            # the target must be importable by name, also when this runs as __main__
            self._entry = importlib.import_module("ttpbook.grading")._zygote_entry

    @staticmethod
    def _detect() -> str:
        if os.geteuid() != 0:
            return "none"
        if all(shutil.which(tool) for tool in ("unshare", "mount", "umount", "ip")):
            probe = subprocess.run(["unshare", "--mount", "--net", "--propagation", "private", "true"],
                                   capture_output=True)
            if probe.returncode == 0:
                return "jail"
        probe = subprocess.run([sys.executable, "-I", "-c", "pass"], user=65534, group=65534,
                               extra_groups=[], capture_output=True, cwd="/")
        return "user" if probe.returncode == 0 else "none"

    def launch(self, box: Path, uid: int, env: dict[str, str], log_path: Path, memory_bytes: int,
               cpu_seconds: int) -> _Handle:
        job = str(box / "job.json")
        if self.zygote is not None:
            process = self.zygote.Process(target=self._entry, daemon=False, args=(
                job, str(log_path), env, memory_bytes, cpu_seconds, self.mode, uid))
            process.start()
            return _Handle(process=process)
        command = [sys.executable, "-I", "-m", "ttpbook.grading", "_child", job]
        kwargs: dict[str, Any] = {}
        if self.mode == "jail":
            command = ["unshare", "--mount", "--net", "--propagation", "private", "--", *command]
        elif self.mode == "user":
            kwargs.update(user=uid, group=uid, extra_groups=[])
        with open(log_path, "wb") as log:
            popen = subprocess.Popen(
                command, cwd=box, env=env, stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True,
                preexec_fn=_limits(memory_bytes, cpu_seconds, self.as_root), **kwargs)
        return _Handle(popen=popen)

    def take_uid(self) -> int:
        with self._lock:
            return self._free.pop()

    def give_uid(self, uid: int) -> None:
        with self._lock:
            self._free.append(uid)

    def make(self, uid: int) -> Path:
        box = Path(tempfile.mkdtemp(prefix="box-", dir=self.root))
        for sub in ("submission", "home", "tmp", "runtime"):
            (box / sub).mkdir()
        return box

    def hand_over(self, box: Path, uid: int) -> None:
        if not self.as_root:
            return
        for dirpath, dirnames, filenames in os.walk(box):
            os.chown(dirpath, uid, uid)
            for name in filenames:
                os.chown(os.path.join(dirpath, name), uid, uid)
        os.chmod(box, 0o700)

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def _child_env(box: Path, marker: str) -> dict[str, str]:
    venv_bin = str(Path(sys.executable).parent)
    env = {
        "PATH": f"{venv_bin}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(box / "home"),
        "TMPDIR": str(box / "tmp"),
        "JUPYTER_RUNTIME_DIR": str(box / "runtime"),
        "JUPYTER_CONFIG_DIR": str(box / "home" / ".jupyter"),
        "JUPYTER_DATA_DIR": str(box / "home" / ".local" / "share" / "jupyter"),
        "JUPYTER_PLATFORM_DIRS": "1",
        "IPYTHONDIR": str(box / "home" / ".ipython"),
        "MPLCONFIGDIR": str(box / "home" / ".matplotlib"),
        "XDG_CACHE_HOME": str(box / "home" / ".cache"),
        "XDG_CONFIG_HOME": str(box / "home" / ".config"),
        "XDG_DATA_HOME": str(box / "home" / ".local" / "share"),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "NUMEXPR_MAX_THREADS": "1",
        "MALLOC_ARENA_MAX": "2",
        "TTPBOOK_MODE": "grading",
        "TTPBOOK_GRADING_JOB": marker,
    }
    if sys.prefix != sys.base_prefix:
        env["VIRTUAL_ENV"] = sys.prefix
    return env


def _limits(memory_bytes: int, cpu_seconds: int, as_root: bool):
    import resource

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
        resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_FILE_BYTES, MAX_FILE_BYTES))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if as_root:  # per-user limit: only meaningful for a user id of our own
            resource.setrlimit(resource.RLIMIT_NPROC, (256, 256))
        os.umask(0o077)

    return apply


def _kill_sandbox(proc: "_Handle", marker: str, uid: int | None) -> None:
    """Kill the child, its process group and every process that carries the job's marker or
    (as root) runs as the job's private user id, including a kernel in a session of its own."""
    import psutil

    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    for _ in range(5):
        victims = []
        for p in psutil.process_iter(["pid", "uids"]):
            try:
                if uid is not None and p.info["uids"] and p.info["uids"].real == uid:
                    victims.append(p)
                    continue
                if p.pid != os.getpid() and p.environ().get("TTPBOOK_GRADING_JOB") == marker:
                    victims.append(p)
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess, OSError):
                continue
        if not victims:
            break
        for p in victims:
            try:
                p.kill()
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                pass
        psutil.wait_procs(victims, timeout=2)
    proc.wait(5)


class _Handle:
    """A running child: a subprocess, or a process forked from the pre-loaded fork server."""

    def __init__(self, popen: subprocess.Popen | None = None, process: Any = None):
        self.popen, self.process = popen, process
        self.pid = popen.pid if popen is not None else process.pid

    def wait(self, timeout: float) -> bool:
        """True if the child ended within ``timeout`` seconds."""
        if self.popen is not None:
            try:
                self.popen.wait(timeout=timeout)
                return True
            except subprocess.TimeoutExpired:
                return False
        self.process.join(timeout)
        return self.process.exitcode is not None

    def returncode(self) -> int | None:
        return self.popen.poll() if self.popen is not None else self.process.exitcode


def _zygote_entry(job_path: str, log_path: str, env: dict, memory_bytes: int, cpu_seconds: int,
                  mode: str, uid: int) -> None:
    """Runs in a process forked from the fork server, which has otter and its dependencies
    imported already (this saves starting Python and importing otter for every submission).
    Sets up exactly what the subprocess route sets up, then grades."""
    code = 1
    try:
        os.setsid()
        fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        os.close(fd)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        os.environ.clear()
        os.environ.update(env)
        tempfile.tempdir = None
        if mode == "jail":
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            if libc.unshare(0x00020000 | 0x40000000) != 0:   # CLONE_NEWNS | CLONE_NEWNET
                raise OSError(ctypes.get_errno(), "unshare failed")
            subprocess.run(["mount", "--make-rprivate", "/"], check=True)
        _limits(memory_bytes, cpu_seconds, mode in ("jail", "user"))()
        if mode == "user":
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
        os.chdir(Path(job_path).parent)
        code = _child(job_path)
    except BaseException:  # noqa: BLE001
        import traceback

        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _tail(path: Path, limit: int = 4000) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - limit))
            return f.read().decode("utf-8", errors="replace")
    except OSError:
        return ""


def _read_result(path: Path) -> dict | None:
    try:
        if path.stat().st_size > MAX_RESULT_BYTES:
            return None
        data = json.loads(path.read_text(encoding="utf-8", errors="replace"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def grade_one(path: Path, autograder: Autograder, sandboxes: _Sandboxes, *, timeout: float,
              memory_mb: int) -> Row:
    """Grade one submission in a sandbox of its own; never raises for a bad submission."""
    started = time.perf_counter()
    nb, row = prepare_submission(path, autograder.name)
    row.scores = {q.name: 0.0 for q in autograder.auto}
    if nb is None:
        row.seconds = round(time.perf_counter() - started, 2)
        return row
    import nbformat

    uid = sandboxes.take_uid()
    box = sandboxes.make(uid)
    marker = uuid.uuid4().hex
    proc = None
    timed_out = False
    try:
        nbformat.write(nb, box / "submission" / f"{autograder.name}.ipynb")
        shutil.copy(autograder.zip_path, box / "autograder.zip")
        (box / "job.json").write_text(json.dumps({
            "submission": str(box / "submission" / f"{autograder.name}.ipynb"),
            "autograder": str(box / "autograder.zip"),
            "result": str(box / "result.json"),
            "max_output_bytes": MAX_OUTPUT_BYTES,
            "jail": sandboxes.mode == "jail",
            "uid": uid,
            "box": str(box),
            "hide": sandboxes.hide,
        }))
        sandboxes.hand_over(box, uid)
        log_path = sandboxes.root / f"{box.name}.log"   # outside the box: the child cannot fake it
        proc = sandboxes.launch(box, uid, _child_env(box, marker), log_path,
                                memory_mb * 2**20, int(timeout) + 5)
        try:
            timed_out = not proc.wait(timeout)
        finally:
            _kill_sandbox(proc, marker, uid if sandboxes.as_root else None)
        result = None if timed_out else _read_result(box / "result.json")
        _apply_result(row, result, proc.returncode(), timed_out, timeout, _tail(log_path), autograder)
        try:
            log_path.unlink()
        except OSError:
            pass
    except Exception as error:  # the batch goes on whatever happens to one submission
        row.status, row.message = "grader-error", _clip(f"{type(error).__name__}: {error}")
        row.scores = {q.name: 0.0 for q in autograder.auto}
    finally:
        if proc is not None and proc.returncode() is None:
            _kill_sandbox(proc, marker, uid if sandboxes.as_root else None)
        shutil.rmtree(box, ignore_errors=True)
        sandboxes.give_uid(uid)
    row.seconds = round(time.perf_counter() - started, 2)
    return row


def _apply_result(row: Row, result: dict | None, returncode: int | None, timed_out: bool,
                  timeout: float, log_tail: str, autograder: Autograder) -> None:
    previous = row.message
    row.scores = {q.name: 0.0 for q in autograder.auto}

    def note(message: str) -> str:
        return "; ".join(m for m in (message, previous) if m)

    if timed_out:
        row.status, row.message = "timeout", note(f"timeout after {timeout:g} s: the notebook did not finish")
        return
    if result is None or not result.get("finished"):
        kind = (result or {}).get("error_type")
        detail = (result or {}).get("message", "")
        if returncode is not None and returncode < 0:
            sig = -returncode
            if sig == signal.SIGXCPU:
                row.status, row.message = "timeout", note(f"CPU time limit ({int(timeout) + 5} s) exceeded")
            elif sig == signal.SIGXFSZ:
                row.status, row.message = "output-too-large", note(
                    f"tried to write a file larger than {MAX_FILE_BYTES // 2**20} MiB")
            elif sig == signal.SIGKILL:
                row.status, row.message = "memory-limit", note("killed by the system (memory limit exceeded?)")
            else:
                row.status, row.message = "kernel-died", note(f"the grading process was killed by signal {sig}")
            return
        if kind == "memory":
            row.status, row.message = "memory-limit", note("memory limit exceeded while grading: " + _clip(detail, 200))
        elif kind == "kernel-died":
            row.status, row.message = "kernel-died", note(
                "the notebook's Python process stopped during grading (os._exit or a crash?); score 0")
        elif "MemoryError" in log_tail:
            row.status, row.message = "memory-limit", note("memory limit exceeded while grading")
        else:
            last = _clip(detail or _first_line("\n".join(log_tail.strip().splitlines()[-1:])), 300)
            row.status, row.message = "grader-error", note(f"the grader failed: {last or 'no result written'}")
        return
    questions = result.get("questions") if isinstance(result.get("questions"), dict) else {}
    for q in autograder.auto:
        info = questions.get(q.name)
        if not isinstance(info, dict):
            continue
        try:
            score = float(info.get("score", 0))
        except (TypeError, ValueError):
            score = 0.0
        row.scores[q.name] = min(max(score, 0.0), q.points) if score == score else 0.0
        messages = info.get("messages") if isinstance(info.get("messages"), list) else []
        row.feedback[q.name] = [_clip(str(m), 400) for m in messages[:6]]
    errors = result.get("cell_errors") if isinstance(result.get("cell_errors"), list) else []
    errors = [_clip(str(e), 200) for e in errors[:10]]
    extra = []
    if result.get("output_truncated"):
        extra.append(f"output beyond {MAX_OUTPUT_BYTES // 2**20} MiB was discarded")
    if any("MemoryError" in e for e in errors):
        row.status = "memory-limit"
        row.message = note("; ".join(["memory limit exceeded in a cell (MemoryError); scored what ran"] +
                                     errors + extra))
    elif errors:
        row.status = "graded-with-errors"
        row.message = note("; ".join([f"{len(errors)} cell(s) raised an error"] + errors + extra))
    else:
        row.status = "graded"
        row.message = note("; ".join(extra))


def _child(job_path: str) -> int:
    """Runs inside the sandbox, as the sandbox's user: grade with otter's own machinery and
    write a compact JSON result. Output of the submission's cells is capped."""
    job = json.loads(Path(job_path).read_text())
    if job.get("jail"):
        _enter_jail(job)
    result: dict[str, Any] = {"finished": False}
    state = {"bytes": 0, "truncated": False}
    try:
        import nbclient.client

        original_output = nbclient.client.NotebookClient.output

        def capped_output(self, outs, msg, display_id, cell_index):
            content = msg.get("content", {})
            size = len(content.get("text", "") or "")
            for value in (content.get("data") or {}).values():
                size += len(value) if isinstance(value, str) else len(json.dumps(value))
            size += sum(len(t) for t in content.get("traceback", []) or [])
            state["bytes"] += size
            if state["bytes"] > job["max_output_bytes"]:
                if not state["truncated"]:
                    state["truncated"] = True
                    import nbformat

                    outs.append(nbformat.v4.new_output("stream", name="stderr",
                                                       text="[output truncated by the grader]\n"))
                return None
            return original_output(self, outs, msg, display_id, cell_index)

        nbclient.client.NotebookClient.output = capped_output

        from otter.run import main as otter_run

        results = otter_run(job["submission"], autograder=job["autograder"], output_dir=None,
                            no_logo=True)
        result = {"finished": True, "questions": _summarise(results),
                  "cell_errors": _cell_errors(results.notebook),
                  "output_truncated": state["truncated"]}
    except MemoryError as error:
        result = {"finished": False, "error_type": "memory", "message": f"MemoryError: {error}"}
    except BaseException as error:  # noqa: BLE001 - everything must end up in the result
        name = type(error).__name__
        kind = "kernel-died" if name == "DeadKernelError" else "error"
        result = {"finished": False, "error_type": kind, "message": _clip(f"{name}: {error}", 500)}
    Path(job["result"]).write_text(json.dumps(result))
    return 0


def _enter_jail(job: dict) -> None:
    """As root, inside fresh mount and network namespaces: bring up loopback (the kernel talks
    to the grader over 127.0.0.1), hide private folders behind empty tmpfs mounts while keeping
    the Python installation, the book's package and the box reachable, then become the box's
    own user with no_new_privs. Runs before any submission code."""
    import ctypes

    def run(*args: str) -> None:
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    run("ip", "link", "set", "lo", "up")
    umask = os.umask(0o022)   # folders made on the tmpfs mounts must be traversable
    box = Path(job["box"])
    keep = [Path(p).resolve() for p in {sys.base_prefix, sys.prefix, str(ROOT), str(box)}]
    scratch = {"/tmp", "/var/tmp"}   # private, size-limited and writable; thrown away afterwards
    hide = [Path(h).resolve() for h in ["/root", "/home", "/tmp", "/var/tmp", *job.get("hide", [])]
            if Path(h).is_dir()]
    system = [Path(p) for p in ("/", "/usr", "/bin", "/sbin", "/lib", "/lib64", "/etc", "/dev", "/proc", "/sys", "/run")]
    hide = [h for h in hide if h not in keep   # hiding it would hide something the grader needs
            and not any(h == s or h in s.parents for s in system)]
    hide = sorted(set(hide), key=lambda p: len(p.parts))
    hide = [h for i, h in enumerate(hide) if not any(o in h.parents for o in hide[:i])]  # already hidden
    stash_root = next((Path(p) for p in ("/mnt", "/media", "/srv", "/opt") if Path(p).is_dir()
                       and not any(Path(p) == h or Path(p) in h.parents or h in Path(p).parents for h in hide)
                       and not any(Path(p) in k.parents or Path(p) == k for k in keep)), None)
    if stash_root is not None:
        run("mount", "-t", "tmpfs", "-o", "mode=700,size=1m", "tmpfs", str(stash_root))
    for number, folder in enumerate(sorted(hide, key=lambda p: len(p.parts))):
        inside = [k for k in keep if folder in k.parents]
        if inside and stash_root is None:
            continue
        stashes = []
        for index, path in enumerate(inside):
            stash = stash_root / f"{number}-{index}"
            stash.mkdir(parents=True, exist_ok=True)
            run("mount", "--bind", str(path), str(stash))
            stashes.append((stash, path))
        options = "mode=1777,size=64m" if str(folder) in scratch else "mode=755,size=1m"
        run("mount", "-t", "tmpfs", "-o", options + ",nosuid,nodev", "tmpfs", str(folder))
        for stash, path in stashes:
            path.mkdir(parents=True, exist_ok=True)
            run("mount", "--move", str(stash), str(path))
            if path != box:
                run("mount", "-o", "remount,bind,ro", str(path))
    if stash_root is not None:
        run("umount", "-l", str(stash_root))
    if Path("/dev/shm").is_dir():
        run("mount", "-t", "tmpfs", "-o", "mode=1777,size=64m,nosuid,nodev", "tmpfs", "/dev/shm")
    os.umask(umask)
    uid = int(job["uid"])
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(38, 1, 0, 0, 0)   # PR_SET_NO_NEW_PRIVS: setuid programs cannot give root back
    os.chdir(box)


_EXCEPTION_LINE = re.compile(r"^\s*(?:[\w.]+Error|[\w.]+Exception|AssertionError|StopIteration)\b.*$")


def _student_message(message: str | None) -> str:
    """The last exception line of a failed doctest (the assert's message), never its code."""
    if not message:
        return ""
    lines = [l.strip() for l in str(message).splitlines() if l.strip()]
    for line in lines:   # doctest goes on after a failure: the first exception is the informative one
        if _EXCEPTION_LINE.match(line):
            text = line.split(":", 1)[1].strip() if ":" in line else line
            kind = line.split(":", 1)[0].strip().rsplit(".", 1)[-1]
            if kind == "AssertionError":
                return text or "a check failed"
            if kind == "NameError":
                return f"not answered: {text}"
            return f"{kind}: {text}"
    return "a check failed"


def _summarise(results: Any) -> dict[str, dict]:
    out = {}
    for name, test_file in results.results.items():
        messages = []
        for case in test_file.test_case_results:
            if case.passed:
                continue
            label = "hidden test" if case.test_case.hidden else "public test"
            messages.append(f"{label}: {_student_message(case.message)}")
        out[name] = {"score": float(test_file.score), "possible": float(test_file.possible),
                     "messages": messages}
    return out


_OTTER_CELL_PREFIXES = ("from otter import Notebook as", "from otter.execute import Checker",
                        "import sys\nsys.path.append(", "notebook_")


def _cell_errors(nb: Any) -> list[str]:
    errors = []
    if nb is None:
        return errors
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        src = _source(cell)
        if src.startswith(_OTTER_CELL_PREFIXES) or re.match(r"notebook_\w+\(\)\.check", src):
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                errors.append(f"{output.get('ename')} in the cell starting {_first_line(src, 60)!r}"
                              + (f": {_first_line(str(output.get('evalue', '')), 80)}" if output.get("evalue") else ""))
    return errors


def list_submissions(folder: Path) -> tuple[list[Path], list[Path]]:
    """(*.ipynb files to grade, other files ignored); hidden files and folders are skipped."""
    gradable, ignored = [], []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir() and not entry.is_symlink():
            continue
        (gradable if entry.name.endswith(".ipynb") else ignored).append(entry)
    return gradable, ignored


def grade(assignment: str, submissions: Path | str, out: Path | str, *, fmt: str = "plain",
          overwrite: bool = False, jobs: int | None = None, timeout: float = DEFAULT_TIMEOUT,
          memory_mb: int = DEFAULT_MEMORY_MB, dist: Path | str = EXERCISES / "dist",
          canvas_assignment: str | None = None, roster: Path | str | None = None,
          quiet: bool = False) -> list[Row]:
    """Grade every ``*.ipynb`` in ``submissions``; write ``out`` (CSV) and ``<out>_feedback/``."""
    submissions, out = Path(submissions), Path(out)
    if fmt not in ("plain", "canvas"):
        raise ValueError(f"unknown format {fmt!r}: use 'plain' or 'canvas'")
    if not submissions.is_dir():
        raise FileNotFoundError(f"{submissions} is not a folder of submissions")
    feedback_dir = out.with_name(out.stem + "_feedback")
    if not overwrite:
        for existing in (out, feedback_dir):
            if existing.exists():
                raise FileExistsError(f"{existing} already exists; pass --overwrite to replace it")
    out.parent.mkdir(parents=True, exist_ok=True)
    autograder = find_autograder(assignment, dist)
    roster_rows = _read_roster(Path(roster)) if roster else None
    files, ignored = list_submissions(submissions)
    jobs = max(1, jobs or len(os.sched_getaffinity(0)))
    if not quiet:
        if ignored:
            print(f"Ignoring {len(ignored)} file(s) that are not .ipynb: "
                  + ", ".join(p.name for p in ignored[:5]) + (" …" if len(ignored) > 5 else ""), file=sys.stderr)
        print(f"Grading {len(files)} submission(s) of {assignment} with {jobs} worker(s), "
              f"{timeout:g} s and {memory_mb} MiB each.", file=sys.stderr)
    sandboxes = _Sandboxes(jobs, hide=[submissions, out.parent])
    if not sandboxes.as_root and not quiet:
        print("Note: not running as root, so submissions run as your own user: they cannot be kept "
              "away from your files. Grade untrusted submissions as root or in a container.", file=sys.stderr)
    rows: list[Row] = []
    done = 0
    lock = threading.Lock()

    def task(path: Path) -> Row:
        nonlocal done
        row = grade_one(path, autograder, sandboxes, timeout=timeout, memory_mb=memory_mb)
        with lock:
            done += 1
            if not quiet:
                print(f"[{done}/{len(files)}] {row.student}: {row.status} {row.total:g}/"
                      f"{autograder.possible:g} ({row.seconds:.1f} s)", file=sys.stderr)
        return row

    try:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            rows = list(pool.map(task, files))
    finally:
        sandboxes.close()
    _dedupe_ids(rows)
    rows.sort(key=lambda r: (r.student, r.file))
    if fmt == "canvas":
        text = _canvas_csv(rows, autograder, canvas_assignment, roster_rows)
    else:
        text = _plain_csv(rows, autograder)
    _write_feedback(rows, autograder, feedback_dir, overwrite)
    _atomic_write(out, text, overwrite)
    if not quiet:
        counts: dict[str, int] = {}
        for r in rows:
            counts[r.status] = counts.get(r.status, 0) + 1
        print(f"Wrote {out} ({len(rows)} rows: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
              + f") and {feedback_dir}/", file=sys.stderr)
    return rows


def _dedupe_ids(rows: list[Row]) -> None:
    seen: dict[str, int] = {}
    for row in sorted(rows, key=lambda r: r.file):
        key = _safe_name(row.student)
        seen[key] = seen.get(key, 0) + 1
        row._feedback_name = key if seen[key] == 1 else f"{key}-{seen[key]}"  # type: ignore[attr-defined]


def _plain_csv(rows: list[Row], autograder: Autograder) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    names = [q.name for q in autograder.auto]
    writer.writerow(["student", "file", "status", "message", *names, "total", "possible", "flags", "seconds"])
    for row in rows:
        writer.writerow([row.student, row.file, row.status, row.message,
                         *[f"{row.scores.get(n, 0):g}" for n in names],
                         f"{row.total:g}", f"{autograder.possible:g}", "; ".join(row.flags), f"{row.seconds:.1f}"])
    return buffer.getvalue()


CANVAS_DOWNLOAD_NAME = re.compile(r"^(?P<name>[a-z0-9-]+?)(?:_LATE)?_(?P<user_id>\d+)_(?P<submission_id>\d+)_")


def _read_roster(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = [r for r in csv.DictReader(f) if (r.get("Student") or "").strip()
                and "Points Possible" not in (r.get("Student") or "")]
    return rows


def _canvas_identity(row: Row, roster: list[dict[str, str]] | None) -> dict[str, str]:
    identity = {"Student": row.student, "ID": "", "SIS User ID": "", "SIS Login ID": "", "Section": ""}
    match = CANVAS_DOWNLOAD_NAME.match(row.file)
    if match:
        identity.update({"Student": match.group("name"), "ID": match.group("user_id")})
    else:
        identity["SIS User ID"] = row.student
    if roster:
        for entry in roster:
            keys = {(entry.get(k) or "").strip() for k in ("ID", "SIS User ID", "SIS Login ID")}
            if (identity["ID"] and identity["ID"] in keys) or row.student in keys:
                identity = {k: (entry.get(k) or "").strip() for k in identity}
                break
    return identity


def _canvas_csv(rows: list[Row], autograder: Autograder, title: str | None,
                roster: list[dict[str, str]] | None) -> str:
    column = title or f"{autograder.name} (autograded)"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", column])
    writer.writerow(["    Points Possible", "", "", "", "", f"{autograder.possible:g}"])
    for row in rows:
        identity = _canvas_identity(row, roster)
        score = "" if row.status == "grader-error" else f"{row.total:g}"
        writer.writerow([identity["Student"], identity["ID"], identity["SIS User ID"],
                         identity["SIS Login ID"], identity["Section"], score])
    return buffer.getvalue()


def _feedback_text(row: Row, autograder: Autograder) -> str:
    lines = [f"Assignment: {autograder.name}", f"Submission: {row.file}",
             f"Status: {row.status} ({STATUS_HELP.get(row.status, '')})"]
    if row.message:
        lines.append(f"Details: {row.message}")
    lines.append(f"Autograded score: {row.total:g} / {autograder.possible:g}")
    lines.append("")
    for q in autograder.questions:
        if q.manual:
            lines.append(f"{q.name}: written answer, graded by your instructor (out of {q.points:g})")
            continue
        score = row.scores.get(q.name, 0.0)
        lines.append(f"{q.name}: {score:g} / {q.points:g}")
        for message in row.feedback.get(q.name, []):
            lines.append(f"    - {message}")
    return "\n".join(lines) + "\n"


def _write_feedback(rows: list[Row], autograder: Autograder, folder: Path, overwrite: bool) -> None:
    staging = folder.with_name(f".{folder.name}.new-{uuid.uuid4().hex[:8]}")
    staging.mkdir(parents=True)
    for row in rows:
        (staging / f"{row._feedback_name}.txt").write_text(_feedback_text(row, autograder), encoding="utf-8")  # type: ignore[attr-defined]
    if folder.exists():
        if not overwrite:
            shutil.rmtree(staging)
            raise FileExistsError(f"{folder} already exists; pass --overwrite to replace it")
        old = folder.with_name(f".{folder.name}.old-{uuid.uuid4().hex[:8]}")
        os.replace(folder, old)
        os.replace(staging, folder)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(staging, folder)


def _atomic_write(path: Path, text: str, overwrite: bool) -> None:
    """Write through a temporary file in the same folder; never replace an existing file
    unless ``overwrite`` (os.link fails if the name exists, so there is no race)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        if overwrite:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise FileExistsError(f"{path} already exists; pass --overwrite to replace it") from None
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


# --------------------------------------------------------------------------------------------
# command line
# --------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_child"]:
        return _child(argv[1])
    parser = argparse.ArgumentParser(prog="python -m ttpbook.grading", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p_assign = sub.add_parser("assign", help="generate student notebooks and autograders from the masters")
    p_assign.add_argument("names", nargs="*", help="master names (default: all)")
    p_assign.add_argument("--out", type=Path, default=EXERCISES, help="output root (default: exercises/)")
    p_assign.add_argument("--no-run-tests", action="store_true", help="skip otter's check of the solutions")

    p_grade = sub.add_parser("grade", help="grade a folder of .ipynb submissions into a CSV")
    p_grade.add_argument("assignment")
    p_grade.add_argument("submissions", type=Path)
    p_grade.add_argument("out", type=Path)
    p_grade.add_argument("--format", choices=["plain", "canvas"], default="plain")
    p_grade.add_argument("--overwrite", action="store_true", help="replace OUT and its feedback folder")
    p_grade.add_argument("--jobs", type=int, default=None, help="parallel workers (default: usable cores)")
    p_grade.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per submission")
    p_grade.add_argument("--memory-mb", type=int, default=DEFAULT_MEMORY_MB, help="memory per process")
    p_grade.add_argument("--dist", type=Path, default=EXERCISES / "dist", help="where `assign` wrote the autograders")
    p_grade.add_argument("--canvas-assignment", default=None,
                         help='Canvas column title, e.g. "Background exercises (123456)"')
    p_grade.add_argument("--roster", type=Path, default=None,
                         help="a Canvas gradebook export, to fill in names, IDs and sections")

    sub.add_parser("check", help="lint the masters and look for answers in public files")

    args = parser.parse_args(argv)
    try:
        if args.command == "assign":
            assign(args.names or None, args.out, run_tests=not args.no_run_tests)
        elif args.command == "grade":
            grade(args.assignment, args.submissions, args.out, fmt=args.format, overwrite=args.overwrite,
                  jobs=args.jobs, timeout=args.timeout, memory_mb=args.memory_mb, dist=args.dist,
                  canvas_assignment=args.canvas_assignment, roster=args.roster)
        else:
            problems = check()
            for problem in problems:
                print(problem)
            print(f"{len(problems)} problem(s)")
            return 1 if problems else 0
    except (AssignError, FileExistsError, FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
