"""Accessibility repairs to the theme's and Sphinx's markup, made once at build time.

axe-core (tests/test_accessibility.py) finds three problems in markup this book does not write.
They used to be repaired by JavaScript on every page load and DOM change; they are static, so
the build repairs the written HTML instead (the one repair that must wait for the browser, Vega's
brush rectangles, stays in ``_static/accessibility.js``):

1. pydata-sphinx-theme's search buttons carry ``aria-label="Search"``, which hides their visible
   text "Search Ctrl+K" (WCAG 2.5.3, label in name): the label goes, the visible text names them;
2. icon glyphs inside labelled buttons (colour-mode switch, search, download) are read as text
   or, once Font Awesome turns them into SVGs, as titles that contradict the button's label
   (WCAG 2.5.3): they get ``aria-hidden="true"`` and lose their ``title``;
3. sphinxcontrib-bibtex's bibliography is a ``role="list"`` whose items carry the deprecated
   ``doc-biblioentry`` role (axe: aria-required-children): the list role goes.

Runs at ``build-finished`` over the pages this build wrote (the others were repaired when they
were written). If the theme's search button stops matching, the build warns: the markup changed
and this file needs a look.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

SEARCH_LABEL = re.compile(r'(<button class="btn search-button-field[^"]*"[^>]*?) aria-label="Search"')
LABELLED_CONTROL = re.compile(r'(<(button|a)\b[^>]*\baria-label="[^"]*"[^>]*>)(.*?)(</\2>)', re.S)
ICON = re.compile(r'<(i|span)\b(?![^>]*aria-hidden)([^>]*\bclass="[^"]*\bfa[srb]?\b[^"]*"[^>]*)>')
TITLE_ATTRIBUTE = re.compile(r'\s+title="[^"]*"')
CITATION_LIST = re.compile(r'<div role="list" class="citation-list">')


def _hide_icons(match: re.Match) -> str:
    opening, _, inner, closing = match.groups()

    def hide(icon: re.Match) -> str:
        return f'<{icon.group(1)} aria-hidden="true"{TITLE_ATTRIBUTE.sub("", icon.group(2))}>'

    return opening + ICON.sub(hide, inner) + closing


def repair(page: str) -> tuple[str, int]:
    """The page with the three repairs made, and how many search-button labels were removed."""
    page, search_buttons = SEARCH_LABEL.subn(r"\1", page)
    page = LABELLED_CONTROL.sub(_hide_icons, page)
    page = CITATION_LIST.sub('<div class="citation-list">', page)
    return page, search_buttons


def on_builder_inited(app: Sphinx) -> None:
    app.ttpbook_build_started = time.time()  # type: ignore[attr-defined]


def repair_written_pages(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    started = getattr(app, "ttpbook_build_started", 0.0) - 1
    written = [p for p in Path(app.outdir).rglob("*.html") if p.stat().st_mtime >= started]
    search_buttons = 0
    for path in written:
        text = path.read_text(encoding="utf-8")
        repaired, found = repair(text)
        search_buttons += found
        if repaired != text:
            path.write_text(repaired, encoding="utf-8")
    if written and not search_buttons:
        logger.warning("accessible_markup: no theme search button matched on the %d pages written; the "
                       "theme's markup has changed, so check _ext/accessible_markup.py", len(written))


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", on_builder_inited)
    app.connect("build-finished", repair_written_pages)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
