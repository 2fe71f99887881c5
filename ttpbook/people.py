"""The "People and organisations" page: who is who, built from data/people.csv.

Each row of ``people.csv`` names a person (or an office or organisation), their role, dates, side
and a short description with its sources. Where each one appears in the book is not typed by hand:
:func:`appearances` searches the chapters for the row's ``search_terms``, so the page stays true
when a chapter changes. :func:`page_markdown` writes the entries as MyST Markdown, each with a
label ``person-<person_id>`` that chapters link to with ``{ref}`Name <person-id>```.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from . import data

CHAPTERS_DIR = Path(__file__).resolve().parent.parent / "chapters"

#: Chapters searched for mentions, in reading order (docname, short title).
CHAPTERS = (
    ("background", "Background"),
    ("reading-the-op-ed", "Reading the op-ed"),
    ("talks-2021-22", "The 2021–22 talks"),
    ("policy-coherence", "Policy coherence"),
    ("positions-codebook", "Positions codebook"),
    ("glossary", "Glossary"),
)

#: Order of the sides on the page.
SIDES = (
    "TTP",
    "Afghan Taliban",
    "Pakistan federal government",
    "Pakistan military",
    "KP government / PTI",
    "Pakistani opposition and civil society",
    "other militant groups",
    "UN",
)


def label(person_id: str) -> str:
    """The MyST label of a person's entry, for ``{ref}`` links from the chapters."""
    return f"person-{person_id}"


def mentions(text: str, terms: str) -> bool:
    """Whether any of the ';'-separated search terms occurs in the text as a whole word."""
    return any(re.search(rf"(?<!\w){re.escape(t.strip())}(?!\w)", text)
               for t in terms.split(";") if t.strip())


def appearances(people: pd.DataFrame, chapters_dir: Path | str = CHAPTERS_DIR) -> dict[str, list[str]]:
    """For each person_id, the docnames of the chapters that mention the person, in reading order."""
    texts = {}
    for docname, _ in CHAPTERS:
        path = Path(chapters_dir) / f"{docname}.md"
        texts[docname] = path.read_text(encoding="utf-8") if path.exists() else ""
    return {row.person_id: [doc for doc, _ in CHAPTERS if mentions(texts[doc], row.search_terms)]
            for row in people.itertuples()}


def _citation(keys: str) -> str:
    keys = ",".join(k.strip() for k in keys.split(";") if k.strip())
    return f" {{cite:p}}`{keys}`" if keys else ""


def page_markdown(people: pd.DataFrame, found: dict[str, list[str]]) -> str:
    """The entries as MyST Markdown, grouped by side, alphabetical by name within a side."""
    titles = dict(CHAPTERS)
    unknown = sorted(set(people["side"]) - set(SIDES))
    if unknown:
        raise ValueError(f"people.csv: side not in ttpbook.people.SIDES: {unknown}")
    out = []
    for side in SIDES:
        group = people[people["side"] == side].sort_values("name")
        if group.empty:
            continue
        out.append(f"**{side}**\n")
        for row in group.itertuples():
            where = ", ".join(f"{{doc}}`{titles[d]} <{d}>`" for d in found.get(row.person_id, []))
            dates = f" ({row.dates})" if row.dates else ""
            out.append(f"({label(row.person_id)})=\n"
                       f"**{row.name}**: {row.role}{dates}. {row.description.rstrip('.')}{_citation(row.source_keys)}."
                       f" *Appears in:* {where or 'no chapter at present'}.\n")
    return "\n".join(out)


def people_page() -> str:
    """Load and check data/people.csv and return the page's Markdown."""
    people = data.load("people").fillna("")
    return page_markdown(people, appearances(people))
