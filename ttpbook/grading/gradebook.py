"""The term gradebook: merge one grades CSV per assignment into a student x assignment table, with totals, weights and LMS imports.

``build_gradebook(GRADES_DIR, OUT.csv)`` reads every ``<assignment>.csv`` that ``grade`` wrote in
``GRADES_DIR`` (the file name is the assignment's name) and writes, next to ``OUT.csv``:

- ``OUT.csv``: student, one column per assignment (autograded points; empty when there is no
  grade), ``total``, ``possible`` and ``percent`` (weighted);
- ``OUT_canvas.csv``: Canvas's gradebook import layout (Student, ID, SIS User ID, SIS Login ID,
  Section, one column per assignment, a "Points Possible" row);
- ``OUT_moodle.csv``: for Moodle's CSV grade import (an "ID number" column to map to the
  user's ID number, one column per assignment);
- ``OUT_report.html``: the distribution of each assignment's scores and every problem found.

Problems never pass silently: a student twice in one assignment (the higher score is kept), two
ids that differ only in case or punctuation, one Canvas user with two names, and every missing
submission are listed on the command line and in the report.
"""

from __future__ import annotations

import csv
import io
import re
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import pages
from .results import CANVAS_DOWNLOAD_NAME, atomic_write, read_grades_csv

NOT_A_GRADE = {"grader-error"}     # the grader failed: no score until the submission is regraded


@dataclass
class Gradebook:
    assignments: list[str]                       # in file-name order
    possible: dict[str, float]
    weights: dict[str, float]
    students: list[str]                          # keys, sorted
    names: dict[str, str]                        # key -> name shown (the student id, or Canvas's name)
    canvas_ids: dict[str, str]                   # key -> Canvas user id, when the files came from Canvas
    scores: dict[tuple[str, str], float | None] = field(default_factory=dict)   # None: no usable grade
    problems: list[str] = field(default_factory=list)

    def score(self, student: str, assignment: str) -> float | None:
        return self.scores.get((student, assignment))

    def total(self, student: str) -> float:
        return round(sum(self.score(student, a) or 0.0 for a in self.assignments), 4)

    def percent(self, student: str) -> float:
        """Weighted percentage: sum of weight x score / possible, over the sum of weights (missing = 0)."""
        weight = sum(self.weights[a] for a in self.assignments)
        got = sum(self.weights[a] * (self.score(student, a) or 0.0) / self.possible[a]
                  for a in self.assignments if self.possible[a])
        return round(100 * got / weight, 2) if weight else 0.0


def _identity(row: dict[str, str]) -> tuple[str, str, str]:
    """(key, name shown, Canvas user id) of a grades row: Canvas download names are keyed by user id."""
    match = CANVAS_DOWNLOAD_NAME.match(row.get("file", ""))
    if match:
        return f"canvas:{match.group('user_id')}", match.group("name"), match.group("user_id")
    student = row["student"].strip()
    return student, student, ""


def _normalised(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", name.casefold())


def parse_weights(weights: str | Path | None, assignments: list[str], possible: dict[str, float]) -> dict[str, float]:
    """Weights per assignment; by default each assignment weighs its points (percent = points / possible)."""
    if weights is None or str(weights).strip() == "":
        return dict(possible)
    text = str(weights)
    pairs: list[tuple[str, str]] = []
    if Path(text).is_file():
        with open(text, newline="", encoding="utf-8-sig") as f:
            pairs = [(r.get("assignment", "").strip(), r.get("weight", "").strip()) for r in csv.DictReader(f)]
    else:
        for item in re.split(r"[,\s]+", text.strip()):
            if "=" not in item:
                raise ValueError(f"weights: {item!r} is not name=weight (e.g. background=1,capstone=2)")
            name, value = item.split("=", 1)
            pairs.append((name.strip(), value.strip()))
    parsed: dict[str, float] = {}
    for name, value in pairs:
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"weights: the weight of {name!r} is {value!r}, not a number") from None
        if number < 0:
            raise ValueError(f"weights: the weight of {name!r} is negative")
        parsed[name] = number
    unknown = sorted(set(parsed) - set(assignments))
    missing = [a for a in assignments if a not in parsed]
    if unknown:
        raise ValueError(f"weights name assignments with no grades CSV: {', '.join(unknown)} "
                         f"(grades found for: {', '.join(assignments)})")
    if missing:
        raise ValueError(f"weights give no weight for: {', '.join(missing)}; give every assignment one")
    if not any(parsed.values()):
        raise ValueError("weights: every weight is 0")
    return parsed


def read_gradebook(folder: Path | str, weights: str | Path | None = None, skip: tuple[Path, ...] = ()) -> Gradebook:
    """Merge the grades CSVs of ``folder`` (see the module docstring); raises ValueError on unreadable input."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder of grades CSVs")
    skipped = {p.resolve() for p in skip}
    files = [p for p in sorted(folder.glob("*.csv")) if not p.name.startswith(".") and p.resolve() not in skipped]
    if not files:
        raise ValueError(f"no grades CSV (*.csv) in {folder}")
    assignments, possible, problems = [], {}, []
    scores: dict[tuple[str, str], float | None] = {}
    names: dict[str, str] = {}
    canvas_ids: dict[str, str] = {}
    seen_names: dict[str, set[str]] = {}
    for path in files:
        assignment = path.stem
        _, rows = read_grades_csv(path)
        assignments.append(assignment)
        possible[assignment] = max((float(r["possible"]) for r in rows if r.get("possible")), default=0.0)
        chosen: dict[str, dict[str, str]] = {}
        for row in rows:
            key, name, canvas_id = _identity(row)
            seen_names.setdefault(key, set()).add(name)
            names.setdefault(key, name)
            if canvas_id:
                canvas_ids[key] = canvas_id
            if key in chosen:
                kept = max(chosen[key], row, key=lambda r: float(r["total"] or 0))
                problems.append(f"duplicate: {name} appears twice in {path.name} ({chosen[key]['file']} and "
                                f"{row['file']}); kept the higher score, from {kept['file']}")
                chosen[key] = kept
            else:
                chosen[key] = row
        for key, row in chosen.items():
            if row["status"] in NOT_A_GRADE:
                scores[(key, assignment)] = None
                problems.append(f"no grade: {names[key]} in {assignment} ({row['status']}: regrade {row['file']})")
            else:
                scores[(key, assignment)] = float(row["total"] or 0)
    students = sorted(names, key=lambda k: (names[k].casefold(), k))
    for key, found in sorted(seen_names.items()):
        if len(found) > 1:
            problems.append(f"name conflict: Canvas user {canvas_ids.get(key, key)} has different names in "
                            f"different files ({', '.join(sorted(found))}); kept as one student")
    groups: dict[str, list[str]] = {}
    for key in students:
        groups.setdefault(_normalised(names[key]), []).append(key)
    for keys in groups.values():
        if len(keys) > 1:
            problems.append("name conflict: " + ", ".join(repr(names[k]) + (f" (Canvas {canvas_ids[k]})" if k in canvas_ids else "")
                                                          for k in keys)
                            + " differ only in case, spaces or punctuation; kept apart: rename the files if they "
                              "are one student")
    for key in students:
        absent = [a for a in assignments if (key, a) not in scores]
        if absent:
            problems.append(f"missing: {names[key]} has no submission for {', '.join(absent)} (counted as 0)")
    book = Gradebook(assignments, possible, parse_weights(weights, assignments, possible), students, names,
                     canvas_ids, scores, problems)
    return book


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def plain_gradebook_csv(book: Gradebook) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", *book.assignments, "total", "possible", "percent"])
    possible = sum(book.possible.values())
    for key in book.students:
        writer.writerow([book.names[key], *[_number(book.score(key, a)) for a in book.assignments],
                         f"{book.total(key):g}", f"{possible:g}", f"{book.percent(key):g}"])
    return buffer.getvalue()


def canvas_gradebook_csv(book: Gradebook) -> str:
    """Canvas's gradebook import: identity columns, one column per assignment, a Points Possible row.

    Columns are titled ``<assignment> (autograded)``: Canvas offers to create them as new
    assignments, or rename them to an existing column's exact title (``Name (id)``) to update it.
    Rows from Canvas download names carry the Canvas user ID; others carry the student id as SIS
    User ID. Missing grades are empty cells, which Canvas leaves unchanged.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                     *[f"{a} (autograded)" for a in book.assignments]])
    writer.writerow(["    Points Possible", "", "", "", "", *[f"{book.possible[a]:g}" for a in book.assignments]])
    for key in book.students:
        canvas_id = book.canvas_ids.get(key, "")
        writer.writerow([book.names[key], canvas_id, "" if canvas_id else book.names[key], "", "",
                         *[_number(book.score(key, a)) for a in book.assignments]])
    return buffer.getvalue()


def moodle_gradebook_csv(book: Gradebook) -> str:
    """Moodle's CSV grade import: one identity column to map to a user field, one column per grade item."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["ID number", *book.assignments])
    for key in book.students:
        writer.writerow([book.names[key], *[_number(book.score(key, a)) for a in book.assignments]])
    return buffer.getvalue()


def gradebook_summary(book: Gradebook) -> list[dict[str, Any]]:
    """Per assignment: graded submissions, missing, mean, median, lowest and highest score."""
    out = []
    for a in book.assignments:
        values = [book.score(k, a) for k in book.students if book.score(k, a) is not None]
        out.append({"assignment": a, "possible": book.possible[a], "weight": book.weights[a],
                    "graded": len(values), "missing": len(book.students) - len(values),
                    "mean": statistics.fmean(values) if values else None,
                    "median": statistics.median(values) if values else None,
                    "min": min(values) if values else None, "max": max(values) if values else None})
    return out


def score_bins(book: Gradebook, width: int = 10) -> list[dict[str, Any]]:
    """Per assignment, how many students scored in each band of ``width`` percentage points (100 % in the top band)."""
    bands = []
    for a in book.assignments:
        percents = [100 * book.score(k, a) / book.possible[a] for k in book.students
                    if book.score(k, a) is not None and book.possible[a]]
        for low in range(0, 100, width):
            count = sum(1 for p in percents if low <= p < low + width or (low + width == 100 and p == 100))
            bands.append({"assignment": a, "from": low, "to": low + width, "students": count})
    return bands


def render_gradebook_report(book: Gradebook) -> str:
    import altair as alt

    from ttpbook import theme

    bands = score_bins(book)
    chart = alt.Chart(alt.Data(values=bands)).mark_bar(color=theme.PALETTE[0]).encode(
        x=alt.X("from:Q", bin="binned", title="Autograded score (% of the assignment's points)",
                scale=alt.Scale(domain=[0, 100])),
        x2="to:Q",
        y=alt.Y("students:Q", title="Students", axis=alt.Axis(tickMinStep=1)),
        row=alt.Row("assignment:N", sort=book.assignments, title=None),
    ).properties(width=theme.WIDTH, height=70, title="Score distribution per assignment")
    summary = gradebook_summary(book)

    def fmt(value: float | None) -> str:
        return "" if value is None else f"{value:.4g}"

    body = [f"<h1>Term gradebook: {len(book.students)} students, {len(book.assignments)} assignments</h1>",
            "<h2>Assignments</h2>",
            pages.table(["Assignment", "Possible", "Weight", "Graded", "Missing", "Mean", "Median", "Lowest", "Highest"],
                        [(s["assignment"], fmt(s["possible"]), fmt(s["weight"]), s["graded"], s["missing"],
                          fmt(s["mean"]), fmt(s["median"]), fmt(s["min"]), fmt(s["max"])) for s in summary]),
            pages.figure(chart, "Score distribution per assignment.",
                         "For each assignment, how many students scored in each band of 10 percentage points of its "
                         "autograded points; missing submissions are not counted.",
                         ["Assignment", "From %", "To %", "Students"],
                         [(b["assignment"], b["from"], b["to"], b["students"]) for b in bands]),
            "<h2>Problems to resolve</h2>"]
    body.append("<ul>" + "".join(f"<li>{pages.esc(p)}</li>" for p in book.problems) + "</ul>"
                if book.problems else "<p>None: every student has one grade for every assignment.</p>")
    body.append("<h2>Every student</h2>")
    body.append(pages.table(["Student", *book.assignments, "Total", "Percent"],
                            [(book.names[k], *[_number(book.score(k, a)) for a in book.assignments],
                              f"{book.total(k):g}", f"{book.percent(k):g}") for k in book.students]))
    return pages.page("Term gradebook", "\n".join(body))


def output_paths(out: Path) -> dict[str, Path]:
    return {"plain": out, "canvas": out.with_name(out.stem + "_canvas.csv"),
            "moodle": out.with_name(out.stem + "_moodle.csv"), "report": out.with_name(out.stem + "_report.html")}


def build_gradebook(grades: Path | str, out: Path | str, *, weights: str | Path | None = None,
                    overwrite: bool = False, quiet: bool = False) -> Gradebook:
    """Read ``grades``, write the four gradebook files next to ``out``, print the problems found."""
    out = Path(out)
    paths = output_paths(out)
    if not overwrite:
        for path in paths.values():
            if path.exists():
                raise FileExistsError(f"{path} already exists; pass --overwrite to replace it")
    book = read_gradebook(grades, weights, skip=tuple(paths.values()))
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(paths["plain"], plain_gradebook_csv(book), overwrite)
    atomic_write(paths["canvas"], canvas_gradebook_csv(book), overwrite)
    atomic_write(paths["moodle"], moodle_gradebook_csv(book), overwrite)
    atomic_write(paths["report"], render_gradebook_report(book), overwrite)
    if not quiet:
        for problem in book.problems:
            print(problem, file=sys.stderr)
        print(f"Wrote {paths['plain']} ({len(book.students)} students x {len(book.assignments)} assignments, "
              f"{len(book.problems)} problem(s) listed above), {paths['canvas'].name}, {paths['moodle'].name} "
              f"and {paths['report'].name}", file=sys.stderr)
    return book
