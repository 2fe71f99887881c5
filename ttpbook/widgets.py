"""Live explorers (ipywidgets) for class and Binder.

Each explorer calls the same chart builder and model functions as the static page. In a live
kernel the controls redraw the chart. In the static book build (``TTPBOOK_MODE=book``) there is
no kernel to answer the controls, so the explorer is drawn once, at its starting values, as plain
HTML (``snapshot_html``): its controls disabled, a one-line note, and the summary. The static site
therefore needs no widget manager (and none of the patches a widget manager needed); the widgets
are closed after the snapshot is taken, and ``_ext/offline_assets.py`` drops their saved state
from any page that shows no live widget.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import pandas as pd
from IPython.display import HTML, display

from . import charts, models, render

STATIC_NOTE = ("<em>Live explorer: its controls run in class or on Binder (see How to use this book). "
               "On this static page it shows a snapshot; the chart above works here in your browser.</em>")


def _label(widget: widgets.Widget) -> str:
    return f'<span class="ttp-snapshot-label">{html.escape(widget.description)}</span> ' if widget.description else ""


def snapshot_html(widget: widgets.Widget) -> str:
    """What a widget tree's view shows at its current state, as static HTML (controls disabled).

    Written as XHTML too (quoted boolean attributes, closed empty elements), so that the EPUB
    edition, which is XML, can carry it as it is.

    Covers the widget types the explorers use; any other type raises, so a new one cannot vanish
    from the static page unnoticed."""
    if isinstance(widget, widgets.GridBox):
        columns = html.escape(widget.layout.grid_template_columns or "auto")
        inner = "".join(snapshot_html(child) for child in widget.children)
        return f'<div style="display:grid;grid-template-columns:{columns};gap:0.4em 1.5em">{inner}</div>'
    if isinstance(widget, widgets.HBox):
        inner = "".join(snapshot_html(child) for child in widget.children)
        return f'<div style="display:flex;flex-wrap:wrap;gap:0.4em 1.5em;align-items:center">{inner}</div>'
    if isinstance(widget, widgets.VBox):
        return "<div>" + "".join(f"<div>{snapshot_html(child)}</div>" for child in widget.children) + "</div>"
    if isinstance(widget, (widgets.HTML, widgets.HTMLMath)):
        return widget.value
    if isinstance(widget, widgets.Output):
        return ""
    if isinstance(widget, widgets.Button):
        return f'<button type="button" disabled="disabled">{html.escape(widget.description)}</button>'
    if isinstance(widget, widgets.Dropdown):
        selected = ' selected="selected"'
        options = "".join(f'<option{selected if i == widget.index else ""}>{html.escape(str(label))}</option>'
                          for i, label in enumerate(widget._options_labels))
        return f'<label class="ttp-snapshot-control">{_label(widget)}<select disabled="disabled">{options}</select></label>'
    if isinstance(widget, (widgets.IntRangeSlider, widgets.FloatRangeSlider, widgets.SelectionRangeSlider)):
        low, high = widget.label if isinstance(widget, widgets.SelectionRangeSlider) else widget.value
        return (f'<span class="ttp-snapshot-control">{_label(widget)}'
                f"<output>{html.escape(str(low))} – {html.escape(str(high))}</output></span>")
    if isinstance(widget, (widgets.IntSlider, widgets.FloatSlider)):
        shown = format(widget.value, widget.readout_format)
        return (f'<label class="ttp-snapshot-control">{_label(widget)}<input type="range" disabled="disabled" '
                f'min="{widget.min}" max="{widget.max}" step="{widget.step}" value="{widget.value}" /> '
                f"<output>{shown}</output></label>")
    raise TypeError(f"snapshot_html: no static form for {type(widget).__name__}; add one in ttpbook/widgets.py.")


def _close_tree(widget: widgets.Widget) -> None:
    for child in getattr(widget, "children", ()):
        _close_tree(child)
    widget.close()


def _static_snapshot(controls, *parts, note: str = STATIC_NOTE) -> widgets.VBox:
    """The static-site form of an explorer: its controls disabled, a one-line note, the summary at
    the starting values, displayed as plain HTML. The widgets are closed afterwards: no kernel
    will ever answer them."""
    for control in controls:
        control.disabled = True
    box = widgets.VBox([widgets.HTML(note), *parts])
    display(HTML(f'<div class="ttp-explorer-snapshot">{snapshot_html(box)}</div>'))
    _close_tree(box)
    return box


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
        summarise(estimate.value, years.value)
        return _static_snapshot((estimate, years), controls, summary)

    def redraw(estimate: str, years: tuple[int, int]) -> None:
        summarise(estimate, years)
        subset = yearly_by_type[yearly_by_type["year"] <= years[1]]
        display(charts.deaths_per_year(subset, estimate=estimate, start_year=years[0], interactive=False))

    output = widgets.interactive_output(redraw, {"estimate": estimate, "years": years})
    box = widgets.VBox([controls, summary, output])
    display(box)
    return box


def framing_classifier(sentences: pd.DataFrame) -> widgets.VBox:
    """Label each sentence (fact / attributed claim / opinion / loaded term) and get instant feedback and a score."""
    from .selfcheck import FRAMING_HINTS, FRAMING_LABELS

    state = {"index": 0, "right": 0, "answered": 0}
    sentence = widgets.HTML()
    feedback = widgets.HTML()
    score = widgets.HTML()
    buttons = [widgets.Button(description=label, layout=widgets.Layout(width="150px")) for label in FRAMING_LABELS]
    following = widgets.Button(description="Next sentence", button_style="info")

    def show_sentence() -> None:
        row = sentences.iloc[state["index"] % len(sentences)]
        origin = "the op-ed" if row["origin"] == "op-ed" else "a neutral report"
        sentence.value = f"<p><strong>Sentence {state['index'] % len(sentences) + 1} of {len(sentences)}</strong> " \
                         f"(from {origin}):</p><blockquote>{row['text']}</blockquote>"
        feedback.value = ""
        for button in buttons:
            button.disabled = False

    def answer(button: widgets.Button) -> None:
        row = sentences.iloc[state["index"] % len(sentences)]
        right = button.description == row["label"]
        state["answered"] += 1
        state["right"] += int(right)
        verdict = "Right." if right else f"Not quite: it is <strong>{row['label']}</strong>. {FRAMING_HINTS[row['label']]}"
        feedback.value = f"<p>{verdict} {row['explanation']}</p>"
        score.value = f"<p>Score: {state['right']} of {state['answered']}</p>"
        for b in buttons:
            b.disabled = True

    def next_sentence(_button: widgets.Button) -> None:
        state["index"] += 1
        show_sentence()

    for button in buttons:
        button.on_click(answer)
    following.on_click(next_sentence)
    show_sentence()
    box = widgets.VBox([sentence, widgets.HBox(buttons), feedback, widgets.HBox([following, score])])
    if render.is_static_build():
        return _static_snapshot(buttons + [following], box, note=STATIC_NOTE.replace(
            "the chart above works here in your browser", "the self-check above works here in your browser"))
    display(box)
    return box


def numbers_explorer(figures: pd.DataFrame) -> widgets.VBox:
    """Pick a year: see each publisher's headline toll, from the same chart builder as the page."""
    years = sorted(y for y, n in figures.groupby("year")["publisher"].nunique().items() if n >= 3)
    year = widgets.Dropdown(options=years, value=2024 if 2024 in years else years[-1], description="Year")
    summary = widgets.HTML()

    def summarise(chosen: int) -> None:
        rows = figures[figures["year"] == chosen]
        high, low = rows.loc[rows["deaths"].idxmax()], rows.loc[rows["deaths"].idxmin()]
        summary.value = (f"<p>{chosen}: highest {high['deaths']:,.0f} ({high['publisher']}, {high['counts']}); "
                         f"lowest {low['deaths']:,.0f} ({low['publisher']}, {low['counts']}); "
                         f"ratio {high['deaths'] / max(low['deaths'], 1):.1f}.</p>")

    if render.is_static_build():
        summarise(year.value)
        return _static_snapshot([year], year, summary)

    def redraw(year: int) -> None:
        summarise(year)
        display(charts.numbers_disagree(figures, year=year, interactive=False))

    box = widgets.VBox([year, summary, widgets.interactive_output(redraw, {"year": year})])
    display(box)
    return box


def window_explorer(measures: pd.DataFrame, windows: pd.DataFrame) -> widgets.VBox:
    """Choose a series and a window of months; see the means before, inside and after it."""
    names = sorted(set(measures["measure"]))
    series = widgets.Dropdown(options=names, value="PICSS: militant attacks", description="Series",
                              layout=widgets.Layout(width="460px"))
    months = sorted(set(measures["month"].str[:7]))
    window = widgets.SelectionRangeSlider(options=months, index=(months.index("2021-11"), months.index("2021-12")),
                                          description="Window", continuous_update=False,
                                          layout=widgets.Layout(width="560px"))
    summary = widgets.HTML()

    def summarise(name: str, chosen: tuple[str, str]) -> None:
        frame = measures[measures["measure"] == name]
        means = models.window_means(frame, chosen[0], chosen[1])
        parts = [f"{period}: {means[period]:.1f} a month over {means[period + '_months']} months"
                 if means[period] is not None else f"{period}: no data" for period in ("before", "inside", "after")]
        summary.value = f"<p>{name}, window {chosen[0]} to {chosen[1]}. " + "; ".join(parts) + ".</p>"

    if render.is_static_build():
        summarise(series.value, window.value)
        return _static_snapshot((series, window), series, window, summary)

    def redraw(name: str, chosen: tuple[str, str]) -> None:
        summarise(name, chosen)
        display(charts.window_snapshot(measures, windows, name, chosen[0], chosen[1]))

    box = widgets.VBox([series, window, summary, widgets.interactive_output(redraw, {"name": series, "chosen": window})])
    display(box)
    return box


def bargaining_explorer() -> widgets.VBox:
    """All seven parameters of ``models.ceasefire_bargain`` as sliders, with each side's gain."""
    defaults = models.CEASEFIRE_DEFAULTS
    specs = {"g0": ("Group's initial share g0", 0.0, 1.0, 0.05), "r": ("Regrouping rate r", 0.0, 1.0, 0.05),
             "L": ("Ceasefire length L", 0.0, 24.0, 1.0), "H": ("Periods after H", 1.0, 36.0, 1.0),
             "p": ("Enforcement probability p", 0.0, 1.0, 0.05), "c_s": ("State's cost c_s", 0.0, 0.3, 0.01),
             "c_g": ("Group's cost c_g", 0.0, 0.3, 0.01)}
    sliders = {name: widgets.FloatSlider(value=defaults[name], min=low, max=high, step=step, description=name,
                                         tooltip=label, continuous_update=False, style={"description_width": "40px"})
               for name, (label, low, high, step) in specs.items()}
    legend = widgets.HTML("<p>" + "; ".join(f"<strong>{n}</strong>: {specs[n][0].rsplit(' ', 1)[0]}" for n in specs) + ".</p>")
    result = widgets.HTML()

    def describe(**values) -> None:
        outcome = models.ceasefire_bargain(**values)
        verdict = "accepts" if outcome["ceasefire_happens"] else "rejects"
        result.value = (f"<p>The group's share grows from {values['g0']:.2f} to {outcome['regrouped_strength']:.2f} "
                        f"during the ceasefire. State's gain {outcome['state_gain']:+.2f}, group's gain "
                        f"{outcome['group_gain']:+.2f}: the state <strong>{verdict}</strong>. It would accept from an "
                        f"enforcement probability of {outcome['critical_enforcement']:.2f}.</p>")

    controls = widgets.GridBox(list(sliders.values()), layout=widgets.Layout(grid_template_columns="repeat(2, 330px)"))
    if render.is_static_build():
        describe(**{k: s.value for k, s in sliders.items()})
        return _static_snapshot(sliders.values(), legend, controls, result)
    output = widgets.interactive_output(describe, sliders)
    box = widgets.VBox([legend, controls, result, output])
    display(box)
    return box


def policy_options_explorer(scores: pd.DataFrame) -> widgets.VBox:
    """Weight the criteria; see the ranking (models.rank_options) and how far each weight can move
    before the top option changes (models.weight_sensitivity). Scores can be edited in the table."""
    criteria = list(dict.fromkeys(scores["criterion"]))
    sliders = {c: widgets.IntSlider(value=1, min=0, max=5, description=c, continuous_update=False,
                                    style={"description_width": "170px"}, layout=widgets.Layout(width="420px"))
               for c in criteria}
    result = widgets.HTML()

    def describe(**weights) -> None:
        try:
            ranked = models.rank_options(scores, weights)
        except ValueError as error:
            result.value = f"<p>{error}</p>"
            return
        sensitivity = models.weight_sensitivity(scores, weights)
        rows = "".join(f"<tr><td>{i + 1}</td><td>{o}</td><td>{s:.2f}</td></tr>"
                       for i, (o, s) in enumerate(zip(ranked["option"], ranked["score"])))
        moves = "".join(
            f"<li>{r.criterion}: " + (f"a change of {r.change_needed:+.2f} makes <em>{r.new_top}</em> the top option"
                                      if pd.notna(r.change_needed) else "no change from 0 to 5 alters the top option") + "</li>"
            for r in sensitivity.itertuples())
        result.value = (f"<table class='ttp-data-table'><tr><th>Rank</th><th>Option</th><th>Score</th></tr>{rows}</table>"
                        f"<p>How sensitive is the top option to each weight?</p><ul>{moves}</ul>")

    controls = widgets.VBox(list(sliders.values()))
    if render.is_static_build():
        describe(**{c: s.value for c, s in sliders.items()})
        return _static_snapshot(sliders.values(), controls, result)
    output = widgets.interactive_output(describe, sliders)
    box = widgets.VBox([controls, result, output])
    display(box)
    return box
