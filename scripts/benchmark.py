"""Print build and page-speed figures for this machine (not a test: it asserts nothing).

    make benchmark        # or: .venv/bin/python scripts/benchmark.py

Measures: a cold build with execution; a cached rebuild with no change; a full re-read with the
cache (--all); a full build without execution; the size of _build/html; each page's own HTML
weight and the shared assets' weight; and the median time from moving a chart's slider to the
chart redrawing, in headless Chromium with the network blocked. Targets for the finished book:
cached rebuild within 2x the no-execution build; every page's HTML under 500 KB; the site under
25 MB; slider-to-redraw median under 50 ms.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import site_tools  # noqa: E402

ROOT = site_tools.ROOT
SLIDER_PAGE = "chapters/data-and-sources.html"
SLIDER_MOVES = 40


def timed_build(label: str, execute: str, *extra: str) -> float:
    start = time.perf_counter()
    result = site_tools.build("benchmark", execute=execute, extra_args=list(extra))
    elapsed = time.perf_counter() - start
    status = "ok" if result.returncode == 0 else f"FAILED (exit {result.returncode})"
    print(f"  {label:<44} {elapsed:7.1f} s   {status}")
    return elapsed


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def slider_latencies() -> list[float]:
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
    with site_tools.serve() as base, site_tools.chromium() as browser:
        context = browser.new_context()
        audit = site_tools.PageAudit(context, base + SLIDER_PAGE).open(wait_ms=500)
        times = audit.page.evaluate(script, [SLIDER_MOVES])
        problems = audit.problems()
        audit.close()
    if problems:
        print("  page problems:", problems)
    return times


def main() -> int:
    print("Builds (2 cores; -W -n --keep-going):")
    shutil.rmtree(ROOT / "_build", ignore_errors=True)
    cold = timed_build("cold build, executing every notebook", "cache")
    cached = timed_build("rebuild with the cache, no change", "cache")
    cached_all = timed_build("full re-read with the cache (--all)", "cache", "--all")
    no_exec = timed_build("full build without execution (--all)", "off", "--all")
    print(f"  ratio cached rebuild / no-execution build     {cached / no_exec:7.2f}  (target <= 2)")
    print(f"  ratio cached full re-read / no-execution      {cached_all / no_exec:7.2f}")
    print(f"  ratio cold / no-execution                     {cold / no_exec:7.2f}")
    # Leave a complete, executed site behind.
    timed_build("rebuild with execution (restores outputs)", "cache", "--all")

    html = site_tools.HTML_DIR
    print(f"\nSite size: {folder_size(html) / 1e6:.1f} MB (target < 25 MB)")
    print("Each page's own HTML:")
    for page in site_tools.toc_pages():
        size = (html / f"{page}.html").stat().st_size
        print(f"  {page + '.html':<44} {size / 1e3:8.1f} KB{'  OVER 500 KB' if size > 500e3 else ''}")
    print("Shared assets (loaded once, cached by the browser):")
    for name in ["vega", "html-manager", "mathjax", "scripts", "styles"]:
        path = html / "_static" / name
        if path.exists():
            print(f"  _static/{name:<36} {folder_size(path) / 1e3:8.1f} KB")

    times = slider_latencies()
    print(f"\nSlider to redraw ({len(times)} moves on {SLIDER_PAGE}): median {statistics.median(times):.1f} ms, "
          f"max {max(times):.1f} ms (target median < 50 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
