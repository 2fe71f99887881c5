"""Print build and page-weight figures for this machine, each next to its target (a benchmark: it
asserts nothing; tests/test_build.py keeps the rules that can be tested).

    make benchmark                                   # everything below
    .venv/bin/python scripts/benchmark.py --weights-only _build/html   # page weights of a built site

Measures, without touching the author's sources or _build/html:
1. builds of a copy of the book in _build/benchmark/ (the same venv and node_modules):
   - a cold build, executing every notebook (target: about 5 s per executed chapter or better);
   - a rebuild with nothing changed;
   - a rebuild after one chapter's code changed (target: that chapter alone re-executes);
2. `make book` with nothing changed in the author's folder, median of 3 after one warm-up run
   (target: at most 2.5 s);
3. each page's cold weight, as a new reader meets it: headless Chromium, empty cache, network
   blocked, every response body counted uncompressed, split by asset (targets: every page at
   most 3.5 MB, pages without a chart at most 2.5 MB);
4. the median time from moving a chart's slider to the chart redrawing (target: under 50 ms).
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
BOOK_FILES = ["_config.yml", "_toc.yml", "references.bib", "chapters", "data", "_ext", "_static", "ttpbook"]
CHANGED_CHAPTER = "chapters/data-and-sources.md"
SLIDER_PAGE = "chapters/data-and-sources.html"
SLIDER_MOVES = 40
MB = 1e6
TARGETS = {"page": 3.5 * MB, "page_without_chart": 2.5 * MB, "no_change": 2.5, "per_chapter": 5.0,
           "slider_ms": 50.0}
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
    shutil.rmtree(WORK, ignore_errors=True)
    COPY.mkdir(parents=True)
    for name in BOOK_FILES:
        source = book / name
        if not source.exists():
            continue
        if source.is_dir():
            shutil.copytree(source, COPY / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, COPY / name)
    (COPY / "node_modules").symlink_to(book / "node_modules")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def build_copy() -> tuple[float, float, int, bool]:
    """Build the copy (cached execution, as `make book` does): wall seconds, CPU seconds of the build
    process (its kernels excluded), notebooks executed, success."""
    start, cpu = time.perf_counter(), children_cpu()
    env = {**os.environ, "TTPBOOK_MODE": "book"}  # the old version needed it; harmless now
    result = subprocess.run([site_tools.JB, "build", str(COPY), "-W", "-n", "--keep-going"], cwd=COPY,
                            capture_output=True, text=True, env=env)
    elapsed, cpu = time.perf_counter() - start, children_cpu() - cpu
    log = result.stdout + result.stderr
    return elapsed, cpu, log.count("Executing notebook"), result.returncode == 0 and "build succeeded" in log


def executed_chapters() -> int:
    return sum("```{code-cell}" in (ROOT / f"{page}.md").read_text() for page in site_tools.toc_pages())


def make_book_no_change(book: Path, runs: int = 3) -> tuple[list[float], list[float]]:
    subprocess.run(["make", "book"], cwd=book, capture_output=True, text=True)  # warm-up, brings it up to date
    times, cpus = [], []
    for _ in range(runs):
        start, cpu = time.perf_counter(), children_cpu()
        subprocess.run(["make", "book"], cwd=book, capture_output=True, text=True, check=True)
        times.append(time.perf_counter() - start)
        cpus.append(children_cpu() - cpu)
    return times, cpus


def builds(book: Path) -> Path:
    print(f"Builds of a copy of {book} in _build/benchmark/ (-W -n --keep-going, cached execution).")
    print(f"Load average now: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"on {os.cpu_count()} cores (wall times grow with it; CPU times do not).")
    copy_book(book)
    chapters = executed_chapters()
    cold, cpu, executed, ok = build_copy()
    print(f"  cold build, executing every notebook       {cold:6.1f} s wall {cpu:5.1f} s CPU   {executed} executed, "
          f"{cold / max(executed, 1):.1f} s per chapter (target <= {TARGETS['per_chapter']:.0f})  "
          f"{'ok' if ok else 'BUILD FAILED'}")
    again, cpu, executed_again, ok = build_copy()
    print(f"  rebuild, nothing changed                   {again:6.1f} s wall {cpu:5.1f} s CPU   "
          f"{executed_again} executed (target 0)  {'ok' if ok else 'BUILD FAILED'}")
    chapter = COPY / CHANGED_CHAPTER
    text = chapter.read_text()
    chapter.write_text(text.replace("```{code-cell} ipython3\n", "```{code-cell} ipython3\n# benchmark edit\n", 1))
    changed, cpu, executed_changed, ok = build_copy()
    print(f"  rebuild, one chapter's code changed        {changed:6.1f} s wall {cpu:5.1f} s CPU   "
          f"{executed_changed} executed (target 1 of {chapters})  {'ok' if ok and executed_changed == 1 else 'CHECK'}")
    times, cpus = make_book_no_change(book)
    median = statistics.median(times)
    print(f"  `make book` in the book folder, no change  {median:6.1f} s wall {statistics.median(cpus):5.1f} s CPU   "
          f"median of {[round(t, 2) for t in times]} (target <= {TARGETS['no_change']})  "
          f"{verdict(median <= TARGETS['no_change'])}")
    return site_tools.html_dir(COPY)


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
