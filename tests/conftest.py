"""Fixtures shared by the tests. The site is built once per test session, with every notebook
executed afresh (no cache), and served on 127.0.0.1 to a headless Debian Chromium."""

from __future__ import annotations

import shutil
import sys
import time
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import site_tools  # noqa: E402


@pytest.fixture(scope="session")
def built_site():
    """Build the book (forced execution, -W -n --keep-going); return its facts for the tests."""
    build_id = uuid.uuid4().hex
    # Start from an empty output folder, so nothing stale can pass for this build's output.
    shutil.rmtree(site_tools.HTML_DIR, ignore_errors=True)
    started = time.time()
    result = site_tools.build(build_id, execute="force")
    log = result.stdout + result.stderr
    (site_tools.ROOT / "_build").mkdir(exist_ok=True)
    (site_tools.ROOT / "_build" / "test-build.log").write_text(log)
    if result.returncode != 0:
        pytest.fail("The book build failed (see _build/test-build.log):\n" + log[-6000:])
    return {"build_id": build_id, "started": started, "log": log, "html": site_tools.HTML_DIR}


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
