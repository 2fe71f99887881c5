"""Primary documents and the positions evidence: what the data files claim about their sources holds."""

import re

import pandas as pd

from ttpbook import data


def test_un_rows_with_a_symbol_name_the_copy_that_was_read():
    table = data.load("un_monitoring_team_ttp_strength").fillna("")
    with_symbol = table[table["report_symbol"] != ""]
    assert len(with_symbol) >= 4
    assert all(re.fullmatch(r"S/\d{4}/\d+", s) for s in with_symbol["report_symbol"])
    assert (with_symbol["document_checked_at"].str.startswith("http")).all()
    # control: a row without a copy read has no symbol
    assert (table.loc[table["document_checked_at"] == "", "report_symbol"] == "").all()


def test_un_quoted_wording_names_who_quoted_it():
    table = data.load("un_monitoring_team_ttp_strength").fillna("")
    quoted = table[table["estimate_wording"].str.contains('"')]
    assert len(quoted) >= 2
    assert not quoted["wording_source"].str.startswith("not read").any()


def test_every_coded_cell_quotes_exactly_one_evidence_row():
    cells = data.load("positions")
    evidence = data.load("positions_evidence")
    used = evidence[evidence["used_for_cell"] == "yes"]
    assert not used.duplicated(["actor", "question", "period"]).any()
    merged = cells.merge(used, on=["actor", "question", "period"], how="left", suffixes=("", "_ev"))
    assert merged["url"].notna().all(), "a coded cell has no evidence row"
    assert (merged["source_url"] == merged["url"]).all()
    assert (merged["position"] == merged["position_ev"]).sum() >= len(cells) - 3   # three rows recoded (codebook)


def test_low_rows_are_flagged_as_leads_and_never_used():
    evidence = data.load("positions_evidence")
    low = evidence[evidence["confidence"] == "LOW"]
    assert len(low) == 8
    assert low["status"].str.startswith("lead only").all()
    assert (low["used_for_cell"] == "no").all()
    assert (evidence.loc[evidence["confidence"] != "LOW", "status"] == "evidence").all()


def test_no_chapter_rests_on_an_undistributed_file():
    from site_tools import ROOT
    text = " ".join(p.read_text() for p in (ROOT / "chapters").glob("*.md"))
    assert "not distributed" not in text
    assert "report not specified" not in text
