"""The command line: ``python -m ttpbook.grading assign | grade | gradebook | gradescope | check``, which the Make targets call."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import __doc__ as PACKAGE_DOC
from .assign import assign
from .batch import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT, grade
from .leaks import check
from .masters import EXERCISES, AssignError
from .sandbox import SandboxError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ttpbook.grading", description=PACKAGE_DOC.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p_assign = sub.add_parser("assign", help="generate student notebooks and autograders from the masters")
    p_assign.add_argument("names", nargs="*", help="master names (default: all)")
    p_assign.add_argument("--out", type=Path, default=EXERCISES, help="output root (default: exercises/)")
    p_assign.add_argument("--no-run-tests", action="store_true", help="skip otter's check of the solutions")

    p_grade = sub.add_parser("grade", help="grade a folder of .ipynb submissions into a CSV, feedback and a report")
    p_grade.add_argument("assignment")
    p_grade.add_argument("submissions", type=Path)
    p_grade.add_argument("out", type=Path)
    p_grade.add_argument("--format", choices=["plain", "canvas"], default="plain")
    p_grade.add_argument("--overwrite", action="store_true", help="replace OUT, its feedback folder and report")
    p_grade.add_argument("--jobs", type=int, default=None, help="parallel workers (default: usable cores)")
    p_grade.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per submission")
    p_grade.add_argument("--memory-mb", type=int, default=DEFAULT_MEMORY_MB, help="memory per process")
    p_grade.add_argument("--dist", type=Path, default=EXERCISES / "dist", help="where `assign` wrote the autograders")
    p_grade.add_argument("--canvas-assignment", default=None,
                         help='Canvas column title, e.g. "Background exercises (123456)"')
    p_grade.add_argument("--roster", type=Path, default=None,
                         help="a Canvas gradebook export, to fill in names, IDs and sections")
    p_grade.add_argument("--allow-unsandboxed", action="store_true",
                         help="grade even when bubblewrap cannot isolate submissions (needed as root)")

    p_book = sub.add_parser("gradebook", help="merge a folder of grades CSVs into one term gradebook")
    p_book.add_argument("grades", type=Path, help="folder of grades CSVs, one per assignment, named <assignment>.csv")
    p_book.add_argument("out", type=Path, help="the gradebook CSV; Canvas, Moodle and report files go beside it")
    p_book.add_argument("--weights", default=None,
                        help='weights per assignment: "background=1,capstone=2" or a CSV file (assignment,weight)')
    p_book.add_argument("--overwrite", action="store_true", help="replace existing gradebook files")

    p_gs = sub.add_parser("gradescope", help="rehearse the Gradescope route: run an autograder zip's own "
                                             "run_autograder on one submission in a disposable /autograder")
    p_gs.add_argument("zip", type=Path, help="the autograder zip, e.g. exercises/dist/background/autograder/background-autograder.zip")
    p_gs.add_argument("submission", type=Path, help="a submitted notebook")

    sub.add_parser("check", help="lint the masters and look for answers in public files")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    try:
        if args.command == "assign":
            assign(args.names or None, args.out, run_tests=not args.no_run_tests)
        elif args.command == "grade":
            grade(args.assignment, args.submissions, args.out, fmt=args.format, overwrite=args.overwrite,
                  jobs=args.jobs, timeout=args.timeout, memory_mb=args.memory_mb, dist=args.dist,
                  canvas_assignment=args.canvas_assignment, roster=args.roster,
                  allow_unsandboxed=args.allow_unsandboxed)
        elif args.command == "gradebook":
            from .gradebook import build_gradebook

            build_gradebook(args.grades, args.out, weights=args.weights, overwrite=args.overwrite)
        elif args.command == "gradescope":
            import json

            from .gradescope import run_gradescope

            print(json.dumps(run_gradescope(args.zip, args.submission), indent=2))
        else:
            problems = check()
            for problem in problems:
                print(problem)
            print(f"{len(problems)} problem(s)")
            return 1 if problems else 0
    except (AssignError, SandboxError, FileExistsError, FileNotFoundError, ValueError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0
