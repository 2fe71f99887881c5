"""The student release (what Binder and nbgitpuller hand to students) holds no solution, no
hidden test, no master, no autograder and no test file, and the check that says so catches a
planted one. tests/test_binder.py runs every chapter and assignment from this same release."""

from __future__ import annotations

import shutil

import pytest

from site_tools import ROOT
from ttpbook import grading, release


@pytest.fixture(scope="module")
def student_release(tmp_path_factory):
    return release.build_student_release(tmp_path_factory.mktemp("student-release") / "copy")


def test_release_has_what_students_run(student_release):
    chapters = {p.name for p in (student_release / "chapters").glob("*.md")}
    assert chapters == {p.name for p in (ROOT / "chapters").glob("*.md")}
    notebooks = sorted(p.relative_to(student_release) for p in student_release.glob("exercises/student/*/*.ipynb"))
    assert notebooks == sorted(p.relative_to(ROOT) for p in ROOT.glob("exercises/student/*/*.ipynb"))
    assert len(notebooks) == len(grading.master_paths())
    for needed in ("data/datapackage.json", "ttpbook/data.py", "pyproject.toml", "binder/requirements.txt",
                   "binder/postBuild", "binder/runtime.txt", "references.bib", "LICENSE", "README.md"):
        assert (student_release / needed).is_file(), needed
    assert (student_release / "binder" / "postBuild").stat().st_mode & 0o111, "postBuild lost its execute bit"


def test_release_holds_no_instructor_material(student_release):
    parts = {part for p in student_release.rglob("*") for part in p.relative_to(student_release).parts}
    assert not parts & {"masters", "dist", "tests", ".github", "_ext", "scripts", "instructors-only"}
    assert not list(student_release.rglob("*.zip"))
    assert not list(student_release.rglob("__pycache__"))
    assert release.check_student_release(student_release) == []


def test_the_check_catches_a_planted_master_and_a_planted_solution(student_release, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(student_release, copy)
    shutil.copy(ROOT / "exercises" / "masters" / "background.md", copy / "exercises" / "background.md")
    problems = release.check_student_release(copy)
    assert any("background.md" in p and "solution" in p for p in problems)
    (copy / "exercises" / "background.md").unlink()
    assert release.check_student_release(copy) == []
    master = grading.read_master(ROOT / "exercises" / "masters" / "policy-coherence.md")
    planted = sorted(grading.hidden_fragments(master))[0]
    with open(copy / "chapters" / "policy-coherence.md", "a", encoding="utf-8") as chapter:
        chapter.write("\n" + planted + "\n")
    problems = release.check_student_release(copy)
    assert problems and all("policy-coherence.md" in p and "hidden test" in p for p in problems)
    (copy / "exercises" / "masters").mkdir()
    (copy / "exercises" / "masters" / "notes.txt").write_text("nothing secret, but the folder is instructor-only")
    assert any("instructor-only path" in p for p in release.check_student_release(copy))


def test_release_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "old.txt").write_text("x")
    with pytest.raises(release.ReleaseError, match="not empty"):
        release.build_student_release(tmp_path)


def test_release_command_line(tmp_path):
    import subprocess
    import sys

    out = tmp_path / "cli"
    result = subprocess.run([sys.executable, "-m", "ttpbook.release", str(out)], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "no solution, no hidden test" in result.stdout
    again = subprocess.run([sys.executable, "-m", "ttpbook.release", str(out)], cwd=ROOT,
                           capture_output=True, text=True)
    assert again.returncode == 1 and "not empty" in again.stderr
