"""The graded exercises: masters, generated student notebooks, leaks, the student's checks and
batch grading (full marks, zero, partial scores, the hint of each anticipated wrong answer).

`assign` runs once per session into a temporary folder; each assignment's standard corpus is
graded once with the batch command (see tests/fixtures/grading_support.py)."""

from __future__ import annotations

import csv
import functools
import json
import os
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures"))
import grading_support as gs  # noqa: E402
from ttpbook import checks, grading  # noqa: E402
from ttpbook.grading.results import atomic_write  # noqa: E402

# Every master in exercises/masters/, found automatically, unless TTPBOOK_GRADING_ASSIGNMENTS names a
# subset while one is being developed. grading_support's `assigned()` reads its module-level list when
# it runs, so the discovered list is handed to it here, before any test asks for the assigned output.
if not os.environ.get("TTPBOOK_GRADING_ASSIGNMENTS"):
    gs.ASSIGNMENTS = [path.stem for path in grading.master_paths()]
ASSIGNMENTS = gs.ASSIGNMENTS

# Anticipated wrong answers: question -> (code appended to the solved answer cell, text of the hint
# the student must get). Several variants per assignment; each variant is one submission.
WRONG = {
    "background": [
        {"q1": ("change_2021_2024 = -1433", "subtracted the wrong way round"),
         "q2": ("ttp_change_2021_2023 = 458", "you used the low estimate"),
         "q3": ("highest_2024_publisher = 'SATP (via New Indian Express, A. Sahni)'; highest_2024_deaths = 2236",
                "SATP's 2,236 is high"),
         "q4": ("ratio_2024 = 852 / 2555", "divided the lowest by the highest"),
         "q5": ("crss_rise_pct = (3417 - 2546) / 2546 * 100", "used the original 2024 figure (2,546) as the base"),
         "q6": ("un_low_change = 2500", "you used the high end"),
         "q7": ("operations_2004_2018 = 5", "counted every operation"),
         "q8": ("unama_preliminary_killed = 17", "Add both")},
        {"q1": ("change_2021_2024 = 1437", "ged221_pak_total_best"),
         "q2": ("ttp_change_2021_2023 = 486", "you used the high estimate"),
         "q3": ("highest_2024_deaths = 2546", "published two figures for 2024"),
         "q4": ("ratio_2024 = 2555 / 322", "a province's"),
         "q5": ("crss_rise_pct = (3417 - 2555) / 3417 * 100", "divided by the 2025 figure"),
         "q6": ("un_low_change = 2000", "secondary quote"),
         "q7": ("days_airport_to_zarb = 6", "count the days from 8 June"),
         "q8": ("unama_preliminary_killed = 170", "later quarterly report")},
        {"q2": ("ttp_change_2021_2023 = -493", "subtracted the wrong way round"),
         "q4": ("ratio_2024 = 2546 / 852", "CRSS's original 2,546"),
         "q5": ("crss_revision = -9", "restated figure minus the original"),
         "q6": ("un_low_change = -3000", "subtract the earlier estimate")},
        {"q4": ("ratio_2024 = 3", "do not round"),
         "q5": ("crss_rise_pct = 3417 / 2555 * 100", "Subtract 100")},
    ],
    "reading-the-op-ed": [
        {"q1": ("verdict_counts = dict(claims['verdict'].value_counts()); "
                "verdict_counts['verified'] = int(claims['verdict'].str.contains('verified').sum()); "
                "verdict_counts = {str(k): int(v) for k, v in verdict_counts.items()}",
                "also contains the word 'verified'"),
         "q2": ("disputed_ids = sorted(int(i) for i in claims.loc[claims['verdict'] == 'contested', 'claim_id'])",
                "those are the contested claims"),
         "q3": ("oped_judgement_share = float(sentences['label'].isin(['opinion', 'loaded term']).mean())",
                "you used every sentence"),
         "q4": ("my_labels = {i: ('fact' if l == 'attributed claim' else l) for i, l in my_labels.items()}",
                "is an attributed claim, even when the statement is true"),
         "q5": ("claimant_58 = str(night.loc[night['claimant'].str.startswith('ISPR'), 'claimant'].iloc[0])",
                "gave a different figure for Pakistani soldiers"),
         "q6": ("soldiers_ratio = 1 / soldiers_ratio", "divided ISPR's figure by the Taliban's"),
         "q7": ("oped_term_count = int(terms['used_by'].str.contains('the op-ed').sum())", "case-sensitive")},
        {"q4": ("my_labels = {i: ('opinion' if l == 'loaded term' else l) for i, l in my_labels.items()}",
                "labels match the answer key"),
         "q6": ("min_fighters_ispr = int(fighters.lstrip('>'))", "itself is excluded")},
    ],
    "talks-2021-22": [
        {"q1": ("attacks_2021_after = float(picss.loc[picss['month'] > '2021-12', 'militant_attacks'].mean())",
                "includes the scattered months"),
         "q2": ("killed_2022_before = float(picss_window_range.loc[picss_window_range['month'] < '2022-06', 'killed']"
                ".fillna(0).mean())", "counted the month without a death toll as zero"),
         "q3": ("ucdp_deaths_2021 = float(ucdp_rows_2021.groupby('month')['low'].sum().mean())", "you used the low estimate"),
         "q4": ("state_gain_slow = -state_gain_slow", "the sign is wrong"),
         "q5": ("largest_r = 0.03", "first rate at which the state rejects"),
         "q6": ("pcns_phase = 'talks'", "the timeline's phases follow the dates"),
         "q7": ("my_inside = float(my_range[(my_range.index >= my_start) & (my_range.index < my_end)].mean())",
                "leaves out the last month")},
        {"q1": ("attacks_2021_after = float(attacks_by_month[attacks_by_month.index > '2021-12'].head(3).mean())",
                "only three months after"),
         "q2": ("killed_2022_inside = float(killed_by_month[(killed_by_month.index >= '2022-06') & "
                "(killed_by_month.index <= '2022-08')].mean())", "only three months inside"),
         "q3": ("ucdp_events_2021 = float(ucdp_rows_2021['events'].mean())", "you averaged the rows"),
         "q4": ("state_gain_slow = float(slow_regrouping['group_gain'])", "armed group's gain"),
         "q5": ("largest_r = 0.01", "you kept p at its default"),
         "q6": ("talks_confidence = talks_events['confidence'].value_counts()", "counted the events of every phase"),
         "q7": ("my_after = float(picss.loc[picss['month'] > my_end, 'militant_attacks'].mean())",
                "includes the scattered months")},
        {"q1": ("attacks_2021_inside = float(attacks_by_month.loc['2021-11'])", "uses November 2021 only"),
         "q2": ("killed_2022_before_months = 10", "Count only the months behind the mean"),
         "q3": ("ucdp_events_2021 = float(ucdp_rows_2021.loc[ucdp_rows_2021['dyad_new_id'] == 857, 'events'].mean())",
                "dyad 857 only"),
         "q4": ("p_star_slow = float(models.ceasefire_bargain()['critical_enforcement'])", "p* at the default regrouping rate"),
         "q5": ("gain_at_largest_r = -gain_at_largest_r", "sign of the gain is wrong")},
        {"q2": ("killed_2022_before = float(killed_by_month[(killed_by_month.index >= '2022-03') & "
                "(killed_by_month.index < '2022-06')].mean())", "only three months before"),
         "q3": ("ucdp_deaths_2021 = float(ucdp_rows_2021.groupby('month')['high'].sum().mean())", "high estimate"),
         "q4": ("state_gain_slow = float(models.ceasefire_bargain()['state_gain'])", "default parameters")},
        {"q2": ("killed_2022_before = float(picss_window_range.loc[picss_window_range['month'] < '2022-06', "
                "'militant_attacks'].mean())", "those are means of militant attacks"),
         "q3": ("ucdp_events_2021 = float(ucdp_per_month['events'].sum())", "total for the year")},
    ],
    "policy-coherence": [
        {"q1": ("def agree_variant(a, b):\n    if 'no clear position' in (a, b):\n        return 0.0\n    return models.agreement(a, b)",
                "'no clear position' is not disagreement"),
         "q2": ("fed_taliban_2021 = sum(pair_scores) / len(federal_cells.index.intersection(taliban_cells.index))",
                "treated 'no clear position' as disagreement"),
         "q3": ("fed_documented_2021 = 7", "counted every question"),
         "q4": ("index_2023 = float(models.coherence_index(positions, PAKISTANI, '2023-24')['pairs']['agreement'].mean())",
                "averaged the three pairwise agreements"),
         "q5": ("weighted_index_2025 = float(models.coherence_index(positions, PAKISTANI, '2025-26')['index'])",
                "index with equal weights"),
         "q6": ("top_option = str(models.rank_options(options, {})['option'].iloc[0])", "ranks first with equal weights")},
        {"q1": ("def agree_variant(a, b):\n    valid = ('supports', 'conditional', 'opposes')\n"
                "    if a not in valid or b not in valid:\n        return None\n    return 1.0 if a == b else 0.0",
                "partial agreement, not disagreement"),
         "q2": ("fed_taliban_2021 = sum(pair_scores) / 7", "counted missing cells"),
         "q3": ("fed_documented_2021 = fed_valid_2021", "a 'no clear position' cell is documented"),
         "q4": ("comparisons_2023 = 3", "N counts comparisons"),
         "q5": ("weighted_index_2025 = weighted_sum / models.coherence_index(positions, PAKISTANI, '2025-26')['comparisons']",
                "divided by the number of comparisons"),
         "q6": ("top_score = top_score * 4", "weighted sum")},
        {"q1": ("def agree_variant(a, b):\n    if a == b:\n        return 1.0\n    return models.agreement(a, b)",
                "two 'no clear position' cells are not agreement"),
         "q2": ("fed_taliban_2021 = float(sum(s == 1 for s in pair_scores) / len(pair_scores))",
                "scored conditional against supports as 0"),
         "q3": ("fed_valid_2021 = fed_documented_2021", "is not a position that can be compared"),
         "q4": ("index_2023 = float(models.coherence_index(positions, PAKISTANI, '2025-26')['index'])",
                "chapter's figure for 2025-26"),
         "q5": ("weighted_index_2025 = float(models.coherence_index(positions, PAKISTANI, '2025-26', QUESTION_WEIGHTS)"
                "['pairs']['agreement'].mean())", "averaged the three weighted pairwise agreements")},
        {"q1": ("def agree_variant(a, b):\n    return models.agreement(a, b)", "that is the chapter's rule"),
         "q2": ("fed_taliban_shared = 5", "counted the questions where one actor has 'no clear position'")},
        {"q1": ("def agree_variant(a, b):\n    table = {('supports', 'conditional'): 0.75, ('opposes', 'conditional'): 0.25}\n"
                "    if a == b and a in ('supports', 'conditional', 'opposes'):\n        return 1.0\n"
                "    if 'no clear position' in (a, b):\n        return None\n    return table.get((a, b))",
                "check both orders")},
    ],
    "capstone": [
        {"q1": ("ucdp_change_2022_2024 = -ucdp_change_2022_2024", "subtracted the wrong way round"),
         "q2": ("ratio_2025 = 1 / ratio_2025", "divided the lowest by the highest"),
         "q3": ("disputed_count = int(claims['verdict'].isin(['disputed', 'contested']).sum())",
                "counted the contested claims too"),
         "q4": ("capstone_index = float(models.coherence_index(positions, WITH_KABUL[:3], '2025-26')['index'])",
                "index of the three Pakistani actors"),
         "q5": ("capstone_gain = -capstone_gain", "the sign is wrong")},
        {"q1": ("ucdp_change_2022_2024 = int(ucdp_yearly.set_index('year')['orgvio251_pak_statebased_best'].diff(2)[2024])",
                "state-based violence only"),
         "q2": ("ratio_2025 = float(tolls.loc[tolls['year'] == 2025, 'deaths'].max() / "
                "tolls.loc[tolls['year'] == 2025, 'deaths'].min())", "a province's"),
         "q3": ("not_plain_verified = int((~claims['verdict'].str.contains('verified')).sum())",
                "left out 'verified with qualifications'"),
         "q4": ("capstone_index = float(with_kabul['pairs']['agreement'].mean())", "averaged the six pairwise agreements"),
         "q5": ("capstone_gain = float(models.ceasefire_bargain(c_s=0.1)['state_gain'])", "kept the default regrouping rate")},
        {"q1": ("ucdp_change_2022_2024 = int(total_by_year[2024] - total_by_year[2021])", "change from 2021"),
         "q2": ("ratio_2025 = float(round(ratio_2025))", "do not round"),
         "q3": ("not_plain_verified = int((claims['verdict'] == 'verified').sum())", "number of plainly verified claims"),
         "q4": ("capstone_comparisons = 6", "N counts comparisons"),
         "q5": ("capstone_p_star = float(models.ceasefire_bargain()['critical_enforcement'])", "p* at the default parameters")},
        {"q2": ("ratio_2025 = float(tolls.loc[(tolls['year'] == 2024) & (tolls['geography'] == 'Pakistan'), 'deaths'].max() / "
                "tolls.loc[(tolls['year'] == 2024) & (tolls['geography'] == 'Pakistan'), 'deaths'].min())",
                "those are the 2024 figures"),
         "q5": ("capstone_gain = float(costly_fighting['group_gain'])", "armed group's gain")},
    ],
}

PARTIAL = {"background": ["q1", "q2", "q3"], "reading-the-op-ed": ["q1", "q5"],
           "talks-2021-22": ["q1", "q4", "q6"], "policy-coherence": ["q1", "q3"], "capstone": ["q2", "q5"]}


def test_every_assignment_has_wrong_answers_and_a_partial_submission():
    """A new master needs its anticipated wrong answers (with their hints) and a partial set here."""
    missing = [name for name in ASSIGNMENTS if name not in WRONG or name not in PARTIAL]
    assert missing == [], f"add WRONG and PARTIAL entries for {missing} in tests/test_grading.py"


@functools.lru_cache(maxsize=None)
def standard_batch(name: str):
    """Grade solved, blank, partial and every wrong-answer variant of one assignment, once."""
    folder = gs.WORK / f"standard-{name}"
    subs = folder / "submissions"
    gs.write(gs.submission(name), subs / "solved.ipynb")
    gs.write(nbformat.read(gs.student_notebook(name), as_version=4), subs / "blank.ipynb")
    keep = PARTIAL[name]
    blanked = {q: None for q in gs.question_points(name) if q not in keep}
    gs.write(gs.submission(name, blanked), subs / "partial.ipynb")
    for number, variant in enumerate(WRONG[name]):
        gs.write(gs.submission(name, {q: code for q, (code, _) in variant.items()}), subs / f"wrong{number}.ipynb")
    out = folder / "grades.csv"
    proc = gs.run_grade(name, subs, out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = gs.read_rows(out)
    feedback = {p.stem: p.read_text() for p in (folder / "grades_feedback").glob("*.txt")}
    return rows, feedback, proc


@pytest.fixture(scope="session")
def assigned():
    return gs.assigned()


# --- masters and generated files ---------------------------------------------------------------

@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_master_is_well_formed(name):
    master = grading.read_master(grading.MASTERS / f"{name}.md")
    assert grading.lint_master(master) == []
    auto = [q for q in master.questions if not q.manual]
    manual = [q for q in master.questions if q.manual]
    assert len(auto) >= 5 and len(manual) >= 2
    assert all(q.points > 0 for q in master.questions)
    assert master.hidden_tests and master.public_tests


def test_lint_catches_bare_expressions_and_stray_solution_markers(tmp_path):
    bad = (grading.MASTERS / "background.md").read_text()
    bad = bad.replace('assert exact_int(change_2021_2024) > 0, "Deaths rose', 'exact_int(change_2021_2024) > 0 #, "Deaths rose', 1)
    bad = bad.replace("figures = load(\"published_annual_figures\")",
                      "figures = load(\"published_annual_figures\")  # SOLUTION", 1)
    path = tmp_path / "background.md"
    path.write_text(bad)
    problems = "\n".join(grading.lint_master(grading.read_master(path)))
    assert "bare expression" in problems
    assert "outside a BEGIN/END SOLUTION block" in problems


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_assign_writes_student_and_autograder(assigned, name):
    student = assigned / "student" / name
    assert (student / f"{name}.ipynb").is_file()
    assert (assigned / "dist" / name / "autograder" / f"{name}-autograder.zip").is_file()
    questions = json.loads((assigned / "dist" / name / "questions.json").read_text())
    assert [q["name"] for q in questions] == [q.name for q in grading.read_master(grading.MASTERS / f"{name}.md").questions]
    nb = nbformat.read(student / f"{name}.ipynb", as_version=4)
    nbformat.validate(nb)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    assert nb.metadata["otter"]["assignment_name"] == name


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_committed_student_notebook_is_the_generated_one(assigned, name):
    """exercises/student/ is generated, never edited by hand: it must match a fresh `assign`."""
    committed = grading.EXERCISES / "student" / name
    generated = assigned / "student" / name
    assert committed.is_dir(), "run `python -m ttpbook.grading assign` (make assignments) and commit exercises/student/"
    files = sorted(p.relative_to(generated) for p in generated.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(committed) for p in committed.rglob("*") if p.is_file())
    for rel in files:
        assert (generated / rel).read_bytes() == (committed / rel).read_bytes(), \
            f"{committed / rel} is stale: run `make assignments`"


# --- leaks ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_student_files_contain_no_solution_and_no_hidden_test(assigned, name):
    master = grading.read_master(grading.MASTERS / f"{name}.md")
    assert len(grading.solution_fragments(master)) >= 10
    assert len(grading.hidden_fragments(master)) >= 10
    student_files = [p for p in (assigned / "student" / name).rglob("*") if p.is_file()]
    student_files += [p for p in (assigned / "dist" / name / "student").rglob("*") if p.is_file()]
    assert grading.find_leaks(master, student_files) == []
    nb = json.loads((assigned / "student" / name / f"{name}.ipynb").read_text())
    tests = nb["metadata"]["otter"]["tests"]
    cases = [case for test in tests.values() for suite in test["suites"] for case in suite["cases"]]
    assert cases and not any(case["hidden"] for case in cases)
    assert "# HIDDEN" not in json.dumps(nb)
    assert "BEGIN SOLUTION" not in json.dumps(nb) and "Model answer" not in json.dumps(nb)


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_no_answer_in_chapters_or_committed_student_folder(name):
    master = grading.read_master(grading.MASTERS / f"{name}.md")
    public = [p for p in (grading.ROOT / "chapters").rglob("*") if p.is_file()]
    public += [p for p in (grading.EXERCISES / "student").rglob("*") if p.is_file()]
    assert grading.find_leaks(master, public) == []


def test_leak_check_finds_a_planted_solution_and_hidden_test(assigned, tmp_path):
    master = grading.read_master(grading.MASTERS / "background.md")
    nb = nbformat.read(assigned / "student" / "background" / "background.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("change_2021_2024 = int(by_year[2024] - by_year[2021])"))
    nb.cells.append(nbformat.v4.new_markdown_cell(
        'assert v != 458, "Hint: you used the low estimate (brd241_ttp_bd_low). The question asks for the best estimate."'))
    path = tmp_path / "leaky.ipynb"
    nbformat.write(nb, path)
    leaks = grading.find_leaks(master, [path])
    assert any("solution" in leak for leak in leaks) and any("hidden test" in leak for leak in leaks)


# --- the student's side: grader.check offline ---------------------------------------------------

@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_student_checks_run_offline(assigned, name, tmp_path):
    """Execute the student notebook with correct answers pasted in, from its own folder:
    every grader.check passes, and check_all reports no failure. No network is used (the
    process runs with no proxy and the notebook imports only the book's package)."""
    from nbclient import NotebookClient

    folder = tmp_path / name
    shutil.copytree(assigned / "student" / name, folder)
    student = nbformat.read(folder / f"{name}.ipynb", as_version=4)
    solved = gs.submission(name)
    cells = gs.answer_cells(student)
    solved_cells = gs.answer_cells(solved)
    for question, index in cells.items():
        student.cells[index].source = solved.cells[solved_cells[question]].source
    nbformat.write(student, folder / f"{name}.ipynb")
    client = NotebookClient(student, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(folder)}})
    client.execute()
    checks = {}
    for cell in student.cells:
        if cell.cell_type == "code" and cell.source.startswith("grader.check"):
            text = json.dumps(cell.outputs)
            checks[cell.source] = text
    assert len(checks) == len(cells) + 1  # one per question, plus check_all
    for source, text in checks.items():
        assert "passed" in text and "failed" not in text.lower(), (source, text[:500])
    errors = [o for c in student.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []


def test_blank_student_notebook_gives_plain_language_messages(assigned, tmp_path):
    from nbclient import NotebookClient

    folder = tmp_path / "background"
    shutil.copytree(assigned / "student" / "background", folder)
    nb = nbformat.read(folder / "background.ipynb", as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    text = json.dumps([c.outputs for c in nb.cells if c.cell_type == "code"])
    assert "should be a whole number" in text
    assert not any(o.output_type == "error" for c in nb.cells if c.cell_type == "code" for o in c.outputs)


# --- batch grading: scores and hints -------------------------------------------------------------

@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_solutions_score_full_marks(name):
    rows, feedback, _ = standard_batch(name)
    points = gs.question_points(name)
    row = rows["solved"]
    assert row["status"] == "graded", row
    assert float(row["total"]) == sum(points.values()) == float(row["possible"])
    for question, value in points.items():
        assert float(row[question]) == value


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_blank_notebook_scores_zero(name):
    rows, feedback, _ = standard_batch(name)
    row = rows["blank"]
    assert row["status"] == "graded"
    assert float(row["total"]) == 0
    # Every autograded question says why it failed, in words taken from the master's own asserts
    # (a blank answer trips a public check), never a generic "a check failed".
    master_text = (grading.MASTERS / f"{name}.md").read_text()
    text = feedback["blank"]
    for question in gs.question_points(name):
        section = text.split(f"\n{question}: ", 1)[1].split("\nq", 1)[0].split("\nw", 1)[0]
        messages = [line.strip()[2:].split(": ", 1)[1] for line in section.splitlines() if line.strip().startswith("- ")]
        assert messages, (question, section)
        for message in messages:
            assert message.startswith("not answered: ") or message in master_text, (question, message)


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_partial_submission_gets_partial_score(name):
    rows, _, _ = standard_batch(name)
    points = gs.question_points(name)
    row = rows["partial"]
    expected = {q: (p if q in PARTIAL[name] else 0) for q, p in points.items()}
    assert {q: float(row[q]) for q in points} == expected
    assert float(row["total"]) == sum(expected.values())


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_each_anticipated_wrong_answer_fails_with_its_hint(name):
    rows, feedback, _ = standard_batch(name)
    points = gs.question_points(name)
    for number, variant in enumerate(WRONG[name]):
        student = f"wrong{number}"
        row = rows[student]
        assert row["status"] == "graded", (student, row)
        for question, value in points.items():
            expected = 0 if question in variant else value
            assert float(row[question]) == expected, (student, question, row)
        text = feedback[student]
        for question, (_, hint) in variant.items():
            section = text.split(f"\n{question}: ", 1)[1].split("\nq", 1)[0]
            assert hint in section, (student, question, hint, section)


def test_feedback_never_shows_test_code_or_expected_values():
    rows, feedback, _ = standard_batch("background")
    for text in feedback.values():
        assert "assert " not in text and ">>>" not in text
        assert "== 1433" not in text and "exact_int(" not in text


def test_grades_csv_layout():
    rows, _, _ = standard_batch("background")
    path = gs.WORK / "standard-background" / "grades.csv"
    header = path.read_text().splitlines()[0].split(",")
    assert header[:4] == ["student", "file", "status", "message"]
    assert header[-4:] == ["total", "possible", "flags", "seconds"]
    assert header[4:-4] == list(gs.question_points("background"))
    assert set(rows) == {"solved", "blank", "partial"} | {f"wrong{i}" for i in range(len(WRONG["background"]))}


# --- the output file: atomic, never overwritten silently, Canvas layout --------------------------

def _quick_submissions(folder: Path) -> Path:
    """Submissions that need no kernel (fast): they are rejected before grading."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "alice.ipynb").write_text("")
    (folder / "bob.ipynb").write_text('{"cells": [')
    (folder / "notes.txt").write_text("not a submission")
    return folder


def test_existing_output_is_never_overwritten_without_flag(tmp_path):
    subs = _quick_submissions(tmp_path / "subs")
    out = tmp_path / "grades.csv"
    out.write_text("precious\n")
    proc = gs.run_grade("background", subs, out)
    assert proc.returncode != 0 and "--overwrite" in proc.stderr
    assert out.read_text() == "precious\n"
    assert not (tmp_path / "grades_feedback").exists()
    proc = gs.run_grade("background", subs, out, "--overwrite")
    assert proc.returncode == 0, proc.stderr
    rows = gs.read_rows(out)
    assert set(rows) == {"alice", "bob"}
    assert rows["alice"]["status"] == "not-a-notebook" and "empty" in rows["alice"]["message"]
    assert "not valid JSON" in rows["bob"]["message"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["grades.csv", "grades_feedback", "grades_report.html", "subs"]  # no temp files left


def test_atomic_write_refuses_an_existing_file_even_in_a_race(tmp_path):
    path = tmp_path / "out.csv"
    atomic_write(path, "first\n", overwrite=False)
    with pytest.raises(FileExistsError):
        atomic_write(path, "second\n", overwrite=False)
    assert path.read_text() == "first\n"
    atomic_write(path, "third\n", overwrite=True)
    assert path.read_text() == "third\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_canvas_format(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "smithjane_12345_67890_background.ipynb").write_text("")
    (subs / "s1234567.ipynb").write_text("")
    roster = tmp_path / "roster.csv"
    roster.write_text("Student,ID,SIS User ID,SIS Login ID,Section\n"
                      "    Points Possible,,,,\n"
                      '"Doe, John",555,s1234567,jdoe,Seminar A\n')
    out = tmp_path / "canvas.csv"
    proc = gs.run_grade("background", subs, out, "--format", "canvas", "--roster", str(roster),
                        "--canvas-assignment", "Background exercises (98765)")
    assert proc.returncode == 0, proc.stderr
    with open(out, newline="") as f:
        table = list(csv.reader(f))
    assert table[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Background exercises (98765)"]
    assert table[1][0].strip() == "Points Possible" and table[1][-1] == "16"
    by_id = {r[1]: r for r in table[2:]}
    assert by_id["12345"][0] == "smithjane" and by_id["12345"][-1] == "0"
    assert by_id["555"] == ["Doe, John", "555", "s1234567", "jdoe", "Seminar A", "0"]


def test_exact_helpers_reject_lookalikes():
    import numpy as np
    import pandas as pd

    class Always:
        def __eq__(self, other):
            return True

        __hash__ = object.__hash__

    class SneakyInt(int):
        def __eq__(self, other):
            return True

    assert checks.exact_int(5) == 5 and checks.exact_int(np.int64(5)) == 5 and checks.exact_int(5.0) == 5
    assert checks.exact_int(Always()) is None and checks.exact_int(SneakyInt(1)) is None
    assert checks.exact_int(True) is None and checks.exact_int("5") is None and checks.exact_int(5.5) is None
    assert checks.exact_float(np.float64(2.5)) == 2.5 and checks.exact_float(float("nan")) is None
    assert checks.exact_str("CRSS") == "CRSS" and checks.exact_str(Always()) is None
    assert checks.exact_counts(pd.Series({"a": 2, "b": 0})) == {"a": 2}
    assert checks.exact_counts({"a": Always()}) is None
    assert checks.exact_ints([5, 4]) == [4, 5] and checks.exact_ints(np.array([3])) == [3]
    assert checks.exact_ints([Always()]) is None and checks.exact_ints(Always()) is None


def test_published_site_contains_no_solution_and_no_hidden_test(built_site, tmp_path):
    """The built site (pages, downloads, sources) leaks nothing from the masters. HTML is
    unescaped first, so that a quoted solution cannot hide behind &quot; entities."""
    import html as html_module

    from ttpbook import grading

    files = []
    for index, path in enumerate(p for p in built_site["html"].rglob("*") if p.is_file()
                                 and p.suffix in (".html", ".ipynb", ".md", ".txt", ".json", ".js")
                                 and "_static" not in p.parts):
        if path.suffix == ".html":
            plain = tmp_path / f"{index}-{path.name}.txt"
            plain.write_text(html_module.unescape(path.read_text(encoding="utf-8", errors="replace")))
            files.append(plain)
        else:
            files.append(path)
    assert any(p.suffix == ".ipynb" and "background" in p.name for p in files), "student notebook not offered for download"
    for path in grading.master_paths():
        master = grading.read_master(path)
        assert grading.find_leaks(master, files) == []
