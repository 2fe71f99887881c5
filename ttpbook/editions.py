"""The print and e-book editions: the whole book as one PDF (and one PDF per chapter), and EPUB.

- PDF: Jupyter Book's ``singlehtml`` builder writes the book as one page, with every chart and
  self-check in its static form (see ``static_figure`` and ``_config.yml``); Debian's Chromium,
  driven by Playwright with every request off this machine blocked, prints it. No TeX, no
  downloaded browser. A first pass finds the page on which each chapter starts; the second
  prints the table of contents with those page numbers. The chapter PDFs are page ranges of it.
- EPUB: Sphinx's own EPUB 3 builder.

Run ``python -m ttpbook.editions pdf`` or ``epub`` (``make pdf``, ``make epub``). Both reuse the
execution cache that ``make book`` fills, so after it they do not run the notebooks again.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import yaml

ROOT = Path(__file__).resolve().parent.parent
BOOK_PDF = "ttp-dilemma.pdf"
BOOK_EPUB = "ttp-dilemma.epub"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
JB = str(Path(sys.executable).parent / "jupyter-book")
TOC_PLACEHOLDER = "000"

# The site's navigation, removed from the page before printing (hidden headings would still
# enter the PDF's outline).
SITE_CHROME = (".bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .bd-header-article, .header-article, "
               ".prev-next-area, .bd-footer, .bd-footer-content, .bd-footer-article, footer, .skip-link, "
               "#pst-skip-link, #pst-back-to-top, #jb-print-docs-body, .search-button-field, .headerlink, "
               ".ttp-no-print, dialog, .bd-search")
# Print layout: full-width text, each chapter on a new page, figures whole.
PRINT_CSS = """
@page { size: A4; margin: 20mm 18mm 20mm 18mm; }
html, body { background: #fff !important; }
.bd-container, .bd-container__inner, .bd-main, .bd-content, .bd-article-container, .bd-article
  { max-width: none !important; width: auto !important; padding: 0 !important; margin: 0 !important; }
body { font-size: 10.5pt; line-height: 1.45; color: #111; }
section.ttp-print-chapter, h1.ttp-print-part { break-before: page; }
h1.ttp-print-part + section.ttp-print-chapter { break-before: auto; }
h1.ttp-print-part { font-size: 13pt; letter-spacing: 0.04em; color: #555;
  border-bottom: 1px solid #bbb; padding-bottom: 0.3em; }
figure, .ttp-static-figure, table, pre, .admonition { break-inside: avoid; }
figure img { max-width: 100% !important; height: auto; }
figcaption { font-size: 9.5pt; }
h1, h2, h3 { break-after: avoid; }
a { color: #0b4f8a; text-decoration: none; }
#ttp-title-page { break-after: page; text-align: center; height: 230mm; display: flex;
  flex-direction: column; justify-content: center; }
#ttp-title-page h1 { font-size: 28pt; margin-bottom: 1em; }
#ttp-title-page p { font-size: 12pt; }
#ttp-print-toc { break-after: page; }
#ttp-print-toc li { list-style: none; display: flex; gap: 0.4em; margin: 0.15em 0; }
#ttp-print-toc li.part { font-weight: 600; margin-top: 0.8em; }
#ttp-print-toc li .dots { flex: 1; border-bottom: 1px dotted #888; margin-bottom: 0.3em; }
"""

HEADER = ('<div style="font-size:8px;width:100%;padding:0 18mm;color:#555;'
          'font-family:sans-serif;">{title}</div>')
FOOTER = ('<div style="font-size:8px;width:100%;padding:0 18mm;text-align:right;color:#555;'
          'font-family:sans-serif;"><span class="pageNumber"></span> / <span class="totalPages"></span></div>')


def say(message: str) -> None:
    print(f"[editions] {message}", flush=True)


def book_config() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text())


def toc_entries() -> list[dict]:
    """The table of contents in reading order: parts and chapters (file, part caption)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    entries = [{"file": toc["root"], "part": None}]
    for part in toc.get("parts", []):
        for chapter in part.get("chapters", []):
            entries.append({"file": chapter["file"], "part": part.get("caption")})
    return entries


def chapter_title(file: str) -> str:
    """A chapter's title: the first level-1 heading of its source."""
    for line in (ROOT / f"{file}.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return re.sub(r"\{[a-z:]+\}`([^`<]*?)(\s*<[^>]*>)?`", r"\1", line[2:]).strip()
    return Path(file).stem


def version() -> str:
    for line in (ROOT / "pyproject.toml").read_text().splitlines():
        if line.startswith("version"):
            return line.split("=", 1)[1].strip().strip('"')
    return "unknown"


def sphinx_build(builder: str, output: Path = ROOT) -> None:
    """Build into ``output``/_build with Jupyter Book (strict: -W -n --keep-going), reusing the
    execution cache there (``make book`` fills the default one)."""
    build = output / "_build"
    build.mkdir(parents=True, exist_ok=True)
    # --all: write every page again (the print extension changes pages even when no source did).
    args = [JB, "build", str(ROOT), "-W", "-n", "--keep-going", "--all", "--path-output", str(output)]
    if builder in ("html", "singlehtml"):
        args += ["--builder", builder]
    else:
        args += ["--builder", "custom", "--custom-builder", builder]
    env = {**os.environ, "TTPBOOK_MODE": "book"}
    say(f"building the {builder} form of the book (reuses executed notebooks)…")
    started = time.time()
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    (build / f"{builder}-build.log").write_text(result.stdout + result.stderr)
    if result.returncode != 0:
        raise SystemExit(f"The {builder} build failed (see {build / (builder + '-build.log')}):\n"
                         + (result.stdout + result.stderr)[-4000:])
    say(f"{builder} build done in {time.time() - started:.1f} s")


# --- PDF ----------------------------------------------------------------------------------------

def _front_matter(entries: list[dict], numbers: dict[str, int] | None, site_url: str) -> str:
    """The title page and the table of contents (page numbers once they are known), as HTML."""
    title = book_config().get("title", "")
    today = dt.date.today().isoformat()
    online = (f"Online edition, with interactive charts: <a href=\"{html.escape(site_url)}\">"
              f"{html.escape(site_url)}</a>") if site_url else "An online edition has interactive charts."
    rows, last_part = [], None
    for entry in entries:
        if entry["part"] and entry["part"] != last_part:
            rows.append(f'<li class="part">{html.escape(entry["part"])}</li>')
            last_part = entry["part"]
        page = str(numbers.get(entry["file"], "")) if numbers else TOC_PLACEHOLDER
        rows.append(f'<li><a href="#{entry["anchor"]}">{html.escape(entry["title"])}</a>'
                    f'<span class="dots"></span><span>{page}</span></li>')
    return (
        f'<section id="ttp-title-page"><h1>{html.escape(title)}</h1>'
        f"<p>Version {html.escape(version())}, printed {today}</p><p>{online}</p>"
        "<p>Text and figures CC BY 4.0; code MIT.</p></section>"
        f'<nav id="ttp-print-toc" aria-label="Contents"><h1>Contents</h1><ul>{"".join(rows)}</ul></nav>'
    )


def _chapter_anchors(page, entries: list[dict]) -> list[dict]:
    """Mark each chapter's section so it starts on a new page, put each part's title before its
    first chapter (so the PDF outline has parts and chapters), and return each chapter's anchor and
    title, in reading order.

    In Sphinx's single page the root page comes first, and every other chapter follows a marker
    ``<span id="document-chapters/NAME">``."""
    return page.evaluate("""(parts) => {
        const sections = [document.querySelector('article section')];
        for (const marker of document.querySelectorAll('span[id^="document-"]')) {
            const next = marker.nextElementSibling;
            if (next && next.tagName === 'SECTION') sections.push(next);
        }
        return sections.filter(Boolean).map((section, index) => {
            section.classList.add('ttp-print-chapter');
            if (parts[index]) {
                section.insertAdjacentHTML('beforebegin',
                    `<h1 class="ttp-print-part" id="part-${index}">${parts[index]}</h1>`);
            }
            const heading = section.querySelector('h1, h2');
            return {anchor: section.id, title: heading.textContent.replace(/#$/, '').trim()};
        });
    }""", [html.escape(e["part"]) if e["part"] and (i == 0 or entries[i - 1]["part"] != e["part"]) else None
          for i, e in enumerate(entries)])


def _chapter_pages(pdf_path: Path, titles: list[str]) -> list[int]:
    """The 1-based page on which each chapter starts, read from the PDF's outline (Chromium builds
    it from the headings), taking the titles in reading order."""
    from pypdf import PdfReader

    reader = PdfReader(str(pdf_path))
    flat: list[tuple[str, int]] = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                flat.append(("".join(str(item.title).split()), reader.get_destination_page_number(item) + 1))

    walk(reader.outline)
    pages, position = [], 0
    for title in titles:
        wanted = "".join(title.split())  # text extraction may drop or add spaces at line ends
        found = next((i for i in range(position, len(flat)) if flat[i][0] == wanted), None)
        if found is None:
            raise SystemExit(f"PDF: the outline has no heading {title!r} after the previous chapter.")
        pages.append(flat[found][1])
        position = found + 1
    return pages


def print_pdf(output: Path = ROOT, site_url: str = "") -> Path:
    """Print the single-page build to _build/pdf/ttp-dilemma.pdf, and one PDF per chapter."""
    from playwright.sync_api import sync_playwright

    # Sphinx writes the single page under the root document's name (index.html only redirects).
    index = output / "_build" / "singlehtml" / f"{toc_entries()[0]['file']}.html"
    pdf_dir = output / "_build" / "pdf"
    pdf_dir.mkdir(parents=True, exist_ok=True)
    entries = toc_entries()
    title = book_config().get("title", "")
    book_pdf = pdf_dir / BOOK_PDF
    blocked: list[str] = []

    def route(request_route):
        if urlparse(request_route.request.url).scheme in ("file", "data", "blob"):
            request_route.continue_()
        else:
            blocked.append(request_route.request.url)
            request_route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            numbers: dict[str, int] | None = None
            for attempt in ("first pass (finding chapter pages)", "second pass (contents with page numbers)"):
                say(f"printing the PDF, {attempt}…")
                page = browser.new_page()
                page.route("**/*", route)
                page.goto(index.as_uri(), wait_until="load")
                page.emulate_media(media="print")
                page.add_style_tag(content=PRINT_CSS)
                page.evaluate("(chrome) => document.querySelectorAll(chrome).forEach(e => e.remove())", SITE_CHROME)
                anchors = _chapter_anchors(page, entries)
                if len(anchors) != len(entries):
                    raise SystemExit(f"PDF: found {len(anchors)} chapters in the single page, "
                                     f"expected {len(entries)} from _toc.yml.")
                for entry, anchor in zip(entries, anchors):
                    entry.update(anchor=anchor["anchor"], title=anchor["title"])
                page.evaluate("(front) => (document.querySelector('main article') || document.body)"
                              ".insertAdjacentHTML('afterbegin', front)", _front_matter(entries, numbers, site_url))
                page.evaluate("document.fonts.ready")
                page.evaluate("document.title = " + repr(title))
                page.pdf(path=str(book_pdf), format="A4", print_background=True, display_header_footer=True,
                         header_template=HEADER.format(title=html.escape(title)), footer_template=FOOTER,
                         margin={"top": "20mm", "bottom": "18mm", "left": "18mm", "right": "18mm"},
                         outline=True, tagged=True)
                page.close()
                starts = _chapter_pages(book_pdf, [e["title"] for e in entries])
                numbers = {e["file"]: n for e, n in zip(entries, starts)}
        finally:
            browser.close()
    if blocked:
        raise SystemExit("PDF: the page asked for files from another host: " + ", ".join(sorted(set(blocked))[:5]))
    _split_chapters(book_pdf, entries, numbers)
    return book_pdf


def _split_chapters(book_pdf: Path, entries: list[dict], starts: dict[str, int]) -> None:
    """One PDF per chapter: the pages from its first to the page before the next chapter."""
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(str(book_pdf))
    ordered = [(e, starts[e["file"]]) for e in entries]
    for index, (entry, first) in enumerate(ordered):
        last = ordered[index + 1][1] - 1 if index + 1 < len(ordered) else len(reader.pages)
        writer = PdfWriter()
        for number in range(first - 1, max(first, last)):
            writer.add_page(reader.pages[number])
        writer.add_metadata({"/Title": entry["title"], "/Author": book_config().get("author", "")})
        with open(book_pdf.parent / f"{Path(entry['file']).name}.pdf", "wb") as handle:
            writer.write(handle)
    say(f"wrote {book_pdf} ({len(reader.pages)} pages, {book_pdf.stat().st_size / 1e6:.1f} MB) "
        f"and {len(ordered)} chapter PDFs beside it")


# --- EPUB ---------------------------------------------------------------------------------------

def build_epub(output: Path = ROOT) -> Path:
    """Sphinx's EPUB 3 builder; the file is _build/epub/ttp-dilemma.epub (``epub_basename``)."""
    # Start from an empty folder: Sphinx zips every file it finds there, including old ones.
    shutil.rmtree(output / "_build" / "epub", ignore_errors=True)
    sphinx_build("epub", output)
    target = output / "_build" / "epub" / BOOK_EPUB
    if not target.exists():
        raise SystemExit(f"EPUB: the build wrote no {target}.")
    say(f"wrote {target} ({target.stat().st_size / 1e6:.1f} MB)")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("edition", choices=["pdf", "epub"])
    parser.add_argument("--output", type=Path, default=ROOT,
                        help="the folder whose _build/ receives the edition (default: the book's own)")
    parser.add_argument("--site-url", default=os.environ.get("TTPBOOK_SITE_URL", ""),
                        help="the online edition's address, printed on the title page")
    args = parser.parse_args(argv)
    started = time.time()
    if args.edition == "pdf":
        sphinx_build("singlehtml", args.output)
        print_pdf(args.output, args.site_url)
    else:
        build_epub(args.output)
    say(f"done in {time.time() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
