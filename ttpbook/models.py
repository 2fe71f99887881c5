"""Small computations shared by the static pages, the live widgets and the exercises."""

from __future__ import annotations

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
