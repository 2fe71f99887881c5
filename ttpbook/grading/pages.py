"""Self-contained HTML pages for instructors: charts drawn as inline SVG in the book's theme, tables, no scripts.

The class report and the gradebook report are single files that open from a disk or an e-mail
attachment with no network: every chart is rendered by vl-convert to SVG inside the page, the CSS
is inline, and a Content-Security-Policy forbids loading anything from anywhere. Every chart has a
caption, a text description and the same numbers as a table. All text that comes from
submissions (file names, messages) is escaped.
"""

from __future__ import annotations

import html
from typing import Any, Iterable

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def svg(chart: Any) -> str:
    """The chart as an SVG string, rendered with the book's Altair theme by vl-convert."""
    from altair.utils.mimebundle import spec_to_mimebundle

    from ttpbook import theme

    theme.enable()
    bundle = spec_to_mimebundle(chart.to_dict(), format="svg", mode="vega-lite", engine="vl-convert")
    if isinstance(bundle, tuple):
        bundle = bundle[0]
    return bundle["image/svg+xml"]


def figure(chart: Any, caption: str, description: str, headers: list[str], rows: Iterable[Iterable[Any]]) -> str:
    """A <figure>: the chart (an image with a text alternative), its caption, and its data as a table."""
    image = svg(chart).replace("<svg ", f'<svg role="img" aria-label="{esc(description)}" ', 1)
    return (f'<figure>{image}<figcaption><strong>{esc(caption)}</strong> {esc(description)}</figcaption>'
            f'<details><summary>The numbers in this chart</summary>{table(headers, rows)}</details></figure>')


def table(headers: list[str], rows: Iterable[Iterable[Any]], caption: str | None = None) -> str:
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{esc(v)}</td>" for v in row) + "</tr>" for row in rows)
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def page(title: str, body: str) -> str:
    """A whole HTML document around ``body``, styled like the book (font and colours of the theme)."""
    from ttpbook import theme

    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
<style>
body {{ font-family: {theme.FONT}; color: #222; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }}
h1, h2 {{ line-height: 1.2; }}
h2 {{ border-bottom: 2px solid {theme.PALETTE[0]}; padding-bottom: .2rem; margin-top: 2.5rem; }}
table {{ border-collapse: collapse; margin: .5rem 0 1rem; font-size: .95rem; }}
th, td {{ border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; vertical-align: top; }}
th {{ background: #f2f2f2; }}
figure {{ margin: 1rem 0 2rem; }}
figure svg {{ max-width: 100%; height: auto; }}
figcaption {{ font-size: .95rem; margin-top: .3rem; }}
.summary {{ display: flex; flex-wrap: wrap; gap: 1rem; padding: 0; list-style: none; }}
.summary li {{ border-left: 4px solid {theme.PALETTE[0]}; padding: .2rem .6rem; background: #f7f7f7; }}
.warning {{ border-left: 4px solid {theme.PALETTE[5]}; padding: .4rem .8rem; background: #fff4ec; }}
.muted {{ color: {theme.MUTED}; }}
</style>
</head>
<body>
<main>
{body}
</main>
</body>
</html>
"""
