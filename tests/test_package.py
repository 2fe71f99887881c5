"""Unit tests for the book's package: charts, models, self-checks, renderer choice, offline guard."""

import sys
from pathlib import Path

import altair as alt
import pandas as pd
import pytest

from ttpbook import charts, data, models, render, selfcheck, theme

sys.path.insert(0, str(data.DATA_DIR.parent / "_ext"))
import offline_assets  # noqa: E402


@pytest.fixture(scope="module")
def yearly():
    return data.load("ucdp_ged221_pakistan_yearly_by_type")


# --- models ---------------------------------------------------------------------------------

def test_period_summary_matches_hand_count(yearly):
    summary = models.period_summary(yearly, 2009, 2009)
    assert summary == {"years": 1, "total": 7460, "mean_per_year": 7460.0, "peak_year": 2009, "peak_deaths": 7460}


def test_period_summary_whole_range_and_estimates(yearly):
    best = models.period_summary(yearly, 1989, 2021, "best")
    assert best["years"] == 33 and best["peak_year"] == 2009
    assert best["total"] == int(yearly["best"].sum())
    high = models.period_summary(yearly, 1989, 2021, "high")
    assert high["total"] >= best["total"]


def test_period_summary_edges(yearly):
    empty = models.period_summary(yearly, 1900, 1950)
    assert empty == {"years": 0, "total": 0, "mean_per_year": 0.0, "peak_year": None, "peak_deaths": 0}
    with pytest.raises(ValueError, match="after end_year"):
        models.period_summary(yearly, 2010, 2000)
    with pytest.raises(ValueError, match="estimate"):
        models.period_summary(yearly, 2000, 2010, "median")


# --- charts ----------------------------------------------------------------------------------

def test_deaths_chart_binds_a_dropdown_and_a_slider(yearly):
    spec = charts.deaths_per_year(yearly).to_dict()
    params = {p["name"]: p for p in spec["params"]}
    assert params["estimate"]["bind"]["input"] == "select"
    assert params["estimate"]["bind"]["options"] == ["best", "low", "high"]
    assert params["start_year"]["bind"]["input"] == "range"
    assert params["start_year"]["bind"]["min"] == 1989 and params["start_year"]["bind"]["max"] == 2020


def test_deaths_chart_for_widgets_has_no_bound_controls(yearly):
    spec = charts.deaths_per_year(yearly, estimate="low", start_year=2000, interactive=False).to_dict()
    assert "params" not in spec
    assert "datum.year >= 2000" in str(spec["transform"])


@pytest.mark.parametrize("kwargs, message", [({"estimate": "mean"}, "estimate"),
                                             ({"start_year": 1800}, "start_year"),
                                             ({"start_year": 2022}, "start_year")])
def test_deaths_chart_rejects_bad_arguments(yearly, kwargs, message):
    with pytest.raises(ValueError, match=message):
        charts.deaths_per_year(yearly, **kwargs)


def test_deaths_chart_on_a_single_year():
    one = pd.DataFrame({"year": [2000] * 3, "type_label": ["state-based", "non-state", "one-sided"],
                        "best": [1, 0, 0], "low": [1, 0, 0], "high": [1, 0, 0]})
    spec = charts.deaths_per_year(one, interactive=False).to_dict()
    assert spec["mark"]["type"] == "bar"


def test_overview_with_brush_zooms_detail_by_the_strip():
    frame = pd.DataFrame({"x": [1, 2, 3], "y": [3, 1, 2]})
    detail = alt.Chart(frame).mark_line().encode(x="x:Q", y="y:Q")
    overview = alt.Chart(frame).mark_area().encode(x="x:Q", y="y:Q")
    spec = charts.overview_with_brush(detail, overview, "x:Q").to_dict()
    top, strip = spec["vconcat"]
    # Altair hoists the selection to the top level and names the view it lives in.
    [brush] = strip.get("params") or spec["params"]
    assert brush["select"]["encodings"] == ["x"]
    assert brush.get("views", [strip.get("name")]) == [strip.get("name")]
    assert top["encoding"]["x"]["scale"]["domain"] == {"param": brush["name"]}


def test_show_requires_caption_and_description(yearly):
    chart = charts.deaths_per_year(yearly)
    with pytest.raises(ValueError, match="caption"):
        charts.show(chart, caption="", description="x")
    with pytest.raises(ValueError, match="caption"):
        charts.show(chart, caption="x", description="")


def test_show_in_book_mode_emits_one_figure_with_caption_and_table(yearly, monkeypatch):
    monkeypatch.setenv(render.MODE_VARIABLE, "book")
    render.enable_renderer()
    shown = []
    monkeypatch.setattr(charts, "display", lambda obj, **options: shown.append(obj))
    charts.show(charts.deaths_per_year(yearly), caption="Takeaway.", description="What it shows.",
                table=yearly, columns=["year", "best"], source="UCDP")
    assert len(shown) == 1
    page = shown[0]["text/html"]
    # The same output carries the print form (a numbered static figure with its caption).
    assert shown[0]["text/markdown"].startswith(":::{figure} data:image/svg+xml;base64,")
    assert "Takeaway." in shown[0]["text/markdown"]
    assert page.startswith('<figure class="ttp-figure">') and "altair-viz-" in page
    assert "<figcaption" in page and "Takeaway." in page and "What it shows." in page
    assert "ttp-data-table" in page and '"description": "What it shows."' in page


def test_data_table_is_capped():
    frame = pd.DataFrame({"a": range(charts.TABLE_MAX_ROWS + 5)})
    assert f"First {charts.TABLE_MAX_ROWS} of {charts.TABLE_MAX_ROWS + 5} rows" in charts.data_table_html(frame)


# --- theme and renderer -----------------------------------------------------------------------

def test_theme_uses_the_colour_blind_safe_palette():
    config = theme.ttpbook_theme()["config"]
    assert config["range"]["category"][:3] == ["#0072B2", "#E69F00", "#009E73"]
    assert alt.theme.active == theme.THEME_NAME


@pytest.mark.parametrize("value, expected", [("book", "book"), ("OFFLINE", "offline"), ("", "online"), ("x", "online")])
def test_render_mode_from_environment(monkeypatch, value, expected):
    monkeypatch.setenv(render.MODE_VARIABLE, value)
    assert render.mode() == expected


# --- self-check questions ---------------------------------------------------------------------

GOOD = """
- question: "Q?"
  answers:
    - {text: "A", correct: true, feedback: "Yes"}
    - {text: "B", feedback: "No"}
"""


def test_selfcheck_converts_to_jupyterquiz_format():
    [question] = selfcheck.parse(GOOD)
    assert question["type"] == "multiple_choice"
    assert question["answers"][0] == {"answer": "A", "correct": True, "feedback": "Yes"}
    assert question["answers"][1]["correct"] is False


@pytest.mark.parametrize("text, message", [
    ("[]", "list of questions"),
    ("- question: Q\n  answers: [{text: A, correct: true, feedback: f}]", "two answers"),
    ("- question: Q\n  answers: [{text: A, correct: true}, {text: B, feedback: f}]", "needs 'feedback'"),
    ("- question: Q\n  answers: [{text: A, feedback: f}, {text: B, feedback: f}]", "no answer is marked correct"),
    ("- answers: []", "needs a 'question'"),
])
def test_selfcheck_rejects_incomplete_questions(text, message):
    with pytest.raises(ValueError, match=message):
        selfcheck.parse(text)


# --- the offline guard --------------------------------------------------------------------------

def test_offline_guard_accepts_the_installed_altair():
    offline_assets.check_altair_mechanism()


def test_offline_guard_fails_loudly_if_altair_changes(monkeypatch):
    monkeypatch.setattr(alt, "VEGA_VERSION", "99")
    with pytest.raises(Exception, match="no longer matches the offline mechanism"):
        offline_assets.check_altair_mechanism()


def test_vega_bundle_is_scoped_and_sets_vega_debug():
    bundle = offline_assets.vega_bundle()
    assert bundle.startswith("/*") and "(function () {" in bundle
    assert "window.VEGA_DEBUG = Object.assign" in bundle
    assert f'"vegalite_version": "{alt.VEGALITE_VERSION}"' in bundle


def test_every_chart_builder_is_interactive_without_a_kernel():
    """Each chart the book shows carries Altair parameters (bound controls or selections)."""
    from ttpbook import models

    pub = data.load("published_annual_figures")
    combined = data.load("ucdp_pakistan_yearly_combined")
    events = data.load("timeline_events").assign(source="x")
    positions = data.load("positions")
    pairs = models.pairwise_agreements(positions, "2025-26")
    measures = charts.monthly_measures(data.load("picss_monthly_militant_attacks"), data.load("ucdp_ged221_pakistan_ttp_monthly"))
    windows = data.load("ceasefire_windows")
    claims = data.load("oped_claims").assign(sources="x")
    built = {
        "deaths_per_year": charts.deaths_per_year(data.load("ucdp_ged221_pakistan_yearly_by_type")),
        "timeline": charts.timeline_explorer(events),
        "violence": charts.violence_over_time(combined, events),
        "numbers": charts.numbers_disagree(charts.headline_figures(pub, combined)),
        "strength": charts.ttp_strength(data.load("un_monitoring_team_ttp_strength").assign(source="x")),
        "map": charts.province_map(charts.province_year_table(data.load("ucdp_ged221_pakistan_yearly_by_province")),
                                   data.load_json("pakistan_provinces")),
        "claims": charts.claims_explorer(claims),
        "claims_vs_claims": charts.claims_vs_claims(data.load("oct2025_pak_afghan_clash_claims")),
        "talks": charts.talks_timeline(data.load("talks_timeline").assign(source="x"), windows),
        "window": charts.window_analysis(measures, windows),
        "bargaining": charts.bargaining_model(models.ceasefire_grid([0, 0.5, 1], [0, 0.5, 1], [3, 6, 12], [0.02, 0.05, 0.1])),
        "matrix": charts.position_matrix(positions),
        "coherence": charts.coherence_explorer(pairs, ["Federal government", "Military (ISPR)"], ["talks with the TTP"],
                                               included=["Federal government", "Military (ISPR)"]),
        "options": charts.policy_options(data.load("policy_options")),
    }
    for name, chart in built.items():
        assert '"params"' in chart.to_json(), f"{name} has no parameters"


# --- a plain (non-editable) install ---------------------------------------------------------------

def test_a_plain_pip_install_finds_its_data(tmp_path):
    """`pip install .` (no -e) into a fresh venv: the package loads and validates its tables and
    reads the bibliography from the installed copy, not from a checkout. Dependencies come from this
    venv's site-packages (a .pth file) so nothing is downloaded; the build runs on a copy of the
    sources so no build/ or egg-info lands in the repository."""
    import shutil
    import subprocess
    import sysconfig

    root = data.DATA_DIR.parent
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE", "references.bib"):
        shutil.copy(root / name, src / name)
    shutil.copytree(root / "ttpbook", src / "ttpbook", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(root / "data", src / "data")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    (Path(purelib) / "project_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                    "--no-build-isolation", "--disable-pip-version-check", str(src)], check=True)
    shutil.rmtree(src)  # no checkout left to fall back on
    probe = ("from ttpbook import data, sources; "
             "print(data.DATA_DIR); print(sources.BIB); print(len(data.validate_all())); "
             "print(data.load('positions').shape[0]); print(sources.short_citation('dawn2015nap'))")
    out = subprocess.run([python, "-c", probe], check=True, capture_output=True, text=True, cwd=tmp_path,
                         env={"PATH": "/usr/bin:/bin"}).stdout.split("\n")
    assert out[0].startswith(purelib) and out[0].endswith("ttpbook/bookdata")
    assert out[1].startswith(purelib) and out[1].endswith("bookbib/references.bib")
    assert int(out[2]) == len(data.read_descriptor()["resources"])
    assert int(out[3]) == len(data.load("positions"))
    assert out[4] == "Dawn (2015)"
