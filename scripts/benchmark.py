"""Print build and page-weight figures for this machine, each next to its target (a benchmark: it
asserts nothing; tests/test_build.py keeps the rules that can be tested).

    make benchmark                                   # everything below
    .venv/bin/python scripts/benchmark.py --weights-only _build/html   # page weights of a built site

Measures, without touching the author's sources or _build/html:
1. `make book` in a copy of the book in _build/benchmark/ (same .venv and node_modules):
   - cold, executing every notebook (target: about 5 s per executed chapter or better);
   - with nothing changed, median of 3 (target: at most 2.5 s);
   - after one chapter's code changed (target: that chapter alone re-executes);
   then `make pdf` (target: under 60 s, the PDF under 25 MB) and `make epub` in the same copy;
2. each page's cold weight, as a new reader meets it: headless Chromium, empty cache, network
   blocked, every response body counted uncompressed, split by asset (targets: every page at
   most 3.5 MB, pages without a chart at most 2.5 MB);
3. the median time from moving a chart's slider to the chart redrawing (target: under 50 ms).
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import site_tools  # noqa: E402

ROOT = site_tools.ROOT
WORK = ROOT / "_build" / "benchmark"
COPY = WORK / "book"
BOOK_FILES = ["_config.yml", "_toc.yml", "references.bib", "chapters", "data", "_ext", "_static", "ttpbook", "exercises",
              "Makefile", "requirements.txt", "requirements-dev.txt", "constraints.txt", "pyproject.toml",
              "package.json", "package-lock.json"]
CHANGED_CHAPTER = "chapters/data-and-sources.md"
SLIDER_PAGE = "chapters/data-and-sources.html"
SLIDER_MOVES = 40
MB = 1e6
TARGETS = {"page": 3.5 * MB, "page_without_chart": 2.5 * MB, "no_change": 2.5, "per_chapter": 5.0,
           "slider_ms": 50.0, "pdf_seconds": 60.0, "pdf_size": 25 * MB}
ASSETS = [  # (label, how its address looks), first match wins
    ("Vega", re.compile(r"/_static/vega/")),
    ("MathJax", re.compile(r"/_static/mathjax/")),
    ("widget manager", re.compile(r"html-manager|require\.js|@jupyter-widgets")),
    ("theme and Sphinx", re.compile(r"/_static/")),
    ("search index", re.compile(r"searchindex\.js")),
]


def verdict(ok: bool) -> str:
    return "ok" if ok else "OVER TARGET"


def copy_book(book: Path) -> None:
    """A copy of the book's sources and Makefile, sharing its .venv and node_modules."""
    shutil.rmtree(WORK, ignore_errors=True)
    COPY.mkdir(parents=True)
    for name in BOOK_FILES:
        source = book / name
        if source.is_dir():
            shutil.copytree(source, COPY / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy2(source, COPY / name)  # keeps the times, so make sees the installs as current
    for shared in (".venv", "node_modules"):
        (COPY / shared).symlink_to(book / shared)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def make_book() -> tuple[float, float, int, bool]:
    """`make book` in the copy: wall seconds, CPU seconds (the build and its kernels), notebooks
    executed, success."""
    start, cpu = time.perf_counter(), children_cpu()
    result = subprocess.run(["make", "book"], cwd=COPY, capture_output=True, text=True)
    elapsed, cpu = time.perf_counter() - start, children_cpu() - cpu
    log = result.stdout + result.stderr
    ok = result.returncode == 0 and "build succeeded" in log
    if not ok:
        (WORK / "failed-build.log").write_text(log)
        print("  (build failed; its log is in _build/benchmark/failed-build.log)")
    return elapsed, cpu, log.count("Executing notebook"), ok


def executed_chapters(book: Path) -> int:
    return sum("```{code-cell}" in path.read_text() for path in (book / "chapters").glob("*.md"))


def edit_first_code_cell(chapter: Path) -> None:
    """Add a comment to the chapter's first code cell, after its options (a change to its code)."""
    lines = chapter.read_text().splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("```{code-cell}")) + 1
    while lines[at].startswith(":") or lines[at].startswith("---"):
        at += 1
    lines.insert(at, "# benchmark edit\n")
    chapter.write_text("".join(lines))


def builds(book: Path) -> Path:
    print(f"`make book` in a copy of {book} (in _build/benchmark/; same .venv and node_modules):")
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"  load average {load} on {os.cpu_count()} cores: wall times grow with the load, CPU times much less")
    copy_book(book)
    chapters = executed_chapters(book)
    cold, cpu, executed, ok = make_book()
    print(f"  cold build, executing every notebook       {cold:6.1f} s wall {cpu:6.1f} s CPU  {executed} executed, "
          f"{cold / max(executed, 1):.1f} s per chapter (target about {TARGETS['per_chapter']:.0f} or better)  "
          f"{'ok' if ok else 'BUILD FAILED'}")
    runs = [make_book() for _ in range(3)]
    wall, cpu = statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)
    print(f"  no change (median of 3)                    {wall:6.1f} s wall {cpu:6.1f} s CPU  "
          f"{max(r[2] for r in runs)} executed; runs {[round(r[0], 2) for r in runs]} s "
          f"(target <= {TARGETS['no_change']} s)  {verdict(wall <= TARGETS['no_change'])}")
    edit_first_code_cell(COPY / CHANGED_CHAPTER)
    changed, cpu, executed_changed, ok = make_book()
    print(f"  one chapter's code changed                 {changed:6.1f} s wall {cpu:6.1f} s CPU  "
          f"{executed_changed} executed (target 1 of {chapters})  {'ok' if ok and executed_changed == 1 else 'CHECK'}")
    return site_tools.html_dir(COPY)


def editions() -> None:
    """`make pdf` and `make epub` in the copy, after its `make book` (the notebooks are cached)."""
    print("\nPrint and e-book editions, after `make book` (same copy):")
    for target in ("pdf", "epub"):
        start, cpu = time.perf_counter(), children_cpu()
        result = subprocess.run(["make", target], cwd=COPY, capture_output=True, text=True)
        elapsed, cpu = time.perf_counter() - start, children_cpu() - cpu
        if result.returncode != 0:
            (WORK / f"failed-{target}.log").write_text(result.stdout + result.stderr)
            print(f"  make {target}: FAILED (log in _build/benchmark/failed-{target}.log)")
            continue
        if target == "pdf":
            size = (COPY / "_build" / "pdf" / "ttp-dilemma.pdf").stat().st_size
            print(f"  make pdf                                   {elapsed:6.1f} s wall {cpu:6.1f} s CPU  "
                  f"(target < {TARGETS['pdf_seconds']:.0f} s)  {verdict(elapsed < TARGETS['pdf_seconds'])}")
            print(f"  whole-book PDF                             {size / MB:6.1f} MB "
                  f"(target < {TARGETS['pdf_size'] / MB:.0f} MB)  {verdict(size < TARGETS['pdf_size'])}")
        else:
            size = (COPY / "_build" / "epub" / "ttp-dilemma.epub").stat().st_size
            print(f"  make epub                                  {elapsed:6.1f} s wall {cpu:6.1f} s CPU  "
                  f"EPUB {size / MB:.1f} MB")


def page_weight(context, url: str) -> dict[str, int]:
    """Every response body for one page opened cold, in bytes, grouped by asset."""
    page = context.new_page()
    host = urlparse(url).netloc
    responses = []
    page.route("**/*", lambda r: r.continue_() if urlparse(r.request.url).netloc == host or
               urlparse(r.request.url).scheme in ("data", "blob") else r.abort())
    page.on("response", lambda response: responses.append(response))
    page.goto(url, wait_until="networkidle")
    page.wait_for_timeout(500)
    weights: dict[str, int] = {}
    for response in responses:
        try:
            size = len(response.body())
        except Exception:  # noqa: BLE001 - redirects and aborted requests have no body
            continue
        address = response.url.split("?", 1)[0]
        label = "page HTML" if address == url else next(
            (name for name, pattern in ASSETS if pattern.search(address)), "other")
        weights[label] = weights.get(label, 0) + size
    page.close()
    return weights


def page_weights(html: Path) -> None:
    print(f"\nEach page's cold weight (Chromium, empty cache, network blocked, uncompressed) in {html}:")
    columns = ["page HTML", "theme and Sphinx", "Vega", "MathJax", "widget manager", "search index", "other"]
    print(f"  {'page':<34}" + "".join(f"{c[:12]:>13}" for c in columns) + f"{'total':>9}  target")
    worst = 0.0
    with site_tools.serve(html) as base, site_tools.chromium() as browser:
        for page in site_tools.toc_pages():
            context = browser.new_context()  # a new reader: nothing cached
            weights = page_weight(context, f"{base}{page}.html")
            context.close()
            total = sum(weights.values())
            has_chart = 'id="altair-viz-' in (html / f"{page}.html").read_text()
            target = TARGETS["page"] if has_chart else TARGETS["page_without_chart"]
            worst = max(worst, total)
            print(f"  {page:<34}" + "".join(f"{weights.get(c, 0) / MB:12.2f}M" for c in columns) +
                  f"{total / MB:8.2f}M  <= {target / MB:.1f} MB {verdict(total <= target)}")
    print(f"  heaviest page: {worst / MB:.2f} MB")


def slider_latencies(html: Path) -> list[float]:
    script = """async ([moves]) => {
        const slider = document.querySelector('.vega-bind input[type="range"]');
        const marks = document.querySelector('[id^="altair-viz-"] svg.marks');
        const times = [];
        for (let i = 0; i < moves; i++) {
            const value = (i % 2 === 0) ? Number(slider.max) - 5 : Number(slider.min);
            const changed = new Promise(resolve => {
                const observer = new MutationObserver(() => { observer.disconnect(); resolve(); });
                observer.observe(marks, {subtree: true, childList: true, attributes: true});
            });
            const start = performance.now();
            slider.value = value;
            slider.dispatchEvent(new Event('input', {bubbles: true}));
            await changed;
            await new Promise(r => requestAnimationFrame(() => r()));
            times.push(performance.now() - start);
        }
        return times;
    }"""
    with site_tools.serve(html) as base, site_tools.chromium() as browser:
        context = browser.new_context()
        audit = site_tools.PageAudit(context, base + SLIDER_PAGE).open(wait_ms=500)
        times = audit.page.evaluate(script, [SLIDER_MOVES])
        problems = audit.problems()
        audit.close()
    if problems:
        print("  page problems:", problems)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights-only", type=Path, metavar="HTML_DIR",
                        help="only measure the page weights of an already built site")
    parser.add_argument("--book", type=Path, default=ROOT,
                        help="the book folder to measure (default: this one; e.g. an older version's checkout)")
    parser.add_argument("--builds-only", action="store_true", help="skip the page weights and slider timing")
    args = parser.parse_args()
    if args.weights_only:
        page_weights(args.weights_only.resolve())
        return 0
    html = builds(args.book.resolve())
    if (COPY / "ttpbook" / "editions.py").exists():
        editions()
    if args.builds_only:
        return 0
    page_weights(html)
    times = slider_latencies(html)
    median = statistics.median(times)
    print(f"\nSlider to redraw ({len(times)} moves on {SLIDER_PAGE}): median {median:.1f} ms, max {max(times):.1f} ms "
          f"(target median < {TARGETS['slider_ms']:.0f} ms)  {verdict(median < TARGETS['slider_ms'])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
