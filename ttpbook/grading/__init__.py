"""Graded exercises: build student notebooks and autograders from the masters, grade a folder of
submissions on this machine in sandboxes (no Docker), and report on a class and a term.

    python -m ttpbook.grading assign [NAME ...]                 # every master, or the named ones
    python -m ttpbook.grading grade ASSIGNMENT SUBMISSIONS_DIR OUT.csv [--format plain|canvas]
                                     [--overwrite] [--jobs N] [--timeout S] [--memory-mb M]
    python -m ttpbook.grading gradebook GRADES_DIR OUT.csv [--weights W] [--overwrite]
    python -m ttpbook.grading gradescope AUTOGRADER.zip SUBMISSION.ipynb   # the Gradescope route, rehearsed
    python -m ttpbook.grading check                             # lint the masters, look for leaks

One module per job:

- ``masters``: read and lint the otter masters in ``exercises/masters/``;
- ``leaks``: find solutions or hidden tests in files students receive;
- ``assign``: generate the student notebooks and the autograders;
- ``submissions``: read, check and clean submissions before any of their code runs;
- ``sandbox``: run a submission's grading process under bubblewrap with prlimit limits;
- ``child``: the grading process inside the sandbox (otter's own machinery);
- ``batch``: grade a folder in parallel and score each result;
- ``results``: the grades CSV (plain or Canvas), feedback files, atomic writes;
- ``report``: the class report of one run; ``pages``: the offline HTML pages it uses;
- ``gradebook``: a term's runs merged into one table, with Canvas and Moodle imports;
- ``gradescope``: run an autograder zip the way Gradescope would, in a disposable root;
- ``cli``: the command line.

Student notebooks import none of this: their tests use ``ttpbook.checks``.
"""

from .assign import assign
from .batch import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT, grade
from .leaks import check, find_leaks, hidden_fragments, solution_fragments
from .masters import EXERCISES, MASTERS, ROOT, AssignError, Master, Question, lint_master, master_paths, read_master
from .submissions import Row, find_autograder

# Autograders generated before the checks moved to ttpbook.checks import them from here.
from ttpbook.checks import exact_counts, exact_float, exact_int, exact_ints, exact_labels, exact_str, label_report

__all__ = ["exact_counts", "exact_float", "exact_int", "exact_ints", "exact_labels", "exact_str", "label_report",
           "AssignError", "DEFAULT_MEMORY_MB", "DEFAULT_TIMEOUT", "EXERCISES", "MASTERS", "Master", "Question",
           "ROOT", "Row", "assign", "check", "find_autograder", "find_leaks", "grade", "hidden_fragments",
           "lint_master", "master_paths", "read_master", "solution_fragments"]
