"""Choose how charts are drawn, by where the notebook runs.

Set ``TTPBOOK_MODE`` to say where:

- ``book``: building the static site. Charts are emitted as HTML that uses the Vega
  libraries the site serves itself (see ``_ext/offline_assets.py``). ``make book`` sets this.
- ``offline``: JupyterLab or Notebook with no internet (a lab with no network). Uses
  Altair's ``jupyter`` renderer with ``offline=True`` (needs anywidget and vl-convert).
- anything else, or unset: an online Jupyter (Binder, a JupyterHub). Altair's default renderer.
"""

from __future__ import annotations

import os

import altair as alt

MODE_VARIABLE = "TTPBOOK_MODE"


def mode() -> str:
    value = os.environ.get(MODE_VARIABLE, "").strip().lower()
    return value if value in ("book", "offline") else "online"


def is_static_build() -> bool:
    return mode() == "book"


def enable_renderer() -> str:
    """Enable the Altair renderer for this environment; return the mode used."""
    current = mode()
    if current == "book":
        # Plain HTML: the page already has vegaEmbed (never the 'mimetype' renderer:
        # nbformat rejects Altair 6's vega-lite v6 mimetype and the build aborts).
        alt.renderers.enable("html")
        # No actions menu: it offers "Open in Vega Editor" (another site) and its icon-only
        # button has no accessible name.
        alt.renderers.set_embed_options(actions=False)
    elif current == "offline":
        alt.renderers.enable("jupyter", offline=True)
    else:
        alt.renderers.enable("default")
    return current
