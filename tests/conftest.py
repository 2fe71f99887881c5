"""Fixtures shared by the tests, and the lanes the tests run in.

The site is built once per test session into the tests' own folder (_build/test/, through
jupyter-book --path-output), which is emptied first: every notebook executes afresh, into that
folder's empty execution cache, and the print editions' test (tests/test_editions.py) then builds
the PDF and EPUB from that cache, so no chapter runs twice. The author's _build/html is never
touched. The site is served on 127.0.0.1 to a headless Debian Chromium.

Lanes. A test's markers follow from the fixtures it uses, so a new test lands in the right lane
without anyone remembering to mark it:

- ``build``: uses the built site (``built_site``, ``site_url``) or builds the book itself;
- ``browser``: drives Chromium (``browser``, ``browser_context``);
- ``binder``: builds the Binder environment (``binder_env``);
- ``kernel``: starts Jupyter kernels or the grader (marked in its test file, or listed below).

``make test-fast`` runs what has none of these (the pure-Python tests); ``make test`` runs all.
"""

from __future__ import annotations

import shutil
import sys
import time
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import site_tools  # noqa: E402

MARKERS_BY_FIXTURE = {
    "built_site": "build", "site_url": "build", "site_with_repository": "build",
    "browser": "browser", "browser_context": "browser",
    "binder_env": "binder",
    # grading fixtures that run otter and kernels (tests/test_grading*.py)
    "assigned": "kernel", "hostile": "kernel",
}
# Test modules whose tests start kernels or the grader without saying so through a fixture.
KERNEL_MODULES = {"test_grading.py", "test_grading_hostile.py"}
# The tests in those modules that are pure Python (no kernel, no grader run) join the fast lane.
# A test missing from this list (new or renamed) stays in the kernel lane: the safe side.
PURE_PYTHON_IN_KERNEL_MODULES = {
    "test_every_assignment_has_wrong_answers_and_a_partial_submission", "test_master_is_well_formed",
    "test_lint_catches_bare_expressions_and_stray_solution_markers",
    "test_no_answer_in_chapters_or_committed_student_folder",
    "test_atomic_write_refuses_an_existing_file_even_in_a_race", "test_exact_helpers_reject_lookalikes",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        for fixture, marker in MARKERS_BY_FIXTURE.items():
            if fixture in fixtures:
                item.add_marker(marker)
        if item.path.name in KERNEL_MODULES and item.originalname not in PURE_PYTHON_IN_KERNEL_MODULES:
            item.add_marker("kernel")


@pytest.fixture(scope="session")
def built_site():
    """Build the book once (-W -n --keep-going) into an empty _build/test/, so every notebook
    executes afresh (its execution cache starts empty); return the build's facts."""
    build_id = uuid.uuid4().hex
    # Start from an empty output folder, so nothing stale can pass for this build's output.
    shutil.rmtree(site_tools.TEST_OUTPUT, ignore_errors=True)
    author_index = site_tools.AUTHOR_HTML / "index.html"
    author_index_mtime = author_index.stat().st_mtime if author_index.exists() else None
    started = time.time()
    result = site_tools.build(build_id, execute="cache", output=site_tools.TEST_OUTPUT)
    log = result.stdout + result.stderr
    (site_tools.TEST_OUTPUT / "build.log").write_text(log)
    if result.returncode != 0:
        pytest.fail("The book build failed (see _build/test/build.log):\n" + log[-6000:])
    return {"build_id": build_id, "started": started, "log": log, "html": site_tools.HTML_DIR,
            "author_index_mtime": author_index_mtime}


@pytest.fixture(scope="session")
def site_url(built_site):
    with site_tools.serve(built_site["html"]) as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    with site_tools.chromium() as chromium:
        yield chromium


@pytest.fixture
def browser_context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context
    context.close()
