"""The build: it succeeds with no warnings, every notebook executes top to bottom in a fresh
kernel (an empty execution cache, errors stop the build), the output is fresh and in the tests' own
folder, the build mode needs no environment variable, and each page loads only what it uses."""

import re
import subprocess
import sys

import pytest

import site_tools


def test_build_has_no_warnings_or_execution_errors(built_site):
    log = built_site["log"]
    assert "build succeeded" in log
    sphinx_warnings = [line for line in log.splitlines()
                       if re.search(r"WARNING:|ERROR:", line) and "Location 'file:" not in line]
    assert sphinx_warnings == []
    assert "Executing notebook failed" not in log and "CellExecutionError" not in log


def test_index_exists_and_was_produced_by_this_build(built_site):
    index = built_site["html"] / "index.html"
    assert index.exists(), "_build/html/index.html is missing: did Jupyter Book 2.x sneak in?"
    assert index.stat().st_mtime >= built_site["started"] - 1
    welcome = (built_site["html"] / "chapters" / "welcome.html").read_text()
    assert f'<meta name="ttpbook-build" content="{built_site["build_id"]}"' in welcome


def test_every_toc_page_is_built_by_this_build(built_site):
    for page in site_tools.toc_pages():
        html = (built_site["html"] / f"{page}.html").read_text()
        assert built_site["build_id"] in html, f"{page}.html is stale"


def test_notebook_pages_were_executed(built_site):
    """Pages with code cells carry their outputs: the data page's chart and generated listing."""
    html = (built_site["html"] / "chapters" / "data-and-sources.html").read_text()
    assert "altair-viz-" in html
    assert "ucdp_pakistan_yearly_combined.csv" in html


def test_jupyter_book_is_pinned_to_1x():
    import jupyter_book

    assert jupyter_book.__version__.startswith("1."), jupyter_book.__version__


def test_each_chapter_offers_its_executed_notebook(built_site):
    """Every notebook chapter links to its executed .ipynb, and the file has the chapter's outputs."""
    import re

    import nbformat

    for page in site_tools.toc_pages():
        source = site_tools.ROOT / f"{page}.md"
        if "```{code-cell}" not in source.read_text():
            continue
        html = (built_site["html"] / f"{page}.html").read_text()
        links = re.findall(r'href="([^"]+\.ipynb)"', html)
        assert links, f"{page}: no .ipynb download link"
        target = (built_site["html"] / page).parent / links[0]
        notebook = nbformat.read(target.resolve(), as_version=4)
        outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])]
        assert outputs, f"{page}: the downloadable notebook has no outputs"


def test_no_launch_button_points_at_another_project(built_site):
    """Without this book's repository URL configured, no page may offer to launch Jupyter Book's
    own repository (the default Jupyter Book fills in)."""
    for path in built_site["html"].rglob("*.html"):
        assert "executablebooks/jupyter-book" not in path.read_text(), path.name


def test_the_build_sets_book_mode_itself(built_site):
    """site_tools.build removes TTPBOOK_MODE; the pages still come out in book mode (explorers as
    static snapshots, no live widget), because the book's extension sets it."""
    html = (built_site["html"] / "chapters" / "data-and-sources.html").read_text()
    assert 'class="ttp-explorer-snapshot"' in html
    assert "widget-view+json" not in html and "widget-state+json" not in html


def test_the_tests_build_in_their_own_folder(built_site):
    assert built_site["html"] == site_tools.HTML_DIR
    assert site_tools.AUTHOR_HTML not in built_site["html"].parents and built_site["html"] != site_tools.AUTHOR_HTML
    if built_site["author_index_mtime"] is not None:
        assert (site_tools.AUTHOR_HTML / "index.html").stat().st_mtime == built_site["author_index_mtime"]


def test_every_page_loads_heavy_assets_only_where_it_uses_them(built_site):
    """The widget manager, MathJax and Vega load on a page only if it has a widget view, math or a
    chart (and every page that has one loads it)."""
    pages = sorted(built_site["html"].rglob("*.html"))
    assert len(pages) >= len(site_tools.toc_pages())
    found = {str(p.relative_to(built_site["html"])): site_tools.asset_rule_violations(p.read_text()) for p in pages}
    assert {page: v for page, v in found.items() if v} == {}
    # The rule is not vacuous here: some pages have charts and math, and some have neither.
    scripts = {name: " ".join(site_tools.script_sources((built_site["html"] / "chapters" / f"{name}.html").read_text()))
               for name in ("talks-2021-22", "welcome")}
    assert "vega-bundle.js" in scripts["talks-2021-22"] and "mathjax" in scripts["talks-2021-22"]
    assert "vega-bundle.js" not in scripts["welcome"] and "mathjax" not in scripts["welcome"]


@pytest.mark.parametrize("page, planted, expected", [
    ('<p>Text only.</p><script src="_static/mathjax/tex-chtml.js"></script>', "MathJax", "loads the MathJax"),
    ('<div id="altair-viz-1"></div>', "Vega", "uses the Vega but does not load it"),
    ('<p>Text.</p><script src="_static/html-manager/embed.js"></script>', "widget manager", "loads the widget manager"),
    ('<script type="application/vnd.jupyter.widget-view+json">{}</script>', "widget manager", "uses the widget manager"),
])
def test_the_asset_rule_catches_a_planted_fault(page, planted, expected):
    """Failing controls: a page that breaks the rule is reported, naming the asset."""
    assert any(expected in v and planted in v for v in site_tools.asset_rule_violations(page))
    assert site_tools.asset_rule_violations("<p>Text only.</p>") == []


def test_execution_inputs_are_what_the_chapters_import():
    """The Makefile empties the execution cache when a module the chapters import changes, and only
    then: its CHAPTER_MODULES must be exactly the book modules a chapter loads."""
    makefile = (site_tools.ROOT / "Makefile").read_text()
    listed = set(re.search(r"^CHAPTER_MODULES := (.+)$", makefile, re.M).group(1).split())
    imports = set()
    for chapter in (site_tools.ROOT / "chapters").glob("*.md"):
        text = chapter.read_text()
        imports |= set(re.findall(r"^\s*(?:from|import) (ttpbook(?:\.\w+)?)", text, re.M))
        for names in re.findall(r"^\s*from ttpbook import ([\w, ]+)", text, re.M):
            imports |= {f"ttpbook.{name.strip()}" for name in names.split(",")}
    probe = ("import sys; " + "; ".join(f"import {m}" for m in sorted(imports)) +
             "; print(' '.join(sorted(m.split('.', 1)[1] if '.' in m else '__init__' "
             "for m in sys.modules if m == 'ttpbook' or m.startswith('ttpbook.'))))")
    loaded = subprocess.run([sys.executable, "-c", probe], cwd=site_tools.ROOT, capture_output=True, text=True,
                            check=True).stdout.split()
    assert {"preamble", "__init__"} <= set(loaded)
    assert listed == set(loaded)


def test_theme_markup_repairs_and_leaves_the_rest_alone():
    """The build-time repairs (_ext/theme_markup.py) on a page in the theme's markup, and a control
    that needs none of them."""
    sys.path.insert(0, str(site_tools.ROOT / "_ext"))
    import theme_markup

    page = ('<script defer src="../_static/scripts/fontawesome.js?digest=1"></script>'
            '<script>DOCUMENTATION_OPTIONS.search_as_you_type = false;</script>'
            '<script src="../_static/searchtools.js"></script><script src="../searchindex.js"></script>'
            '<button class="btn search-button-field search-button__button" title="Search" aria-label="Search">'
            '<i class="fa-solid fa-magnifying-glass"></i><span>Search</span></button>'
            '<button class="btn" aria-label="Color mode"><i class="theme-switch fa-solid fa-sun" title="Light"></i></button>'
            '<div role="list" class="citation-list"></div><table border="0" class="dataframe ttp-data-table">')
    repaired, matched = theme_markup.repair(page)
    assert matched == {"search button label": 1, "Font Awesome script": 1}
    assert 'aria-label="Search"' not in repaired and "fontawesome.js" not in repaired
    assert "searchindex.js" not in repaired and "searchtools.js" not in repaired
    assert repaired.count('aria-hidden="true"') == 2 and 'title="Light"' not in repaired
    assert 'role="list"' not in repaired and 'class="dataframe ttp-data-table" tabindex="0">' in repaired
    on_search_page = page + '<div id="search-results"></div>'
    assert "searchindex.js" in theme_markup.repair(on_search_page)[0]
    plain = "<p>Nothing of the theme here.</p>"
    assert theme_markup.repair(plain) == (plain, {"search button label": 0, "Font Awesome script": 0})
