"""What kinds of sources a chapter rests on: its citations, typed from references.bib.

``source_mix("background.md")`` counts the distinct works a chapter cites, by source type; the
chapters show it as a small chart before their exercises. ``sentences_resting_on(text, types)``
finds sentences whose citations are all of the given types (the bibliography test uses it to
refuse a sentence that rests only on aggregators).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from . import sources

CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")
_FENCE = re.compile(r"^(`{3,}|~{3,}).*?^\1\s*$", re.S | re.M)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]*]*\s+(?=[A-Z\"“(\[{*])")


def citation_keys(text: str) -> list[str]:
    """Every key cited in ``text``, in order of first citation."""
    keys: dict[str, None] = {}
    for group in CITE.findall(text):
        for key in group.split(","):
            keys.setdefault(key.strip(), None)
    return [k for k in keys if k]


def prose(text: str) -> str:
    """The chapter's text without code cells, directives' fenced blocks and front matter."""
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)
    return _FENCE.sub("", text)


def sentences(text: str) -> list[str]:
    """The prose split into sentences (paragraphs first, then at sentence ends)."""
    out = []
    for paragraph in re.split(r"\n\s*\n", prose(text)):
        lines = [line.strip() for line in paragraph.splitlines()]
        if lines and all(line.startswith("|") for line in lines):  # a table: each row stands alone
            units = lines
        else:
            units = [" ".join(lines)]
        for unit in units:
            out.extend(s for s in _SENTENCE_END.split(unit) if s.strip())
    return out


def sentences_resting_on(text: str, types: set[str]) -> list[tuple[str, list[str]]]:
    """Sentences that cite something and whose every citation is of one of ``types``."""
    kinds = sources.source_types()
    found = []
    for sentence in sentences(text):
        keys = citation_keys(sentence)
        if keys and all(kinds.get(key) in types for key in keys):
            found.append((sentence, keys))
    return found


def source_mix(chapter: Path | str) -> pd.DataFrame:
    """One row per source type: how many distinct works the chapter cites of that type."""
    keys = citation_keys(Path(chapter).read_text(encoding="utf-8"))
    kinds = sources.source_types()
    counts = pd.Series([kinds.get(key, "") for key in keys], dtype="string").value_counts()
    frame = pd.DataFrame({"sourcetype": list(sources.SOURCE_TYPES),
                          "label": list(sources.SOURCE_TYPES.values())})
    frame["works"] = frame["sourcetype"].map(counts).fillna(0).astype(int)
    frame["share"] = frame["works"] / max(len(keys), 1)
    return frame


def chapter_sources(chapter: Path | str) -> pd.DataFrame:
    """One row per distinct work the chapter cites: short citation, source type, descriptor."""
    keys = citation_keys(Path(chapter).read_text(encoding="utf-8"))
    frame = pd.DataFrame({
        "source": [sources.short_citation(key) for key in keys],
        "type": [sources.SOURCE_TYPES.get(sources.source_type(key), "untyped") for key in keys],
        "descriptor": [sources.descriptor(key) for key in keys],
        "key": keys,
    })
    order = {label: i for i, label in enumerate(sources.SOURCE_TYPES.values())}
    return frame.sort_values(["type", "source"], key=lambda c: c.map(order) if c.name == "type" else c,
                             kind="stable").reset_index(drop=True)


def source_mix_chart(mix: pd.DataFrame):
    """Horizontal bars, one per source type; hovering a bar highlights it and shows its count."""
    import altair as alt

    hover = alt.selection_point(name="type_hover", on="pointerover", fields=["label"], empty=False)
    return alt.Chart(mix).mark_bar().encode(
        y=alt.Y("label:N", sort=list(mix["label"]), title=None, axis=alt.Axis(labelLimit=300)),
        x=alt.X("works:Q", title="Works cited", axis=alt.Axis(tickMinStep=1)),
        opacity=alt.condition(hover, alt.value(1.0), alt.value(0.75)),
        stroke=alt.condition(hover, alt.value("#000000"), alt.value(None)),
        tooltip=[alt.Tooltip("label:N", title="Type"), alt.Tooltip("works:Q", title="Works"),
                 alt.Tooltip("share:Q", title="Share of works", format=".0%")],
    ).add_params(hover).properties(width=360, height=26 * len(mix), title="Works this chapter cites, by type")


def describe_mix(mix: pd.DataFrame) -> str:
    """The text description of the chart, built from the counts."""
    total = int(mix["works"].sum())
    parts = [f"{row.label}: {row.works}" for row in mix.itertuples()]
    return (f"Bar chart of the {total} distinct works this chapter cites, by source type ({'; '.join(parts)}). "
            "Hovering over a bar highlights it and shows its count and share. The table lists every work "
            "with its type and, where useful, a short descriptor.")


def show_source_mix(chapter: Path | str) -> None:
    """The chapter's closing figure: its source mix, with every cited work listed below it."""
    from .charts import show

    mix = source_mix(chapter)
    major = mix.set_index("sourcetype")["works"]
    scholarly = int(major[["peer-reviewed", "book", "official", "think-tank"]].sum())
    caption = (f"Of the {int(mix['works'].sum())} works this chapter cites, {scholarly} are scholarly, official "
               f"or institutional and {int(major['aggregator'])} are aggregator, blog or forum copies.")
    show(source_mix_chart(mix), caption=caption, description=describe_mix(mix),
         table=chapter_sources(chapter), columns=["source", "type", "descriptor"], source="references.bib")


def mix_by_chapter(chapters: dict[str, Path | str]) -> pd.DataFrame:
    """Works cited per chapter (rows) and source type (columns), with a total column."""
    rows = {title: source_mix(path).set_index("label")["works"] for title, path in chapters.items()}
    table = pd.DataFrame(rows).T
    table.columns.name = None
    table["Total"] = table.sum(axis=1)
    table.index.name = "Chapter"
    return table.reset_index()
