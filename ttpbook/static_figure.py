"""The print and e-book form of a chart: a static SVG of its default view, as a MyST figure.

``show`` puts this next to the live chart in the same output (as its ``text/markdown``
representation). The website shows the live chart (``text/html`` comes first for the HTML
builder); the PDF and EPUB builds choose the markdown (see ``nb_mime_priority_overrides`` in
``_config.yml``), so a printed figure is numbered, captioned and sourced like any other, and
says what the interactive version adds.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Iterable

import altair as alt

# What a reader of the printed page is told about each kind of control.
_INPUT_WORDS = {"select": "a drop-down menu", "range": "a slider", "checkbox": "a check box",
                "radio": "radio buttons"}
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]<>#|~])")


def _params(spec) -> Iterable[dict]:
    """Every parameter in a Vega-Lite spec, at any depth (top level, layers, concatenations)."""
    if isinstance(spec, dict):
        for param in spec.get("params", []) or []:
            yield param
        for value in spec.values():
            yield from _params(value)
    elif isinstance(spec, list):
        for value in spec:
            yield from _params(value)


def interactive_features(spec: dict) -> list[str]:
    """Plain words for what the live chart lets a reader do, read from its parameters."""
    features: list[str] = []
    for param in _params(spec):
        bind = param.get("bind")
        select = param.get("select")
        if isinstance(bind, dict) and bind.get("input") in _INPUT_WORDS:
            label = str(bind.get("name") or param.get("name", "")).strip()
            features.append(f"{_INPUT_WORDS[bind['input']]} ({label})" if label else _INPUT_WORDS[bind["input"]])
        elif select is not None:
            kind = select if isinstance(select, str) else select.get("type")
            if kind == "interval":
                features.append("dragging across the chart to select or zoom")
            elif kind == "point":
                on = "" if isinstance(select, str) else str(select.get("on", ""))
                features.append("hovering to highlight" if "pointerover" in on or "mouseover" in on
                                else "clicking to highlight")
    unique = list(dict.fromkeys(features))
    return unique


def svg(chart: alt.TopLevelMixin) -> str:
    """The chart's default view as SVG, drawn by the Vega team's converter (no browser).

    Imported here, not at the top: only the book build draws static figures, and the lighter
    Binder environment (binder/requirements.txt) does not install vl-convert."""
    import vl_convert

    return vl_convert.vegalite_to_svg(chart.to_dict(), vl_version=_vl_version())


def _vl_version() -> str:
    major, minor = alt.SCHEMA_VERSION.lstrip("v").split(".")[:2]
    return f"{major}.{minor}"


def escape_markdown(text: str) -> str:
    """Text as it should read in a MyST paragraph: no accidental emphasis, roles or HTML."""
    return _MARKDOWN_SPECIALS.sub(r"\\\1", " ".join(str(text).split()))


def interactive_note(features: list[str]) -> str:
    if not features:
        return ""
    if len(features) == 1:
        listed = features[0]
    else:
        listed = ", ".join(features[:-1]) + " and " + features[-1]
    return f"In the online edition this chart is interactive: {listed}."


def figure_markdown(chart: alt.TopLevelMixin, caption: str, description: str, source: str | None = None) -> str:
    """A MyST ``figure`` with the chart as an inline SVG image, its caption, source and alt text."""
    data = base64.b64encode(svg(chart).encode("utf-8")).decode("ascii")
    parts = [escape_markdown(caption)]
    if source:
        parts.append("Source: " + escape_markdown(source))
    note = interactive_note(interactive_features(chart.to_dict()))
    if note:
        parts.append("*" + escape_markdown(note) + "*")
    alt_text = " ".join(str(description).split()).replace('"', "'")
    # Sphinx numbers only named figures; the name is stable as long as the caption is.
    name = "fig-" + hashlib.sha1(str(caption).encode("utf-8")).hexdigest()[:12]
    return (
        f":::{{figure}} data:image/svg+xml;base64,{data}\n"
        f":name: {name}\n"
        f":alt: {alt_text}\n"
        f":class: ttp-static-figure\n\n"
        f"{' '.join(parts)}\n"
        ":::\n"
    )
