"""Launch buttons: none while the book's repository is unknown; once it is set, every notebook
chapter offers Binder (and JupyterHub, when configured) links that open that chapter's own file.

The repository and hub addresses below are test fixtures, not the module's real addresses (it
has none yet): the published site gets its address from `_config.yml` or TTPBOOK_REPOSITORY_URL.
"""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import yaml

import site_tools

pytestmark = pytest.mark.build

FIXTURE_REPOSITORY = "https://github.com/example-org/ttp-module"
FIXTURE_BRANCH = "teaching-2027"
FIXTURE_HUB = "https://hub.example.edu"


def notebook_chapters() -> list[str]:
    """Chapters that are notebooks (a kernel in their front matter): these get launch buttons."""
    pages = []
    for page in site_tools.toc_pages():
        text = (site_tools.ROOT / f"{page}.md").read_text(encoding="utf-8")
        front = yaml.safe_load(text.split("---", 2)[1]) if text.startswith("---") else {}
        if "kernelspec" in (front or {}):
            pages.append(page)
    return pages


def links(html: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]+)"', html)]


@pytest.fixture(scope="module")
def site_with_repository(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("launch")
    result = site_tools.build(
        "launch-test", execute="off", output=out,
        extra_env={"TTPBOOK_REPOSITORY_URL": FIXTURE_REPOSITORY, "TTPBOOK_REPOSITORY_BRANCH": FIXTURE_BRANCH,
                   "TTPBOOK_JUPYTERHUB_URL": FIXTURE_HUB})
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    return out / "_build" / "html"


def test_the_chapters_with_code_are_notebooks():
    pages = notebook_chapters()
    assert {"chapters/background", "chapters/reading-the-op-ed", "chapters/talks-2021-22",
            "chapters/policy-coherence"} <= set(pages)


def test_every_notebook_chapter_launches_its_own_file_on_binder(site_with_repository):
    for page in notebook_chapters():
        hrefs = [h for h in links((site_with_repository / f"{page}.html").read_text()) if "mybinder.org" in h]
        assert hrefs == [f"https://mybinder.org/v2/gh/example-org/ttp-module/{FIXTURE_BRANCH}"
                         f"?urlpath=lab/tree/{page}.md"], page
        assert (site_tools.ROOT / f"{page}.md").is_file()


def test_every_notebook_chapter_launches_on_the_jupyterhub_through_nbgitpuller(site_with_repository):
    for page in notebook_chapters():
        hrefs = [h for h in links((site_with_repository / f"{page}.html").read_text())
                 if h.startswith(FIXTURE_HUB)]
        assert len(hrefs) == 1, page
        url = urlparse(hrefs[0])
        assert url.path == "/hub/user-redirect/git-pull"
        query = parse_qs(url.query)
        assert query == {"repo": [FIXTURE_REPOSITORY], "branch": [FIXTURE_BRANCH],
                         "urlpath": [f"lab/tree/ttp-module/{page}.md"]}, page


def test_the_repository_button_and_no_other_project(site_with_repository):
    welcome = (site_with_repository / "chapters" / "welcome.html").read_text()
    assert FIXTURE_REPOSITORY in links(welcome)
    for path in site_with_repository.rglob("*.html"):
        assert "executablebooks/jupyter-book" not in path.read_text(), path.name


def test_the_published_default_has_no_launch_group_but_keeps_the_notebook_download(built_site):
    for page in notebook_chapters():
        html = (built_site["html"] / f"{page}.html").read_text()
        assert "mybinder.org/v2" not in html and "git-pull" not in html, page
        assert re.search(r'href="[^"]+\.ipynb"', html), page


@pytest.mark.parametrize("variable, value, message", [
    ("TTPBOOK_REPOSITORY_URL", "github.com/example-org/ttp-module", "must look like https://github.com/OWNER"),
    ("TTPBOOK_REPOSITORY_URL", "https://example.org/a/b", "must look like https://github.com/OWNER"),
    ("TTPBOOK_JUPYTERHUB_URL", "javascript:alert(1)", "must look like https://hub.example.edu"),
    ("TTPBOOK_REPOSITORY_BRANCH", "main?evil=1", "is not a branch name"),
])
def test_a_malformed_address_stops_the_build_with_a_clear_message(tmp_path, variable, value, message):
    env = {"TTPBOOK_REPOSITORY_URL": FIXTURE_REPOSITORY, variable: value}
    result = site_tools.build("launch-bad", execute="off", output=tmp_path,
                              extra_env=env)
    assert result.returncode != 0
    assert message in result.stdout + result.stderr


def test_the_publishing_workflow_builds_with_the_readme_command_and_names_its_repository():
    """The GitHub Pages workflow cannot run here; check that it builds the way the test above does."""
    workflow = yaml.safe_load((site_tools.ROOT / ".github" / "workflows" / "publish.yml").read_text())
    steps = workflow["jobs"]["build"]["steps"]
    build = next(step for step in steps if step.get("name") == "Build the book")
    assert build["run"].strip() == "make book"
    assert build["env"]["TTPBOOK_REPOSITORY_URL"] == "${{ github.server_url }}/${{ github.repository }}"
    # Launch buttons open the student release (no answer keys), which is pushed only after the
    # book has built and every test has passed.
    assert build["env"]["TTPBOOK_REPOSITORY_BRANCH"] == "student"
    names = [step.get("name", step.get("uses", "")) for step in steps]
    release = next(step for step in steps if "student-release" in step.get("run", ""))
    tests = next(step for step in steps if step.get("run", "").startswith("make test"))
    assert names.index("Build the book") < names.index(tests["name"]) < names.index(release["name"])
    assert "git push" in release["run"] and not any("git push" in step.get("run", "") for step in steps
                                                    if step is not release)
    assert 'make student-release OUT="$RUNNER_TEMP/student"' in release["run"]
    assert "git init -q -b student" in release["run"] and " student\n" in release["run"] + "\n"
    python = next(step for step in steps if step.get("uses", "").startswith("actions/setup-python"))
    assert python["with"]["python-version"] == "3.11"
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "_build/html"


def test_launch_buttons_default_to_the_student_branch():
    """A repository address set by hand in _config.yml opens the student release, not `main`."""
    config = yaml.safe_load((site_tools.ROOT / "_config.yml").read_text())
    assert config["repository"]["branch"] == "student"


@pytest.mark.browser
def test_the_site_with_launch_buttons_stays_offline_and_accessible(site_with_repository, browser_context):
    """The published site (built by the workflow) has the launch menu and the repository button;
    the default build that the other browser tests check does not. Check a chapter of this one
    (built without execution: the page frame and its menus, not the charts): no outside request or
    page error, and no serious axe-core finding."""
    from test_accessibility import AXE, RUN_AXE

    with site_tools.serve(site_with_repository) as base:
        audit = site_tools.PageAudit(browser_context, f"{base}chapters/talks-2021-22.html").open(wait_ms=800)
        audit.page.click("button[aria-label='Launch interactive content']")
        menu = [a.get_attribute("href") for a in audit.page.query_selector_all(".dropdown-launch-buttons a")]
        audit.page.add_script_tag(content=AXE.read_text())
        violations = audit.page.evaluate(RUN_AXE)
        problems = audit.problems()
        audit.close()
    assert len(menu) == 2 and menu[0].startswith("https://mybinder.org/v2/gh/example-org/ttp-module/")
    assert problems == []
    assert [v for v in violations if v["impact"] in ("serious", "critical")] == []
