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
