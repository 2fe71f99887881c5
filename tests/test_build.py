"""The build: it succeeds with no warnings, every notebook executes, and the output is fresh."""

import re

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
