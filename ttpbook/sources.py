"""Turn bibliography keys (as stored in data files) into short readable citations for tooltips."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

BIB = Path(__file__).resolve().parent.parent / "references.bib"
_ENTRY = re.compile(r"^@\w+\{([^,\s]+),(.*?)^\}", re.S | re.M)
_FIELD = r"^\s*{name}\s*=\s*\{{(.*?)\}},?\s*$"


def _field(body: str, name: str) -> str:
    match = re.search(_FIELD.format(name=name), body, re.M)
    return match.group(1) if match else ""


@lru_cache(maxsize=1)
def _entries() -> dict[str, tuple[str, str, str]]:
    entries = {}
    for key, body in _ENTRY.findall(BIB.read_text(encoding="utf-8")):
        author = _field(body, "author").replace("{", "").replace("}", "")
        if " and " in author:
            first = author.split(" and ")[0].split(",")[0].strip()
            author = f"{first} et al." if author.count(" and ") > 1 else " and ".join(
                a.split(",")[0].strip() for a in author.split(" and "))
        elif "," in author and not author.startswith("UNB"):
            author = author.split(",")[0].strip()
        year = _field(body, "year")
        title = _field(body, "title").replace("{", "").replace("}", "")
        entries[key] = (author, year, title)
    return entries


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
