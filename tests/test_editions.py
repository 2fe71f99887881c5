"""The print and e-book editions (make pdf, make epub): what a reader of the PDF or EPUB gets.

The editions are built once for this module into their own folder (fresh execution there), then
read back: the PDF with pypdf, the EPUB as the zip container it is, and with EPUBCheck where it is
installed (.ci/run installs Debian's). A site built into the same folder must offer them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import unicodedata
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest

from ttpbook import editions, selfcheck

ROOT = Path(__file__).resolve().parent.parent
EPUBCHECK_JAR = Path("/usr/share/java/epubcheck.jar")
pytestmark = [pytest.mark.build, pytest.mark.browser]


def run_editions(*args: str) -> None:
    result = subprocess.run([sys.executable, "-m", "ttpbook.editions", *args], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, f"ttpbook.editions {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("editions")
    run_editions("pdf", "--output", str(out))
    run_editions("epub", "--output", str(out))
    # The website, built into the same folder after the editions, offers them.
    site = subprocess.run([str(Path(sys.executable).parent / "jupyter-book"), "build", str(ROOT), "-W", "-n",
                           "--keep-going", "--path-output", str(out)], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "TTPBOOK_MODE": "book"})
    assert site.returncode == 0, site.stdout[-3000:] + site.stderr[-3000:]
    return out / "_build"


@pytest.fixture(scope="module")
def pdf(built):
    from pypdf import PdfReader

    return PdfReader(str(built / "pdf" / editions.BOOK_PDF))


@pytest.fixture(scope="module")
def pdf_pages(pdf) -> list[str]:
    return [page.extract_text() or "" for page in pdf.pages]


def squeeze(text: str) -> str:
    """Text without white space or ligatures: PDF text extraction adds and drops spaces at line
    ends, and gives 'fi' as one character; Sphinx prints typographic quotes."""
    text = unicodedata.normalize("NFKC", text).translate(str.maketrans("‘’“”", "''\"\""))
    return "".join(text.split())


def outline_titles(reader) -> list[str]:
    titles: list[str] = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(squeeze(item.title))

    walk(reader.outline)
    return titles


def book_parts_and_chapters():
    entries = editions.toc_entries()
    return sorted({e["part"] for e in entries if e["part"]}), [editions.chapter_title(e["file"]) for e in entries]


def test_pdf_outline_lists_every_part_and_chapter(pdf):
    titles = outline_titles(pdf)
    parts, chapters = book_parts_and_chapters()
    missing = [t for t in parts + chapters if squeeze(t) not in titles]
    assert not missing, f"not in the PDF's outline: {missing}"


def test_pdf_text_holds_every_chapter_and_no_page_machinery(pdf_pages):
    text = squeeze("\n".join(pdf_pages))
    _, chapters = book_parts_and_chapters()
    assert [t for t in chapters if squeeze(t) not in text] == []
    plain = "\n".join(pdf_pages)
    for word in ("Loading", "Error", "Javascript", "JavaScript"):
        assert not re.search(rf"\b{word}\b", plain), f"the PDF shows {word!r}"
    assert not re.search(r'\{\s*"[$a-z_]+"\s*:', plain), "the PDF shows raw JSON"


def test_pdf_has_a_contents_page_with_page_numbers(pdf_pages):
    contents = next(text for text in pdf_pages[:4] if "Contents" in text)
    assert re.search(r"Background: the TTP.*?\s(\d+)\s", contents, re.DOTALL), contents[:600]
    assert editions.TOC_PLACEHOLDER not in re.findall(r"\b\d{3}\b", contents)


def test_pdf_holds_a_numbered_figure_for_every_chart_on_the_site(pdf_pages, built_site):
    charts = sum(page.read_text(encoding="utf-8").count('class="ttp-figure"')
                 for page in Path(built_site["html"]).rglob("*.html"))
    figures = set(re.findall(r"Figure (\d+)", "\n".join(pdf_pages)))
    assert charts > 0
    assert len(figures) >= charts, f"{len(figures)} numbered figures in the PDF, {charts} charts on the site"


def test_pdf_fonts_are_embedded(pdf):
    unembedded = set()
    for page in pdf.pages:
        fonts = (page.get("/Resources") or {}).get("/Font") or {}
        for font in fonts.values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            target = descendants[0].get_object() if descendants else font
            descriptor = target.get("/FontDescriptor")
            if font.get("/Subtype") == "/Type3":
                continue  # drawn from glyph procedures inside the PDF itself
            if descriptor is None or not any(k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                unembedded.add(str(font.get("/BaseFont")))
    assert not unembedded, f"fonts not embedded: {sorted(unembedded)}"


def test_every_chapter_has_its_own_pdf_with_its_title(built):
    from pypdf import PdfReader

    for entry in editions.toc_entries():
        path = built / "pdf" / f"{Path(entry['file']).name}.pdf"
        assert path.exists(), f"no chapter PDF {path.name}"
        first = squeeze(PdfReader(str(path)).pages[0].extract_text() or "")
        assert squeeze(editions.chapter_title(entry["file"])) in first, f"{path.name} does not open with its title"


def test_pdf_is_small_enough_to_download(built):
    size = (built / "pdf" / editions.BOOK_PDF).stat().st_size
    assert size < 25e6, f"whole-book PDF is {size / 1e6:.1f} MB (target under 25 MB)"


def appendix_start(built) -> int:
    """Index of the page where the appendix 'Answers to self-checks' starts (from the outline)."""
    return editions._chapter_pages(built / "pdf" / editions.BOOK_PDF, ["Answers to self-checks"])[0] - 1


def test_answers_appendix_lists_every_self_check(built, pdf_pages):
    source = (ROOT / "chapters" / "selfcheck-answers.md").read_text(encoding="utf-8")
    with_questions = sorted(p.name for p in (ROOT / "chapters").glob("*.md")
                            if "selfcheck(" in p.read_text(encoding="utf-8") or "show_questions(" in
                            p.read_text(encoding="utf-8").replace("def show_questions", ""))
    with_questions = [name for name in with_questions if name != "selfcheck-answers.md"]
    assert with_questions, "no chapter has self-check questions?"
    assert [name for name in with_questions if f'"{name}"' not in source] == [], \
        "a chapter with self-checks is missing from the answers appendix"
    appendix = squeeze("\n".join(pdf_pages[appendix_start(built):]))
    count = 0
    for name in with_questions:
        _, questions = selfcheck.collect(ROOT / "chapters" / name)
        for question in questions:
            count += 1
            assert squeeze(question["question"])[:60] in appendix, f"{name}: {question['question'][:60]!r} not in the appendix"
    assert count >= 20


def test_printed_self_checks_show_options_not_answers(built, pdf_pages):
    chapters = "\n".join(pdf_pages[:appendix_start(built)])
    assert "Check your understanding (printed edition)" in chapters
    assert "(a)" in chapters and "(d)" in chapters
    assert "(right)" not in chapters, "an answer is marked in the printed chapters"


def epub_files(built) -> zipfile.ZipFile:
    return zipfile.ZipFile(built / "epub" / editions.BOOK_EPUB)


def test_epub_is_an_epub3_container_listing_every_chapter_and_file(built):
    with epub_files(built) as epub:
        infos = epub.infolist()
        assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
        assert epub.read("mimetype") == b"application/epub+zip"
        container = ElementTree.fromstring(epub.read("META-INF/container.xml"))
        opf_path = container.find(".//{urn:oasis:names:tc:opendocument:xmlns:container}rootfile").get("full-path")
        opf = ElementTree.fromstring(epub.read(opf_path))
        assert opf.get("version") == "3.0"
        ns = {"opf": "http://www.idpf.org/2007/opf"}
        base = str(Path(opf_path).parent)
        manifest = {str(Path(base, item.get("href"))).lstrip("./") for item in opf.findall(".//opf:manifest/opf:item", ns)}
        names = set(epub.namelist())
        for entry in editions.toc_entries():
            assert f"{entry['file']}.xhtml" in {m.split("/", 1)[-1] if m.startswith("OEBPS/") else m for m in manifest}, \
                f"{entry['file']} is not in the EPUB's manifest"
        images = [n for n in names if re.search(r"\.(svg|png|jpe?g|gif)$", n)]
        assert [i for i in images if i not in manifest] == [], "an image file is not in the manifest"


def test_every_epub_image_has_alt_text_and_pages_have_no_script(built):
    figures = 0
    with epub_files(built) as epub:
        for name in epub.namelist():
            if not name.endswith(".xhtml"):
                continue
            text = epub.read(name).decode("utf-8")
            for tag in re.findall(r"<img\b[^>]*>", text):
                alt = re.search(r'\balt="([^"]*)"', tag)
                assert alt and alt.group(1).strip(), f"{name}: image without alt text: {tag[:120]}"
                figures += "data:image/svg+xml" in tag
            assert "<script" not in text, f"{name} has a script"
    assert figures > 0, "the EPUB has no static figures"


def test_epub_passes_epubcheck(built):
    if not EPUBCHECK_JAR.exists() or not shutil.which("java"):
        if os.environ.get("CI"):
            pytest.fail("EPUBCheck is not installed (.ci/run installs Debian's epubcheck)")
        pytest.skip("EPUBCheck is not installed (apt-get install epubcheck)")
    result = subprocess.run(["java", "-jar", str(EPUBCHECK_JAR), str(built / "epub" / editions.BOOK_EPUB)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]


def test_no_graded_answer_is_in_either_edition(built, pdf_pages, tmp_path):
    from ttpbook import grading

    text_file = tmp_path / "book-pdf.txt"
    text_file.write_text("\n".join(pdf_pages), encoding="utf-8")
    files = [text_file]
    with epub_files(built) as epub:
        for name in epub.namelist():
            if name.endswith(".xhtml"):
                target = tmp_path / "epub" / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(epub.read(name))
                files.append(target)
    assert "Origins and aims" in text_file.read_text(encoding="utf-8")  # the extraction read the book
    for master_path in sorted((ROOT / "exercises" / "masters").glob("*.md")):
        master = grading.read_master(master_path)
        assert grading.find_leaks(master, files) == []


def test_site_offers_the_editions(built):
    page = (built / "html" / "chapters" / "background.html").read_text(encoding="utf-8")
    assert 'editions/background.pdf' in page and "This chapter (PDF)" in page
    assert 'editions/ttp-dilemma.pdf' in page and 'editions/ttp-dilemma.epub' in page
    for name in ("background.pdf", editions.BOOK_PDF, editions.BOOK_EPUB):
        assert (built / "html" / "editions" / name).exists()
