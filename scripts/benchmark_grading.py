"""Time batch grading against a plain serial loop of `otter run` (not a test: it asserts nothing).

    .venv/bin/python scripts/benchmark_grading.py [--copies 100] [--assignment background]

Builds N submissions of one assignment with varied answers (solved, blank, half done, and
wrong answers of several kinds), then grades the same files twice in the same run:
1. `python -m ttpbook.grading grade` (parallel over the usable cores, sandboxed);
2. a serial loop of `otter run -a <autograder zip> -o <dir> <submission>`, one after another,
   as an instructor without the batch command would do.
Prints both wall-clock times and the ratio, and checks that both gave the same totals. Then times
writing the class report (``x_report.html``) for the same submissions on its own, from the batch's
grades CSV and feedback files (charts rendered to SVG by vl-convert, as ``grade`` does).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from ttpbook import grading  # noqa: E402

WRONG_VALUES = ["-1", "0", "3", "2546", "0.5", "'CRSS'", "None", "1433.5"]


def answer_cells(nb) -> dict[str, int]:
    cells = {}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and cell.source.startswith('grader.check("'):
            answer = index - 1
            while nb.cells[answer].cell_type != "code":
                answer -= 1
            cells[cell.source.split('"')[1]] = answer
    return cells


def variables(source: str) -> list[str]:
    return [line.split("=")[0].strip() for line in source.splitlines()
            if "= ..." in line and not line.startswith(" ")]


def make_submissions(dist: Path, name: str, copies: int, folder: Path, seed: int = 1) -> None:
    rng = random.Random(seed)
    solved = nbformat.read(dist / name / "autograder" / f"{name}.ipynb", as_version=4)
    blank = nbformat.read(dist / name / "student" / f"{name}.ipynb", as_version=4)
    cells, blank_cells = answer_cells(solved), answer_cells(blank)
    folder.mkdir(parents=True)
    for number in range(copies):
        nb = nbformat.from_dict(json.loads(json.dumps(solved)))
        kind = number % 4
        for question, index in cells.items():
            blank_source = blank.cells[blank_cells[question]].source
            if kind == 1 and rng.random() < 0.5:          # half done
                nb.cells[index].source = blank_source
            elif kind == 2 and rng.random() < 0.4:        # some wrong answers
                names = variables(blank_source)
                if names:
                    nb.cells[index].source += f"\n{rng.choice(names)} = {rng.choice(WRONG_VALUES)}"
            elif kind == 3 and number % 8 == 3:           # blank
                nb.cells[index].source = blank_source
        nbformat.write(nb, folder / f"student{number:03d}.ipynb")


def rows_from_batch(csv_path: Path, feedback_dir: Path) -> list:
    """The batch's rows rebuilt from its grades CSV and feedback files (scores, statuses, failed checks)."""
    from ttpbook.grading.submissions import Row

    rows = []
    with open(csv_path, newline="") as f:
        table = list(csv.DictReader(f))
    fixed = {"student", "file", "status", "message", "total", "possible", "flags", "seconds"}
    for entry in table:
        questions = [k for k in entry if k not in fixed]
        feedback: dict[str, list[str]] = {q: [] for q in questions} if entry["status"].startswith("graded") else {}
        text = (feedback_dir / f"{entry['student']}.txt").read_text()
        current = None
        for line in text.splitlines():
            head = line.split(":", 1)[0]
            if head in questions:
                current = head
            elif line.startswith("    - ") and current in feedback:
                feedback[current].append(line[6:])
        rows.append(Row(entry["student"], entry["file"], entry["status"], entry["message"],
                        scores={q: float(entry[q]) for q in questions}, feedback=feedback,
                        flags=[x for x in entry["flags"].split("; ") if x], seconds=float(entry["seconds"])))
    return rows


def time_report(tmp: Path, dist: Path, name: str) -> tuple[float, int]:
    """Seconds to write the class report from the batch's results, and the page's size in bytes."""
    from ttpbook.grading.report import write_report
    from ttpbook.grading.submissions import find_autograder

    rows = rows_from_batch(tmp / "batch.csv", tmp / "batch_feedback")
    autograder = find_autograder(name, dist)
    started = time.perf_counter()
    path = write_report(rows, autograder, tmp / "timed_report.html", overwrite=True)
    return time.perf_counter() - started, path.stat().st_size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=100)
    parser.add_argument("--assignment", default="background")
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--no-serial", action="store_true", help="skip the serial otter run loop")
    args = parser.parse_args()
    name = args.assignment
    with tempfile.TemporaryDirectory(prefix="ttpbook-bench-") as tmp:
        tmp = Path(tmp)
        print(f"Generating the autograder for {name} …", flush=True)
        grading.assign([name], tmp / "assigned", quiet=True)
        dist = tmp / "assigned" / "dist"
        subs = tmp / "submissions"
        make_submissions(dist, name, args.copies, subs)
        cores = len(os.sched_getaffinity(0))

        command = [sys.executable, "-m", "ttpbook.grading", "grade", name, str(subs), str(tmp / "batch.csv"),
                   "--dist", str(dist)] + (["--jobs", str(args.jobs)] if args.jobs else [])
        print(f"Batch: {' '.join(command[1:4])} … ({args.copies} submissions, {cores} cores)", flush=True)
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
        batch = time.perf_counter() - started

        report_seconds, report_bytes = time_report(tmp, dist, name)
        zip_path = dist / name / "autograder" / f"{name}-autograder.zip"
        otter = Path(sys.executable).parent / "otter"
        serial_totals = {}
        print(f"Serial: otter run -a {zip_path.name} -o DIR SUBMISSION, {args.copies} times …", flush=True)
        started = time.perf_counter()
        for path in [] if args.no_serial else sorted(subs.glob("*.ipynb")):
            out = tmp / "serial" / path.stem
            out.mkdir(parents=True)
            subprocess.run([str(otter), "run", "-a", str(zip_path), "-o", str(out), str(path)],
                           check=True, capture_output=True, cwd=tmp)
            tests = json.loads((out / "results.json").read_text())["tests"]
            serial_totals[path.stem] = sum(t["score"] for t in tests if t.get("score") is not None)
        serial = time.perf_counter() - started

        with open(tmp / "batch.csv", newline="") as f:
            batch_totals = {row["student"]: float(row["total"]) for row in csv.DictReader(f)}
        same = all(abs(batch_totals[k] - float(v)) < 1e-9 for k, v in serial_totals.items())
        print()
        print(f"submissions            {args.copies}")
        print(f"batch (parallel)       {batch:7.1f} s   {batch / args.copies:5.2f} s per submission")
        if not args.no_serial:
            print(f"serial otter run loop  {serial:7.1f} s   {serial / args.copies:5.2f} s per submission")
            print(f"ratio serial / batch   {serial / batch:7.2f}x  on {cores} cores")
            print(f"same totals            {'yes' if same else 'NO'}")
        print(f"class report           {report_seconds:7.2f} s   for {args.copies} submissions "
              f"({report_bytes / 1024:.0f} KiB, 3 charts as inline SVG)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
