"""Chart builders and the ``show`` helper that turns a chart into a book figure.

Every chart in the book is built here, once. The same builder serves the static page
(controls bound to Altair parameters, working in the browser with no kernel) and the live
notebook (``interactive=False``, with ipywidgets supplying the values; see ``widgets``).
"""

from __future__ import annotations

import html
from typing import Sequence

import altair as alt
import pandas as pd
from IPython.display import HTML, display

from . import render, theme

TABLE_MAX_ROWS = 400


# --- the two interaction kinds the book uses everywhere -------------------------------------

def dropdown(name: str, options: Sequence, value, label: str, labels: Sequence[str] | None = None) -> alt.Parameter:
    """A parameter bound to a drop-down menu shown under the chart."""
    binding = alt.binding_select(options=list(options), labels=list(labels) if labels else None, name=label + " ")
    return alt.param(name=name, value=value, bind=binding)


def slider(name: str, minimum: float, maximum: float, step: float, value: float, label: str) -> alt.Parameter:
    """A parameter bound to a range slider shown under the chart."""
    binding = alt.binding_range(min=minimum, max=maximum, step=step, name=label + " ")
    return alt.param(name=name, value=value, bind=binding)


def x_brush(name: str = "brush") -> alt.Parameter:
    """An interval selection along x: drag across a chart to select a range."""
    return alt.selection_interval(name=name, encodings=["x"])


def overview_with_brush(detail: alt.Chart, overview: alt.Chart, x_field: str, brush: alt.Parameter | None = None) -> alt.VConcatChart:
    """Stack ``detail`` above a short ``overview`` strip; dragging on the strip zooms the detail's x axis."""
    brush = brush or x_brush()
    zoomed = detail.encode(x=alt.X(x_field, scale=alt.Scale(domain=brush), title=None))
    strip = overview.add_params(brush).properties(height=theme.OVERVIEW_HEIGHT)
    return alt.vconcat(zoomed, strip)


# --- figures -------------------------------------------------------------------------------

def _chart_html(chart: alt.TopLevelMixin) -> str:
    bundle = chart._repr_mimebundle_()
    if isinstance(bundle, tuple):
        bundle = bundle[0]
    return bundle["text/html"]


def data_table_html(table: pd.DataFrame, columns: Sequence[str] | None = None) -> str:
    frame = table[list(columns)] if columns else table
    note = ""
    if len(frame) > TABLE_MAX_ROWS:
        note = f"<p>First {TABLE_MAX_ROWS} of {len(frame)} rows; the full table is in the book's data folder.</p>"
        frame = frame.head(TABLE_MAX_ROWS)
    return note + frame.to_html(index=False, border=0, classes="ttp-data-table", na_rep="")


def show(chart: alt.TopLevelMixin, caption: str, description: str, table: pd.DataFrame | None = None,
         columns: Sequence[str] | None = None, source: str | None = None) -> None:
    """Display ``chart`` as a figure: the chart, a one-line takeaway caption, and (folded) a text
    description for readers who cannot see the chart plus the data behind it as a table.

    The description is also set as the chart's own accessible description (read by screen
    readers from the chart's SVG).
    """
    if not caption or not description:
        raise ValueError("Every chart needs a one-line caption and a text description.")
    chart = chart.properties(description=description)
    details = f"<p>{html.escape(description)}</p>"
    if table is not None:
        details += data_table_html(table, columns)
    source_html = f' <span class="ttp-source">Source: {html.escape(source)}</span>' if source else ""
    caption_html = (
        f'<figcaption class="ttp-caption">{html.escape(caption)}{source_html}</figcaption>'
        f'<details class="ttp-figure-details"><summary>Text description and data</summary>{details}</details>'
    )
    if render.is_static_build():
        display(HTML(f'<figure class="ttp-figure">{_chart_html(chart)}{caption_html}</figure>'))
    else:
        display(chart)
        display(HTML(f'<div class="ttp-figure">{caption_html}</div>'))


# --- chart builders --------------------------------------------------------------------------

ESTIMATES = ["best", "low", "high"]
ESTIMATE_LABELS = ["Best estimate", "Low estimate", "High estimate"]


def deaths_per_year(yearly_by_type: pd.DataFrame, estimate: str = "best", start_year: int | None = None,
                    interactive: bool = True) -> alt.Chart:
    """UCDP deaths in Pakistan per year, stacked by type of violence.

    With ``interactive=True`` the chart carries its own controls (a drop-down for UCDP's
    best/low/high estimate and a slider for the first year shown), which work in the browser.
    With ``interactive=False`` the given ``estimate`` and ``start_year`` are fixed (for widgets).
    """
    if estimate not in ESTIMATES:
        raise ValueError(f"estimate must be one of {ESTIMATES}, not {estimate!r}")
    first, last = int(yearly_by_type["year"].min()), int(yearly_by_type["year"].max())
    start_year = first if start_year is None else int(start_year)
    if not first <= start_year <= last:
        raise ValueError(f"start_year must be between {first} and {last}, not {start_year}")

    columns = ["year", "type_label"] + ESTIMATES
    base = alt.Chart(yearly_by_type[columns]).transform_fold(ESTIMATES, as_=["estimate", "deaths"])
    if interactive:
        estimate_param = dropdown("estimate", ESTIMATES, estimate, "UCDP estimate", ESTIMATE_LABELS)
        start_param = slider("start_year", first, last - 1, 1, start_year, "Show from year")
        base = base.add_params(estimate_param, start_param).transform_filter(
            (alt.datum.estimate == estimate_param) & (alt.datum.year >= start_param))
    else:
        base = base.transform_filter((alt.datum.estimate == estimate) & (alt.datum.year >= start_year))

    return base.mark_bar().encode(
        x=alt.X("year:O", title="Year", axis=alt.Axis(labelAngle=0, labelOverlap=True)),
        y=alt.Y("deaths:Q", title="Deaths (UCDP)", stack="zero"),
        color=alt.Color("type_label:N", title="Type of violence", sort=["state-based", "non-state", "one-sided"]),
        order=alt.Order("type_label:N", sort="ascending"),
        tooltip=[alt.Tooltip("year:O", title="Year"), alt.Tooltip("type_label:N", title="Type"),
                 alt.Tooltip("estimate:N", title="Estimate"), alt.Tooltip("deaths:Q", title="Deaths", format=",")],
    ).properties(width=theme.WIDTH, height=theme.HEIGHT)
