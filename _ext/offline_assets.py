"""Serve every browser asset from the site itself, so the book works with no network.

By default an Altair chart loads Vega from a CDN, ipywidgets load require.js and the widget
manager from CDNs, and math loads MathJax from a CDN. This extension:

1. writes the Vega libraries (from the ``vl-convert-python`` package, by the Vega team) into
   ``_static/vega/vega-bundle.js``, wrapped in a function scope so their top-level names do
   not clash with Sphinx's globals, and sets ``VEGA_DEBUG`` so Altair's chart HTML uses them
   instead of the CDN. Pages with a chart load it (once per page; the browser caches it);
2. copies the non-AMD ipywidgets HTML manager and a pruned MathJax 3 from ``node_modules``
   (installed by ``npm ci`` from ``package.json``) into ``_static``. ``_config.yml`` points
   ``nb_ipywidgets_js`` and ``mathjax_path`` at them;
3. stamps every page with ``<meta name="ttpbook-build">`` (from ``TTPBOOK_BUILD_ID``), so a
   test can tell that a page came from the build it just ran.

The ``VEGA_DEBUG`` mechanism is an Altair internal. ``check_altair_mechanism`` fails the
build loudly if an Altair upgrade changes it, instead of letting charts silently go blank.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

ASSET_DIR_NAME = "offline-assets"
VEGA_BUNDLE = "vega/vega-bundle.js"
HTML_MANAGER_FILES = ("embed.js", "embed.js.LICENSE.txt")
FONT_SUFFIXES = (".woff2", ".woff", ".ttf", ".eot", ".svg")
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


def build_assets(book_root: Path, out: Path) -> None:
    modules = book_root / "node_modules"
    manager = modules / "@jupyter-widgets" / "html-manager" / "dist"
    mathjax = modules / "mathjax" / "es5"
    for needed in (manager / "embed.js", mathjax / "tex-chtml.js"):
        if not needed.exists():
            raise ExtensionError(f"offline_assets: {needed} is missing. Run `npm ci` in the book folder "
                                 "(`make book` does it for you).")
    bundle = out / VEGA_BUNDLE
    bundle.parent.mkdir(parents=True, exist_ok=True)
    text = vega_bundle()
    if not bundle.exists() or bundle.read_text(encoding="utf-8") != text:
        bundle.write_text(text, encoding="utf-8")
    for item in manager.iterdir():
        if item.name in HTML_MANAGER_FILES or item.suffix in FONT_SUFFIXES:
            _copy_if_changed(item, out / "html-manager" / item.name)
    for keep in MATHJAX_KEEP:
        source = mathjax / keep
        files = [source] if source.is_file() else [p for p in source.rglob("*") if p.is_file()]
        for path in files:
            _copy_if_changed(path, out / "mathjax" / path.relative_to(mathjax))
    _copy_if_changed(modules / "mathjax" / "LICENSE", out / "mathjax" / "LICENSE")


def on_config_inited(app: Sphinx, config) -> None:
    check_altair_mechanism()
    out = Path(app.doctreedir).parent / ASSET_DIR_NAME
    build_assets(Path(app.confdir), out)
    # Added here rather than under _static/: Jupyter Book would put every *.js in _static on every page.
    config.html_static_path.append(str(out))


# The ipywidgets HTML manager (1.x) typesets with the MathJax 2 API, ``MathJax.Hub.Queue``, which
# MathJax 3 does not have: on a page with both math and widgets every widget threw an error.
# Give MathJax 3 a small ``Hub.Queue`` that calls its own ``typesetPromise``.
MATHJAX_HUB_SHIM = """(function () {
  var config = window.MathJax;
  if (!config || config.version) { return; }
  config.Hub = {Queue: function () {}};  /* before start-up: MathJax 3 typesets the whole page anyway */
  var startup = config.startup || (config.startup = {});
  startup.ready = function () {
    MathJax.startup.defaultReady();
    MathJax.Hub = {Queue: function (job) {
      var element = job && job[2];
      return MathJax.typesetPromise(element ? [element] : undefined);
    }};
  };
})();"""


def on_html_page_context(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    body = context.get("body", "")
    if "altair-viz-" in body:
        app.add_js_file(VEGA_BUNDLE)
    if any("mathjax" in str(getattr(script, "filename", "") or "") for script in context.get("script_files", [])):
        app.add_js_file(None, body=MATHJAX_HUB_SHIM, priority=501)
    build_id = os.environ.get("TTPBOOK_BUILD_ID", "dev")
    context["metatags"] = context.get("metatags", "") + f'\n<meta name="ttpbook-build" content="{build_id}" />'


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
    app.connect("html-page-context", on_html_page_context, priority=800)
    app.connect("html-page-context", drop_duplicate_scripts, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
