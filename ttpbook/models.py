"""Small computations shared by the static pages, the live widgets and the exercises."""

from __future__ import annotations

import math

import pandas as pd


ESTIMATES = ("best", "low", "high")          # UCDP's three estimates of deaths


def period_summary(yearly_by_type: pd.DataFrame, start_year: int, end_year: int, estimate: str = "best") -> dict:
    """Total, yearly mean and peak year of UCDP deaths between two years (inclusive).

    Returns a dict with keys ``years`` (number of years), ``total``, ``mean_per_year``,
    ``peak_year`` and ``peak_deaths``. An empty period gives zeros and ``peak_year=None``.
    """
    if estimate not in ESTIMATES:
        raise ValueError(f"estimate must be 'best', 'low' or 'high', not {estimate!r}")
    if start_year > end_year:
        raise ValueError(f"start_year ({start_year}) is after end_year ({end_year})")
    inside = yearly_by_type[(yearly_by_type["year"] >= start_year) & (yearly_by_type["year"] <= end_year)]
    per_year = inside.groupby("year")[estimate].sum()
    if per_year.empty:
        return {"years": 0, "total": 0, "mean_per_year": 0.0, "peak_year": None, "peak_deaths": 0}
    return {
        "years": int(per_year.size),
        "total": int(per_year.sum()),
        "mean_per_year": float(per_year.mean()),
        "peak_year": int(per_year.idxmax()),
        "peak_deaths": int(per_year.max()),
    }


# --- The 2021–22 talks: event windows ------------------------------------------------------------

def window_means(series: pd.DataFrame, start: str, end: str, value: str = "value", date: str = "month") -> dict:
    """Mean of ``value`` per month before, inside and after the window [start, end] (months, inclusive).

    ``series`` has one row per month (``date`` as 'YYYY-MM' or a datetime) and may have gaps
    (missing values are skipped, not counted as zero). Returns means (None where a period has
    no months) and the number of months behind each mean.
    """
    first, last = pd.Period(start, "M"), pd.Period(end, "M")
    if first > last:
        raise ValueError(f"window start {start} is after its end {end}")
    return _period_means(series, first, last, value, date)


def _period_means(series: pd.DataFrame, first: pd.Period, last: pd.Period, value: str = "value",
                  date: str = "month") -> dict:
    """``window_means`` without the order check: ``last`` may be the month before ``first`` (an empty
    window, as when a window drawn in the browser contains no start of a month)."""
    months = pd.PeriodIndex(pd.to_datetime(series[date]), freq="M")
    values = pd.to_numeric(series[value], errors="coerce").astype(float)
    periods = {"before": months < first, "inside": (months >= first) & (months <= last), "after": months > last}
    out = {}
    for name, mask in periods.items():
        chosen = values[mask].dropna()
        out[name] = float(chosen.mean()) if len(chosen) else None
        out[f"{name}_months"] = int(len(chosen))
    return out


def month_key(month) -> int:
    """A month as one integer (year * 12 + month - 1), the key the browser computes from a date."""
    period = pd.Period(month, "M")
    return period.year * 12 + period.month - 1


def window_grid(measures: pd.DataFrame) -> pd.DataFrame:
    """``window_means`` for every window a reader can choose, per measure: the table the static
    chart filters in the browser (no mean is computed there).

    ``measures`` is long (month, measure, value). For a measure with months ``first..last``, every
    window [start, end] gives the same means as one whose start lies in ``first..last + 1`` and
    whose end lies in ``start - 1..last`` (``end = start - 1`` is a window with no month inside, as
    when a window drawn in the browser contains no start of a month). The table lists those
    windows, one row each, keyed by ``start_key``/``end_key`` (``month_key``); ``before``,
    ``inside`` and ``after`` are the means (None: no month) and ``*_months`` the months behind them.
    A window is clamped onto the grid with ``clamp_window``.
    """
    rows = []
    for measure, series in measures.groupby("measure", sort=True):
        months = pd.PeriodIndex(pd.to_datetime(series["month"]), freq="M")
        first, last = months.min(), months.max()
        for start in pd.period_range(first, last + 1, freq="M"):
            for end in pd.period_range(start - 1, last, freq="M"):
                means = _period_means(series, start, end)
                rows.append({"measure": measure, "start_key": month_key(start), "end_key": month_key(end),
                             **{k: (round(v, 6) if isinstance(v, float) else v) for k, v in means.items()}})
    return pd.DataFrame(rows)


def clamp_window(start_key: int, end_key: int, first_key: int, last_key: int) -> tuple[int, int]:
    """The grid row (``window_grid``) of a window [start_key, end_key] over a measure whose months
    run from first_key to last_key. The browser applies the same rule (``charts.window_analysis``)."""
    return min(max(start_key, first_key), last_key + 1), min(max(end_key, first_key - 1), last_key)


# --- The 2021–22 talks: a stylised bargaining model ----------------------------------------------

CEASEFIRE_DEFAULTS = {"g0": 0.3, "r": 0.1, "L": 6.0, "H": 12.0, "p": 0.3, "c_s": 0.05, "c_g": 0.05}


def ceasefire_bargain(g0: float = 0.3, r: float = 0.1, L: float = 6.0, H: float = 12.0, p: float = 0.3,
                      c_s: float = 0.05, c_g: float = 0.05) -> dict:
    """A thinking tool, not a forecast: when is a ceasefire worth it to a state and an armed group?

    The group holds a share ``g0`` of the stake (the state ``1 - g0``). During a ceasefire of
    ``L`` periods the group regroups at rate ``r``: its share grows to
    ``g_L = g0 + (1 - g0)(1 - exp(-r L))``. After it, for ``H`` periods, a third party enforces the
    deal with probability ``p`` (shares stay at the pre-ceasefire level); otherwise fighting
    resumes at the new balance. Fighting costs ``c_s`` and ``c_g`` per period. The gains from a
    ceasefire over fighting throughout are

        state_gain = (L + p H) c_s - (1 - p) H (g_L - g0)
        group_gain = (L + p H) c_g + (1 - p) H (g_L - g0)      (never negative)

    The state accepts when state_gain >= 0. ``critical_enforcement`` is the smallest p at which
    it would (0 when the deal is acceptable even without enforcement).
    """
    for name, value, low, high in (("g0", g0, 0, 1), ("r", r, 0, 1), ("p", p, 0, 1)):
        if not low <= value <= high:
            raise ValueError(f"{name} must be between {low} and {high}, not {value}")
    for name, value in (("L", L), ("c_s", c_s), ("c_g", c_g)):
        if value < 0:
            raise ValueError(f"{name} must not be negative, not {value}")
    if H <= 0:
        raise ValueError(f"H must be positive, not {H}")
    g_L = g0 + (1 - g0) * (1 - math.exp(-r * L))
    regrouping = g_L - g0
    state_gain = (L + p * H) * c_s - (1 - p) * H * regrouping
    group_gain = (L + p * H) * c_g + (1 - p) * H * regrouping
    denominator = H * (c_s + regrouping)
    critical = 0.0 if denominator == 0 else min(1.0, max(0.0, (H * regrouping - L * c_s) / denominator))
    return {"regrouped_strength": g_L, "regrouping_gain": regrouping, "state_gain": state_gain,
            "group_gain": group_gain, "ceasefire_happens": state_gain >= 0, "critical_enforcement": critical}


def ceasefire_grid(r_values, p_values, L_values, c_s_values, **fixed) -> pd.DataFrame:
    """``ceasefire_bargain`` over a grid of parameters: the table the static chart filters in the browser."""
    rows = []
    for r in r_values:
        for p in p_values:
            for L in L_values:
                for c_s in c_s_values:
                    result = ceasefire_bargain(r=r, p=p, L=L, c_s=c_s, **fixed)
                    rows.append({"r": round(r, 3), "p": round(p, 3), "L": L, "c_s": round(c_s, 3),
                                 "state_gain": round(result["state_gain"], 3),
                                 "group_gain": round(result["group_gain"], 3)})
    return pd.DataFrame(rows)


# --- Policy coherence ------------------------------------------------------------------------------

POSITIONS = ["supports", "conditional", "opposes"]          # "no clear position" and missing are left out


def agreement(a: str, b: str) -> float | None:
    """1 for the same position, 0.5 when one is conditional and the other is not, 0 for supports vs opposes;
    None when either is missing or 'no clear position' (the pair is not compared on that question)."""
    if a not in POSITIONS or b not in POSITIONS:
        return None
    if a == b:
        return 1.0
    return 0.5 if "conditional" in (a, b) else 0.0


def pairwise_agreements(positions: pd.DataFrame, period: str) -> pd.DataFrame:
    """Every unordered pair of actors and every question both coded in ``period``, with its agreement."""
    cells = positions[positions["period"] == period].set_index(["actor", "question"])["position"]
    actors = sorted(cells.index.get_level_values("actor").unique())
    rows = []
    for i, a in enumerate(actors):
        for b in actors[i + 1:]:
            for question in sorted(set(cells.loc[a].index) & set(cells.loc[b].index)):
                g = agreement(cells.loc[(a, question)], cells.loc[(b, question)])
                if g is not None:
                    rows.append({"period": period, "actor_a": a, "actor_b": b, "question": question, "agreement": g})
    return pd.DataFrame(rows, columns=["period", "actor_a", "actor_b", "question", "agreement"])


def recode(positions: pd.DataFrame, actor: str, question: str, period: str, position: str) -> pd.DataFrame:
    """A copy of ``positions`` with one existing cell coded differently: how a coding rule moves the index."""
    cell = (positions["actor"] == actor) & (positions["question"] == question) & (positions["period"] == period)
    if cell.sum() != 1:
        raise ValueError(f"no single coded cell for {actor!r}, {question!r}, {period}")
    if position not in POSITIONS + ["no clear position"]:
        raise ValueError(f"position must be one of {POSITIONS + ['no clear position']}, not {position!r}")
    recoded = positions.copy()
    recoded.loc[cell, "position"] = position
    return recoded


def coherence_index(positions: pd.DataFrame, actors, period: str, weights: dict | None = None) -> dict:
    """The coherence index of the chapter's INDEX SPEC for a set of actors in one period.

    Returns ``index`` (None if no pair shares a coded question), ``comparisons`` (N, the number of
    actor-pair-question comparisons behind it) and ``pairs``: a table of pairwise agreement P(a, b)
    with the number of shared questions. The order of ``actors`` does not matter.
    """
    chosen = sorted(set(actors))
    if len(chosen) < 2:
        raise ValueError("The index needs at least two actors.")
    weights = weights or {}
    if any(w < 0 for w in weights.values()):
        raise ValueError("Question weights must not be negative.")
    pairs = pairwise_agreements(positions[positions["actor"].isin(chosen)], period)
    pairs = pairs.assign(weight=pairs["question"].map(lambda q: float(weights.get(q, 1.0))))
    pairs = pairs[pairs["weight"] > 0]
    summary = []
    for a_i, a in enumerate(chosen):
        for b in chosen[a_i + 1:]:
            shared = pairs[(pairs["actor_a"] == a) & (pairs["actor_b"] == b)]
            total = shared["weight"].sum()
            summary.append({"actor_a": a, "actor_b": b, "shared_questions": int(len(shared)),
                            "agreement": float((shared["weight"] * shared["agreement"]).sum() / total) if total else None})
    denominator = pairs["weight"].sum()
    index = float((pairs["weight"] * pairs["agreement"]).sum() / denominator) if denominator else None
    return {"index": index, "comparisons": int(len(pairs)), "pairs": pd.DataFrame(summary)}


def rank_options(scores: pd.DataFrame, weights: dict) -> pd.DataFrame:
    """Weighted mean score of each policy option (scores: option, criterion, score); best first,
    ties in alphabetical order (as the static chart ranks them).

    Criteria missing from ``weights`` get weight 1; all-zero weights are refused.
    """
    if any(w < 0 for w in weights.values()):
        raise ValueError("Criterion weights must not be negative.")
    frame = scores.assign(weight=scores["criterion"].map(lambda c: float(weights.get(c, 1.0))))
    if frame.groupby("option")["weight"].sum().eq(0).all():
        raise ValueError("At least one criterion needs a weight above zero.")
    frame["weighted"] = frame["weight"] * frame["score"].astype(float)
    ranked = frame.groupby("option").agg(weighted=("weighted", "sum"), weight=("weight", "sum"))
    ranked["score"] = ranked["weighted"] / ranked["weight"]
    ranked = ranked["score"].rename_axis("option").reset_index()
    return ranked.sort_values(["score", "option"], ascending=[False, True], kind="stable").reset_index(drop=True)


def weight_sensitivity(scores: pd.DataFrame, weights: dict, step: float = 0.25, maximum: float = 5.0) -> pd.DataFrame:
    """For each criterion: how far its weight can move (down to 0 or up to ``maximum``, all else fixed)
    before the top-ranked option changes, and which option takes over. ``None`` = it never changes."""
    criteria = sorted(scores["criterion"].unique())
    weights = {c: float(weights.get(c, 1.0)) for c in criteria}
    top = rank_options(scores, weights)["option"].iloc[0]
    rows = []
    for criterion in criteria:
        found = {"criterion": criterion, "weight": weights[criterion], "change_needed": None, "new_top": None}
        candidates = []
        for direction in (-1, 1):
            value = weights[criterion]
            while 0 <= value + direction * step <= maximum:
                value += direction * step
                trial = {**weights, criterion: value}
                if sum(trial.values()) == 0:
                    break
                leader = rank_options(scores, trial)["option"].iloc[0]
                if leader != top:
                    candidates.append((abs(value - weights[criterion]), direction * abs(value - weights[criterion]), leader))
                    break
        if candidates:
            _, change, leader = min(candidates)
            found.update(change_needed=change, new_top=leader)
        rows.append(found)
    return pd.DataFrame(rows)
