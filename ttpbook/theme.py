"""The chart theme: one colour-blind-safe palette and sizes that fit the book's column.

The palette is Okabe and Ito's (2008), designed to stay distinguishable for the common forms
of colour-vision deficiency. Charts never rely on colour alone: categories are also labelled
in legends, tooltips and the data table under each chart.
"""

from __future__ import annotations

import altair as alt

# Okabe-Ito, in the order used for categories. Black is kept for annotations.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"]
ANNOTATION = "#000000"
MUTED = "#6b6b6b"
WIDTH = 560        # fits the book theme's main column with room for the axis labels
HEIGHT = 280
OVERVIEW_HEIGHT = 60
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
THEME_NAME = "ttpbook"
TEMPORAL_LABEL = ("date(datum.value) != 1 ? timeFormat(datum.value, '%d %b')"
                  " : month(datum.value) == 0 ? timeFormat(datum.value, '%Y')"
                  " : timeFormat(datum.value, \"%b '%y\")")


@alt.theme.register(THEME_NAME, enable=True)
def ttpbook_theme() -> alt.theme.ThemeConfig:
    return {
        "config": {
            "view": {"continuousWidth": WIDTH, "continuousHeight": HEIGHT, "stroke": None},
            "font": FONT,
            "range": {"category": PALETTE},
            "axis": {"labelFontSize": 12, "titleFontSize": 12, "labelColor": "#222", "titleColor": "#222",
                     "gridColor": "#e6e6e6"},
            # Dates: the year at each new year, other months with their year ("Oct '21", so an axis
            # whose ticks miss January still says which year), days as "08 Oct" (when zoomed in).
            # Labels keep a gap between them (else every other one is dropped) and stay inside the axis.
            "axisTemporal": {"labelExpr": TEMPORAL_LABEL, "labelSeparation": 6, "labelBound": True},
            "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "top"},
            "title": {"fontSize": 14, "anchor": "start", "color": "#222"},
            "bar": {"continuousBandSize": 8},
        }
    }


def label_limit(most: int, share: float = 0.42) -> alt.ExprRef:
    """The longest a category label may be drawn, in px: ``most`` in a laptop's column, at most
    ``share`` of the column on a narrow screen (so the bars keep their room). A longer label ends
    in an ellipsis; its full text is in the chart's tooltip and in the data table under it."""
    column = f"(isFinite(containerSize()[0]) ? containerSize()[0] : {round(most / share)})"
    return alt.ExprRef(expr=f"max(90, min({most}, round({share} * {column})))")


def enable() -> None:
    """Make the book's theme the active Altair theme (importing this module already does)."""
    alt.theme.enable(THEME_NAME)
