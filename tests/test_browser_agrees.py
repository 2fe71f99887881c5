"""The numbers the static charts show in the browser are the numbers Python computes (issue 18, item 1).

- The window chart no longer averages in the browser: it picks a row of ``models.window_grid``.
  Here every preset, every series, the "no window" state and windows drawn with the mouse
  (inside the data, past both ends, and inside one month) are compared with
  ``models.window_means`` or with the data directly.
- The coherence explorer and the options ranking still add up weights in the browser (a grid over
  every combination of ticks and weights would have millions of rows). They are compared with
  ``models.coherence_index`` and ``models.rank_options`` over the control range: the defaults,
  every weight at its ends, every period, fewer than two actors, all weights zero, and seeded random
  states.

The built site is served on 127.0.0.1 to Debian's Chromium with every other host blocked.
"""

from __future__ import annotations

import random
import re

import pandas as pd
import pytest

import site_tools
from ttpbook import charts, data, models

pytestmark = [pytest.mark.build, pytest.mark.browser]

SET_CONTROLS = """([anchor, values]) => {
    const box = [...document.querySelectorAll('[id^="altair-viz-"]')]
        .find(b => [...b.querySelectorAll('.vega-bind')].some(x => x.textContent.includes(anchor)));
    for (const [label, value] of Object.entries(values)) {
        const bind = [...box.querySelectorAll('.vega-bind')].find(x => x.textContent.trim().startsWith(label));
        if (!bind) throw new Error('no control ' + label);
        const el = bind.querySelector('input, select');
        if (el.type === 'checkbox') { el.checked = value; el.dispatchEvent(new Event('change', {bubbles: true})); }
        else if (el.tagName === 'SELECT') {
            el.selectedIndex = [...el.options].findIndex(o => o.value === String(value) || o.text === String(value));
            el.dispatchEvent(new Event('change', {bubbles: true}));
        } else { el.value = value; el.dispatchEvent(new Event('input', {bubbles: true})); }
    }
}"""

READ_CHART = """(anchor) => {
    const box = [...document.querySelectorAll('[id^="altair-viz-"]')]
        .find(b => [...b.querySelectorAll('.vega-bind')].some(x => x.textContent.includes(anchor)));
    const labelled = [...box.querySelectorAll('svg [aria-label]')].map(e => {
        const r = e.getBoundingClientRect();
        return {label: e.getAttribute('aria-label'), x: r.x + r.width / 2, y: r.y + r.height / 2, width: r.width};
    });
    return {texts: [...box.querySelectorAll('svg text')].map(e => e.textContent), labelled};
}"""


def fields(label: str) -> dict:
    """'a: 1; b: x' (Vega's accessible label of a mark) as a dict."""
    return dict(part.split(": ", 1) for part in label.split("; ") if ": " in part)


def settle(audit, anchor, values):
    audit.page.evaluate(SET_CONTROLS, [anchor, values])
    audit.page.wait_for_timeout(120)
    return audit.page.evaluate(READ_CHART, anchor)


@pytest.fixture
def opened(site_url, browser_context):
    audits = []

    def open_page(page):
        audit = site_tools.PageAudit(browser_context, f"{site_url}chapters/{page}.html").open()
        audits.append(audit)
        return audit
    yield open_page
    for audit in audits:
        assert audit.problems() == []
        audit.close()


# --- policy coherence -------------------------------------------------------------------------------

ACTORS = ["Federal government", "Military (ISPR)", "KP government / PTI", "Afghan Taliban", "TTP (as reported)",
          "United Nations", "United States"]


def coherence_states(questions, periods):
    default = {"ticks": ACTORS[:3], "weights": {}, "period": "2025-26"}
    states = [default]
    states += [{**default, "period": p} for p in periods]
    states += [{**default, "weights": {q: w}} for q in questions for w in (0, 3)]
    states += [{**default, "weights": {q: 0 for q in questions}},                  # edge: every weight zero
               {**default, "ticks": ACTORS[:1]}, {**default, "ticks": []},         # edge: fewer than two actors
               {**default, "ticks": ACTORS}]
    states += [{"ticks": ACTORS, "weights": {}, "period": p} for p in periods]
    rng = random.Random(18)
    for _ in range(12):
        states.append({"ticks": [a for a in ACTORS if rng.random() < 0.5], "period": rng.choice(periods),
                       "weights": {q: rng.randint(0, 3) for q in questions}})
    return states


def test_coherence_explorer_agrees_with_python(opened):
    positions = data.load("positions")
    questions = list(dict.fromkeys(positions["question"]))
    periods = sorted(positions["period"].unique())
    audit = opened("policy-coherence")
    checked = {"index": 0, "n/a": 0, "pairs": 0}
    for state in coherence_states(questions, periods):
        weights = {q: state["weights"].get(q, 1) for q in questions}
        controls = {"Period": state["period"], **{f"Include {a}": a in state["ticks"] for a in ACTORS},
                    **{f"Weight: {q}": w for q, w in weights.items()}}
        shown = settle(audit, "Include Federal government", controls)
        headline = [t for t in shown["texts"] if t.startswith("Index: ")]
        assert len(headline) == 1, (state, shown["texts"])
        browser_pairs = {}
        for mark in shown["labelled"]:
            f = fields(mark["label"])
            if "Shared questions" in f:
                browser_pairs[frozenset((f["actor_a"], f["actor_b"]))] = (float(f["Agreement"]), int(f["Shared questions"]))
        if len(set(state["ticks"])) < 2:
            with pytest.raises(ValueError):
                models.coherence_index(positions, state["ticks"], state["period"], weights)
            assert headline == ["Index: n/a"] and "tick at least two actors" in shown["texts"]
            assert browser_pairs == {}
            checked["n/a"] += 1
            continue
        result = models.coherence_index(positions, state["ticks"], state["period"], weights)
        if result["index"] is None:
            assert headline == ["Index: n/a"], state
            checked["n/a"] += 1
        else:
            assert headline == [f"Index: {result['index']:.2f}"], state
            assert f"from {result['comparisons']} actor-pair comparisons" in shown["texts"], state
            checked["index"] += 1
        python_pairs = {frozenset((r.actor_a, r.actor_b)): (r.agreement, r.shared_questions)
                        for r in result["pairs"].itertuples() if r.agreement is not None and r.shared_questions}
        assert browser_pairs.keys() == python_pairs.keys(), state
        for pair, (agreement, shared) in python_pairs.items():
            assert browser_pairs[pair][0] == pytest.approx(agreement, abs=1e-9) and browser_pairs[pair][1] == shared
            assert f"{agreement:.2f} ({shared})" in shown["texts"], (state, pair)
            checked["pairs"] += 1
    assert checked["index"] >= 20 and checked["n/a"] >= 3 and checked["pairs"] >= 60, checked


# --- policy options ---------------------------------------------------------------------------------

def test_options_ranking_agrees_with_python(opened):
    options = data.load("policy_options")
    criteria = list(dict.fromkeys(options["criterion"]))
    states = [{}, {c: 0 for c in criteria}, {c: 5 for c in criteria}]
    states += [{c: w} for c in criteria for w in (0, 5)]
    states += [{"short-term security": 3, "feasibility": 3}, {"long-term stability": 3, "rights and legitimacy": 3}]
    rng = random.Random(18)
    states += [{c: rng.randint(0, 5) for c in criteria} for _ in range(15)]
    audit = opened("policy-coherence")
    ranked_states = 0
    for state in states:
        weights = {c: state.get(c, 1) for c in criteria}
        shown = settle(audit, "Weight: short-term security", {f"Weight: {c}": w for c, w in weights.items()})
        bars = [fields(m["label"]) | {"y": m["y"]} for m in shown["labelled"] if "Rank" in fields(m["label"])]
        if not any(weights.values()):
            with pytest.raises(ValueError):
                models.rank_options(options, weights)
            assert bars == [] and "Set at least one weight above 0 to rank the options." in shown["texts"]
            continue
        python = models.rank_options(options, weights)
        browser = sorted(bars, key=lambda b: int(b["Rank"]))
        assert [b["option"] for b in browser] == python["option"].tolist(), weights
        # The x axis's title is two lines; Vega's ARIA label joins them, so match its first words.
        score_key = next(key for key in browser[0] if key.startswith("Weighted mean score"))
        assert [float(b[score_key]) for b in browser] == pytest.approx(
            python["score"].tolist(), abs=1e-9)
        assert [b["y"] for b in browser] == sorted(b["y"] for b in browser), "bars are drawn in rank order"
        assert sorted(f"{score:.2f}" for score in python["score"]) == sorted(
            t for t in shown["texts"] if re.fullmatch(r"\d\.\d\d", t)), weights
        assert "Set at least one weight above 0 to rank the options." not in shown["texts"]
        ranked_states += 1
    assert ranked_states == len(states) - 1


# --- the ceasefire windows --------------------------------------------------------------------------

def bars_of(shown) -> dict:
    bars = {}
    for mark in shown["labelled"]:
        f = fields(mark["label"])
        if "Months with data" in f:
            bars[f["period"]] = (float(f["Mean per month"]), int(f["Months with data"]))
    return bars


def python_bars(means) -> dict:
    return {p: (means[p], means[f"{p}_months"]) for p in ("before", "inside", "after") if means[p] is not None}


def assert_same(shown, expected, context):
    got = bars_of(shown)
    assert got.keys() == expected.keys(), (context, got, expected)
    for period, (mean, months) in expected.items():
        assert got[period][0] == pytest.approx(mean, abs=1e-5) and got[period][1] == months, (context, period)


def test_window_presets_agree_with_python(opened):
    measures = charts.monthly_measures(data.load("picss_monthly_militant_attacks"),
                                       data.load("ucdp_ged221_pakistan_ttp_monthly"))
    audit = opened("talks-2021-22")
    for measure in sorted(measures["measure"].unique()):
        series = measures[measures["measure"] == measure]
        for preset, (_, start, end) in charts.WINDOW_PRESETS.items():
            shown = settle(audit, "Window", {"Series": measure, "Window": preset})
            expected = python_bars(models.window_means(series, start, end)) if start else {}
            assert_same(shown, expected, (measure, preset))


def _points(shown) -> list[tuple[float, str, float]]:
    """(x on screen, month, value) of each point of the monthly line."""
    points = {}
    for mark in sorted(shown["labelled"], key=lambda m: -m["width"]):    # the point, not the line through it
        f = fields(mark["label"])
        if "Month" in f and "Value" in f:
            month = pd.Timestamp(f["Month"]).strftime("%Y-%m")
            points[month] = (mark["x"], month, float(f["Value"].replace(",", "")))
    return sorted(points.values())


GEOMETRY = """(anchor) => {
    const box = [...document.querySelectorAll('[id^="altair-viz-"]')]
        .find(b => [...b.querySelectorAll('.vega-bind')].some(x => x.textContent.includes(anchor)));
    const svg = box.querySelector('svg.marks'), r = svg.getBoundingClientRect();
    const brush = box.querySelector('g[class*="drawn_window_brush"]:not([class*="_bg"]) path');
    const b = brush ? brush.getBoundingClientRect() : null;
    return {left: r.left, top: r.top, width: r.width, height: r.height,
            W: Number(svg.getAttribute('width')), H: Number(svg.getAttribute('height')),
            brush: b && b.width > 0 ? [b.left, b.right] : null};
}"""


@pytest.mark.parametrize("measure", ["PICSS: militant attacks", "UCDP: events in the TTP conflicts"])
def test_drawn_windows_agree_with_python(opened, measure):
    """Draw windows with the mouse; the bars give ``models.window_means`` over the months whose first
    day the drawn window covers (or, for a window inside one month, the data split there)."""
    measures = charts.monthly_measures(data.load("picss_monthly_militant_attacks"),
                                       data.load("ucdp_ged221_pakistan_ttp_monthly"))
    series = measures[measures["measure"] == measure]
    audit = opened("talks-2021-22")
    shown = settle(audit, "Window", {"Series": measure, "Window": "custom"})
    assert bars_of(shown) == {}, "no window chosen yet: no bars"
    audit.page.evaluate("""(anchor) => [...document.querySelectorAll('[id^="altair-viz-"]')]
        .find(b => [...b.querySelectorAll('.vega-bind')].some(x => x.textContent.includes(anchor)))
        .querySelector('svg.marks').scrollIntoView({block: 'start'})""", "Window")
    points = _points(audit.page.evaluate(READ_CHART, "Window"))
    assert [month for _, month, _ in points] == [m[:7] for m in series["month"]]
    # Vega reads the pointer in the SVG's own units (clientX - left), while the page may draw the SVG
    # scaled to fit; place the mouse in the SVG's units so the drawn window falls between two months.
    g = audit.page.evaluate(GEOMETRY, "Window")
    scale = min(g["width"] / g["W"], g["height"] / g["H"])
    offset = g["left"] + (g["width"] - scale * g["W"]) / 2
    own = [(x - offset) / scale for x, _, _ in points]           # each month's x in the SVG's units

    def between(i):
        return (own[i] + own[i + 1]) / 2

    gap = own[1] - own[0]
    months = [month for _, month, _ in points]
    drags = {"middle": ((between(2), between(8)), months[3:9]),
             "past the left end": ((between(4), -2 * g["W"]), months[:5]),
             "past the right end": ((between(4), 3 * g["W"]), months[5:]),
             "inside one month": ((own[6] + gap / 4, own[6] + 3 * gap / 4), [])}
    y = sorted(m["y"] for m in audit.page.evaluate(READ_CHART, "Window")["labelled"] if "Value" in m["label"])[len(points) // 2]
    for name, ((press, release), intended) in drags.items():
        audit.page.mouse.dblclick(g["left"] + press, y)      # clears the last window (a press inside it would move it)
        audit.page.wait_for_timeout(100)
        assert bars_of(audit.page.evaluate(READ_CHART, "Window")) == {}, (measure, name, "the last window stayed")
        audit.page.mouse.move(g["left"] + press, y)
        audit.page.mouse.down()
        audit.page.mouse.move(g["left"] + release, y, steps=8)
        audit.page.mouse.up()
        audit.page.wait_for_timeout(150)
        shown = audit.page.evaluate(READ_CHART, "Window")
        drawn = audit.page.evaluate(GEOMETRY, "Window")["brush"]
        assert drawn, (measure, name, "no window was drawn")
        inside = [month for x, month, _ in points if drawn[0] - 0.5 <= x <= drawn[1] + 0.5]
        assert inside == intended, (measure, name, inside)
        if inside:
            expected = python_bars(models.window_means(series, inside[0], inside[-1]))
        else:   # no start of a month inside the window: the data split there
            values = pd.Series({month: value for _, month, value in points})
            split = next(month for x, month, _ in points if x > drawn[1] + 0.5)
            expected = {p: (part.mean(), len(part)) for p, part in
                        (("before", values[values.index < split]), ("after", values[values.index >= split])) if len(part)}
        assert_same(shown, expected, (measure, name, inside))
