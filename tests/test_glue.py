"""Every number the chapters state comes from one function over the data (issue 18, item 1).

- Each ``{glue:text}`key:format``` in a chapter names a key that the chapter's
  ``ttpbook.prose_numbers`` function returns, and the format applies to it (a missing key would be
  a build warning; here it fails in a second, with no build).
- Each glued number equals what the models and the data tables give when the test computes it
  again on its own (a second, deliberately separate reading of what each key means).
- The sentences around the numbers still hold ("peaked in September", "the index stays at ...").
- A data change moves the glued number (so the text follows a refresh), and a lint lists the
  decimals and percentages still typed by hand in the prose, each with a reason to stay.

Pure Python: no build, no browser.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from ttpbook import charts, data, models, prose_numbers

CHAPTERS = Path(__file__).resolve().parents[1] / "chapters"
GLUE_ROLE = re.compile(r"\{glue:text\}`([^`]+)`")
NUMBERS_OF = {"talks-2021-22": prose_numbers.talks, "policy-coherence": prose_numbers.policy_coherence,
              "background": prose_numbers.background, "data-and-sources": prose_numbers.data_and_sources}
PAKISTANI = ["Federal government", "Military (ISPR)", "KP government / PTI"]


@cache
def stated(chapter: str) -> dict:
    return NUMBERS_OF[chapter]()


def glue_uses() -> list[tuple[str, str, str, str]]:
    """(page, chapter that glues the key, key, format) for every glue role in the chapters."""
    uses = []
    for path in sorted(CHAPTERS.glob("*.md")):
        for content in GLUE_ROLE.findall(path.read_text()):
            doc, _, rest = content.rpartition("::")
            key, _, fmt = rest.partition(":")
            uses.append((path.stem, doc.removesuffix(".md") or path.stem, key, fmt or "s"))
    return uses


USES = glue_uses()


def test_the_chapters_glue_numbers():
    """A failing control for the tests below: they would pass vacuously on a book with no glue."""
    assert len(USES) >= 80
    assert {chapter for _, chapter, _, _ in USES} == set(NUMBERS_OF)


@pytest.mark.parametrize("chapter", sorted(NUMBERS_OF))
def test_a_glueing_chapter_glues_its_own_numbers(chapter):
    text = (CHAPTERS / f"{chapter}.md").read_text()
    assert f"stated = prose_numbers.{NUMBERS_OF[chapter].__name__}()" in text
    assert "prose_numbers.glue_all(stated)" in text


@pytest.mark.parametrize("page, chapter, key, fmt", USES, ids=[f"{p}:{k}:{f}" for p, _, k, f in USES])
def test_every_glued_key_exists_and_formats(page, chapter, key, fmt):
    numbers = stated(chapter)
    assert key in numbers, f"{page}.md uses {key!r}, which prose_numbers.{NUMBERS_OF[chapter].__name__}() does not give"
    value = numbers[key]
    assert type(value) in (int, float), f"{key}: MyST-NB reads glued values back from their repr; {type(value)} breaks it"
    format(value, fmt)


# --- what each key means, computed again here from the models and the data ---------------------------

@cache
def measures() -> pd.DataFrame:
    return charts.monthly_measures(data.load("picss_monthly_militant_attacks"), data.load("ucdp_ged221_pakistan_ttp_monthly"))


SERIES = {"picss_attacks": "PICSS: militant attacks", "picss_killed": "PICSS: people killed in militant attacks",
          "ucdp_events": "UCDP: events in the TTP conflicts", "ucdp_deaths": "UCDP: deaths in the TTP conflicts (best)"}
WINDOWS = {"2021": ("2021-11", "2021-12"), "2022": ("2022-06", "2022-11")}


def picss_month(column: str, month: str):
    picss = data.load("picss_monthly_militant_attacks").set_index("month")
    return picss.loc[month, column]


def coherence(prefix: str):
    positions = data.load("positions")
    if prefix.startswith("coh"):
        period = {"2021": "2021-22", "2023": "2023-24", "2025": "2025-26"}[prefix[3:]]
        return models.coherence_index(positions, PAKISTANI, period)
    recodings = {"alt_mil_kabul": ("Military (ISPR)", "talks with Kabul", "2025-26", "opposes"),
                 "alt_fed_kabul": ("Federal government", "talks with Kabul", "2025-26", "conditional"),
                 "alt_fed_ops": ("Federal government", "military operations in KP", "2023-24", "supports")}
    actor, question, period, position = recodings[prefix]
    recoded = positions.copy()
    cell = (recoded["actor"] == actor) & (recoded["question"] == question) & (recoded["period"] == period)
    assert cell.sum() == 1
    recoded.loc[cell, "position"] = position
    return models.coherence_index(recoded, PAKISTANI, period)


def pair_row(result, short: str):
    names = {"fed": "Federal government", "mil": "Military (ISPR)", "kp": "KP government / PTI"}
    a, b = (names[s] for s in short.split("_"))
    pairs = result["pairs"]
    row = pairs[((pairs["actor_a"] == a) & (pairs["actor_b"] == b)) | ((pairs["actor_a"] == b) & (pairs["actor_b"] == a))]
    assert len(row) == 1
    return row.iloc[0]


def published(publisher: str, report: str, year: int, metric: str) -> int:
    figures = data.load("published_annual_figures")
    row = figures[(figures["publisher"] == publisher) & (figures["report"] == report) & (figures["year"] == year)
                  & (figures["geography"] == "Pakistan") & (figures["metric"] == metric)]
    return int(row["value"].iloc[0])


def ged_yearly() -> pd.Series:
    return data.load("ucdp_ged221_pakistan_yearly_by_type").groupby("year")["best"].sum()


def expected(key: str):
    """The value a key stands for, computed again from the models and the data."""
    if m := re.fullmatch(r"w(2021|2022)_(\w+?)_(before|inside|after)(_months)?", key):
        preset, series, period, months = m.groups()
        means = models.window_means(measures()[measures()["measure"] == SERIES[series]], *WINDOWS[preset])
        return means[period + (months or "")]
    if m := re.fullmatch(r"picss_(attacks|killed)_(\d{4})_(\d\d)", key):
        column = {"attacks": "militant_attacks", "killed": "killed"}[m[1]]
        return picss_month(column, f"{m[2]}-{m[3]}")
    if m := re.fullmatch(r"ucdp_gov_ttp_(events|deaths)_(\d{4})_(\d\d)", key):
        ucdp = data.load("ucdp_ged221_pakistan_ttp_monthly")
        row = ucdp[(ucdp["dyad_name"] == "Government of Pakistan - TTP") & (ucdp["month"] == f"{m[2]}-{m[3]}")]
        return row[{"events": "events", "deaths": "best"}[m[1]]].item()
    if m := re.fullmatch(r"picss_monthly_sum_(attacks|killed)_(2022_h1|2022)", key):
        picss = data.load("picss_monthly_militant_attacks")
        last = "2022-06" if m[2] == "2022_h1" else "2022-12"
        months = picss[(picss["month"] >= "2022-01") & (picss["month"] <= last)]
        return months[{"attacks": "militant_attacks", "killed": "killed"}[m[1]]].sum()
    if key == "picss_halves_sum_attacks_2022":
        halves = data.load("picss_period_totals")
        return halves[halves["period"].isin(["2022-01..2022-06", "2022-07..2022-12"])]["militant_attacks"].sum()
    if m := re.fullmatch(r"model_default_(\w+)", key):
        return models.ceasefire_bargain()[m[1]]
    if key == "positions_cells":
        return len(data.load("positions"))
    if key == "evidence_statements":
        return len(data.load("positions_evidence"))
    if key == "positions_questions":
        return data.load("positions")["question"].nunique()
    if m := re.fullmatch(r"(coh\d{4}|alt_mil_kabul|alt_fed_kabul|alt_fed_ops)_(.+)", key):
        result, part = coherence(m[1]), m[2]
        if part == "index":
            return result["index"]
        if part == "comparisons":
            return result["comparisons"]
        if part == "agreements":      # the index's numerator: with equal weights, the sum of agreements
            return result["index"] * result["comparisons"]
        if part == "lowest_pair":
            return result["pairs"]["agreement"].min()
        pair, _, what = re.fullmatch(r"(fed_mil|fed_kp|kp_mil)(_(shared|agreements))?", part).groups()
        row = pair_row(result, pair)
        return {None: row["agreement"], "shared": row["shared_questions"],
                "agreements": row["agreement"] * row["shared_questions"]}[what]
    if key in ("options_top_score", "options_bottom_score"):
        scores = data.load("policy_options").groupby("option")["score"].mean()
        return scores.max() if key == "options_top_score" else scores.min()
    figures = {
        "gap_2025_ratio": lambda: published("CRSS", "Annual Security Report 2025", 2025, "fatalities_all_violence")
        / published("PIPS", "Pakistan Security Report 2025", 2025, "killed_in_terrorist_attacks"),
        "gap_2024_ratio": lambda: published("CRSS", "Annual Security Report 2025", 2024, "fatalities_all_violence")
        / published("PIPS", "Pakistan Security Report 2024", 2024, "killed_in_terrorist_attacks"),
        "pips_2025_attacks_plus_operations": lambda: published("PIPS", "Pakistan Security Report 2025", 2025, "killed_in_terrorist_attacks")
        + published("PIPS", "Pakistan Security Report 2025", 2025, "militants_killed_in_operations"),
        "crss_rise_2025_restated_pct": lambda: 100 * (published("CRSS", "Annual Security Report 2025", 2025, "fatalities_all_violence")
                                                      / published("CRSS", "Annual Security Report 2025", 2024, "fatalities_all_violence") - 1),
        "crss_rise_2025_first_pct": lambda: 100 * (published("CRSS", "Annual Security Report 2025", 2025, "fatalities_all_violence")
                                                   / published("CRSS", "Annual Security Report 2024", 2024, "fatalities_all_violence") - 1),
        "ged_2021_fata": lambda: data.load("ucdp_ged221_pakistan_yearly_by_province").query(
            "scope == 'all organised violence (types 1-3)' and year == 2021 and province == 'FATA (merged into KP 2018)'")["best"].item(),
        "ged_2021_kp": lambda: data.load("ucdp_ged221_pakistan_yearly_by_province").query(
            "scope == 'all organised violence (types 1-3)' and year == 2021 and province == 'Khyber Pakhtunkhwa'")["best"].item(),
        "ged_peak_deaths": lambda: ged_yearly().max(),
        "ged_peak_year": lambda: ged_yearly().idxmax(),
        "ged_first_year": lambda: ged_yearly().index.min(),
        "ged_last_year": lambda: ged_yearly().index.max(),
    }
    if key in figures:
        return figures[key]()
    if m := re.fullmatch(r"ged_deaths_(\d{4})", key):
        return ged_yearly().loc[int(m[1])]
    if m := re.fullmatch(r"orgvio_deaths_(\d{4})", key):
        return data.load("ucdp_pakistan_yearly_combined").set_index("year").loc[int(m[1]), "orgvio251_pak_total_best"]
    raise KeyError(f"the test does not know what {key!r} means: add it to expected()")


@pytest.mark.parametrize("page, chapter, key, fmt", USES, ids=[f"{p}:{k}:{f}" for p, _, k, f in USES])
def test_glued_number_agrees_with_its_source(page, chapter, key, fmt):
    value, again = stated(chapter)[key], expected(key)
    assert float(value) == pytest.approx(float(again), rel=1e-12, abs=1e-12), (key, value, again)
    assert format(value, fmt) == format(type(value)(again), fmt)


def test_a_wrong_glue_fails_the_check():
    """Failing control: a number glued under the wrong key (deaths for attacks) is caught."""
    numbers = stated("talks-2021-22")
    assert numbers["w2021_picss_killed_inside"] != pytest.approx(expected("w2021_picss_attacks_inside"))


def test_a_data_refresh_changes_the_glued_text(monkeypatch):
    """Change one month of PICSS data: the glued mean and the monthly figure follow it."""
    original = data.load

    def load(name):
        frame = original(name)
        if name == "picss_monthly_militant_attacks":
            frame = frame.copy()
            frame.loc[frame["month"] == "2021-11", "militant_attacks"] += 10
        return frame

    monkeypatch.setattr(prose_numbers, "load", load)
    changed = prose_numbers.talks()
    assert changed["picss_attacks_2021_11"] == stated("talks-2021-22")["picss_attacks_2021_11"] + 10
    assert changed["w2021_picss_attacks_inside"] == pytest.approx(stated("talks-2021-22")["w2021_picss_attacks_inside"] + 5)


# --- the sentences around the numbers ---------------------------------------------------------------

def test_what_the_talks_chapter_says_about_the_monthly_series():
    picss = data.load("picss_monthly_militant_attacks").set_index("month")
    ceasefire_2022 = picss.loc["2022-06":"2022-11", "militant_attacks"]
    assert ceasefire_2022.idxmax() == "2022-09"                                  # "peaked in September"
    assert picss.loc["2022-10", "militant_attacks"] < picss.loc["2022-09", "militant_attacks"]   # "fell in October"
    assert picss.loc["2022-11", "militant_attacks"] < picss.loc["2022-10", "militant_attacks"]   # "and November"
    assert picss.loc["2021-08":"2021-12", "militant_attacks"].idxmax() == "2021-08"  # "August 2021 was PICSS's highest month"
    assert expected("w2021_picss_killed_before_months") == 2                    # "deaths for August and September only"
    assert picss.loc["2021-08":"2021-09", "killed"].notna().all()
    assert picss.loc["2022-01":"2022-05", "killed"].idxmax() == "2022-03"        # "a mean raised by March 2022"
    assert expected("w2021_picss_attacks_inside") < expected("w2021_picss_attacks_before")      # "fewer ... inside"
    assert expected("w2022_picss_attacks_inside") > expected("w2022_picss_attacks_before")      # "did not dip"


def test_what_the_background_chapter_says_about_ucdp_totals():
    totals = data.load("ucdp_pakistan_yearly_combined").set_index("year")["orgvio251_pak_total_best"].dropna()
    numbers = stated("background")
    assert totals.idxmax() in (2009, 2010) and totals.loc[2009:2010].max() == totals.max()     # "peaked in 2009–2010"
    since_low = totals.loc[numbers["orgvio_low_year"]:]
    assert numbers["orgvio_low_year"] == 2019 and since_low.is_monotonic_increasing             # "risen every year since"
    assert numbers["orgvio_low"] == since_low.iloc[0] and numbers["orgvio_last"] == totals.iloc[-1]
    battle = data.load("ucdp_pakistan_yearly_combined").set_index("year")["brd241_ttp_bd_best"].dropna()
    assert (numbers["brd_peak"], numbers["brd_peak_year"]) == (battle.max(), battle.idxmax())


def test_the_worked_coherence_example_reads_as_the_data():
    positions = data.load("positions")
    pairs = models.pairwise_agreements(positions[positions["actor"].isin(PAKISTANI)], "2025-26")
    fed_mil = pairs[(pairs["actor_a"] == "Federal government") & (pairs["actor_b"] == "Military (ISPR)")]
    assert dict(zip(fed_mil["question"], fed_mil["agreement"])) == {
        "talks with the TTP": 1.0, "cross-border strikes": 1.0, "military operations in KP": 0.5, "talks with Kabul": 0.5}
    result = models.coherence_index(positions, PAKISTANI, "2025-26")
    lowest = result["pairs"][result["pairs"]["agreement"] == result["pairs"]["agreement"].min()]
    assert all("KP government / PTI" in (a, b) for a, b in zip(lowest["actor_a"], lowest["actor_b"])) and len(lowest) == 2
    assert expected("alt_fed_kabul_index") == pytest.approx(expected("coh2025_index"))         # "the index would stay"


WORDS = {"six": 6, "seven": 7}


def test_counts_written_as_words_match_the_data():
    """'seven questions', 'six options', 'Six criteria': structural counts the policy chapter spells out."""
    text = (CHAPTERS / "policy-coherence.md").read_text()
    positions, options = data.load("positions"), data.load("policy_options")
    counts = {"questions": positions["question"].nunique(), "options": options["option"].nunique(),
              "criteria": options["criterion"].nunique(), "sliders": options["criterion"].nunique()}
    found = re.findall(r"(?<!other )\b(six|seven) (?:policy )?(questions|options|criteria|sliders)\b", text, flags=re.I)
    assert "the other six questions" in text and counts["questions"] - 1 == 6   # "on the other six" (all but one)
    assert len(found) >= 5
    for word, thing in found:
        assert WORDS[word.lower()] == counts[thing.lower()], (word, thing)


def test_what_the_options_section_says_about_the_ranking():
    options = data.load("policy_options")
    equal = models.rank_options(options, {})
    assert equal["option"].iloc[0] == "regional diplomacy with mediators"
    assert equal["option"].iloc[-1] == "refugee policy"
    security = models.rank_options(options, {"short-term security": 3, "feasibility": 3}).set_index("option")["score"]
    assert security["border and trade leverage"] == pytest.approx(security["regional diplomacy with mediators"])  # "level with"
    assert security.max() == pytest.approx(security["regional diplomacy with mediators"])
    stability = models.rank_options(options, {"long-term stability": 3, "rights and legitimacy": 3})
    assert stability["option"].iloc[0] == "governance and development in the former FATA"                 # "first"


def test_the_op_ed_verdict_table_lists_the_claims_the_ledger_gives():
    """The table mapping the fact-check's wording onto five categories lists claim numbers by hand;
    together its rows must give each claim the verdict data/oped_claims.csv gives it."""
    text = (CHAPTERS / "reading-the-op-ed.md").read_text()
    rows = re.findall(r"^\|[^|\n]+\| (verified|verified with qualifications|contested|disputed|unverifiable) \| ([\d, ]+) \|$",
                      text, flags=re.M)
    assert len(rows) >= 5
    listed = {int(claim): verdict for verdict, claims in rows for claim in claims.split(",")}
    claims = data.load("oped_claims")
    assert listed == dict(zip(claims["claim_id"].astype(int), claims["verdict"]))


def test_the_specifications_worked_checks_hold():
    """The two specifications are literal text blocks (glue cannot reach them); their worked checks
    are read from the chapters and computed again here."""
    talks = (CHAPTERS / "talks-2021-22.md").read_text()
    check = re.search(r"Worked check with defaults: g_L ≈ ([\d.]+), G ≈ ([\d.]+), Delta_s ≈ (-?[\d.]+), "
                      r"Delta_g ≈ ([\d.]+), p_star ≈ ([\d.]+)\.", talks)
    assert check, "the model specification's worked check is missing"
    model = models.ceasefire_bargain()
    for typed, name in zip(check.groups(), ["regrouped_strength", "regrouping_gain", "state_gain", "group_gain",
                                            "critical_enforcement"]):
        decimals = len(typed.split(".")[1])
        assert f"{model[name]:.{decimals}f}" == typed, name
    coherence_text = (CHAPTERS / "policy-coherence.md").read_text()
    check = re.search(r"P\(Fed,Mil\) = ([\d.]+)/(\d+), P\(Fed,KP\) = ([\d.]+)/(\d+), P\(Mil,KP\) = ([\d.]+)/(\d+),\s+"
                      r"I\(A\) = ([\d.]+)/(\d+) = ([\d.]+)", coherence_text)
    assert check, "the index specification's check is missing"
    result = models.coherence_index(data.load("positions"), PAKISTANI, "2025-26")
    for pair, (agreements, shared) in zip(["fed_mil", "fed_kp", "kp_mil"], [check.groups()[i:i + 2] for i in (0, 2, 4)]):
        row = pair_row(result, pair)
        assert float(agreements) / int(shared) == pytest.approx(row["agreement"]) and int(shared) == row["shared_questions"]
    assert float(check[7]) == pytest.approx(result["index"] * result["comparisons"]) and int(check[8]) == result["comparisons"]
    assert f"{result['index']:.2f}" == check[9]


# --- the lint: computed numbers still typed by hand ------------------------------------------------

# Every decimal or percentage typed in a chapter's prose, or in a string in its code, must be glued
# or be here with its reason. Numbers in $math$ (model parameters and the index's rules) and in
# {cite}/{glue}/`code` roles are not read.
SOURCE = "quoted from the cited source, not computed by the book"
ALLOWED = {
    "background": {"2.5": "a quoted figure in the cited source's words (TTP strength estimate)",
                   "9%": SOURCE, "17%": SOURCE, "1.4": SOURCE, "1.3": SOURCE, "2.43": SOURCE, "54%": SOURCE,
                   "2.9": SOURCE, "5.4": SOURCE, "1.2": SOURCE, "60%": SOURCE,
                   "25.1": "a UCDP release number", "22.1": "a UCDP release number", "24.1": "a UCDP release number",
                   "4.0": "the licence's version (CC BY 4.0)",
                   "73%": "PICSS's own reported rise, quoted (a wrong answer in the self-check)"},
    "data-and-sources": {"22.1": "a UCDP release number", "25.1": "a UCDP release number",
                         "4.0": "the licence's version (CC BY 4.0)"},
    "glossary": {"1.3": "Dawn's count of card holders, quoted"},
    "instructors": {"10%": "a grading policy, not data", "3.11": "the Python version"},
    "reading-the-op-ed": {"3.5": "the UN Monitoring Team's figure as summarised by Amu TV, quoted",
                          "51%": "Ahmed Ali's (PIPS) count, quoted"},
    "policy-coherence": {"0.5": "the index's rule for a conditional against a clear position (a definition)",
                         "2.5": "the index specification's check (a literal block; tested above)",
                         "7.5": "the index specification's check (a literal block; tested above)",
                         "0.58": "the index specification's check (a literal block; tested above)"},
    "talks-2021-22": {"60%": "the TTP's reported demand, quoted from Newsweek Pakistan",
                      "55%": "Walter (1997), quoted", "20%": "Walter (1997), quoted",
                      "43%": "the RAND study as cited by Dawn, quoted", "7%": "the RAND study as cited by Dawn, quoted",
                      "50.2%": "the Colombian referendum result, quoted", "40%": "a quoted figure in the comparison table",
                      "22.1": "a UCDP release number",
                      "0.3": "a model parameter (an input, stated in the text)", "0.1": "a model parameter",
                      "0.05": "a model parameter", "0.616": "the specification's worked check (tested above)",
                      "0.316": "the specification's worked check (tested above)",
                      "-2.17": "the specification's worked check (tested above)",
                      "3.13": "the specification's worked check (tested above)",
                      "0.795": "the specification's worked check (tested above)",
                      "4.0": "the licence's version (CC BY 4.0)"},
}
NUMBER = re.compile(r"(?<![\w.])[-−]?\d[\d,]*\.\d+%?|(?<![\w.])\d[\d,]*%")
SKIP = re.compile(r"\{(?:cite:p|cite:t|ref|doc|term|glue:text|glue|numref)\}`[^`]*`|`[^`]*`|\$[^$]*\$|https?://\S+")


def _strings_in_code(code: str) -> list[str]:
    """The text of every string literal in a code cell, without the {...} parts of f-strings."""
    texts = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError):
        return [code]
    for token in tokens:
        if token.type == tokenize.STRING:
            prefix = re.match(r"[A-Za-z]*", token.string)[0].lower()
            body = token.string[len(prefix):]
            if "f" in prefix:
                body = re.sub(r"\{[^{}]*\}", " ", body)
            texts.append(body)
        elif token.type == getattr(tokenize, "FSTRING_MIDDLE", -1):
            texts.append(token.string)
    return texts


def typed_numbers(text: str) -> list[str]:
    """Decimals and percentages a reader sees in a chapter's prose or its code's strings."""
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)
    pieces, code, fence = [], [], None
    for line in text.split("\n"):
        stripped = line.strip()
        if fence is None and stripped.startswith("```"):
            fence = stripped
            continue
        if fence is not None:
            if stripped == "```":
                if fence.startswith("```{code-cell}"):
                    pieces.extend(_strings_in_code("\n".join(line for line in code if not line.startswith(":tags:"))))
                else:
                    pieces.append("\n".join(code))
                fence, code = None, []
            else:
                code.append(line)
            continue
        pieces.append(line)
    found = []
    for piece in pieces:
        found.extend(NUMBER.findall(SKIP.sub(" ", piece)))
    return [n.replace("−", "-") for n in found]


def hand_typed() -> dict[str, list[str]]:
    return {path.stem: [n for n in typed_numbers(path.read_text()) if n not in ALLOWED.get(path.stem, {})]
            for path in sorted(CHAPTERS.glob("*.md"))}


def test_no_computed_number_is_typed_by_hand():
    left = {chapter: numbers for chapter, numbers in hand_typed().items() if numbers}
    assert left == {}, "glue these numbers (ttpbook.prose_numbers), or allow them in ALLOWED with a reason"


def test_every_allowed_number_is_still_in_the_text():
    """An allow-list entry whose number has left the chapter is stale: remove it."""
    for chapter, allowed in ALLOWED.items():
        typed = set(typed_numbers((CHAPTERS / f"{chapter}.md").read_text()))
        assert set(allowed) <= typed, (chapter, set(allowed) - typed)


def test_the_lint_finds_a_number_typed_by_hand():
    """Failing control: a mean typed into prose, a caption string or a quiz is found."""
    page = "Some prose with a mean of 26.0 a month and 34% more.\n\n```{code-cell} ipython3\n" \
           "show(chart, caption=\"The index is 0.58\", description=f\"{x:.2f} and 3.17\")\n```\n"
    assert typed_numbers(page) == ["26.0", "34%", "0.58", "3.17"]
    assert typed_numbers("Glued: {glue:text}`w2021_picss_attacks_inside:.1f`, cited {cite:p}`a2021`, $g_0 = 0.3$.") == []
