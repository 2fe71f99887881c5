"""Repairs to the theme's and Sphinx's written pages, made once at build time.

Accessibility. axe-core (tests/test_accessibility.py) finds three problems in markup this book
does not write. They used to be repaired by JavaScript on every page load and DOM change; they are
static, so the build repairs the written HTML instead (the one repair that must wait for the
browser, Vega's brush rectangles, stays in ``_static/accessibility.js``):

1. pydata-sphinx-theme's search buttons carry ``aria-label="Search"``, which hides their visible
   text "Search Ctrl+K" (WCAG 2.5.3, label in name): the label goes, the visible text names them;
2. Font Awesome icon glyphs (colour-mode switch, search, download, sidebar toggles) are drawn as
   text by the theme's CSS, which a screen reader would read out, and their ``title`` contradicts
   the button's label (WCAG 2.5.3): every icon gets ``aria-hidden="true"`` and loses its
   ``title`` (the buttons and links around them carry the names);
3. sphinxcontrib-bibtex's bibliography is a ``role="list"`` whose items carry the deprecated
   ``doc-biblioentry`` role (axe: aria-required-children): the list role goes;
4. boxes that scroll must be reachable with the keyboard (axe: scrollable-region-focusable): the
   book's data tables (``.ttp-data-table``, a scroll box in book.css) get ``tabindex="0"``.

Weight. The theme loads ``scripts/fontawesome.js`` (1.5 MB, every icon as JavaScript that turns
each ``<i>`` into an SVG) on every page, although its stylesheet already draws the same icons
from Font Awesome's web font (which every page loads anyway). The script tag goes. It also loads
Sphinx's search tools and the whole search index (0.13 MB) on every page for its search-as-you-
type box; with that option off (the default, and this book's) the search box sends the reader to
search.html, which loads them itself. Those three tags go too, on every other page.

Runs at ``build-finished`` over the pages this build wrote (the others were repaired when they
were written). If the theme's search button or Font Awesome script stop matching, the build
warns: the theme's markup changed and this file needs a look.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

SEARCH_LABEL = re.compile(r'(<button class="btn search-button-field[^"]*"[^>]*?) aria-label="Search"')
ICON = re.compile(r'<(i|span)\b(?![^>]*aria-hidden)([^>]*\bclass="(?:[^"]*\s)?(?:fa[srb]?|fa-(?:solid|regular|brands))\b[^"]*"[^>]*)>')
TITLE_ATTRIBUTE = re.compile(r'\s+title="[^"]*"')
CITATION_LIST = re.compile(r'<div role="list" class="citation-list">')
SCROLL_BOX = re.compile(r'<table\b[^>]*\bclass="(?:[^"]*\s)?ttp-data-table\b[^>]*>')
INLINE_SEARCH_SCRIPTS = re.compile(r'\s*<script src="[^"]*(?:_static/searchtools\.js|_static/language_data\.js|'
                                   r'searchindex\.js)"></script>')
SEARCH_AS_YOU_TYPE_OFF = "DOCUMENTATION_OPTIONS.search_as_you_type = false;"
FONT_AWESOME_SCRIPT = re.compile(r'\s*<script defer src="[^"]*_static/scripts/fontawesome\.js[^"]*"></script>')


def _hide_icon(icon: re.Match) -> str:
    return f'<{icon.group(1)} aria-hidden="true"{TITLE_ATTRIBUTE.sub("", icon.group(2))}>'


def repair(page: str) -> tuple[str, dict[str, int]]:
    """The page with the repairs made, and how many times the theme-specific patterns matched."""
    page, search_buttons = SEARCH_LABEL.subn(r"\1", page)
    page = ICON.sub(_hide_icon, page)
    page = CITATION_LIST.sub('<div class="citation-list">', page)
    page = SCROLL_BOX.sub(lambda box: box.group(0) if "tabindex" in box.group(0)
                          else box.group(0)[:-1] + ' tabindex="0">', page)
    page, scripts = FONT_AWESOME_SCRIPT.subn("", page)
    if SEARCH_AS_YOU_TYPE_OFF in page and 'id="search-results"' not in page:  # not on search.html
        page = INLINE_SEARCH_SCRIPTS.sub("", page)
    return page, {"search button label": search_buttons, "Font Awesome script": scripts}


def on_builder_inited(app: Sphinx) -> None:
    app.ttpbook_build_started = time.time()  # type: ignore[attr-defined]


def repair_written_pages(app: Sphinx, exception: Exception | None) -> None:
    # The website's builders only: the EPUB is written by an HTML-format builder too, without the theme.
    if exception is not None or app.builder.name not in ("html", "dirhtml", "singlehtml"):
        return
    started = getattr(app, "ttpbook_build_started", 0.0) - 1
    written = [p for p in Path(app.outdir).rglob("*.html") if p.stat().st_mtime >= started]
    matched = {"search button label": 0, "Font Awesome script": 0}
    for path in written:
        text = path.read_text(encoding="utf-8")
        repaired, found = repair(text)
        matched = {name: matched[name] + found[name] for name in matched}
        if repaired != text:
            path.write_text(repaired, encoding="utf-8")
    missing = [name for name, count in matched.items() if not count]
    if written and missing:
        logger.warning("theme_markup: nothing matched %s on the %d pages written; the theme's markup has "
                       "changed, so check _ext/theme_markup.py", missing, len(written))


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", on_builder_inited)
    app.connect("build-finished", repair_written_pages)
    return {"version": "1.3", "env_version": 4, "parallel_read_safe": True, "parallel_write_safe": True}
