"""Live explorers (ipywidgets) for class and Binder.

Each explorer calls the same chart builder and model functions as the static page. In a live
kernel the controls redraw the chart. In the static book build (``TTPBOOK_MODE=book``) there is
no kernel to answer the controls, so the explorer shows its controls disabled, a one-line note,
and a snapshot at the starting values.
"""

from __future__ import annotations

import ipywidgets as widgets
import pandas as pd
from IPython.display import display

from . import charts, models, render

STATIC_NOTE = ("<em>Live explorer: its controls run in class or on Binder (see How to use this book). "
               "On this static page it shows a snapshot; the chart above works here in your browser.</em>")


def _summary_html(summary: dict, estimate: str, start: int, end: int) -> str:
    if summary["years"] == 0:
        return "<p>No years in this range.</p>"
    return (f"<p>{start}–{end}, UCDP {estimate} estimate: <strong>{summary['total']:,}</strong> deaths in "
            f"{summary['years']} years (mean {summary['mean_per_year']:,.0f} a year); the highest year was "
            f"{summary['peak_year']} with {summary['peak_deaths']:,}.</p>")


def deaths_explorer(yearly_by_type: pd.DataFrame) -> widgets.VBox:
    """Choose UCDP's estimate and a range of years; see the chart and a summary of the period."""
    first, last = int(yearly_by_type["year"].min()), int(yearly_by_type["year"].max())
    estimate = widgets.Dropdown(options=[(label, key) for key, label in zip(charts.ESTIMATES, charts.ESTIMATE_LABELS)],
                                value="best", description="Estimate")
    years = widgets.IntRangeSlider(value=(first, last), min=first, max=last, step=1, description="Years",
                                   continuous_update=False, layout=widgets.Layout(width="420px"))
    summary = widgets.HTML()
    controls = widgets.HBox([estimate, years])

    def summarise(chosen_estimate: str, chosen_years: tuple[int, int]) -> None:
        start, end = chosen_years
        summary.value = _summary_html(models.period_summary(yearly_by_type, start, end, chosen_estimate),
                                      chosen_estimate, start, end)

    if render.is_static_build():
        for control in (estimate, years):
            control.disabled = True
        summarise(estimate.value, years.value)
        box = widgets.VBox([widgets.HTML(STATIC_NOTE), controls, summary])
        display(box)
        return box

    def redraw(estimate: str, years: tuple[int, int]) -> None:
        summarise(estimate, years)
        subset = yearly_by_type[yearly_by_type["year"] <= years[1]]
        display(charts.deaths_per_year(subset, estimate=estimate, start_year=years[0], interactive=False))

    output = widgets.interactive_output(redraw, {"estimate": estimate, "years": years})
    box = widgets.VBox([controls, summary, output])
    display(box)
    return box
