"""The book's build mode, and every browser asset served from the site itself (no network).

This extension is the one place that says "this is the static book build":

0. at ``config-inited`` it sets ``TTPBOOK_MODE=book`` in the build's environment, so every
   notebook kernel the build starts inherits it (``ttpbook.render`` reads it). A plain
   ``jupyter-book build .`` therefore builds the same site as ``make book``.

By default an Altair chart loads Vega from a CDN, ipywidgets load require.js and a widget manager
from CDNs, and math loads MathJax from a CDN. This extension:

1. writes the Vega libraries (from the ``vl-convert-python`` package, by the Vega team) into
   ``_static/vega/vega-bundle.js``, wrapped in a function scope so their top-level names do
   not clash with Sphinx's globals, and sets ``VEGA_DEBUG`` so Altair's chart HTML uses them
   instead of the CDN. The bundle is made once per Altair and vl-convert version and kept in
   ``_build/offline-assets`` (the key is in ``vega/VERSIONS``): a rebuild reuses it;
2. copies a pruned MathJax 3 (``MATHJAX_KEEP``) from ``node_modules`` (installed by ``npm ci``
   from ``package.json``) into ``_static``; ``_config.yml`` points ``mathjax_path`` at it;
3. loads each heavy asset only on the pages that use it: the Vega bundle on pages with a chart,
   MathJax on pages with math (Sphinx also loads it on every page whose toctree includes a page
   with math: the welcome page). The static site has no widget manager: the explorers are drawn
   as plain HTML at build time (``ttpbook.widgets.snapshot_html``), so the widget state that the
   kernel still records is dropped, and a live widget view on a page stops the build;
4. stamps every page with ``<meta name="ttpbook-build">`` (from ``TTPBOOK_BUILD_ID``), so a
   test can tell that a page came from the build it just ran.

The ``VEGA_DEBUG`` mechanism is an Altair internal. ``check_altair_mechanism`` fails the
build loudly if an Altair upgrade changes it, instead of letting charts silently go blank (it
runs whenever the bundle is made, i.e. whenever Altair or vl-convert changes).
"""

from __future__ import annotations

import os
import shutil
from importlib.metadata import version
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

MODE_VARIABLE = "TTPBOOK_MODE"  # read by ttpbook.render
BOOK_MODE = "book"

ASSET_DIR_NAME = "offline-assets"
VEGA_BUNDLE = "vega/vega-bundle.js"
VEGA_BUNDLE_KEY = "vega/VERSIONS"
WIDGET_STATE_TYPE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW_TYPE = "application/vnd.jupyter.widget-view+json"
# The MathJax files the book serves: the combined TeX-to-HTML component and what it loads later.
MATHJAX_KEEP = ("tex-chtml.js", "output/chtml/fonts/woff-v2", "input/tex/extensions", "a11y", "ui")


def altair_versions() -> dict[str, str]:
    import altair as alt

    return {"vega_version": alt.VEGA_VERSION, "vegalite_version": alt.VEGALITE_VERSION,
            "vegaembed_version": alt.VEGAEMBED_VERSION}


def check_altair_mechanism() -> None:
    """Fail unless Altair's chart HTML still skips the CDN when VEGA_DEBUG carries its versions."""
    import altair as alt

    versions = altair_versions()
    with alt.renderers.enable("html"):
        bundle = alt.Chart(alt.Data(values=[{"a": 1}])).mark_point().encode(x="a:Q")._repr_mimebundle_()
    page = (bundle[0] if isinstance(bundle, tuple) else bundle)["text/html"]
    expected = [
        'var VEGA_DEBUG = (typeof VEGA_DEBUG == "undefined") ? {} : VEGA_DEBUG;',
        'var key = `${lib.replace("-", "")}_version`;',
        "(VEGA_DEBUG[key] == version)",
        f'maybeLoadScript("vega", "{versions["vega_version"]}")',
        f'maybeLoadScript("vega-lite", "{versions["vegalite_version"]}")',
        f'maybeLoadScript("vega-embed", "{versions["vegaembed_version"]}")',
        "displayChart(vegaEmbed)",
    ]
    missing = [snippet for snippet in expected if snippet not in page]
    if missing:
        raise ExtensionError(
            "offline_assets: Altair's chart HTML no longer matches the offline mechanism this book "
            f"relies on (Altair {alt.__version__}); charts would try to load Vega from a CDN and stay "
            f"blank offline. Missing from the template: {missing}. Pin Altair back or update "
            "_ext/offline_assets.py.")


def vega_bundle() -> str:
    """The Vega, Vega-Lite and vega-embed libraries as one classic script, plus VEGA_DEBUG."""
    import json

    import altair as alt
    import vl_convert as vlc

    wanted = ".".join(alt.VEGALITE_VERSION.split(".")[:2])
    if wanted not in vlc.get_vegalite_versions():
        raise ExtensionError(f"offline_assets: vl-convert {vlc.__version__} has no Vega-Lite {wanted} "
                             f"(it has {vlc.get_vegalite_versions()}); Altair {alt.__version__} needs it.")
    source = vlc.javascript_bundle(vl_version=wanted)
    for name in ("window.vegaEmbed=", "window.vega=", "window.vegaLite="):
        if name not in source:
            raise ExtensionError(f"offline_assets: the vl-convert bundle no longer defines {name[:-1]}.")
    debug = json.dumps(altair_versions())
    return ("/* Vega, Vega-Lite and vega-embed (BSD-3-Clause), bundled by vl-convert-python. */\n"
            "(function () {\n" + source + "\n})();\n"
            f"window.VEGA_DEBUG = Object.assign(window.VEGA_DEBUG || {{}}, {debug});\n")


def _copy_if_changed(source: Path, target: Path) -> None:
    if target.exists() and target.stat().st_size == source.stat().st_size \
            and target.stat().st_mtime >= source.stat().st_mtime:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)


def vega_bundle_key() -> str:
    """What the Vega bundle depends on: the Altair and vl-convert versions (cheap to read)."""
    return f"altair {version('altair')}, vl-convert-python {version('vl-convert-python')}\n"


def write_vega_bundle(out: Path) -> bool:
    """Make the Vega bundle unless the cached one was made for these versions. True if (re)made."""
    bundle, key_file = out / VEGA_BUNDLE, out / VEGA_BUNDLE_KEY
    key = vega_bundle_key()
    if bundle.exists() and key_file.exists() and key_file.read_text(encoding="utf-8") == key:
        return False
    check_altair_mechanism()
    bundle.parent.mkdir(parents=True, exist_ok=True)
    bundle.write_text(vega_bundle(), encoding="utf-8")
    key_file.write_text(key, encoding="utf-8")
    return True


def build_assets(book_root: Path, out: Path) -> None:
    modules = book_root / "node_modules"
    mathjax = modules / "mathjax" / "es5"
    if not (mathjax / "tex-chtml.js").exists():
        raise ExtensionError(f"offline_assets: {mathjax / 'tex-chtml.js'} is missing. Run `npm ci` in the "
                             "book folder (`make book` does it for you).")
    write_vega_bundle(out)
    stamp = out / "mathjax" / "VERSION"
    mathjax_version = (modules / "mathjax" / "package.json").read_text(encoding="utf-8") + repr(MATHJAX_KEEP)
    if stamp.exists() and stamp.read_text(encoding="utf-8") == mathjax_version:
        return
    shutil.rmtree(out / "mathjax", ignore_errors=True)
    for keep in MATHJAX_KEEP:
        source = mathjax / keep
        files = [source] if source.is_file() else [p for p in source.rglob("*") if p.is_file()]
        for path in files:
            _copy_if_changed(path, out / "mathjax" / path.relative_to(mathjax))
    _copy_if_changed(modules / "mathjax" / "LICENSE", out / "mathjax" / "LICENSE")
    stamp.write_text(mathjax_version, encoding="utf-8")


def on_config_inited(app: Sphinx, config) -> None:
    os.environ[MODE_VARIABLE] = BOOK_MODE  # inherited by every kernel this build starts
    # In the book's own _build/, whatever --path-output says: every build (the author's, the
    # tests', the benchmark's) shares one cached Vega bundle.
    out = Path(app.srcdir) / "_build" / ASSET_DIR_NAME
    for stale in (out.iterdir() if out.exists() else ()):
        if stale.is_dir() and stale.name not in ("vega", "mathjax"):  # e.g. the old widget manager
            shutil.rmtree(stale)
    build_assets(Path(app.confdir), out)
    # Added here rather than under _static/: Jupyter Book would put every *.js in _static on every page.
    config.html_static_path.append(str(out))


def _script_type(script) -> str:
    return str(getattr(script, "attributes", {}).get("type", ""))


def load_assets_where_used(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Each heavy asset only on the pages that use it (runs after Sphinx and myst-nb add theirs)."""
    body = context.get("body", "")
    scripts = context.get("script_files")
    if "altair-viz-" in body:
        app.add_js_file(VEGA_BUNDLE)
    if WIDGET_VIEW_TYPE in body:
        logger.warning("a live widget view is on this page, but the static site has no widget manager "
                       "(and no kernel): draw it with ttpbook.widgets' snapshot instead", location=pagename)
    context["metatags"] = context.get("metatags", "") + \
        f'\n<meta name="ttpbook-build" content="{os.environ.get("TTPBOOK_BUILD_ID", "dev")}" />'
    if scripts is None:
        return
    page_has_math = app.env.get_domain("math").data["has_equations"].get(pagename, False)
    mathjax = "_static/" + str(app.config.mathjax_path)  # Sphinx files page scripts under _static/

    def is_mathjax(script) -> bool:
        return (str(getattr(script, "filename", "") or "") == mathjax
                or str(getattr(script, "attributes", {}).get("body", "")).startswith("window.MathJax ="))

    scripts[:] = [script for script in scripts
                  if _script_type(script) != WIDGET_STATE_TYPE and (page_has_math or not is_mathjax(script))]


def drop_duplicate_scripts(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Jupyter Book 1 adds some inline scripts twice (sphinx-thebe's `const THEBE_JS_URL`), which
    throws 'Identifier has already been declared' on every page. Keep the first of each."""
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        key = (getattr(script, "filename", None) or "",
               tuple(sorted((k, str(v)) for k, v in getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", on_config_inited)
    app.connect("html-page-context", load_assets_where_used, priority=800)
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)
    return {"version": "2.3", "env_version": 5, "parallel_read_safe": True, "parallel_write_safe": True}
