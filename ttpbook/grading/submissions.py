"""Submissions before any of their code runs: read, check and clean each file, and flag suspicious code.

``prepare_submission`` runs in the grader (no student code runs there) and turns one file into
either a cleaned notebook or a row with the reason it cannot be graded (empty, not JSON, not a
notebook, too large, another assignment). ``Row`` is one line of the grades CSV.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .masters import EXERCISES, Question, source_of

MAX_SUBMISSION_BYTES = 20 * 1024 * 1024
MAX_MESSAGE_CHARS = 600


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
    feedback_name: str = ""        # the feedback file's name, unique within a run

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


def student_id(path: Path) -> str:
    return path.name[: -len(".ipynb")] if path.name.endswith(".ipynb") else path.name


def safe_name(text: str) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._") or "submission"
    return name[:100]


def first_line(text: str, limit: int = 120) -> str:
    line = next((l.strip() for l in text.splitlines() if l.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def clip(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


_OTTER_LINES = re.compile(r"^\s*(# Initialize Otter|import otter|grader\s*=\s*otter\.Notebook\(.*\)|"
                          r"grader\.check(_all)?\(.*\)|grader\.export\(.*\))\s*$")


def _flags_for(nb: Any) -> list[str]:
    code = "\n".join(line for c in nb.cells if c.get("cell_type") == "code"
                     for line in source_of(c).splitlines() if not _OTTER_LINES.match(line))
    return [label for pattern, label in SUSPICIOUS if pattern.search(code)]


def prepare_submission(path: Path, assignment: str) -> tuple[Any | None, Row]:
    """Read and check one submission in the parent (no student code runs here).

    Returns (cleaned notebook, row); the notebook is None when the file cannot be graded, and
    the row then carries the reason.
    """
    import nbformat

    row = Row(student=student_id(path), file=path.name, status="graded")
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
        row.status, row.message = "not-a-notebook", clip(f"not a notebook: {type(error).__name__}: {error}")
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
        notes.append(clip(f"notebook does not fully validate ({type(error).__name__}); graded anyway", 200))
    row.flags = _flags_for(nb)
    row.message = "; ".join(notes)
    return nb, row


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


