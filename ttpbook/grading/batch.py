"""Running and scoring: grade a folder of submissions in parallel sandboxes and turn each result into a row.

``grade`` is what ``python -m ttpbook.grading grade`` and ``make grade`` run. Each submission is
checked in the grader first (``submissions.prepare_submission``), then graded by its own process
in a sandbox of its own (``sandbox``), with a wall-clock timeout after which everything of that
sandbox is killed. A thread per parallel job waits for its sandbox; no process pool and no fork
server are used, so nothing the grader started outlives ``grade``. The grades CSV, the feedback
folder and the class report are written after every sandbox is gone.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .masters import EXERCISES
from .results import (atomic_write, canvas_csv, name_feedback_files, plain_csv, read_roster,
                      write_feedback)
from .sandbox import MAX_FILE_BYTES, Sandboxes, child_env
from .submissions import Autograder, Row, clip, find_autograder, first_line, list_submissions, prepare_submission

DEFAULT_TIMEOUT = 60          # seconds of wall-clock time per submission
DEFAULT_MEMORY_MB = 3072      # address-space limit per process of a submission's sandbox
MAX_OUTPUT_BYTES = 2 * 1024 * 1024     # output kept from one submission's cells, in total
MAX_RESULT_BYTES = 8 * 1024 * 1024


def _tail(path: Path, limit: int = 4000) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - limit))
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


def _signal_of(returncode: int | None) -> int | None:
    """The signal that ended the process: negative for a direct child, 128 + n through bwrap."""
    if returncode is None:
        return None
    if returncode < 0:
        return -returncode
    if 128 < returncode <= 128 + 64:
        return returncode - 128
    return None


def grade_one(path: Path, autograder: Autograder, sandboxes: Sandboxes, *, timeout: float,
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
    box = sandboxes.make()
    inside = sandboxes.inside(box)
    proc = None
    try:
        nbformat.write(nb, box / "submission" / f"{autograder.name}.ipynb")
        shutil.copy(autograder.zip_path, box / "autograder.zip")
        (box / "job.json").write_text(json.dumps({
            "submission": str(inside / "submission" / f"{autograder.name}.ipynb"),
            "autograder": str(inside / "autograder.zip"),
            "result": str(inside / "result.json"),
            "max_output_bytes": MAX_OUTPUT_BYTES,
        }))
        sandboxes.hand_over(box, uid)
        log_path = sandboxes.root / f"{box.name}.log"   # outside the box: the submission cannot fake it
        proc = sandboxes.launch(box, uid, child_env(inside, sandboxes.run_id), log_path, memory_mb * 2**20, int(timeout) + 5)
        try:
            proc.wait(timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            timed_out = True
        finally:
            sandboxes.kill(proc, uid if sandboxes.as_root else None)
        result = None if timed_out else _read_result(box / "result.json")
        apply_result(row, result, proc.returncode, timed_out, timeout, _tail(log_path), autograder)
        log_path.unlink(missing_ok=True)
    except Exception as error:  # the batch goes on whatever happens to one submission
        row.status, row.message = "grader-error", clip(f"{type(error).__name__}: {error}")
        row.scores = {q.name: 0.0 for q in autograder.auto}
    finally:
        if proc is not None and proc.poll() is None:
            sandboxes.kill(proc, uid if sandboxes.as_root else None)
        shutil.rmtree(box, ignore_errors=True)
        sandboxes.give_uid(uid)
    row.seconds = round(time.perf_counter() - started, 2)
    return row


def _failure(row: Row, result: dict | None, returncode: int | None, timeout: float, log_tail: str,
             note) -> None:
    """Status and message for a grading process that wrote no finished result."""
    kind = (result or {}).get("error_type")
    detail = (result or {}).get("message", "")
    sig = _signal_of(returncode)
    if sig == signal.SIGXCPU:
        row.status, row.message = "timeout", note(f"CPU time limit ({int(timeout) + 5} s) exceeded")
    elif sig == signal.SIGXFSZ:
        row.status, row.message = "output-too-large", note(
            f"tried to write a file larger than {MAX_FILE_BYTES // 2**20} MiB")
    elif sig == signal.SIGKILL:
        row.status, row.message = "memory-limit", note("killed by the system (memory limit exceeded?)")
    elif sig is not None:
        row.status, row.message = "kernel-died", note(f"the grading process was killed by signal {sig}")
    elif kind == "memory":
        row.status, row.message = "memory-limit", note("memory limit exceeded while grading: " + clip(detail, 200))
    elif kind == "kernel-died":
        row.status, row.message = "kernel-died", note(
            "the notebook's Python process stopped during grading (os._exit or a crash?); score 0")
    elif "MemoryError" in log_tail:
        row.status, row.message = "memory-limit", note("memory limit exceeded while grading")
    else:
        last = clip(detail or first_line("\n".join(log_tail.strip().splitlines()[-1:])), 300)
        row.status, row.message = "grader-error", note(f"the grader failed: {last or 'no result written'}")


def apply_result(row: Row, result: dict | None, returncode: int | None, timed_out: bool,
                 timeout: float, log_tail: str, autograder: Autograder) -> None:
    """Fill ``row`` from the sandbox's JSON result (checked and clamped: it is untrusted)."""
    previous = row.message
    row.scores = {q.name: 0.0 for q in autograder.auto}

    def note(message: str) -> str:
        return "; ".join(m for m in (message, previous) if m)

    if timed_out:
        row.status, row.message = "timeout", note(f"timeout after {timeout:g} s: the notebook did not finish")
        return
    if result is None or not result.get("finished"):
        _failure(row, result, returncode, timeout, log_tail, note)
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
        row.feedback[q.name] = [clip(str(m), 400) for m in messages[:6]]
    errors = result.get("cell_errors") if isinstance(result.get("cell_errors"), list) else []
    errors = [clip(str(e), 200) for e in errors[:10]]
    extra = [f"output beyond {MAX_OUTPUT_BYTES // 2**20} MiB was discarded"] if result.get("output_truncated") else []
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


def report_path(out: Path) -> Path:
    """The class report written next to a grades CSV: ``x.csv`` -> ``x_report.html``."""
    return out.with_name(out.stem + "_report.html")


def grade(assignment: str, submissions: Path | str, out: Path | str, *, fmt: str = "plain",
          overwrite: bool = False, jobs: int | None = None, timeout: float = DEFAULT_TIMEOUT,
          memory_mb: int = DEFAULT_MEMORY_MB, dist: Path | str = EXERCISES / "dist",
          canvas_assignment: str | None = None, roster: Path | str | None = None,
          allow_unsandboxed: bool = False, quiet: bool = False) -> list[Row]:
    """Grade every ``*.ipynb`` in ``submissions``; write ``out`` (CSV), ``<out>_feedback/`` and
    ``<out>_report.html``."""
    from .report import write_report

    submissions, out = Path(submissions), Path(out)
    if fmt not in ("plain", "canvas"):
        raise ValueError(f"unknown format {fmt!r}: use 'plain' or 'canvas'")
    if not submissions.is_dir():
        raise FileNotFoundError(f"{submissions} is not a folder of submissions")
    feedback_dir = out.with_name(out.stem + "_feedback")
    if not overwrite:
        for existing in (out, feedback_dir, report_path(out)):
            if existing.exists():
                raise FileExistsError(f"{existing} already exists; pass --overwrite to replace it")
    out.parent.mkdir(parents=True, exist_ok=True)
    autograder = find_autograder(assignment, dist)
    roster_rows = read_roster(Path(roster)) if roster else None
    files, ignored = list_submissions(submissions)
    jobs = max(1, jobs or len(os.sched_getaffinity(0)))
    sandboxes = Sandboxes(jobs, hide=[submissions, out.parent], allow_unsandboxed=allow_unsandboxed)

    def say(text: str) -> None:
        if not quiet:
            print(text, file=sys.stderr)

    if ignored:
        say(f"Ignoring {len(ignored)} file(s) that are not .ipynb: "
            + ", ".join(p.name for p in ignored[:5]) + (" …" if len(ignored) > 5 else ""))
    say(f"Grading {len(files)} submission(s) of {assignment} with {jobs} worker(s), "
        f"{timeout:g} s and {memory_mb} MiB each.")
    say(sandboxes.describe())
    done = 0
    lock = threading.Lock()

    def task(path: Path) -> Row:
        nonlocal done
        row = grade_one(path, autograder, sandboxes, timeout=timeout, memory_mb=memory_mb)
        with lock:
            done += 1
            say(f"[{done}/{len(files)}] {row.student}: {row.status} {row.total:g}/"
                f"{autograder.possible:g} ({row.seconds:.1f} s)")
        return row

    started = time.perf_counter()
    try:
        with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="grade") as pool:
            rows = list(pool.map(task, files))
    finally:
        sandboxes.close()
    wall = time.perf_counter() - started
    name_feedback_files(rows)
    rows.sort(key=lambda r: (r.student, r.file))
    text = canvas_csv(rows, autograder, canvas_assignment, roster_rows) if fmt == "canvas" else plain_csv(rows, autograder)
    write_feedback(rows, autograder, feedback_dir, overwrite)
    atomic_write(out, text, overwrite)
    write_report(rows, autograder, report_path(out), overwrite=overwrite, timeout=timeout, wall_seconds=wall,
                 isolation=sandboxes.describe(), ignored=[p.name for p in ignored])
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.status] = counts.get(r.status, 0) + 1
    say(f"Wrote {out} ({len(rows)} rows: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
        + f"), {feedback_dir}/ and {report_path(out)}")
    return rows
