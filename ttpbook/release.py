"""The student release: what students receive on Binder or through nbgitpuller, and nothing else.

The repository's main branch holds the assignment masters (solutions and hidden tests) and the
test suite, which uses them. Students must never receive those. This module copies an allow-list
of what running the chapters and the assignments needs into a folder, then checks that folder:
no master, no autograder, no test file, and no solution line or hidden test of any master in any
file. The publishing workflow (.github/workflows/publish.yml) pushes the folder to the
``student`` branch as a single commit with no history, and the launch buttons open that branch.

    python -m ttpbook.release OUT_FOLDER        (or: make student-release OUT=OUT_FOLDER)
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: Everything students need to run the chapters and assignments (paths relative to ROOT).
STUDENT_RELEASE = ("LICENSE", "CITATION.cff", "pyproject.toml", "references.bib", "binder", "chapters",
                   "data", "ttpbook", "exercises/student")
#: Never copied, wherever they appear inside an allowed folder.
SKIPPED = ("__pycache__", ".ipynb_checkpoints", "*.pyc", "*.egg-info")
#: Path parts that mark instructor-only material; the check fails if any file sits under one.
FORBIDDEN_PARTS = {"masters", "dist", "tests", "autograder", ".git"}

STUDENT_README = """\
# The TTP dilemma: a teaching module (student copy)

This is the copy of the module that opens on Binder or on your course's JupyterHub. It holds the
chapters, the data and the exercises: no answer keys.

- `chapters/`: the chapters, as notebooks (MyST Markdown). Run the cells from the top.
- `exercises/student/`: your assignments. `grader.check(...)` cells check your answers as you go.
- `data/`: every table the chapters read, described in `data/datapackage.json`.

The published book, its sources and the instructors' material live in the main repository this
copy was made from. Text and figures: CC BY 4.0; code: MIT (see `LICENSE`).
"""


class ReleaseError(RuntimeError):
    """The release folder holds something students must not receive."""


def build_student_release(out: Path | str, root: Path = ROOT) -> Path:
    """Copy the allow-list into ``out`` (which must not exist or be empty), check it, return it."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise ReleaseError(f"{out} is not empty: give a new folder for the student release.")
    out.mkdir(parents=True, exist_ok=True)
    for name in STUDENT_RELEASE:
        source = root / name
        if not source.exists():
            raise ReleaseError(f"{source} is missing: the student release needs it.")
        target = out / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns(*SKIPPED))
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    (out / "README.md").write_text(STUDENT_README, encoding="utf-8")
    problems = check_student_release(out, root)
    if problems:
        raise ReleaseError("The student release is not safe to hand out:\n" + "\n".join(problems))
    return out


def check_student_release(folder: Path | str, root: Path = ROOT) -> list[str]:
    """Problems that would give students a secret: instructor-only paths, archives, and any
    solution line or hidden test of any master (searched in every file)."""
    from ttpbook import grading

    folder = Path(folder)
    files = [p for p in folder.rglob("*") if p.is_file()]
    problems = [f"{p}: instructor-only path" for p in files
                if FORBIDDEN_PARTS & set(p.relative_to(folder).parts)]
    problems += [f"{p}: archive (an autograder zip holds hidden tests)" for p in files
                 if p.suffix in (".zip", ".gz", ".tar")]
    masters = grading.master_paths(masters_dir=root / "exercises" / "masters")
    if not masters:
        problems.append(f"no masters found under {root / 'exercises' / 'masters'}: nothing to check against")
    for master_path in masters:
        problems += grading.find_leaks(grading.read_master(master_path), files)
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="a new (or empty) folder to write the student release into")
    args = parser.parse_args(argv)
    try:
        out = build_student_release(args.out)
    except ReleaseError as error:
        print(error, file=sys.stderr)
        return 1
    count = sum(1 for p in out.rglob("*") if p.is_file())
    print(f"Student release: {count} files in {out}; checked against every master: no solution, no hidden test.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
