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
