"""Results: the grades CSV (plain or Canvas import), the feedback files, and reading a grades CSV back.

Every file is written atomically (through a temporary file in the same folder) and is never
replaced unless ``overwrite`` is given. Feedback files never show test code or expected values:
only statuses, scores and the plain-language messages of failed checks.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import tempfile
import uuid
from pathlib import Path

from .submissions import Autograder, Row, safe_name

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


def name_feedback_files(rows: list[Row]) -> None:
    seen: dict[str, int] = {}
    for row in sorted(rows, key=lambda r: r.file):
        key = safe_name(row.student)
        seen[key] = seen.get(key, 0) + 1
        row.feedback_name = key if seen[key] == 1 else f"{key}-{seen[key]}"


def plain_csv(rows: list[Row], autograder: Autograder) -> str:
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


def read_roster(path: Path) -> list[dict[str, str]]:
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


def canvas_csv(rows: list[Row], autograder: Autograder, title: str | None,
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


def write_feedback(rows: list[Row], autograder: Autograder, folder: Path, overwrite: bool) -> None:
    staging = folder.with_name(f".{folder.name}.new-{uuid.uuid4().hex[:8]}")
    staging.mkdir(parents=True)
    for row in rows:
        (staging / f"{row.feedback_name}.txt").write_text(_feedback_text(row, autograder), encoding="utf-8")
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


def atomic_write(path: Path, text: str, overwrite: bool) -> None:
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


PLAIN_FIXED = ["student", "file", "status", "message"]
PLAIN_TAIL = ["total", "possible", "flags", "seconds"]


def read_grades_csv(path: Path | str) -> tuple[list[str], list[dict[str, str]]]:
    """(question names, rows) of a grades CSV written by ``grade`` in the plain format.

    Raises ValueError, naming the file, for anything else (a Canvas import file, a CSV of
    another program, an empty file).
    """
    path = Path(path)
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        rows = [dict(zip(header, values)) for values in reader] if header else []
    if not header:
        raise ValueError(f"{path}: empty file, not a grades CSV")
    if header[:2] == ["Student", "ID"]:
        raise ValueError(f"{path}: this is a Canvas import file; the gradebook reads the plain grades CSV "
                         "(grade without --format canvas)")
    if header[:4] != PLAIN_FIXED or header[-4:] != PLAIN_TAIL:
        raise ValueError(f"{path}: not a grades CSV written by `grade` (its header starts {header[:4]})")
    return header[4:-4], rows
