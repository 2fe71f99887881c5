"""Small computations shared by the static pages, the live widgets and the exercises."""

from __future__ import annotations

import math

import pandas as pd


def period_summary(yearly_by_type: pd.DataFrame, start_year: int, end_year: int, estimate: str = "best") -> dict:
    """Total, yearly mean and peak year of UCDP deaths between two years (inclusive).

    Returns a dict with keys ``years`` (number of years), ``total``, ``mean_per_year``,
    ``peak_year`` and ``peak_deaths``. An empty period gives zeros and ``peak_year=None``.
    """
    if estimate not in ("best", "low", "high"):
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
    months = pd.PeriodIndex(pd.to_datetime(series[date]), freq="M")
    first, last = pd.Period(start, "M"), pd.Period(end, "M")
    if first > last:
        raise ValueError(f"window start {start} is after its end {end}")
    values = pd.to_numeric(series[value], errors="coerce").astype(float)
    periods = {"before": months < first, "inside": (months >= first) & (months <= last), "after": months > last}
    out = {}
    for name, mask in periods.items():
        chosen = values[mask].dropna()
        out[name] = float(chosen.mean()) if len(chosen) else None
        out[f"{name}_months"] = int(len(chosen))
    return out


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
