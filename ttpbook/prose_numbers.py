"""Numbers the chapters state in their prose, each computed from the book's data.

A chapter glues them from a hidden cell and cites them in its text with MyST-NB's role
(``{glue:text}`w2021_picss_attacks_inside:.1f```)::

    stated = prose_numbers.talks()
    prose_numbers.glue_all(stated)

so a data refresh changes the sentence as well as the chart. Captions and descriptions, which are
Python strings, format the same dictionary. One function per chapter; each number comes from one
function over the data (``models`` or the data tables), and ``tests/test_glue.py`` checks every key
the prose uses against those functions.

Numbers that quote a source ("ISPR said 23 soldiers were killed") are facts, not computations: they
stay typed in the prose with their citation.
"""

from __future__ import annotations

import re

import pandas as pd

from . import charts, models
from .data import load

PAKISTANI = ["Federal government", "Military (ISPR)", "KP government / PTI"]
ACTOR_KEYS = {"Federal government": "fed", "Military (ISPR)": "mil", "KP government / PTI": "kp"}
MEASURE_KEYS = {"PICSS: militant attacks": "picss_attacks", "PICSS: people killed in militant attacks": "picss_killed",
                "UCDP: events in the TTP conflicts": "ucdp_events", "UCDP: deaths in the TTP conflicts (best)": "ucdp_deaths"}
GOVERNMENT_TTP_DYAD = 857          # UCDP's Government of Pakistan - TTP dyad


def glue_all(numbers: dict) -> None:
    """Glue every number into the executed notebook for ``{glue:text}``. Outside a Jupyter Book
    build (Binder, a lab machine) MyST-NB is not installed and nothing reads the glue: skip it."""
    try:
        from myst_nb import glue
    except ImportError:
        return
    for key, value in numbers.items():
        glue(key, value, display=False)


def _plain(value):
    """A built-in int or float: MyST-NB reads a glued number back from its repr."""
    if isinstance(value, bool) or value is None:
        return value
    number = float(value)
    return int(number) if float(number).is_integer() and not isinstance(value, float) else number


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _month_key(month: str) -> str:
    return month[:7].replace("-", "_")


# --- Case study: the 2021-22 talks -----------------------------------------------------------------

def talks() -> dict:
    """Window means, monthly counts and sums, and the bargaining model's worked example."""
    picss = load("picss_monthly_militant_attacks")
    ucdp = load("ucdp_ged221_pakistan_ttp_monthly")
    measures = charts.monthly_measures(picss, ucdp)
    out = {}
    for preset, (_, start, end) in charts.WINDOW_PRESETS.items():
        if not start:
            continue
        for measure, name in MEASURE_KEYS.items():
            means = models.window_means(measures[measures["measure"] == measure], start, end)
            out.update({f"w{preset}_{name}_{k}": v for k, v in means.items() if v is not None})
    for row in picss.itertuples():
        for column in ("militant_attacks", "killed"):
            if not pd.isna(getattr(row, column)):
                out[f"picss_{'attacks' if column == 'militant_attacks' else 'killed'}_{_month_key(row.month)}"] = getattr(row, column)
    government_ttp = ucdp[(ucdp["dyad_new_id"] == GOVERNMENT_TTP_DYAD) & (ucdp["month"] >= "2020-01")]
    for row in government_ttp.itertuples():
        out[f"ucdp_gov_ttp_events_{_month_key(row.month)}"] = row.events
        out[f"ucdp_gov_ttp_deaths_{_month_key(row.month)}"] = row.best
    for label, first, last in (("2022_h1", "2022-01", "2022-06"), ("2022", "2022-01", "2022-12")):
        months = picss[(picss["month"] >= first) & (picss["month"] <= last)]
        out[f"picss_monthly_sum_attacks_{label}"] = months["militant_attacks"].sum()
        out[f"picss_monthly_sum_killed_{label}"] = months["killed"].sum()
        out[f"picss_monthly_months_{label}"] = len(months)
    halves = load("picss_period_totals").set_index("period")
    out["picss_halves_sum_attacks_2022"] = halves.loc[["2022-01..2022-06", "2022-07..2022-12"], "militant_attacks"].sum()
    model = models.ceasefire_bargain(**models.CEASEFIRE_DEFAULTS)
    out.update({f"model_default_{k}": v for k, v in model.items() if not isinstance(v, bool)})
    return {key: _plain(value) for key, value in out.items()}


# --- Policy coherence ------------------------------------------------------------------------------

def _index_numbers(prefix: str, positions: pd.DataFrame, period: str) -> dict:
    """The three-actor index, its parts (sum of agreements / comparisons, equal weights) and each pair."""
    result = models.coherence_index(positions, PAKISTANI, period)
    pairs = result["pairs"]
    out = {f"{prefix}_index": result["index"], f"{prefix}_comparisons": result["comparisons"],
           f"{prefix}_agreements": float((pairs["agreement"] * pairs["shared_questions"]).sum())}
    for row in pairs.itertuples():
        pair = f"{prefix}_{ACTOR_KEYS[row.actor_a]}_{ACTOR_KEYS[row.actor_b]}"
        out[pair] = row.agreement
        out[f"{pair}_shared"] = row.shared_questions
        out[f"{pair}_agreements"] = row.agreement * row.shared_questions
    out[f"{prefix}_lowest_pair"] = float(pairs["agreement"].min())
    return out


CODING_VARIANTS = {
    # key: (actor, question, period, alternative code) -- the alternatives the chapter and codebook discuss
    "alt_mil_kabul": ("Military (ISPR)", "talks with Kabul", "2025-26", "opposes"),
    "alt_fed_kabul": ("Federal government", "talks with Kabul", "2025-26", "conditional"),
    "alt_fed_ops": ("Federal government", "military operations in KP", "2023-24", "supports"),
}


def policy_coherence() -> dict:
    """The dataset's size, the worked index for each period, the coding variants and the option scores."""
    positions = load("positions")
    out = {"positions_cells": len(positions), "positions_questions": positions["question"].nunique(),
           "evidence_statements": len(load("positions_evidence"))}
    for period in sorted(positions["period"].unique()):
        out.update(_index_numbers(f"coh{period[:4]}", positions, period))
    for key, (actor, question, period, position) in CODING_VARIANTS.items():
        out.update(_index_numbers(key, models.recode(positions, actor, question, period, position), period))
    ranked = models.rank_options(load("policy_options"), {})
    out.update({f"option_{_key(row.option)}": row.score for row in ranked.itertuples()})
    out["options_top_score"], out["options_bottom_score"] = ranked["score"].iloc[0], ranked["score"].iloc[-1]
    return {key: _plain(value) for key, value in out.items()}


# --- Background ----------------------------------------------------------------------------------

def _published(figures: pd.DataFrame, publisher: str, report: str, year: int, metric: str) -> int:
    row = figures[(figures["publisher"] == publisher) & (figures["report"] == report) & (figures["year"] == year)
                  & (figures["geography"] == "Pakistan") & (figures["metric"] == metric)]
    if len(row) != 1:
        raise ValueError(f"expected one published figure for {publisher}, {report}, {year}, {metric}; found {len(row)}")
    return int(row["value"].iloc[0])


def background() -> dict:
    """Calculations on the publishers' figures, and UCDP's deaths by province."""
    figures = load("published_annual_figures")
    pips_2025 = _published(figures, "PIPS", "Pakistan Security Report 2025", 2025, "killed_in_terrorist_attacks")
    pips_ops_2025 = _published(figures, "PIPS", "Pakistan Security Report 2025", 2025, "militants_killed_in_operations")
    crss_2025 = _published(figures, "CRSS", "Annual Security Report 2025", 2025, "fatalities_all_violence")
    crss_2024_restated = _published(figures, "CRSS", "Annual Security Report 2025", 2024, "fatalities_all_violence")
    crss_2024_first = _published(figures, "CRSS", "Annual Security Report 2024", 2024, "fatalities_all_violence")
    pips_2024 = _published(figures, "PIPS", "Pakistan Security Report 2024", 2024, "killed_in_terrorist_attacks")
    out = {
        "gap_2025_ratio": crss_2025 / pips_2025,
        "pips_2025_attacks_plus_operations": pips_2025 + pips_ops_2025,
        "crss_rise_2025_restated_pct": 100 * (crss_2025 - crss_2024_restated) / crss_2024_restated,
        "crss_rise_2025_first_pct": 100 * (crss_2025 - crss_2024_first) / crss_2024_first,
        "gap_2024_ratio": crss_2024_restated / pips_2024,
        "crss_change_2025": crss_2025 - crss_2024_restated,
        "crss_change_over_2025_pct": 100 * (crss_2025 - crss_2024_restated) / crss_2025,   # the quiz's wrong base
        "crss_2025_over_2024_pct": 100 * crss_2025 / crss_2024_restated,
    }
    combined = load("ucdp_pakistan_yearly_combined").set_index("year")
    totals = combined["orgvio251_pak_total_best"].dropna()
    battle = combined["brd241_ttp_bd_best"].dropna()
    low_year = int(totals.loc[totals.idxmax():].idxmin())
    out.update({"orgvio_first_year": totals.index.min(), "orgvio_last_year": totals.index.max(),
                "orgvio_2007": totals.loc[2007], "orgvio_peak_year": totals.idxmax(), "orgvio_peak": totals.max(),
                "orgvio_low_year": low_year, "orgvio_low": totals.loc[low_year], "orgvio_last": totals.iloc[-1],
                "brd_first_year": battle.index.min(), "brd_last_year": battle.index.max(),
                "brd_peak_year": battle.idxmax(), "brd_peak": battle.max()})
    provinces = load("ucdp_ged221_pakistan_yearly_by_province")
    everything = provinces[provinces["scope"] == "all organised violence (types 1-3)"].set_index(["year", "province"])["best"]
    out["ged_2021_fata"] = everything.loc[(2021, "FATA (merged into KP 2018)")]
    out["ged_2021_kp"] = everything.loc[(2021, "Khyber Pakhtunkhwa")]
    return {key: _plain(value) for key, value in out.items()}


# --- Data and sources ----------------------------------------------------------------------------

def data_and_sources() -> dict:
    """UCDP's deaths per year in the event data, the stretches the chart description names, and the
    same years in the country-year release."""
    by_type = load("ucdp_ged221_pakistan_yearly_by_type")
    yearly = by_type.groupby("year")["best"].sum()
    first, last = int(yearly.index.min()), int(yearly.index.max())
    summary = models.period_summary(by_type, first, last)
    out = {"ged_first_year": first, "ged_last_year": last, "ged_years": summary["years"],
           "ged_peak_year": summary["peak_year"], "ged_peak_deaths": summary["peak_deaths"]}
    out["ged_max_before_2007"] = yearly.loc[:2006].max()
    out["ged_min_2008_2015"] = yearly.loc[2008:2015].min()
    out["ged_max_from_2018"] = yearly.loc[2018:].max()
    out.update({f"ged_deaths_{year}": deaths for year, deaths in yearly.items()})
    combined = load("ucdp_pakistan_yearly_combined").set_index("year")["orgvio251_pak_total_best"].dropna()
    out.update({f"orgvio_deaths_{year}": deaths for year, deaths in combined.items()})
    return {key: _plain(value) for key, value in out.items()}
