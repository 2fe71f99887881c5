"""Read the bibliography (with pybtex): short citations for tooltips, and each entry's source type.

Every entry in ``references.bib`` carries ``sourcetype`` (one of ``SOURCE_TYPES``) and, where a
reader needs it, a short ``descriptor`` ("Islamabad think tank", "Indian outlet").
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

BIB_NAME = "references.bib"
_CHECKOUT_BIB = Path(__file__).resolve().parent.parent / BIB_NAME
# A plain `pip install .` has no checkout: the wheel carries the bibliography (see pyproject.toml).
BIB = _CHECKOUT_BIB if _CHECKOUT_BIB.exists() else Path(str(resources.files("ttpbook") / "bookbib" / BIB_NAME))

SOURCE_TYPES = {
    "peer-reviewed": "Peer-reviewed article",
    "book": "Book or book chapter",
    "official": "UN or official document or statement",
    "think-tank": "Research institute or think tank",
    "major-outlet": "Major news outlet",
    "regional-outlet": "Regional or smaller news outlet",
    "aggregator": "Aggregator, blog or forum copy",
}


def _plain(latex: str) -> str:
    from pybtex.richtext import Text

    return Text.from_latex(latex).render_as("text")


@lru_cache(maxsize=4)
def _database(path: Path = BIB):
    from pybtex.database import parse_file  # imported here: only tooltips and tests need it

    return parse_file(str(path), "bibtex")


def _short_author(entry) -> str:
    people = entry.persons.get("author", [])
    last = [_plain(" ".join(p.prelast_names + p.last_names)) for p in people]
    if len(last) > 2:
        return f"{last[0]} et al."
    return " and ".join(last)


@lru_cache(maxsize=1)
def _entries() -> dict[str, tuple[str, str, str]]:
    """key → (short author, year, plain title)."""
    return {key: (_short_author(entry), entry.fields.get("year", ""), _plain(entry.fields.get("title", "")))
            for key, entry in _database().entries.items()}


def source_type(key: str) -> str:
    """The entry's ``sourcetype`` field ('' if it has none)."""
    return _database().entries[key].fields.get("sourcetype", "")


def source_types(path: Path = BIB) -> dict[str, str]:
    """Every bibliography key → its source type ('' where the entry has none)."""
    return {key: entry.fields.get("sourcetype", "") for key, entry in _database(Path(path)).entries.items()}


def descriptor(key: str) -> str:
    return _plain(_database().entries[key].fields.get("descriptor", ""))


def short_citation(keys: str, separator: str = ";") -> str:
    """'dawn2015nap; tribune2018fata' → 'Dawn (2015); Express Tribune (2018)'. Unknown keys raise."""
    parts = []
    for key in (k.strip() for k in str(keys).split(separator)):
        if not key:
            continue
        if key not in _entries():
            raise KeyError(f"Bibliography key {key!r} is not in references.bib")
        author, year, _ = _entries()[key]
        parts.append(f"{author} ({year})")
    return "; ".join(parts)
