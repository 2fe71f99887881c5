"""The class report: one offline HTML page per grading run, showing instructors what to re-teach and which submissions to look at.

``grade`` writes ``x_report.html`` next to ``x.csv``. ``class_summary`` computes every number the
page shows (so tests can check them against fixtures with known answers); ``write_report`` draws
the page: score distribution, pass rate per question, the most common failed check (test or hint)
per question with how many submissions hit it, every submission that did not grade normally or was
flagged with the reason, and the time each submission took.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from pathlib import Path
from typing import Any

from . import pages
from .results import STATUS_HELP, atomic_write
from .submissions import Autograder, Row

TOP_MESSAGES = 3      # failed checks listed per question


def tests_ran(row: Row) -> bool:
    """True when the notebook ran to the end and otter scored its questions (whatever the score)."""
    return bool(row.feedback) or row.status in ("graded", "graded-with-errors")


def class_summary(rows: list[Row], autograder: Autograder) -> dict[str, Any]:
    """Every figure of the class report, computed from the graded rows."""
    ran = [r for r in rows if tests_ran(r)]
    questions = []
    for q in autograder.auto:
        passed = sum(1 for r in ran if r.scores.get(q.name, 0.0) >= q.points)
        failures: Counter[str] = Counter()
        for r in ran:
            if r.scores.get(q.name, 0.0) < q.points:
                failures.update(set(r.feedback.get(q.name, [])) or {"(no message: the check failed without one)"})
        questions.append({"name": q.name, "points": q.points, "passed": passed, "ran": len(ran),
                          "pass_rate": passed / len(ran) if ran else None,
                          "top_failures": sorted(failures.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_MESSAGES]})
    totals = [r.total for r in rows]
    seconds = [r.seconds for r in rows]
    return {
        "assignment": autograder.name,
        "possible": autograder.possible,
        "submissions": len(rows),
        "ran": len(ran),
        "status_counts": dict(sorted(Counter(r.status for r in rows).items())),
        "distribution": dict(sorted(Counter(totals).items())),
        "mean": statistics.fmean(totals) if totals else None,
        "median": statistics.median(totals) if totals else None,
        "questions": questions,
        "attention": [{"student": r.student, "file": r.file, "status": r.status, "reason": r.message,
                       "flags": list(r.flags)} for r in rows if r.status != "graded" or r.flags],
        "seconds": {r.student: r.seconds for r in rows},
        "seconds_mean": statistics.fmean(seconds) if seconds else None,
        "seconds_max": max(seconds) if seconds else None,
    }


def _charts(summary: dict[str, Any]) -> str:
    import altair as alt

    from ttpbook import theme

    possible = summary["possible"]
    distribution = [{"score": k, "submissions": v} for k, v in summary["distribution"].items()]
    scores = alt.Chart(alt.Data(values=distribution)).mark_bar(color=theme.PALETTE[0], size=14).encode(
        x=alt.X("score:Q", title=f"Autograded score (out of {possible:g})", scale=alt.Scale(domain=[0, possible])),
        y=alt.Y("submissions:Q", title="Submissions", axis=alt.Axis(tickMinStep=1)),
    ).properties(width=theme.WIDTH, height=200, title="Score distribution")
    rates = [{"question": q["name"], "pass rate": q["pass_rate"] or 0.0, "passed": q["passed"], "ran": q["ran"]}
             for q in summary["questions"]]
    order = [q["name"] for q in summary["questions"]]
    passing = alt.Chart(alt.Data(values=rates)).mark_bar(color=theme.PALETTE[2]).encode(
        y=alt.Y("question:N", sort=order, title="Question"),
        x=alt.X("pass rate:Q", title="Share of graded submissions with full marks",
                scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
    ).properties(width=theme.WIDTH, height=22 * max(1, len(rates)), title="Pass rate per question")
    times = sorted(summary["seconds"].values())
    width = max(1.0, round((max(times) if times else 1) / 20, 1))
    binned = Counter(int(t // width) for t in times)
    time_rows = [{"from": k * width, "to": (k + 1) * width, "submissions": n} for k, n in sorted(binned.items())]
    timing = alt.Chart(alt.Data(values=time_rows)).mark_bar(color=theme.PALETTE[1]).encode(
        x=alt.X("from:Q", title="Seconds to grade one submission", bin="binned"), x2="to:Q",
        y=alt.Y("submissions:Q", title="Submissions", axis=alt.Axis(tickMinStep=1)),
    ).properties(width=theme.WIDTH, height=160, title="Time per submission")
    ran = summary["ran"]
    return "".join([
        "<h2>Scores</h2>",
        pages.figure(scores, "Score distribution.",
                     f"How many of the {summary['submissions']} submissions got each autograded score out of "
                     f"{possible:g}. Submissions that could not be graded count as 0.",
                     ["Score", "Submissions"], [(f"{d['score']:g}", d["submissions"]) for d in distribution]),
        "<h2>Questions</h2>",
        pages.figure(passing, "Pass rate per question.",
                     f"For each autograded question, the share of the {ran} submissions whose tests ran "
                     "that got full marks on it.",
                     ["Question", "Full marks", "Of", "Pass rate"],
                     [(r["question"], r["passed"], r["ran"], f"{r['pass rate']:.0%}") for r in rates]),
        "<h2>Time</h2>",
        pages.figure(timing, "Time per submission.",
                     f"Seconds each submission took to grade, in bins of {width:g} s; mean "
                     f"{summary['seconds_mean'] or 0:.1f} s, longest {summary['seconds_max'] or 0:.1f} s.",
                     ["From (s)", "To (s)", "Submissions"],
                     [(f"{r['from']:g}", f"{r['to']:g}", r["submissions"]) for r in time_rows]),
    ])


def render_report(summary: dict[str, Any], rows: list[Row], *, timeout: float | None = None,
                  wall_seconds: float | None = None, isolation: str = "", ignored: list[str] = ()) -> str:
    """The whole report page as HTML."""
    title = f"Class report: {summary['assignment']}"
    mean = "n/a" if summary["mean"] is None else f"{summary['mean']:.2f}"
    median = "n/a" if summary["median"] is None else f"{summary['median']:g}"
    items = [f"{summary['submissions']} submissions", f"{summary['ran']} graded to the end",
             f"mean {mean} / {summary['possible']:g}", f"median {median}"]
    if wall_seconds is not None:
        items.append(f"batch took {wall_seconds:.0f} s")
    body = [f"<h1>{pages.esc(title)}</h1>",
            f'<p class="muted">Written {dt.datetime.now().strftime("%Y-%m-%d %H:%M")}'
            + (f"; time limit {timeout:g} s per submission" if timeout else "") + ". "
            + pages.esc(isolation) + "</p>",
            '<ul class="summary">' + "".join(f"<li>{pages.esc(i)}</li>" for i in items) + "</ul>",
            pages.table(["Status", "Submissions", "Meaning"],
                        [(s, n, STATUS_HELP.get(s, "")) for s, n in summary["status_counts"].items()],
                        caption="Submissions by status")]
    if ignored:
        body.append(f'<p class="warning">Ignored (not .ipynb): {pages.esc(", ".join(ignored))}</p>')
    body.append(_charts(summary))
    body.append("<h2>Most common failed checks</h2><p>For each question, the messages of the failed tests "
                "(public checks and the hints of hidden tests) that most submissions hit: what to re-teach.</p>")
    failure_rows = [(q["name"], message, count) for q in summary["questions"] for message, count in q["top_failures"]]
    body.append(pages.table(["Question", "Failed check or hint", "Submissions"], failure_rows)
                if failure_rows else "<p>No failed check: every graded submission passed every question.</p>")
    body.append("<h2>Submissions to look at</h2><p>Every submission that did not grade normally, or whose code "
                "was flagged (flags do not change a score).</p>")
    attention = [(a["student"], a["file"], a["status"], a["reason"], "; ".join(a["flags"])) for a in summary["attention"]]
    body.append(pages.table(["Student", "File", "Status", "Reason", "Flags"], attention)
                if attention else "<p>None: every submission graded normally and none was flagged.</p>")
    body.append("<h2>Every submission</h2>")
    body.append(pages.table(["Student", "Status", "Score", "Seconds"],
                            [(r.student, r.status, f"{r.total:g}", f"{r.seconds:.1f}") for r in rows]))
    return pages.page(title, "\n".join(body))


def write_report(rows: list[Row], autograder: Autograder, path: Path, *, overwrite: bool = False,
                 timeout: float | None = None, wall_seconds: float | None = None, isolation: str = "",
                 ignored: list[str] = ()) -> Path:
    """Write the class report of ``rows`` to ``path`` (atomically; never over a file unless ``overwrite``)."""
    summary = class_summary(rows, autograder)
    text = render_report(summary, rows, timeout=timeout, wall_seconds=wall_seconds, isolation=isolation,
                         ignored=list(ignored))
    atomic_write(Path(path), text, overwrite)
    return Path(path)
