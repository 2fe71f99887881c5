"""The case study's model functions: the ceasefire bargaining model and event-window means."""

import math

import pandas as pd
import pytest

from ttpbook import models


def test_defaults_match_the_worked_example_in_the_chapter():
    result = models.ceasefire_bargain()
    assert result["regrouped_strength"] == pytest.approx(0.616, abs=1e-3)
    assert result["state_gain"] == pytest.approx(-2.17, abs=1e-2)
    assert result["group_gain"] == pytest.approx(3.13, abs=1e-2)
    assert result["critical_enforcement"] == pytest.approx(0.795, abs=1e-3)
    assert result["ceasefire_happens"] is False


@pytest.mark.parametrize("p", [0.0, 0.3, 0.9])
def test_faster_regrouping_never_helps_the_state(p):
    gains = [models.ceasefire_bargain(r=r / 20, p=p)["state_gain"] for r in range(21)]
    assert all(a >= b - 1e-12 for a, b in zip(gains, gains[1:]))


@pytest.mark.parametrize("r", [0.0, 0.1, 1.0])
def test_likelier_enforcement_never_hurts_the_state(r):
    gains = [models.ceasefire_bargain(r=r, p=p / 20)["state_gain"] for p in range(21)]
    assert all(b >= a - 1e-12 for a, b in zip(gains, gains[1:]))


def test_group_never_loses_and_certain_enforcement_saves_the_state_its_costs():
    for r in (0, 0.5, 1):
        for p in (0, 0.5, 1):
            assert models.ceasefire_bargain(r=r, p=p)["group_gain"] >= 0
    assert models.ceasefire_bargain(p=1)["state_gain"] == pytest.approx((6 + 12) * 0.05)


def test_critical_enforcement_is_where_the_state_switches():
    result = models.ceasefire_bargain()
    p_star = result["critical_enforcement"]
    assert models.ceasefire_bargain(p=min(1, p_star + 1e-6))["state_gain"] >= 0
    assert models.ceasefire_bargain(p=p_star - 1e-3)["state_gain"] < 0


def test_edge_values_do_not_divide_by_zero():
    result = models.ceasefire_bargain(r=0, c_s=0, L=0)          # no regrouping, no cost, no ceasefire
    assert result["state_gain"] == 0 and result["critical_enforcement"] == 0
    assert models.ceasefire_bargain(r=0)["regrouping_gain"] == 0
    assert models.ceasefire_bargain(g0=1)["regrouped_strength"] == 1
    assert all(math.isfinite(v) for v in models.ceasefire_bargain(r=1, L=1000, p=0).values() if not isinstance(v, bool))


@pytest.mark.parametrize("kwargs, name", [({"r": -0.1}, "r"), ({"p": 1.5}, "p"), ({"g0": 2}, "g0"),
                                          ({"L": -1}, "L"), ({"H": 0}, "H"), ({"c_s": -0.1}, "c_s")])
def test_out_of_range_parameters_are_refused(kwargs, name):
    with pytest.raises(ValueError, match=name):
        models.ceasefire_bargain(**kwargs)


def test_grid_matches_the_model():
    grid = models.ceasefire_grid([0, 0.5], [0.2, 1.0], [6], [0.05])
    assert len(grid) == 4
    row = grid[(grid.r == 0.5) & (grid.p == 0.2)].iloc[0]
    assert row.state_gain == pytest.approx(models.ceasefire_bargain(r=0.5, p=0.2)["state_gain"], abs=1e-3)


SERIES = pd.DataFrame({"month": ["2021-09", "2021-10", "2021-11", "2021-12", "2022-01"],
                       "value": [10, 20, 5, None, 30]})


def test_window_means_before_inside_after():
    means = models.window_means(SERIES, "2021-11", "2021-12")
    assert means["before"] == 15 and means["before_months"] == 2
    assert means["inside"] == 5 and means["inside_months"] == 1      # the missing month is skipped, not zero
    assert means["after"] == 30 and means["after_months"] == 1


def test_window_means_edges():
    whole = models.window_means(SERIES, "2021-01", "2022-12")
    assert whole["before"] is None and whole["after"] is None and whole["inside_months"] == 4
    with pytest.raises(ValueError, match="after its end"):
        models.window_means(SERIES, "2022-01", "2021-01")


# --- Policy coherence: the index ---------------------------------------------------------------------

def _positions(rows):
    return pd.DataFrame(rows, columns=["actor", "question", "period", "position"])


def test_identical_positions_give_full_coherence():
    frame = _positions([(a, q, "P", pos) for a in ("A", "B", "C") for q, pos in (("q1", "supports"), ("q2", "opposes"), ("q3", "conditional"))])
    assert models.coherence_index(frame, ["A", "B", "C"], "P")["index"] == 1.0


def test_opposite_positions_give_no_coherence():
    frame = _positions([("A", "q1", "P", "supports"), ("B", "q1", "P", "opposes"),
                        ("A", "q2", "P", "opposes"), ("B", "q2", "P", "supports")])
    assert models.coherence_index(frame, ["A", "B"], "P")["index"] == 0.0


def test_conditional_counts_half():
    frame = _positions([("A", "q1", "P", "conditional"), ("B", "q1", "P", "supports")])
    assert models.coherence_index(frame, ["A", "B"], "P")["index"] == 0.5


def test_order_of_actors_does_not_matter():
    positions = pd.read_csv(models.__file__.replace("ttpbook/models.py", "data/positions.csv"))
    actors = ["Federal government", "Military (ISPR)", "KP government / PTI", "Afghan Taliban"]
    first = models.coherence_index(positions, actors, "2025-26")
    second = models.coherence_index(positions, list(reversed(actors)), "2025-26")
    assert first["index"] == second["index"] and first["comparisons"] == second["comparisons"]


def test_missing_and_no_clear_position_are_left_out_not_counted_as_disagreement():
    frame = _positions([("A", "q1", "P", "supports"), ("B", "q1", "P", "supports"),
                        ("A", "q2", "P", "supports"), ("B", "q2", "P", "no clear position"),
                        ("A", "q3", "P", "opposes")])                       # B has nothing on q3
    result = models.coherence_index(frame, ["A", "B"], "P")
    assert result["index"] == 1.0 and result["comparisons"] == 1


def test_no_shared_question_gives_no_index_and_weights_apply():
    frame = _positions([("A", "q1", "P", "supports"), ("B", "q2", "P", "supports")])
    assert models.coherence_index(frame, ["A", "B"], "P")["index"] is None
    frame = _positions([("A", "q1", "P", "supports"), ("B", "q1", "P", "supports"),
                        ("A", "q2", "P", "supports"), ("B", "q2", "P", "opposes")])
    assert models.coherence_index(frame, ["A", "B"], "P", weights={"q1": 3})["index"] == 0.75
    assert models.coherence_index(frame, ["A", "B"], "P", weights={"q2": 0})["index"] == 1.0
    with pytest.raises(ValueError, match="two actors"):
        models.coherence_index(frame, ["A"], "P")
    with pytest.raises(ValueError, match="negative"):
        models.coherence_index(frame, ["A", "B"], "P", weights={"q1": -1})


def test_rank_options_and_sensitivity():
    scores = pd.DataFrame({"option": ["x", "x", "y", "y"], "criterion": ["c1", "c2", "c1", "c2"], "score": [5, 1, 2, 3]})
    ranked = models.rank_options(scores, {})
    assert ranked["option"].tolist() == ["x", "y"] and ranked["score"].tolist() == [3.0, 2.5]
    assert models.rank_options(scores, {"c1": 0})["option"].iloc[0] == "y"
    sensitivity = models.weight_sensitivity(scores, {}).set_index("criterion")
    assert sensitivity.loc["c2", "new_top"] == "y" and sensitivity.loc["c2", "change_needed"] > 0
    with pytest.raises(ValueError):
        models.rank_options(scores, {"c1": 0, "c2": 0})


# --- the grid the window chart filters (models.window_grid) ---------------------------------------

def _toy_measures():
    return pd.DataFrame({"month": ["2021-01-01", "2021-02-01", "2021-03-01", "2021-04-01"] * 2,
                         "measure": ["a"] * 4 + ["b"] * 4,
                         "value": pd.array([1, 2, None, 8, 5, 5, 5, 5], dtype="Float64")})


def test_window_grid_rows_equal_window_means_for_every_window():
    measures = _toy_measures()
    grid = models.window_grid(measures).set_index(["measure", "start_key", "end_key"])
    months = ["2020-12", "2021-01", "2021-02", "2021-03", "2021-04", "2021-05", "2021-06"]
    checked = 0
    for measure in ("a", "b"):
        series = measures[measures["measure"] == measure]
        for i, start in enumerate(months):
            for end in months[i:]:
                means = models.window_means(series, start, end)
                key = models.clamp_window(models.month_key(start), models.month_key(end),
                                          models.month_key("2021-01"), models.month_key("2021-04"))
                row = grid.loc[(measure, *key)]
                for name, value in means.items():
                    assert (row[name] is None or pd.isna(row[name])) if value is None else row[name] == pytest.approx(value)
                checked += 1
    assert checked == 2 * 28


def test_window_grid_has_the_empty_window_a_drawn_brush_can_make():
    """A window drawn inside one month covers no start of a month: before and after split there."""
    grid = models.window_grid(_toy_measures())
    row = grid[(grid["measure"] == "a") & (grid["start_key"] == models.month_key("2021-03"))
               & (grid["end_key"] == models.month_key("2021-02"))].iloc[0]
    assert row["inside_months"] == 0 and pd.isna(row["inside"])
    assert row["before"] == pytest.approx(1.5) and row["after"] == pytest.approx(8)   # the missing March is skipped
    assert len(grid[grid["measure"] == "a"]) == 5 + 4 + 3 + 2 + 1   # start in months 1..5, end in start-1..4


def test_clamp_window_keeps_windows_outside_the_data_apart():
    first, last = models.month_key("2021-01"), models.month_key("2021-04")
    assert models.clamp_window(first - 5, first - 2, first, last) == (first, first - 1)     # all after
    assert models.clamp_window(last + 2, last + 9, first, last) == (last + 1, last)         # all before
    assert models.clamp_window(first - 5, last + 5, first, last) == (first, last)           # all inside
    assert models.month_key("2021-11") - models.month_key("2020-11") == 12


def test_window_means_still_refuses_a_window_that_ends_before_it_starts():
    with pytest.raises(ValueError, match="after its end"):
        models.window_means(_toy_measures(), "2021-03", "2021-02")


# --- coding variants and the ranking's order -----------------------------------------------------------

def test_recode_changes_one_cell_and_leaves_the_data_alone():
    positions = pd.DataFrame({"actor": ["A", "B"], "question": ["q", "q"], "period": ["p", "p"],
                              "position": ["supports", "supports"]})
    recoded = models.recode(positions, "B", "q", "p", "opposes")
    assert list(recoded["position"]) == ["supports", "opposes"] and list(positions["position"]) == ["supports", "supports"]
    assert models.coherence_index(recoded, ["A", "B"], "p")["index"] == 0
    with pytest.raises(ValueError, match="no single coded cell"):
        models.recode(positions, "C", "q", "p", "opposes")
    with pytest.raises(ValueError, match="position must be"):
        models.recode(positions, "A", "q", "p", "maybe")


def test_ranking_breaks_ties_alphabetically_like_the_chart():
    scores = pd.DataFrame({"option": ["zeta", "zeta", "alpha", "alpha", "mid", "mid"],
                           "criterion": ["x", "y"] * 3, "score": [3, 3, 3, 3, 1, 5]})
    assert list(models.rank_options(scores, {})["option"]) == ["alpha", "mid", "zeta"]
    assert list(models.rank_options(scores, {"x": 0})["option"]) == ["mid", "alpha", "zeta"]
