"""A whole course: the class report of a run, the term gradebook, the Gradescope route, and
nothing left running afterwards.

The class is a fixture with known answers: two solutions (one flagged), a blank notebook, a
partial one, two with anticipated wrong answers, and three broken files. Every rate, count and
flagged row the report shows is compared with what those files hold.
"""

from __future__ import annotations

import csv
import html.parser
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures"))
import grading_support as gs  # noqa: E402
from ttpbook.grading import gradebook, sandbox  # noqa: E402
from ttpbook.grading.masters import Question  # noqa: E402
from ttpbook.grading.report import class_summary  # noqa: E402
from ttpbook.grading.results import plain_csv  # noqa: E402
from ttpbook.grading.submissions import Autograder, Row  # noqa: E402

NAME = "background"
PARTIAL = ["q1", "q2", "q3"]                  # answered in the partial notebook; the rest blank
WRONG_ALL = {"q1": "change_2021_2024 = -1433", "q2": "ttp_change_2021_2023 = 458",
             "q3": "highest_2024_deaths = 2546", "q4": "ratio_2024 = 852 / 2555",
             "q5": "crss_revision = -9", "q6": "un_low_change = 2500",
             "q7": "operations_2004_2018 = 5", "q8": "unama_preliminary_killed = 17"}
WRONG_SOME = {"q4": "ratio_2024 = 3", "q5": "crss_rise_pct = 3417 / 2555 * 100"}
HINTS = {"q4": "do not round", "q1": "subtracted the wrong way round"}


class Tables(html.parser.HTMLParser):
    """Every <table> of a page as a list of rows of cell texts, and every <h2>."""

    def __init__(self, text: str):
        super().__init__()
        self.tables, self.headings, self._cell, self._row, self._h2 = [], [], None, None, None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = ""
        elif tag == "h2":
            self._h2 = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._row is not None:
            self._row.append(self._cell.strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1].append(self._row)
            self._row = None
        elif tag == "h2":
            self.headings.append(self._h2.strip())
            self._h2 = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data
        if self._h2 is not None:
            self._h2 += data

    def table_with(self, first_header: str) -> list[list[str]]:
        return next(t for t in self.tables if t and t[0][0] == first_header and len(t[0]) > 1)


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    base = tmp_path_factory.mktemp("class")
    subs = base / "submissions"
    points = gs.question_points(NAME)
    gs.write(gs.submission(NAME), subs / "solved.ipynb")
    gs.write(gs.submission(NAME, {"q8": "import subprocess  # not used"}), subs / "flagged.ipynb")
    gs.write(nbformat.read(gs.student_notebook(NAME), as_version=4), subs / "blank.ipynb")
    gs.write(gs.submission(NAME, {q: None for q in points if q not in PARTIAL}), subs / "partial.ipynb")
    gs.write(gs.submission(NAME, WRONG_ALL), subs / "wrong_all.ipynb")
    gs.write(gs.submission(NAME, WRONG_SOME), subs / "wrong_some.ipynb")
    (subs / "empty.ipynb").write_bytes(b"")
    good = (subs / "solved.ipynb").read_bytes()
    (subs / "truncated.ipynb").write_bytes(good[: len(good) // 3])
    (subs / "json_not_notebook.ipynb").write_text('{"hello": "world"}')
    out = base / "results" / f"{NAME}.csv"
    proc = gs.run_grade(NAME, subs, out, "--jobs", "2")
    leftovers = gs.grader_leftovers()
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {"out": out, "rows": gs.read_rows(out), "points": points, "leftovers": leftovers,
            "report": out.with_name(f"{NAME}_report.html"), "proc": proc}


def _expected_passed(points: dict[str, float]) -> dict[str, int]:
    """Full marks per question, from what each fixture file holds."""
    return {q: 2 + (q in PARTIAL) + (q not in WRONG_SOME) for q in points}   # solved, flagged, partial, wrong_some


def test_report_sits_next_to_the_csv_and_nothing_is_left_running(graded_class):
    assert graded_class["report"].is_file()
    assert graded_class["leftovers"] == []


def test_report_pass_rates_equal_the_fixtures(graded_class):
    page = Tables(graded_class["report"].read_text())
    rates = {row[0]: row[1:] for row in page.table_with("Question")[1:]}
    expected = _expected_passed(graded_class["points"])
    assert set(rates) == set(expected)
    for question, passed in expected.items():
        assert rates[question] == [str(passed), "6", f"{passed / 6:.0%}"], (question, rates[question])


def test_report_lists_the_most_common_failed_checks(graded_class):
    page = Tables(graded_class["report"].read_text())
    failures = next(t for t in page.tables if t[0] == ["Question", "Failed check or hint", "Submissions"])
    by_question: dict[str, list[tuple[str, int]]] = {}
    for question, message, count in failures[1:]:
        by_question.setdefault(question, []).append((message, int(count)))
    # q4 fails in blank and partial (the answer is still `...`: one public and one hidden check
    # fail, 2 submissions each), in wrong_all (a hint) and in wrong_some (another hint): 1 each.
    q4 = by_question["q4"]
    assert [c for _, c in q4] == [2, 2, 1], q4
    assert {m.split(":")[0] for m, _ in q4[:2]} == {"public test", "hidden test"}, q4
    assert "Hint:" in q4[2][0], q4
    # q1 fails only in blank (a public and a hidden check) and in wrong_all (its hint): 1 each.
    q1 = by_question["q1"]
    assert [c for _, c in q1] == [1, 1, 1], q1
    assert any(HINTS["q1"] in m for m, _ in q1), q1
    expected_failing = {q: 6 - n for q, n in _expected_passed(graded_class["points"]).items()}
    for question, failing in expected_failing.items():
        assert sum(c for _, c in by_question[question]) >= failing   # every failing submission is counted


def test_report_flags_every_abnormal_submission_and_only_those(graded_class):
    page = Tables(graded_class["report"].read_text())
    attention = {row[0]: row[1:] for row in page.table_with("Student")[1:] if len(row) == 5}
    assert set(attention) == {"flagged", "empty", "truncated", "json_not_notebook"}
    assert attention["flagged"][1] == "graded" and "starts processes" in attention["flagged"][3]
    assert attention["empty"][1] == "not-a-notebook" and "empty" in attention["empty"][2]
    assert "not valid JSON" in attention["truncated"][2]
    assert "without notebook cells" in attention["json_not_notebook"][2]


def test_report_score_distribution_and_times(graded_class):
    page = Tables(graded_class["report"].read_text())
    distribution = {row[0]: int(row[1]) for row in page.table_with("Score")[1:]}
    totals = {s: float(r["total"]) for s, r in graded_class["rows"].items()}
    assert totals == {"solved": 16, "flagged": 16, "blank": 0, "partial": 6, "wrong_all": 0, "wrong_some": 12,
                      "empty": 0, "truncated": 0, "json_not_notebook": 0}
    assert distribution == {"0": 5, "6": 1, "12": 1, "16": 2}
    everyone = page.table_with("Student")
    seconds_table = [t for t in page.tables if t and t[0] == ["Student", "Status", "Score", "Seconds"]][0]
    assert len(seconds_table) == 1 + 9
    assert "Time" in page.headings and everyone


def test_report_opens_offline_in_chromium_with_its_charts_drawn(graded_class, browser):
    problems = _open_offline(browser, graded_class["report"], charts=3)
    assert problems == []


def _open_offline(browser, path: Path, charts: int) -> list[str]:
    """Open a file with every non-file request blocked; return what went wrong."""
    blocked, errors = [], []
    context = browser.new_context()
    page = context.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:"))
               else (blocked.append(r.request.url), r.abort()))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto(path.as_uri(), wait_until="load")
        drawn = page.evaluate("""() => [...document.querySelectorAll('figure svg')].map(
            s => s.getBoundingClientRect().width > 100 && s.querySelectorAll('path, line, rect').length > 3)""")
    finally:
        context.close()
    problems = [f"blocked request {u}" for u in blocked] + [f"error: {e}" for e in errors]
    if drawn != [True] * charts:
        problems.append(f"charts drawn: {drawn}, expected {charts}")
    return problems


def test_report_summary_on_rows_with_known_answers():
    """class_summary alone, on rows made by hand (no kernel): a control for the numbers."""
    questions = [Question("q1", 2, False), Question("q2", 1, False), Question("w1", 4, True)]
    autograder = Autograder("toy", Path("toy.zip"), questions)
    rows = [Row("a", "a.ipynb", "graded", scores={"q1": 2, "q2": 1}, feedback={"q1": [], "q2": []}),
            Row("b", "b.ipynb", "graded", scores={"q1": 0, "q2": 1}, feedback={"q1": ["hidden test: Hint: x"], "q2": []}),
            Row("c", "c.ipynb", "graded-with-errors", scores={"q1": 0, "q2": 0},
                feedback={"q1": ["hidden test: Hint: x"], "q2": ["public test: y"]}),
            Row("d", "d.ipynb", "timeout", scores={"q1": 0, "q2": 0}, message="timeout after 60 s"),
            Row("e", "e.ipynb", "graded", scores={"q1": 2, "q2": 1}, feedback={"q1": [], "q2": []},
                flags=["overrides comparison"])]
    summary = class_summary(rows, autograder)
    q1, q2 = summary["questions"]
    assert (q1["passed"], q1["ran"], q1["top_failures"]) == (2, 4, [("hidden test: Hint: x", 2)])
    assert (q2["passed"], q2["ran"], q2["top_failures"]) == (3, 4, [("public test: y", 1)])
    assert [a["student"] for a in summary["attention"]] == ["c", "d", "e"]
    assert summary["distribution"] == {0: 2, 1: 1, 3: 2}


# --- the term gradebook --------------------------------------------------------------------------

def _grades_csv(folder: Path, assignment: str, possible: dict[str, float], rows: list[tuple]) -> None:
    """A grades CSV as `grade` writes it: rows are (student, file, status, {question: score})."""
    autograder = Autograder(assignment, Path("x.zip"), [Question(q, p, False) for q, p in possible.items()])
    made = [Row(s, f, status, scores=scores) for s, f, status, scores in rows]
    (folder / f"{assignment}.csv").write_text(plain_csv(made, autograder))


@pytest.fixture
def term(tmp_path):
    grades = tmp_path / "grades"
    grades.mkdir()
    _grades_csv(grades, "background", {"q1": 2, "q2": 2}, [
        ("alice", "alice.ipynb", "graded", {"q1": 2, "q2": 2}),
        ("bob", "bob.ipynb", "graded", {"q1": 2, "q2": 0}),
        ("Carol", "Carol.ipynb", "timeout", {"q1": 0, "q2": 0}),
        ("dan", "dan.ipynb", "grader-error", {"q1": 0, "q2": 0})])
    _grades_csv(grades, "capstone", {"q1": 5, "q2": 5}, [
        ("alice", "alice.ipynb", "graded", {"q1": 5, "q2": 0}),
        ("alice", "alice-2.ipynb", "graded", {"q1": 5, "q2": 5}),      # a duplicate: the higher is kept
        ("carol", "carol.ipynb", "graded", {"q1": 5, "q2": 5}),        # "Carol" elsewhere: a name conflict
        ("dan", "dan.ipynb", "graded", {"q1": 0, "q2": 5})])
    return grades


def test_gradebook_merges_with_clear_messages(term, tmp_path):
    out = tmp_path / "book" / "gradebook.csv"
    book = gradebook.build_gradebook(term, out, quiet=True)
    with open(out, newline="") as f:
        table = {r["student"]: r for r in csv.DictReader(f)}
    assert list(table) == ["alice", "bob", "Carol", "carol", "dan"]
    assert table["alice"] == {"student": "alice", "background": "4", "capstone": "10", "total": "14",
                              "possible": "14", "percent": "100"}
    assert table["bob"]["capstone"] == "" and table["bob"]["total"] == "2"
    assert table["dan"]["background"] == ""          # grader-error: no grade until regraded
    assert table["Carol"]["background"] == "0"       # a timeout is a grade of 0
    problems = "\n".join(book.problems)
    assert "duplicate: alice appears twice in capstone.csv (alice.ipynb and alice-2.ipynb); kept the higher score, from alice-2.ipynb" in problems
    assert "name conflict: 'Carol', 'carol' differ only in case" in problems
    assert "missing: bob has no submission for capstone" in problems
    assert "no grade: dan in background (grader-error" in problems
    assert len(book.problems) == 6   # + missing: Carol (capstone), carol (background)


def test_gradebook_weights_and_lms_files(term, tmp_path):
    out = tmp_path / "gradebook.csv"
    gradebook.build_gradebook(term, out, weights="background=1,capstone=3", quiet=True)
    with open(out, newline="") as f:
        table = {r["student"]: r for r in csv.DictReader(f)}
    assert table["bob"]["percent"] == "12.5"        # (1 x 2/4 + 3 x 0/10) / 4
    assert table["carol"]["percent"] == "75"        # (1 x 0 + 3 x 10/10) / 4
    canvas = list(csv.reader(open(tmp_path / "gradebook_canvas.csv", newline="")))
    assert canvas[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                         "background (autograded)", "capstone (autograded)"]
    assert canvas[1][0].strip() == "Points Possible" and canvas[1][5:] == ["4", "10"]
    assert ["bob", "", "bob", "", "", "2", ""] in canvas
    moodle = list(csv.reader(open(tmp_path / "gradebook_moodle.csv", newline="")))
    assert moodle[0] == ["ID number", "background", "capstone"] and ["alice", "4", "10"] in moodle
    with pytest.raises(ValueError, match="no weight for: capstone"):
        gradebook.build_gradebook(term, tmp_path / "other.csv", weights="background=1", quiet=True)
    with pytest.raises(ValueError, match="no grades CSV: midterm"):
        gradebook.build_gradebook(term, tmp_path / "other.csv", weights="background=1,capstone=1,midterm=2", quiet=True)


def test_gradebook_keys_canvas_downloads_by_user_id(tmp_path):
    grades = tmp_path / "grades"
    grades.mkdir()
    _grades_csv(grades, "a1", {"q1": 1}, [("smithjane_12345_1_a1", "smithjane_12345_1_a1.ipynb", "graded", {"q1": 1})])
    _grades_csv(grades, "a2", {"q1": 1}, [("smithj_12345_9_a2", "smithj_12345_9_a2.ipynb", "graded", {"q1": 1})])
    book = gradebook.build_gradebook(grades, tmp_path / "gb.csv", quiet=True)
    assert book.students == ["canvas:12345"] and book.total("canvas:12345") == 2
    assert any("Canvas user 12345 has different names" in p for p in book.problems)
    canvas = list(csv.reader(open(tmp_path / "gb_canvas.csv", newline="")))
    assert canvas[2][:3] == ["smithjane", "12345", ""]


def test_gradebook_refuses_a_canvas_file_and_an_existing_output(term, tmp_path):
    out = tmp_path / "gradebook.csv"
    gradebook.build_gradebook(term, out, quiet=True)
    with pytest.raises(FileExistsError):
        gradebook.build_gradebook(term, out, quiet=True)
    shutil.copy(tmp_path / "gradebook_canvas.csv", term / "canvas-import.csv")
    with pytest.raises(ValueError, match="Canvas import file"):
        gradebook.build_gradebook(term, tmp_path / "again.csv", quiet=True)


def test_make_gradebook_and_its_report_page(term, tmp_path, browser):
    out = tmp_path / "made" / "gradebook.csv"
    proc = gs.subprocess.run(["make", "--no-print-directory", "gradebook", f"GRADES={term}", f"OUT={out}",
                              "WEIGHTS=background=1,capstone=1"], cwd=gs.ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "duplicate: alice" in proc.stderr and "5 students x 2 assignments" in proc.stderr
    report = out.with_name("gradebook_report.html")
    page = Tables(report.read_text())
    summary = {row[0]: row for row in page.table_with("Assignment")[1:]}
    assert summary["background"][3:5] == ["3", "2"]      # graded, missing (dan: grader-error; carol)
    bands = next(t for t in page.tables if t[0] == ["Assignment", "From %", "To %", "Students"])
    counted = {(a, int(low)): int(n) for a, low, _, n in bands[1:] if int(n)}
    # background: Carol 0 %, bob 50 %, alice 100 %; capstone: dan 50 %, alice and carol 100 %
    assert counted == {("background", 0): 1, ("background", 50): 1, ("background", 90): 1,
                       ("capstone", 50): 1, ("capstone", 90): 2}
    assert _open_offline(browser, report, charts=1) == []


# --- the Gradescope route --------------------------------------------------------------------------

@pytest.mark.skipif(not sandbox.bwrap_works(), reason="the Gradescope rehearsal needs bubblewrap")
def test_gradescope_route_runs_the_zips_own_run_autograder(tmp_path):
    from ttpbook.grading.gradescope import run_gradescope

    zip_path = gs.assigned() / "dist" / NAME / "autograder" / f"{NAME}-autograder.zip"
    points = gs.question_points(NAME)
    cases = {"solved": gs.submission(NAME), "blank": nbformat.read(gs.student_notebook(NAME), as_version=4),
             "wrong_some": gs.submission(NAME, WRONG_SOME)}
    for stem, nb in cases.items():
        path = gs.write(nb, tmp_path / stem / f"{NAME}.ipynb")
        results = run_gradescope(zip_path, path)
        scores = {t["name"]: t["score"] for t in results["tests"] if "score" in t}
        if stem == "solved":
            assert scores == points
        elif stem == "blank":
            assert scores == {q: 0 for q in points}
        else:
            assert scores == {q: (0 if q in WRONG_SOME else p) for q, p in points.items()}
        assert any(t["name"] == "Public Tests" for t in results["tests"])
