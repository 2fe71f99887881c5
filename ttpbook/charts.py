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

from . import models, render, static_figure, theme

TABLE_MAX_ROWS = 400


# --- the two interaction kinds the book uses everywhere -------------------------------------

def dropdown(name: str, options: Sequence, value, label: str, labels: Sequence[str] | None = None) -> alt.Parameter:
    """A parameter bound to a drop-down menu shown under the chart."""
    extra = {"labels": list(labels)} if labels else {}
    binding = alt.binding_select(options=list(options), name=label + " ", **extra)
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

def fit_to_column(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """Draw ``chart`` at the width of the page's text column, so it fills the column on a laptop and
    reflows on a phone (Vega-Lite's ``width: "container"``), with its text at the theme's size.

    A single or layered view gets the container's width. In a vertical stack every view gets it,
    and the whole figure is fitted to the column (labels and legends included). A horizontal
    concatenation keeps its own size; if it is wider than the column it scrolls sideways inside
    its own box (see ``_static/book.css``).
    """
    if isinstance(chart, (alt.Chart, alt.LayerChart)):
        return chart.properties(width="container")
    if isinstance(chart, alt.VConcatChart):
        fitted = chart.copy(deep=False)
        fitted.vconcat = [view.properties(width="container") for view in chart.vconcat]
        fitted.autosize = alt.AutoSizeParams(type="fit-x", contains="padding")
        return fitted
    return chart


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
        # One output, two forms: the live figure for the website (fitted to the column), and a
        # static figure of the chart at its own size for print and EPUB.
        display({"text/html": f'<figure class="ttp-figure">{_chart_html(fit_to_column(chart))}{caption_html}</figure>',
                 "text/markdown": static_figure.figure_markdown(chart, caption, description, source),
                 "text/plain": caption}, raw=True)
    else:
        display(chart)
        display(HTML(f'<div class="ttp-figure">{caption_html}</div>'))


# --- chart builders --------------------------------------------------------------------------

ESTIMATES = list(models.ESTIMATES)
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


def _fixed(expression: str, digits: int = 2) -> str:
    """A Vega expression that prints a non-negative number as Python's ``f"{x:.2f}"`` does.

    Vega (JavaScript) rounds an exact tie up and Python to even. With two decimals the only exact
    ties are multiples of 1/8 whose numerator is 1 more than a multiple of 4 (0.125, 0.625, 1.125,
    ...): those are nudged down so both print the same digits (0.62 for 0.625, as Python does)."""
    if digits != 2:
        raise ValueError("only two decimals are handled")
    eighths = f"(({expression}) * 8)"
    tie = f"({eighths} == floor({eighths}) && {eighths} % 4 == 1)"
    return f"format(({expression}) - ({tie} ? 1e-9 : 0), '.2f')"


def _quoted(text: str) -> str:
    """``text`` as a string literal in a Vega expression."""
    return "'" + str(text).replace("\\", "\\\\").replace("'", "\\'") + "'"


def _all_or(param: alt.Parameter, field: str) -> str:
    """A filter expression: keep every row when the drop-down is on 'All', else rows that match."""
    return f"{param.name} == 'All' || datum['{field}'] == {param.name}"


# --- Background ------------------------------------------------------------------------------

CATEGORIES = ["attack", "operation", "talks/ceasefire", "political", "cross-border"]


def timeline_explorer(events: pd.DataFrame) -> alt.VConcatChart:
    """Dated events by category; drop-downs filter by category and actor; drag on the strip to zoom.

    ``events`` needs date, category, actors, description, source (readable) and confidence.
    """
    actors = sorted({a.strip() for cell in events["actors"] for a in str(cell).split(";")})
    frame = events.assign(date=pd.to_datetime(events["date"]).dt.strftime("%Y-%m-%d"))
    category = dropdown("category", ["All"] + CATEGORIES, "All", "Category")
    actor = dropdown("actor", ["All"] + actors, "All", "Actor")
    base = alt.Chart(frame).encode(x=alt.X("date:T", title=None))
    detail = base.mark_point(filled=True, size=90, opacity=0.85).encode(
        y=alt.Y("category:N", title=None, sort=CATEGORIES),
        color=alt.Color("category:N", sort=CATEGORIES, legend=None),
        shape=alt.Shape("category:N", sort=CATEGORIES, legend=None),
        tooltip=[alt.Tooltip("date:T", title="Date", format="%d %b %Y"), alt.Tooltip("category:N", title="Category"),
                 alt.Tooltip("description:N", title="Event"), alt.Tooltip("actors:N", title="Actors"),
                 alt.Tooltip("source:N", title="Source"), alt.Tooltip("confidence:N", title="Confidence")],
    ).add_params(category, actor).transform_filter(_all_or(category, "category")).transform_filter(
        f"{actor.name} == 'All' || indexof(datum.actors, {actor.name}) >= 0"
    ).properties(width=theme.WIDTH, height=200)
    overview = base.mark_tick(thickness=2, size=14, color=theme.MUTED).encode(
        x=alt.X("date:T", title=["Drag across this strip", "to zoom the timeline above"]))
    return overview_with_brush(detail, overview, "date:T", x_brush("timeline_zoom"))


VIOLENCE_MEASURES = {
    "all": "All organised violence in Pakistan, by type (UCDP 25.1)",
    "ttp": "Government of Pakistan vs TTP, battle-related deaths (UCDP BRD 24.1)",
}


def violence_over_time(combined: pd.DataFrame, events: pd.DataFrame) -> alt.LayerChart:
    """UCDP deaths per year with key events marked; a drop-down switches the measure."""
    columns = {"orgvio251_pak_statebased_best": "state-based", "orgvio251_pak_nonstate_best": "non-state",
               "orgvio251_pak_onesided_best": "one-sided"}
    long = combined.melt(id_vars="year", value_vars=list(columns), var_name="series", value_name="deaths")
    long["series"] = long["series"].map(columns)
    long["measure"] = "all"
    ttp = combined[["year", "brd241_ttp_bd_best", "brd241_ttp_bd_low", "brd241_ttp_bd_high"]].dropna()
    ttp = ttp.rename(columns={"brd241_ttp_bd_best": "deaths", "brd241_ttp_bd_low": "low", "brd241_ttp_bd_high": "high"})
    ttp = ttp.assign(series="Government of Pakistan - TTP", measure="ttp")
    frame = pd.concat([long.dropna(subset=["deaths"]), ttp], ignore_index=True)
    frame["deaths"] = frame["deaths"].astype(float)
    measure = dropdown("measure", list(VIOLENCE_MEASURES), "all", "Measure", list(VIOLENCE_MEASURES.values()))
    bars = alt.Chart(frame).mark_bar().encode(
        x=alt.X("year:O", title="Year", axis=alt.Axis(labelAngle=0, labelOverlap=True)),
        y=alt.Y("deaths:Q", title="Deaths (UCDP best estimate)", stack="zero"),
        color=alt.Color("series:N", title=None,
                        sort=["state-based", "non-state", "one-sided", "Government of Pakistan - TTP"],
                        scale=alt.Scale(range=[theme.PALETTE[0], theme.PALETTE[1], theme.PALETTE[2], theme.PALETTE[3]])),
        tooltip=[alt.Tooltip("year:O", title="Year"), alt.Tooltip("series:N", title="Series"),
                 alt.Tooltip("deaths:Q", title="Deaths", format=","), alt.Tooltip("low:Q", title="Low", format=","),
                 alt.Tooltip("high:Q", title="High", format=",")],
    ).add_params(measure).transform_filter(f"datum.measure == {measure.name}")
    marks = events[events["key_event"]].assign(year=lambda d: pd.to_datetime(d["date"]).dt.year)
    marks = marks[marks["year"].between(frame["year"].min(), frame["year"].max())].sort_values("date")
    marks = marks.groupby("year", as_index=False).agg(
        label=("label", " / ".join), description=("description", " / ".join), date=("date", "first"))
    rules = alt.Chart(marks).mark_rule(color=theme.ANNOTATION, strokeDash=[3, 3]).encode(
        x="year:O", tooltip=[alt.Tooltip("description:N", title="Event"), alt.Tooltip("date:T", title="Date", format="%d %b %Y")])
    labels = alt.Chart(marks).mark_text(align="right", baseline="bottom", angle=270, dx=-4, dy=-2, fontSize=11,
                                        color=theme.ANNOTATION).encode(x="year:O", y=alt.value(0), text="label:N")
    return alt.layer(bars, rules, labels).properties(width=theme.WIDTH, height=theme.HEIGHT)


HEADLINE_METRICS = {
    "killed_in_terrorist_attacks": "killed in terrorist attacks",
    "fatalities_all_violence": "fatalities, attacks and counter-terror operations",
    "combat_related_deaths": "combat-related deaths (attacks and security-force actions)",
    "killed_in_militant_attacks": "killed in militant attacks",
    "terrorism_deaths": "deaths from terrorism",
    "fatalities": "terrorism-linked fatalities",
}


def headline_figures(published: pd.DataFrame, combined: pd.DataFrame) -> pd.DataFrame:
    """One row per publisher's headline death toll for Pakistan and year, plus UCDP's total."""
    rows = published[(published["geography"] == "Pakistan") & published["metric"].isin(HEADLINE_METRICS)].copy()
    rows["deaths"] = pd.to_numeric(rows["value"].str.lstrip(">"), errors="raise")
    rows["more_than"] = rows["value"].str.startswith(">")
    rows["counts"] = rows["metric"].map(HEADLINE_METRICS)
    rows["label"] = rows["publisher"].str.replace(r" \(via .*\)$", "", regex=True) + ", " + rows["report"]
    ucdp = combined[["year", "orgvio251_pak_total_best"]].dropna().rename(columns={"orgvio251_pak_total_best": "deaths"})
    ucdp = ucdp.assign(publisher="UCDP", report="Organized Violence 25.1", counts="deaths in organised violence, all parties",
                       definition_note="state-based, non-state and one-sided violence; best estimate", more_than=False,
                       label="UCDP, Organized Violence 25.1")
    keep = ["year", "publisher", "report", "label", "counts", "deaths", "more_than", "definition_note"]
    out = pd.concat([rows[keep], ucdp[keep]], ignore_index=True)
    out["year"] = out["year"].astype(int)
    out["deaths"] = out["deaths"].astype(float)
    out["definition_note"] = out["definition_note"].fillna("")
    return out.sort_values(["year", "deaths"], ascending=[True, False]).reset_index(drop=True)


def comparable_years(figures: pd.DataFrame) -> list[int]:
    """The years with headline figures from at least three publishers (the years worth comparing)."""
    return sorted(int(y) for y, n in figures.groupby("year")["publisher"].nunique().items() if n >= 3)


def numbers_disagree(figures: pd.DataFrame, year: int = 2024, interactive: bool = True) -> alt.LayerChart:
    """Each publisher's headline death toll for one year, labelled with what it counts."""
    years = comparable_years(figures)
    if year not in years:
        raise ValueError(f"year must be one with at least three publishers: {years}")
    base = alt.Chart(figures)
    if interactive:
        chosen = dropdown("year", years, year, "Year")
        base = base.add_params(chosen).transform_filter(f"datum.year == {chosen.name}")
    else:
        base = base.transform_filter(f"datum.year == {year}")
    base = base.transform_calculate(axis_label="datum.label + '|' + datum.counts",
                                    shown="(datum.more_than ? 'more than ' : '') + format(datum.deaths, ',')")
    y = alt.Y("axis_label:N", title=None, sort="-x",
              axis=alt.Axis(labelExpr="split(datum.label, '|')", labelLimit=theme.label_limit(330), labelFontSize=11))
    bars = base.mark_bar().encode(
        x=alt.X("deaths:Q", title="Deaths reported for the year"), y=y,
        color=alt.Color("publisher:N", legend=None),
        tooltip=[alt.Tooltip("label:N", title="Publisher and report"), alt.Tooltip("deaths:Q", title="Deaths", format=","),
                 alt.Tooltip("counts:N", title="What is counted"), alt.Tooltip("definition_note:N", title="Note")])
    text = base.mark_text(align="left", dx=4, fontSize=11).encode(x="deaths:Q", y=y, text="shown:N")
    return alt.layer(bars, text).properties(width=theme.WIDTH - 330, height=alt.Step(34))


def ttp_strength(estimates: pd.DataFrame) -> alt.LayerChart:
    """UN Monitoring Team low-high estimates of TTP fighters per report; hover a report to highlight it."""
    frame = estimates.assign(date=pd.to_datetime(estimates["report_month"] + "-01"))
    hover = alt.selection_point(name="report_hover", on="pointerover", fields=["report"], empty=True)
    base = alt.Chart(frame).encode(x=alt.X("date:T", title="Date of the report"))
    opacity = alt.condition(hover, alt.value(1.0), alt.value(0.35))
    tooltip = [alt.Tooltip("report:N", title="Report"), alt.Tooltip("body:N", title="Named body"),
               alt.Tooltip("fighters_low:Q", title="Low", format=","), alt.Tooltip("fighters_high:Q", title="High", format=","),
               alt.Tooltip("note:N", title="Note"), alt.Tooltip("source:N", title="Reported by")]
    ranges = base.mark_rule(strokeWidth=6, color=theme.PALETTE[0]).encode(
        y=alt.Y("fighters_low:Q", title="TTP fighters in Afghanistan (estimate)", scale=alt.Scale(zero=True)),
        y2="fighters_high:Q", opacity=opacity, tooltip=tooltip).add_params(hover)
    ends = base.mark_point(filled=True, size=50, color=theme.PALETTE[0]).encode(
        y="fighters_high:Q", opacity=opacity, tooltip=tooltip)
    return alt.layer(ranges, ends).properties(width=theme.WIDTH, height=theme.HEIGHT)


PROVINCE_IDS = {"Balochistan": "PK.BA", "Azad Jammu & Kashmir": "PK.JK", "Islamabad Capital Territory": "PK.IS",
                "Gilgit-Baltistan": "PK.NA", "FATA (merged into KP 2018)": "PK.TA", "Punjab": "PK.PB",
                "Sindh": "PK.SD", "Khyber Pakhtunkhwa": "PK.NW"}


def province_year_table(by_province: pd.DataFrame) -> pd.DataFrame:
    """Deaths per province and year (zero-filled), with FATA shown separately and folded into KP
    (``deaths_merged``: the province's total under the data's own ``province_kp_incl_fata``)."""
    located = by_province[by_province["province"].isin(PROVINCE_IDS)]
    scopes, years = sorted(located["scope"].unique()), range(int(located["year"].min()), int(located["year"].max()) + 1)
    grid = pd.MultiIndex.from_product([scopes, years, list(PROVINCE_IDS)], names=["scope", "year", "province"])
    table = located.set_index(["scope", "year", "province"])["best"].astype(int).reindex(grid, fill_value=0).reset_index()
    table = table.rename(columns={"best": "deaths_separate"})
    # The fold is the data's own (refresh_ucdp writes province_kp_incl_fata); it is not redone here.
    folded = located.groupby(["scope", "year", "province_kp_incl_fata"])["best"].sum()
    fold_into = dict(zip(located["province"], located["province_kp_incl_fata"]))
    table["deaths_merged"] = [int(folded.get((scope, year, fold_into.get(province, province)), 0))
                              for scope, year, province in zip(table["scope"], table["year"], table["province"])]
    table["id"] = table["province"].map(PROVINCE_IDS)
    return table


def province_map(table: pd.DataFrame, topology: dict, year: int = 2009) -> alt.Chart:
    """A map of UCDP deaths by province for one year (slider), FATA separate or folded into KP (drop-down).

    To keep the page light, each province carries its yearly series as an array, and the chart
    picks the chosen year's value in the browser (one row per province and scope, not per year).
    """
    first, last = int(table["year"].min()), int(table["year"].max())
    wide = (table.sort_values("year").groupby(["scope", "province", "id"], as_index=False)
            .agg(separate=("deaths_separate", list), merged=("deaths_merged", list)))
    chosen_year = slider("map_year", first, last, 1, year, "Year")
    fata = dropdown("fata", ["separate", "merged"], "separate", "Former FATA",
                    ["shown separately (as UCDP codes it)", "folded into Khyber Pakhtunkhwa"])
    scope = dropdown("scope", sorted(table["scope"].unique()), "all organised violence (types 1-3)", "Events")
    shapes = alt.InlineData(values=topology, format=alt.DataFormat(type="topojson", feature="pak"))
    return alt.Chart(wide).mark_geoshape(stroke="#ffffff", strokeWidth=0.8).encode(
        shape="geo:G",
        color=alt.Color("deaths:Q", title="Deaths (UCDP best)", scale=alt.Scale(scheme="blues", domainMin=0)),
        tooltip=[alt.Tooltip("province:N", title="Province"), alt.Tooltip("year:O", title="Year"),
                 alt.Tooltip("deaths:Q", title="Deaths", format=",")],
    ).add_params(chosen_year, fata, scope).transform_filter(f"datum.scope == {scope.name}").transform_calculate(
        year=f"{chosen_year.name}",
        deaths=f"({fata.name} == 'separate' ? datum.separate : datum.merged)[{chosen_year.name} - {first}]",
    ).transform_lookup(
        lookup="id", from_=alt.LookupData(data=shapes, key="id"), as_="geo"
    ).project(type="mercator").properties(width=theme.WIDTH - 120, height=420)


# --- Reading the op-ed --------------------------------------------------------------------------

VERDICTS = ["verified", "verified with qualifications", "contested", "disputed", "unverifiable"]


def claims_explorer(claims: pd.DataFrame) -> alt.VConcatChart:
    """Click a verdict (top) or pick a topic (drop-down) to list the matching claims (below).

    Each claim shows on one line; hovering shows the whole claim, the evidence and the sources.
    """
    frame = claims.assign(number=claims["claim_id"].map(lambda i: f"#{i}"))
    pick = alt.selection_point(name="verdict_pick", fields=["verdict"], empty=True)
    topic = dropdown("topic", ["All"] + sorted(claims["topic"].unique()), "All", "Topic")
    colour = alt.Color("verdict:N", sort=VERDICTS, scale=alt.Scale(domain=VERDICTS, range=theme.PALETTE[:5]),
                       legend=None)
    # Upright bars with their verdicts underneath (one word a line), so the list below can use the
    # whole width on a phone; a vertical stack shares its left margin.
    counts = alt.Chart(frame).mark_bar().encode(
        x=alt.X("verdict:N", sort=VERDICTS, title=None, scale=alt.Scale(domain=VERDICTS),
                axis=alt.Axis(labelAngle=0, labelExpr="split(datum.label, ' ')")),
        y=alt.Y("count():Q", title="Claims", axis=alt.Axis(tickMinStep=1)),
        color=colour, opacity=alt.condition(pick, alt.value(1.0), alt.value(0.3)),
        tooltip=[alt.Tooltip("verdict:N", title="Verdict"), alt.Tooltip("count():Q", title="Claims")],
    ).add_params(pick, topic).transform_filter(_all_or(topic, "topic")).properties(
        width=theme.WIDTH - 200, height=130, title="Click a bar to filter the list below")
    tooltip = [alt.Tooltip("claim:N", title="Claim"), alt.Tooltip("verdict:N", title="Verdict"),
               alt.Tooltip("evidence_for:N", title="Evidence for"),
               alt.Tooltip("evidence_against_or_missing:N", title="Against, or missing"),
               alt.Tooltip("sources:N", title="Sources")]
    listing = alt.Chart(frame).transform_filter(pick).transform_filter(_all_or(topic, "topic")).transform_window(
        row="row_number()", sort=[alt.SortField("claim_id")]).encode(
        y=alt.Y("row:O", axis=None), tooltip=tooltip)
    numbers = listing.mark_text(align="left", fontWeight="bold", fontSize=12).encode(
        x=alt.value(0), text="number:N", color=colour)
    # Columns at shares of the chart's width, so they reflow with it; the tooltip has the whole claim.
    texts = listing.mark_text(align="left", fontSize=12, limit=alt.ExprRef("width * 0.64 - 40")).encode(
        x=alt.value(34), text="claim:N")
    verdicts = listing.mark_text(align="left", fontSize=12, limit=alt.ExprRef("width * 0.36 - 4")).encode(
        x=alt.value(alt.ExprRef("width * 0.64")), text="verdict:N", color=colour)
    table = alt.layer(numbers, texts, verdicts).properties(width=theme.WIDTH, height=alt.Step(22))
    return alt.vconcat(counts, table).configure_view(strokeWidth=0)


def _claim_rows(clash_claims: pd.DataFrame) -> pd.DataFrame:
    rows = clash_claims.copy()
    rows["count"] = pd.to_numeric(rows["value"].str.lstrip(">"), errors="raise").astype(float)
    rows["shown"] = rows["value"]
    rows["who"] = rows["claimant"].str.replace(r" \(.*\)$", "", regex=True)
    rows["who"] = rows["who"].replace({"ISPR via India Today": "ISPR", "Taliban govt": "Taliban government",
                                       "UNAMA": "UNAMA (UN)"})
    rows.loc[rows["claimant"].str.startswith("UNAMA"), "who"] = "UNAMA (UN)"
    rows["label"] = rows["who"] + ": " + rows["metric"]
    return rows


def claims_vs_claims(clash_claims: pd.DataFrame) -> alt.LayerChart:
    """Each party's casualty claim for October 2025 beside the UN's civilian counts; filter by who counts."""
    rows = _claim_rows(clash_claims)
    who = dropdown("who", ["All"] + sorted(rows["who"].unique()), "All", "Figures from")
    base = alt.Chart(rows).add_params(who).transform_filter(_all_or(who, "who"))
    # Who on the first line, what on the second (each shortened on a phone; the tooltip has both).
    two_lines = "[substring(datum.label, 0, indexof(datum.label, ': ') + 1), substring(datum.label, indexof(datum.label, ': ') + 2)]"
    y = alt.Y("label:N", title=None, sort=None, axis=alt.Axis(labelExpr=two_lines, labelLimit=theme.label_limit(340)))
    tooltip = [alt.Tooltip("claimant:N", title="Who says so"), alt.Tooltip("metric:N", title="What"),
               alt.Tooltip("shown:N", title="Figure"), alt.Tooltip("note:N", title="Also said"),
               alt.Tooltip("date:N", title="Period"), alt.Tooltip("source_date:N", title="Reported")]
    x = alt.X("count:Q", title=["People killed,", "as claimed or counted"], axis=alt.Axis(labelOverlap="greedy"))
    bars = base.mark_bar().encode(x=x, y=y,
                                  color=alt.Color("who:N", title="Figure from", legend=alt.Legend(columns=1)),
                                  tooltip=tooltip)
    text = base.mark_text(align="left", dx=3, fontSize=11).encode(x="count:Q", y=y, text="shown:N")
    return alt.layer(bars, text).properties(width=theme.WIDTH - 330, height=alt.Step(34))


# --- Case study: the 2021–22 talks ------------------------------------------------------------------

PHASES = ["before talks", "talks", "ceasefire", "after"]


def _shaded_windows(windows: pd.DataFrame) -> alt.Chart:
    shaded = windows.dropna(subset=["end"]).assign(start=lambda d: pd.to_datetime(d["start"]).dt.strftime("%Y-%m-%d"),
                                                   end=lambda d: pd.to_datetime(d["end"]).dt.strftime("%Y-%m-%d"))
    return alt.Chart(shaded).mark_rect(color=theme.PALETTE[2], opacity=0.15).encode(
        x="start:T", x2="end:T", tooltip=[alt.Tooltip("label:N", title="Ceasefire"), alt.Tooltip("note:N", title="Note")])


def talks_timeline(events: pd.DataFrame, windows: pd.DataFrame) -> alt.LayerChart:
    """The talks as dated events by phase, ceasefires shaded; a drop-down filters by how well sourced."""
    frame = events.assign(date=pd.to_datetime(events["date"]).dt.strftime("%Y-%m-%d"))
    confidence = dropdown("confidence", ["All", "C2+", "C1", "DISPUTED", "CLAIM"], "All", "Sourcing",
                          ["All events", "Two or more sources (C2+)", "One source (C1)", "Disputed", "A party's claim"])
    points = alt.Chart(frame).mark_point(filled=True, size=110).encode(
        x=alt.X("date:T", title=None), y=alt.Y("phase:N", sort=PHASES, title=None),
        color=alt.Color("phase:N", sort=PHASES, legend=None), shape=alt.Shape("confidence:N", title="Sourcing"),
        tooltip=[alt.Tooltip("date:T", title="Date", format="%d %b %Y"), alt.Tooltip("event:N", title="Event"),
                 alt.Tooltip("source:N", title="Source"), alt.Tooltip("confidence:N", title="Confidence")],
    ).add_params(confidence).transform_filter(_all_or(confidence, "confidence"))
    return alt.layer(_shaded_windows(windows), points).properties(width=theme.WIDTH, height=200)


WINDOW_PRESETS = {"custom": ("Drag across the chart to choose a window", None, None),
                  "2021": ("The 2021 ceasefire (Nov–Dec 2021)", "2021-11", "2021-12"),
                  "2022": ("The 2022 ceasefire (Jun–Nov 2022)", "2022-06", "2022-11")}


def monthly_measures(picss: pd.DataFrame, ucdp_ttp: pd.DataFrame) -> pd.DataFrame:
    """Long table of the monthly series the window analysis can use (month as YYYY-MM-01)."""
    picss = picss[(picss["month"] >= "2021-08") & (picss["month"] <= "2023-01")]
    ucdp = ucdp_ttp[ucdp_ttp["month"] >= "2020-01"].groupby("month", as_index=False)[["events", "best"]].sum()
    parts = [
        picss.assign(measure="PICSS: militant attacks", value=picss["militant_attacks"]),
        picss.assign(measure="PICSS: people killed in militant attacks", value=picss["killed"]),
        ucdp.assign(measure="UCDP: events in the TTP conflicts", value=ucdp["events"]),
        ucdp.assign(measure="UCDP: deaths in the TTP conflicts (best)", value=ucdp["best"]),
    ]
    out = pd.concat([p[["month", "measure", "value"]] for p in parts], ignore_index=True)
    out["value"] = out["value"].astype("Float64")
    out["month"] = out["month"] + "-01"
    return out


def window_analysis(measures: pd.DataFrame, windows: pd.DataFrame, measure: str = "PICSS: militant attacks",
                    preset: str = "2021") -> alt.VConcatChart:
    """Monthly series with ceasefires shaded. Choose a preset window or drag across the chart; the bars
    below give the mean per month before, inside and after the window.

    The means come from ``models.window_grid`` (``models.window_means`` for every window a reader
    can choose); the browser only turns the preset or the drawn window into months and picks the
    matching row."""
    if measure not in set(measures["measure"]):
        raise ValueError(f"measure must be one of {sorted(set(measures['measure']))}")
    if preset not in WINDOW_PRESETS:
        raise ValueError(f"preset must be one of {list(WINDOW_PRESETS)}")
    chosen = dropdown("series", sorted(set(measures["measure"])), measure, "Series")
    window = dropdown("window", list(WINDOW_PRESETS), preset, "Window", [v[0] for v in WINDOW_PRESETS.values()])
    brush = x_brush("drawn_window")
    start = " : ".join(f"{window.name} == '{k}' ? {models.month_key(v[1])}" for k, v in WINDOW_PRESETS.items() if v[1])
    end = " : ".join(f"{window.name} == '{k}' ? {models.month_key(v[2])}" for k, v in WINDOW_PRESETS.items() if v[2])
    drawn = f"isValid({brush.name}.month)"
    # A drawn window keeps the months whose first day it covers: from the first month starting at or
    # after its left edge to the last month starting at or before its right edge (UTC, as Vega parses dates).
    # Edges within 12 hours of a month's start count as on it (a window dragged to the end of the axis
    # ends a millisecond short of the last month).
    left, right = f"(time({brush.name}.month[0]) - 43200000)", f"(time({brush.name}.month[1]) + 43200000)"
    first_drawn = f"utcyear({left}) * 12 + utcmonth({left}) + ({left} > utc(utcyear({left}), utcmonth({left}), 1) ? 1 : 0)"
    last_drawn = f"utcyear({right}) * 12 + utcmonth({right})"
    bounds = measures.groupby("measure")["month"].agg(["min", "max"])
    first_key = " : ".join(f"{chosen.name} == {_quoted(m)} ? {models.month_key(b['min'])}" for m, b in bounds.iterrows())
    last_key = " : ".join(f"{chosen.name} == {_quoted(m)} ? {models.month_key(b['max'])}" for m, b in bounds.iterrows())
    base = alt.Chart(measures).transform_filter(f"datum.measure == {chosen.name}")
    series = base.mark_line(point=True).encode(
        x=alt.X("month:T", title=None), y=alt.Y("value:Q", title="Per month"),
        tooltip=[alt.Tooltip("month:T", title="Month", format="%b %Y"), alt.Tooltip("value:Q", title="Value")],
    ).add_params(brush)
    top = alt.layer(_shaded_windows(windows), series).properties(width=theme.WIDTH, height=220)
    bars_base = alt.Chart(models.window_grid(measures)).transform_filter(f"datum.measure == {chosen.name}").transform_calculate(
        start=f"{start} : ({drawn} ? {first_drawn} : null)", end=f"{end} : ({drawn} ? {last_drawn} : null)",
        first=f"{first_key} : null", last=f"{last_key} : null",
    ).transform_filter("datum.start != null").transform_filter(   # models.clamp_window, then pick the row
        "datum.start_key == clamp(datum.start, datum.first, datum.last + 1) && "
        "datum.end_key == clamp(datum.end, datum.first - 1, datum.last)"
    ).transform_fold(["before", "inside", "after"], as_=["period", "mean"]).transform_calculate(
        months="datum[datum.period + '_months']")
    order = ["before", "inside", "after"]
    bars = bars_base.mark_bar().encode(
        x=alt.X("period:N", sort=order, title=None, scale=alt.Scale(domain=order), axis=alt.Axis(labelAngle=0)),
        y=alt.Y("mean:Q", title="Mean per month"),
        color=alt.Color("period:N", sort=order, legend=None,
                        scale=alt.Scale(domain=order, range=[theme.MUTED, theme.PALETTE[2], theme.PALETTE[5]])),
        tooltip=[alt.Tooltip("period:N", title="Period"), alt.Tooltip("mean:Q", title="Mean per month", format=".1f"),
                 alt.Tooltip("months:Q", title="Months with data")])
    labels = bars_base.mark_text(dy=-6).encode(x=alt.X("period:N", sort=order), y="mean:Q",
                                               text=alt.Text("mean:Q", format=".1f"))
    bottom = alt.layer(bars, labels).properties(width=240, height=160)
    return alt.vconcat(top, bottom).add_params(chosen, window)


def window_snapshot(measures: pd.DataFrame, windows: pd.DataFrame, measure: str, start: str, end: str) -> alt.LayerChart:
    """A fixed view for the live explorer: one series with the chosen window shaded."""
    frame = measures[measures["measure"] == measure]
    chosen = pd.DataFrame([{"label": "chosen window", "note": "", "start": f"{start}-01",
                            "end": (pd.Period(end, "M").end_time.normalize()).strftime("%Y-%m-%d")}])
    line = alt.Chart(frame).mark_line(point=True).encode(
        x=alt.X("month:T", title=None), y=alt.Y("value:Q", title=measure),
        tooltip=[alt.Tooltip("month:T", format="%b %Y", title="Month"), alt.Tooltip("value:Q", title="Value")])
    return alt.layer(_shaded_windows(chosen), line).properties(width=theme.WIDTH, height=220)


def bargaining_model(grid: pd.DataFrame, r: float = 0.1, p: float = 0.3, L: float = 6, c_s: float = 0.05) -> alt.VConcatChart:
    """The stylised ceasefire model, precomputed on a grid by ``models.ceasefire_grid``.

    Sliders choose the regrouping rate, enforcement probability, ceasefire length and the state's
    cost of fighting; the heat map shows the state's gain over every (r, p) pair and the bars each
    side's gain at the chosen point. No formula is evaluated in the browser: it filters the grid.
    """
    def close(param, field):
        return f"abs(datum.{field} - {param.name}) < 1e-6"
    r_param = slider("r", 0, 1, 0.1, r, "Regrouping rate r")
    p_param = slider("p", 0, 1, 0.1, p, "Enforcement probability p")
    L_values, c_values = sorted(grid["L"].unique().tolist()), sorted(grid["c_s"].unique().tolist())
    L_param = dropdown("L", L_values, L, "Ceasefire length L (periods)")
    c_param = dropdown("c_s", c_values, c_s, "State's cost of fighting c_s")
    base = alt.Chart(grid).transform_filter(f"{close(L_param, 'L')} && {close(c_param, 'c_s')}").transform_calculate(
        accepts="datum.state_gain >= 0")
    limit = float(grid["state_gain"].abs().max())
    heat = base.mark_rect().encode(
        x=alt.X("r:O", title="Regrouping rate r", axis=alt.Axis(format=".1f", labelAngle=0)),
        y=alt.Y("p:O", title="Enforcement probability p", sort="descending", axis=alt.Axis(format=".1f")),
        color=alt.Color("state_gain:Q", title="State's gain", scale=alt.Scale(scheme="blueorange", domain=[-limit, limit], reverse=True)),
        tooltip=[alt.Tooltip("r:Q", title="r"), alt.Tooltip("p:Q", title="p"),
                 alt.Tooltip("state_gain:Q", title="State's gain", format=".2f"),
                 alt.Tooltip("accepts:N", title="State accepts")])
    marker = base.transform_filter(f"{close(r_param, 'r')} && {close(p_param, 'p')}").mark_point(
        shape="square", size=260, color=theme.ANNOTATION, strokeWidth=2).encode(x="r:O", y=alt.Y("p:O", sort="descending"))
    accept = base.transform_filter("datum.accepts").mark_text(text="✓", fontSize=12, color=theme.ANNOTATION).encode(
        x="r:O", y=alt.Y("p:O", sort="descending"))
    left = alt.layer(heat, accept, marker).properties(width=300, height=300,
                                                      title="✓ = the state accepts (its gain ≥ 0)")
    gains = base.transform_filter(f"{close(r_param, 'r')} && {close(p_param, 'p')}").transform_fold(
        ["state_gain", "group_gain"], as_=["side", "gain"]).transform_calculate(
        side="datum.side == 'state_gain' ? 'State' : 'Armed group'")
    bars = gains.mark_bar().encode(x=alt.X("side:N", title=None, sort=["State", "Armed group"], axis=alt.Axis(labelAngle=0)),
                                   y=alt.Y("gain:Q", title="Gain from a ceasefire"),
                                   color=alt.Color("side:N", legend=None, sort=["State", "Armed group"]),
                                   tooltip=[alt.Tooltip("side:N"), alt.Tooltip("gain:Q", format=".2f")])
    zero = alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(color=theme.ANNOTATION).encode(y="y:Q")
    right = alt.layer(bars, zero).properties(width=160, height=200, title="At the chosen point")
    return alt.vconcat(left, right).add_params(r_param, p_param, L_param, c_param)


# --- Policy coherence ------------------------------------------------------------------------------

POSITION_ORDER = ["supports", "conditional", "opposes", "no clear position", "not documented"]
POSITION_COLOURS = [theme.PALETTE[0], theme.PALETTE[4], theme.PALETTE[5], "#bdbdbd", "#f2f2f2"]


def position_matrix(positions: pd.DataFrame, period: str = "2025-26") -> alt.LayerChart:
    """Actors × questions coloured by position, one period at a time (drop-down); hover for the evidence."""
    actors, questions = sorted(positions["actor"].unique()), list(dict.fromkeys(positions["question"]))
    periods = sorted(positions["period"].unique())
    grid = pd.MultiIndex.from_product([periods, actors, questions], names=["period", "actor", "question"]).to_frame(index=False)
    frame = grid.merge(positions, on=["period", "actor", "question"], how="left")
    frame["position"] = frame["position"].fillna("not documented")
    frame = frame.fillna({"evidence": "No evidence found in the module's sources for this period.", "source": "",
                          "source_date": "", "confidence": ""})
    chosen = dropdown("position_period", periods, period, "Period")
    base = alt.Chart(frame).add_params(chosen).transform_filter(f"datum.period == {chosen.name}")
    x = alt.X("question:N", sort=questions, title=None, axis=alt.Axis(labelAngle=-35, labelLimit=160))
    y = alt.Y("actor:N", sort=actors, title=None)
    cells = base.mark_rect(stroke="#ffffff", strokeWidth=1).encode(
        x=x, y=y, color=alt.Color("position:N", title="Position", sort=POSITION_ORDER, legend=alt.Legend(columns=1),
                                  scale=alt.Scale(domain=POSITION_ORDER, range=POSITION_COLOURS)),
        tooltip=[alt.Tooltip("actor:N", title="Actor"), alt.Tooltip("question:N", title="Question"),
                 alt.Tooltip("position:N", title="Position"), alt.Tooltip("evidence:N", title="Evidence"),
                 alt.Tooltip("source:N", title="Source"), alt.Tooltip("source_date:N", title="Date"),
                 alt.Tooltip("confidence:N", title="Confidence")])
    marks = base.transform_filter("datum.position == 'no clear position'").mark_text(text="?", fontSize=12).encode(x=x, y=y)
    return alt.layer(cells, marks).properties(width=theme.WIDTH - 150, height=alt.Step(26))


def _param_name(prefix: str, index: int) -> str:
    return f"{prefix}_{index}"


def _choose(field: str, names: Sequence[str], params: Sequence[alt.Parameter], default: str) -> str:
    """A Vega expression mapping ``datum[field]`` to the value of the parameter for that name."""
    expression = default
    for name, param in reversed(list(zip(names, params))):
        safe = name.replace("'", "\\'")
        expression = f"(datum['{field}'] == '{safe}' ? {param.name} : {expression})"
    return expression


def coherence_explorer(pairs: pd.DataFrame, actors: Sequence[str], questions: Sequence[str],
                       period: str = "2025-26", included: Sequence[str] = ()) -> alt.HConcatChart:
    """Choose a period, tick actors and weight the questions: the index and the pairwise agreement
    update in the browser. ``pairs`` comes from ``models.pairwise_agreements`` (all periods)."""
    periods = sorted(pairs["period"].unique())
    chosen = dropdown("coherence_period", periods, period, "Period")
    ticks = [alt.param(name=_param_name("include", i), value=a in included,
                       bind=alt.binding_checkbox(name=f"Include {a} ")) for i, a in enumerate(actors)]
    weights = [slider(_param_name("weight", i), 0, 3, 1, 1, f"Weight: {q}") for i, q in enumerate(questions)]
    frame = pairs[pairs["actor_a"].isin(actors) & pairs["actor_b"].isin(actors)]
    ticked = f"{_choose('actor_a', actors, ticks, 'false')} && {_choose('actor_b', actors, ticks, 'false')}"
    base = alt.Chart(frame).transform_filter(f"datum.period == {chosen.name}").transform_filter(
        ticked).transform_calculate(weight=_choose("question", questions, weights, "0")).transform_filter(
        "datum.weight > 0").transform_calculate(weighted="datum.weight * datum.agreement")
    # The headline always has a row to show, even when nothing is compared: one empty row per period
    # (weight 0). Like models.coherence_index, it gives no index for fewer than two actors or when
    # no ticked pair shares a question with a weight above zero (Python: ValueError / None).
    totals = pd.concat([frame, pd.DataFrame({"period": periods, "actor_a": "", "actor_b": "", "question": "",
                                             "agreement": 0.0})], ignore_index=True)
    actors_ticked = " + ".join(f"({t.name} ? 1 : 0)" for t in ticks)
    headline_base = alt.Chart(totals).transform_filter(f"datum.period == {chosen.name}").transform_filter(
        f"datum.actor_a == '' || ({ticked})").transform_calculate(
        weight=f"datum.actor_a == '' ? 0 : {_choose('question', questions, weights, '0')}").transform_calculate(
        weighted="datum.weight * datum.agreement", counted="datum.weight > 0 ? 1 : 0").transform_aggregate(
        num="sum(weighted)", den="sum(weight)", n="sum(counted)").transform_calculate(
        label=f"({actors_ticked}) < 2 || datum.den == 0 ? 'Index: n/a' : 'Index: ' + {_fixed('datum.num / datum.den')}",
        detail=f"({actors_ticked}) < 2 ? 'tick at least two actors' : datum.den == 0 ? "
               "'no shared question with a weight above 0' : 'from ' + datum.n + ' actor-pair comparisons'")
    index = headline_base.mark_text(fontSize=22, fontWeight="bold", align="left").encode(
        text="label:N", x=alt.value(0), y=alt.value(20))
    detail = headline_base.mark_text(fontSize=12, align="left").encode(
        text="detail:N", x=alt.value(0), y=alt.value(48))
    headline = alt.layer(index, detail).properties(width=190, height=70)
    pair = base.transform_aggregate(num="sum(weighted)", den="sum(weight)", n="count()", groupby=["actor_a", "actor_b"]
                                    ).transform_calculate(agreement="datum.num / datum.den",
                                                          label=f"{_fixed('datum.agreement')} + ' (' + datum.n + ')'")
    cells = pair.mark_rect().encode(
        x=alt.X("actor_b:N", title=None, sort=list(actors), axis=alt.Axis(labelAngle=-30, labelLimit=140)),
        y=alt.Y("actor_a:N", title=None, sort=list(actors)),
        color=alt.Color("agreement:Q", title="Agreement", scale=alt.Scale(domain=[0, 1], scheme="blues")),
        tooltip=[alt.Tooltip("actor_a:N", title="Actor"), alt.Tooltip("actor_b:N", title="and"),
                 alt.Tooltip("agreement:Q", title="Agreement", format=".2f"), alt.Tooltip("n:Q", title="Shared questions")])
    text = pair.mark_text(fontSize=11).encode(x=alt.X("actor_b:N", sort=list(actors)), y=alt.Y("actor_a:N", sort=list(actors)),
                                              text="label:N",
                                              color=alt.condition("datum.agreement > 0.6", alt.value("white"), alt.value("black")))
    matrix = alt.layer(cells, text).properties(width=300, height=220, title="Pairwise agreement (shared questions)")
    return alt.vconcat(headline, matrix).add_params(chosen, *ticks, *weights)


def policy_options(scores: pd.DataFrame) -> alt.VConcatChart:
    """Weight the criteria with sliders; the options are ranked by weighted mean score in the browser.
    Below, the illustrative scores with their rationale on hover."""
    criteria = list(dict.fromkeys(scores["criterion"]))
    options = list(dict.fromkeys(scores["option"]))
    weights = [slider(_param_name("criterion", i), 0, 5, 1, 1, f"Weight: {c}") for i, c in enumerate(criteria)]
    base = alt.Chart(scores).transform_calculate(weight=_choose("criterion", criteria, weights, "0")).transform_calculate(
        weighted="datum.weight * datum.score")
    # As models.rank_options: no ranking when every weight is zero; ties in alphabetical order.
    ranked = base.transform_aggregate(num="sum(weighted)", den="sum(weight)", groupby=["option"]).transform_filter(
        "datum.den > 0").transform_calculate(score="datum.num / datum.den").transform_calculate(
        shown=_fixed("datum.score")).transform_window(
        rank="row_number()", sort=[alt.SortField("score", "descending"), alt.SortField("option", "ascending")])
    by_rank = alt.EncodingSortField(field="rank", order="ascending")
    bars = ranked.mark_bar(color=theme.PALETTE[0]).encode(
        x=alt.X("score:Q", title=["Weighted mean score", "(1–5, illustrative)"], scale=alt.Scale(domain=[0, 5])),
        y=alt.Y("option:N", sort=by_rank, title=None, axis=alt.Axis(labelLimit=theme.label_limit(300))),
        tooltip=[alt.Tooltip("option:N", title="Option"), alt.Tooltip("score:Q", title="Score", format=".2f"),
                 alt.Tooltip("rank:Q", title="Rank")])
    labels = ranked.mark_text(align="left", dx=3).encode(x="score:Q", y=alt.Y("option:N", sort=by_rank),
                                                         text="shown:N")
    all_zero = " && ".join(f"{w.name} == 0" for w in weights)
    no_weights = alt.Chart(pd.DataFrame({"note": ["Set at least one weight above 0 to rank the options."]})
                           ).transform_filter(all_zero).mark_text(align="left", fontSize=13).encode(
        text="note:N", x=alt.value(0), y=alt.value(12))
    ranking = alt.layer(bars, labels, no_weights).properties(width=theme.WIDTH - 320, height=alt.Step(26),
                                                 title="Ranking under your weights")
    matrix = alt.Chart(scores).mark_rect().encode(
        x=alt.X("criterion:N", sort=criteria, title=None, axis=alt.Axis(labelAngle=-30, labelLimit=150)),
        y=alt.Y("option:N", sort=options, title=None, axis=alt.Axis(labelLimit=theme.label_limit(300))),
        color=alt.Color("score:Q", title="Score", scale=alt.Scale(domain=[1, 5], scheme="blues")),
        tooltip=[alt.Tooltip("option:N", title="Option"), alt.Tooltip("criterion:N", title="Criterion"),
                 alt.Tooltip("score:Q", title="Score"), alt.Tooltip("rationale:N", title="Why")])
    values = alt.Chart(scores).mark_text().encode(x=alt.X("criterion:N", sort=criteria), y=alt.Y("option:N", sort=options),
                                                  text="score:Q",
                                                  color=alt.condition("datum.score >= 4", alt.value("white"), alt.value("black")))
    grid = alt.layer(matrix, values).properties(width=330, height=alt.Step(26),
                                                title=["The illustrative scores", "(hover for the reasoning)"])
    return alt.vconcat(ranking, grid).add_params(*weights)
