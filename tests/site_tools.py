"""Shared helpers for the tests: build the site, serve it on 127.0.0.1, drive Debian's Chromium.

Also used by scripts/benchmark.py, so the benchmark measures exactly what the tests check.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlparse

import yaml

ROOT = Path(__file__).resolve().parent.parent
AUTHOR_HTML = ROOT / "_build" / "html"  # what `make book` writes; the tests never build here
TEST_OUTPUT = ROOT / "_build" / "test"  # the tests' own build (jupyter-book --path-output)
HTML_DIR = TEST_OUTPUT / "_build" / "html"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]
JB = str(Path(sys.executable).parent / "jupyter-book")


def toc_pages() -> list[str]:
    """Every page in _toc.yml, as paths without suffix (e.g. 'chapters/welcome')."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        pages += [c["file"] for c in part.get("chapters", [])]
    return pages


def html_dir(output: Path) -> Path:
    """Where a build with ``--path-output output`` writes the site."""
    return Path(output) / "_build" / "html"


def build(build_id: str, execute: str = "force", extra_env: dict | None = None,
          extra_args: list[str] | None = None, output: Path = TEST_OUTPUT) -> subprocess.CompletedProcess:
    """Build the book with -W -n --keep-going into ``output`` (never the author's _build/html).

    execute: 'force', 'cache' or 'off'. The build mode is not set here: the book's own extension
    sets it (TTPBOOK_MODE is removed from the environment to prove it)."""
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "TTPBOOK_BUILD_ID": build_id, **(extra_env or {})}
    env.pop("TTPBOOK_MODE", None)
    args = [JB, "build", str(ROOT), "-W", "-n", "--keep-going", "--path-output", str(output), *(extra_args or [])]
    if execute != "cache":
        config = yaml.safe_load((ROOT / "_config.yml").read_text())
        config["execute"]["execute_notebooks"] = execute
        if execute == "off":
            # Unexecuted, the pages whose targets or numbers code writes (People and organisations,
            # glued numbers) have none, so references to them would warn; the executed build
            # (built_site) checks every one of them.
            config["sphinx"]["config"]["suppress_warnings"] = ["ref.ref", "mystnb.glue", "mystnb.glue_ref"]
        # Jupyter Book resolves local extension paths against the config file's folder.
        config["sphinx"]["local_extensions"] = {name: str(ROOT / path) for name, path
                                                in config["sphinx"]["local_extensions"].items()}
        override = output / f"_config.{execute}.yml"
        override.write_text(yaml.safe_dump(config, sort_keys=False))
        args += ["--config", str(override)]
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output readable
        pass


@contextlib.contextmanager
def serve(directory: Path = HTML_DIR):
    """Serve ``directory`` on 127.0.0.1 (a free port); yield the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def chromium():
    """A headless Debian Chromium driven by Playwright (no browser download)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class PageAudit:
    """Open one page with every request to another host blocked, and record what went wrong."""

    def __init__(self, context, url: str):
        self.url = url
        self.blocked: list[str] = []
        self.failed_local: list[str] = []
        self.page_errors: list[str] = []
        self.console_errors: list[str] = []
        host = urlparse(url).netloc
        page = context.new_page()

        def route(r):
            target = urlparse(r.request.url)
            if target.scheme in ("data", "blob") or target.netloc == host:
                r.continue_()
            else:
                self.blocked.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)
        page.on("response", lambda r: self.failed_local.append(f"{r.status} {r.url}")
                if r.status >= 400 and urlparse(r.url).netloc == host else None)
        self.page = page

    def open(self, wait_ms: int = 0, timeout_ms: int = 15000):
        """Load the page and wait until every chart has drawn (or shown an error)."""
        self.page.goto(self.url, wait_until="load")
        try:
            self.page.wait_for_function(
                """() => [...document.querySelectorAll('[id^="altair-viz-"]')]
                         .every(b => b.querySelector('svg.marks, canvas, .error'))""", timeout=timeout_ms)
        except Exception:  # noqa: BLE001 - problems() reports the undrawn charts
            pass
        if wait_ms:
            self.page.wait_for_timeout(wait_ms)
        return self

    def charts(self) -> dict:
        """Count chart containers and how many of them drew an SVG or canvas."""
        return self.page.evaluate("""() => {
            const boxes = [...document.querySelectorAll('[id^="altair-viz-"]')];
            return {
              total: boxes.length,
              drawn: boxes.filter(b => b.querySelector('svg.marks, canvas')).length,
              errors: boxes.map(b => b.querySelector('.error') ? b.innerText : null).filter(Boolean),
            };
        }""")

    def problems(self) -> list[str]:
        """Everything a reader would see as broken, as sentences."""
        found = [f"request to another host attempted: {u}" for u in self.blocked]
        found += [f"local file failed to load: {u}" for u in self.failed_local]
        found += [f"page error: {e}" for e in self.page_errors]
        found += [f"console error: {e}" for e in self.console_errors]
        text = self.page.inner_text("body")
        if "Error loading script" in text:
            found.append("page shows 'Error loading script'")
        charts = self.charts()
        if charts["drawn"] < charts["total"]:
            found.append(f"only {charts['drawn']} of {charts['total']} charts drawn")
        found += [f"chart error: {e}" for e in charts["errors"]]
        has_widget_state = self.page.locator('script[type="application/vnd.jupyter.widget-state+json"]').count() > 0
        if has_widget_state and self.page.locator(".jupyter-widgets").count() == 0:
            found.append("page embeds widget state but no widget rendered")
        return found

    def close(self):
        self.page.close()


# --- The asset rule: a page loads a heavy asset only if it uses it (and loads what it uses). ------

HEAVY_ASSETS = {
    # asset: (how a page loads it: a script address containing one of these, how a page uses it)
    "widget manager": (("html-manager", "@jupyter-widgets", "require.js", "embed-amd"),
                       ("application/vnd.jupyter.widget-view+json",)),
    "MathJax": (("mathjax",), ('class="math notranslate', "class=\"math\"")),
    "Vega": (("vega-bundle.js", "cdn.jsdelivr.net/npm/vega"), ('id="altair-viz-',)),
}


def script_sources(page_html: str) -> list[str]:
    import re

    return re.findall(r'<script\b[^>]*\bsrc="([^"]+)"', page_html)


def asset_rule_violations(page_html: str) -> list[str]:
    """Every heavy asset the page loads without using it, or uses without loading it."""
    sources = script_sources(page_html)
    found = []
    for asset, (loaders, uses) in HEAVY_ASSETS.items():
        loads = any(marker in source for source in sources for marker in loaders)
        used = any(marker in page_html for marker in uses)
        if loads and not used:
            found.append(f"loads the {asset} but has nothing that uses it")
        if used and not loads:
            found.append(f"uses the {asset} but does not load it")
    return found


# --- layout: can a reader read each chart at this screen size? (tests/test_layout.py) -------

LAYOUT_VIEWPORTS = {1280: 900, 768: 1024, 390: 844}

MEASURE_LAYOUT_JS = r"""() => {
  const round = (x) => Math.round(x * 10) / 10;
  const doc = document.documentElement;
  const column = document.querySelector('article.bd-article') || document.querySelector('main') || document.body;
  const columnStyle = getComputedStyle(column);
  const columnWidth = column.clientWidth - parseFloat(columnStyle.paddingLeft) - parseFloat(columnStyle.paddingRight);
  const visible = (el) => {
    for (let e = el; e && e.nodeType === 1; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.display === 'none' || s.visibility === 'hidden' || Number(s.opacity) === 0) return false;
    }
    return true;
  };
  const charts = [...document.querySelectorAll('[id^="altair-viz-"]')].map((box, index) => {
    const graphic = box.querySelector('svg.marks, canvas');
    const figure = box.closest('figure, .ttp-figure');
    const caption = figure && figure.querySelector('figcaption');
    const name = caption ? caption.innerText.split('\n')[0].slice(0, 70) : box.id;
    if (!graphic) return {index, name, drawn: false};
    const rect = graphic.getBoundingClientRect();
    const own = Number(graphic.getAttribute('width')) || graphic.width || rect.width;
    // The smallest text the chart puts on screen: computed font size x the drawn scale.
    let smallest = Infinity, smallestText = '', clippedTexts = [];
    for (const t of graphic.querySelectorAll('text')) {
      if (!t.textContent.trim() || !visible(t)) continue;
      const m = t.getScreenCTM();
      const scale = m ? Math.hypot(m.a, m.b) : 1;
      const size = parseFloat(getComputedStyle(t).fontSize) * scale;
      if (size < smallest) { smallest = size; smallestText = t.textContent.trim().slice(0, 40); }
      const r = t.getBoundingClientRect();
      if (r.width && (r.left < rect.left - 2 || r.right > rect.right + 2 || r.top < rect.top - 2 || r.bottom > rect.bottom + 2)) {
        clippedTexts.push(t.textContent.trim().slice(0, 40));
      }
    }
    // Cut off by an ancestor that hides overflow (a box that scrolls sideways is not a cut).
    let cutBy = null, scrollBox = null;
    for (let e = graphic.parentElement; e && e !== document.body; e = e.parentElement) {
      const s = getComputedStyle(e), r = e.getBoundingClientRect();
      const overflowing = rect.right > r.right + 1 || rect.left < r.left - 1;
      if (!overflowing || s.overflowX === 'visible') continue;
      if (s.overflowX === 'auto' || s.overflowX === 'scroll') { scrollBox = scrollBox || e; continue; }
      cutBy = cutBy || (e.className || e.tagName).toString().slice(0, 60);
    }
    const bindings = box.querySelector('.vega-bindings');
    let besideChart = false;
    if (bindings && bindings.getBoundingClientRect().height > 0) {
      const b = bindings.getBoundingClientRect();
      besideChart = !(b.top >= rect.bottom - 1 || b.bottom <= rect.top + 1);
    }
    return {index, name, drawn: true, ownWidth: round(own), drawnWidth: round(rect.width),
            scale: round(rect.width / own), columnWidth: round(columnWidth),
            ofColumn: round(rect.width / columnWidth), smallestFont: round(smallest), smallestText,
            clippedTexts, cutBy, scrolls: !!scrollBox, controlsBesideChart: besideChart};
  });
  const controls = [...document.querySelectorAll('.vega-bind')].map((bind) => {
    const input = bind.querySelector('input, select');
    const kind = input ? (input.tagName === 'SELECT' ? 'select' : input.type) : 'none';
    const label = bind.querySelector('.vega-bind-name');
    const target = (kind === 'checkbox' || kind === 'radio') ? bind.querySelector('label') || input : input;
    const t = target ? target.getBoundingClientRect() : {height: 0, width: 0};
    const box = bind.closest('.vega-embed').getBoundingClientRect();
    return {label: label ? label.innerText.trim() : '', kind, height: round(t.height),
            width: round(input ? input.getBoundingClientRect().width : 0), boxWidth: round(box.width)};
  });
  return {viewport: window.innerWidth, pageWidth: doc.scrollWidth,
          overflow: Math.max(doc.scrollWidth, document.body.scrollWidth) - doc.clientWidth,
          charts, controls};
}"""


def measure_layout(page) -> dict:
    """Measure every chart on an open page: drawn vs own width, share of the column, smallest text on
    screen, text cut off, controls beside the chart; and how far the page scrolls sideways."""
    return page.evaluate(MEASURE_LAYOUT_JS)


def layout_problems(figures: dict, page_name: str = "") -> list[str]:
    """What a reader would find unreadable, as sentences naming the page, the chart and the figures."""
    width = figures["viewport"]
    least_font = 11 if width >= 768 else 10
    where = f"{page_name} at {width} px"
    found = []
    if figures["overflow"] > 0:
        found.append(f"{where}: the page scrolls sideways by {figures['overflow']} px")
    for c in figures["charts"]:
        chart = f"{where}, chart {c['index'] + 1} ({c['name']!r})"
        if not c["drawn"]:
            found.append(f"{chart}: not drawn")
            continue
        if c["scale"] < 0.9:
            found.append(f"{chart}: drawn {c['drawnWidth']} px wide, {c['scale']:.0%} of its own "
                         f"{c['ownWidth']} px (squeezed)")
        if c["drawnWidth"] < 0.9 * min(c["columnWidth"], c["ownWidth"]):
            found.append(f"{chart}: {c['drawnWidth']} px wide, {c['ofColumn']:.0%} of the "
                         f"{c['columnWidth']} px column")
        if c["smallestFont"] < least_font:
            found.append(f"{chart}: smallest text {c['smallestFont']} px on screen "
                         f"({c['smallestText']!r}; at least {least_font} px wanted)")
        if c["cutBy"]:
            found.append(f"{chart}: cut off by {c['cutBy']!r}")
        if c["clippedTexts"]:
            found.append(f"{chart}: text outside the chart's drawing: {c['clippedTexts'][:3]}")
        if c["controlsBesideChart"]:
            found.append(f"{chart}: controls sit beside the chart, not above or below it")
    return found


def control_problems(figures: dict, page_name: str = "") -> list[str]:
    """Controls on a phone: labelled, full width, touch targets at least 44 px high."""
    where = f"{page_name} at {figures['viewport']} px"
    found = []
    for c in figures["controls"]:
        name = f"{where}, control {c['label'] or '(no label)'!r}"
        if not c["label"]:
            found.append(f"{name}: has no visible label")
        if c["height"] < 44:
            found.append(f"{name}: touch target {c['height']} px high (44 px wanted)")
        if c["kind"] in ("select", "range") and c["width"] < 0.6 * c["boxWidth"]:
            found.append(f"{name}: {c['width']} px wide in a {c['boxWidth']} px chart box")
    return found
