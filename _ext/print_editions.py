"""The print and e-book editions inside the Sphinx build (the editions themselves: ``ttpbook.editions``).

1. For the EPUB and single-page (PDF) builds: no launch buttons (nothing to launch on paper; the
   theme's launch code also fails outside the HTML builder), and the book's version from
   ``pyproject.toml`` (EPUB 3 requires one).
2. For the website: when ``make pdf`` / ``make epub`` have written the editions (``_build/pdf``,
   ``_build/epub``), copy them into the site under ``editions/`` and offer them in each page's
   download menu: the chapter's own PDF next to its ``.ipynb``, and the whole book as PDF and EPUB.
   Without them the menu is as before, so no page links to a file the site does not have.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from docutils import nodes

from sphinx.application import Sphinx
from sphinx.config import Config

PRINT_BUILDERS = ("epub", "singlehtml")
# The website's own style sheet stays out of the EPUB: it styles the site's charts and controls, and
# uses selectors (:has) that EPUB 3.2's CSS profile rejects. _config.yml's epub_exclude_files drops it.
EPUB_LEFT_OUT_CSS = {"book.css"}
SITE_FOLDER = "editions"
BOOK_PDF = "ttp-dilemma.pdf"
BOOK_EPUB = "ttp-dilemma.epub"


def _root(app: Sphinx) -> Path:
    return Path(app.confdir)


def _version(root: Path) -> str:
    for line in (root / "pyproject.toml").read_text().splitlines():
        if line.startswith("version"):
            return line.split("=", 1)[1].strip().strip('"')
    return ""


def set_version(app: Sphinx, config: Config) -> None:
    if not config.version:
        config.version = config.release = _version(_root(app))


def print_builder_settings(app: Sphinx) -> None:
    """No launch buttons on paper; an EPUB without the website's scripts, fonts and sources."""
    if app.builder.name not in PRINT_BUILDERS:
        return
    app.config.html_theme_options["launch_buttons"] = {}
    if app.builder.name == "epub":
        # The site's vendored scripts (Vega, widget manager, MathJax) have no use in an EPUB.
        app.config.html_static_path[:] = [p for p in app.config.html_static_path if "offline-assets" not in str(p)]
        # Sphinx leaves files it has no EPUB media type for (the notebook sources, JB's index.html
        # redirect) out of the book, and says so for each; that is what we want, quietly.
        app.config.suppress_warnings = [*app.config.suppress_warnings, "epub.unknown_project_files"]


SCRIPT_OR_STYLE = re.compile(r"<(script|style)\b[^>]*>.*?</\1>", re.DOTALL | re.IGNORECASE)


def static_epub_pages(app: Sphinx, doctree, docname: str) -> None:
    """EPUB pages are static XHTML: drop scripts and inline style blocks from raw HTML (a reading
    system runs no page scripts, and EPUB does not allow ``<style>`` in the body)."""
    if app.builder.name != "epub":
        return
    for raw in list(doctree.findall(nodes.raw)):
        if "html" not in raw.get("format", "").split():
            continue
        text = SCRIPT_OR_STYLE.sub("", raw.astext())
        if not text.strip():
            raw.parent.remove(raw)
        elif text != raw.astext():
            raw.replace_self(nodes.raw("", text, format="html"))


def epub_page_assets(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """No scripts in EPUB pages, and only the style sheets the EPUB holds."""
    if app.builder.name != "epub":
        return
    context["script_files"] = []
    context["css_files"] = [c for c in context.get("css_files", [])
                            if Path(str(getattr(c, "filename", c))).name not in EPUB_LEFT_OUT_CSS
                            and not Path(str(getattr(c, "filename", c))).name.startswith("mystnb.")]


def editions_found(app: Sphinx) -> dict[str, Path]:
    """Edition files by their name in the site: every PDF in _build/pdf, and the EPUB."""
    build = Path(app.outdir).parent if Path(app.outdir).name == "html" else _root(app) / "_build"
    found = {p.name: p for p in sorted((build / "pdf").glob("*.pdf"))}
    epub = build / "epub" / BOOK_EPUB
    if epub.exists():
        found[epub.name] = epub
    return found


def add_download_items(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    if app.builder.name != "html":
        return
    found = editions_found(app)
    if not found:
        return
    menu = next((b for b in context.get("header_buttons", []) if b.get("label") == "download-buttons"), None)
    if menu is None:
        return
    items = []
    chapter_pdf = Path(pagename).name + ".pdf"
    if chapter_pdf in found and chapter_pdf != BOOK_PDF:
        items.append(("This chapter (PDF)", chapter_pdf))
    items += [(label, name) for label, name in (("Whole book (PDF)", BOOK_PDF), ("Whole book (EPUB)", BOOK_EPUB))
              if name in found]
    for label, name in items:
        icon = "fas fa-file-pdf" if name.endswith(".pdf") else "fas fa-book"
        menu["buttons"].append({"type": "link", "text": label, "tooltip": f"Download: {label}", "icon": icon,
                                "url": f"{context['pathto'](SITE_FOLDER, 1)}/{name}",
                                "label": "download-edition-" + name.replace(".", "-")})


def copy_editions(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.name != "html":
        return
    found = editions_found(app)
    if not found:
        return
    target = Path(app.outdir) / SITE_FOLDER
    target.mkdir(exist_ok=True)
    for name, path in found.items():
        shutil.copyfile(path, target / name)


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", set_version)
    app.connect("builder-inited", print_builder_settings)
    app.connect("html-page-context", add_download_items, priority=950)
    app.connect("html-page-context", epub_page_assets, priority=990)
    app.connect("doctree-resolved", static_epub_pages, priority=900)
    app.connect("build-finished", copy_editions)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
