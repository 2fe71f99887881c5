"""The bibliography's formatted entries, kept between builds.

sphinxcontrib-bibtex formats every entry of references.bib on every build, even when nothing
changed: with about 300 entries, and each formatted twice (once for the bibliography, once for
the citation's hover tooltip, with the same style), that was over half of a no-change
``make book``. This extension registers a pybtex formatting style, ``plain_cached`` (pybtex's
documented plugin mechanism; ``_config.yml`` sets ``bibtex_default_style`` to it), that formats
exactly as pybtex's ``plain`` and remembers each result, keyed on the label and everything in
the entry that formatting reads (type, key, fields, people). The results are kept in the
doctree folder between builds (emptied with it), and saved again only when something new was
formatted. A changed entry has a new key, so it is formatted afresh.
"""

from __future__ import annotations

import pickle
from importlib.metadata import version
from pathlib import Path

from pybtex.plugin import find_plugin, register_plugin
from sphinx.application import Sphinx

STYLE_NAME = "plain_cached"
CACHE_FILE = "bibtex-formatted.pickle"
PlainStyle = find_plugin("pybtex.style.formatting", "plain")

_formatted: dict = {}  # (label, entry fingerprint) -> FormattedEntry
_state = {"new": 0, "used": set()}


def entry_fingerprint(entry) -> tuple:
    """Everything in an entry that formatting reads."""
    return (entry.type, entry.key, tuple(sorted((name.lower(), str(value)) for name, value in entry.fields.items())),
            tuple((role, tuple(str(person) for person in people)) for role, people in entry.persons.items()))


class CachedPlainStyle(PlainStyle):
    """pybtex's ``plain`` style, remembering what it formatted."""

    def format_entry(self, label, entry, bib_data=None):
        if bib_data is not None:  # cross-references read other entries: not cached
            return super().format_entry(label, entry, bib_data=bib_data)
        key = (label, entry_fingerprint(entry))
        _state["used"].add(key)
        if key not in _formatted:
            _formatted[key] = super().format_entry(label, entry)
            _state["new"] += 1
        return _formatted[key]


def _cache_path(app: Sphinx) -> Path:
    return Path(app.doctreedir) / CACHE_FILE


def _stamp() -> str:
    return f"pybtex {version('pybtex')}, sphinxcontrib-bibtex {version('sphinxcontrib-bibtex')}"


def load_cache(app: Sphinx) -> None:
    path = _cache_path(app)
    _formatted.clear()
    _state.update(new=0, used=set())
    try:
        stamp, saved = pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError):
        return
    if stamp == _stamp():
        _formatted.update(saved)


def save_cache(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or not _state["used"]:
        return
    if _state["new"] == 0 and set(_formatted) == _state["used"]:
        return  # nothing new, nothing stale
    kept = {key: _formatted[key] for key in _state["used"]}
    path = _cache_path(app)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps((_stamp(), kept)))


def setup(app: Sphinx) -> dict:
    register_plugin("pybtex.style.formatting", STYLE_NAME, CachedPlainStyle, force=True)
    app.connect("builder-inited", load_cache)
    app.connect("build-finished", save_cache)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
