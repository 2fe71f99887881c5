"""The UCDP refresh command, on a small GED-like fixture the test writes itself."""

import shutil

import pandas as pd
import pytest

from ttpbook import data, refresh_ucdp

COLUMNS = ["id", "year", "type_of_violence", "conflict_new_id", "dyad_new_id", "adm_1", "date_start",
           "best", "low", "high", "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "country"]


def _event(i, date, tov, dyad, adm_1, best, country="Pakistan"):
    return [i, int(date[:4]), tov, 404 if dyad == 857 else 1, dyad, adm_1, date, best, best, best + 1,
            1, best - 1, 0, 0, country]


@pytest.fixture
def ged_file(tmp_path):
    rows = [
        _event(1, "2022-01-10", 1, 857, "Federally Administered Tribal Areas", 5),
        _event(2, "2022-01-20", 1, 857, "Khyber Pakhtunkwa province", 3),
        _event(3, "2023-03-02", 3, 997, "Balochistan province", 2),
        _event(4, "2023-07-15", 2, 555, None, 4),
        _event(5, "2023-07-15", 1, 999, "Kabul province", 9, country="Afghanistan"),  # filtered out
    ]
    path = tmp_path / "GEDEvent_test.csv"
    pd.DataFrame(rows, columns=COLUMNS).to_csv(path, index=False)
    return path


@pytest.fixture
def data_copy(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(data.DATA_DIR, target)
    return target


def test_refresh_rewrites_tables_and_descriptor(ged_file, data_copy):
    written = refresh_ucdp.refresh(ged_file, "99.1", data_copy)
    assert written["ucdp_ged221_pakistan_yearly_by_type"] == 2 * 3          # 2 years x 3 types
    assert written["ucdp_ged221_pakistan_monthly_by_type"] == 24 * 3        # zero-filled months
    yearly = data.load("ucdp_ged221_pakistan_ttp_yearly", data_copy)
    assert yearly.loc[(yearly.year == 2022) & (yearly.dyad_new_id == 857), "best"].item() == 8
    assert yearly.loc[(yearly.year == 2023) & (yearly.dyad_new_id == 997), "best"].item() == 2
    provinces = data.load("ucdp_ged221_pakistan_yearly_by_province", data_copy)
    ttp_2022 = provinces[(provinces.scope == refresh_ucdp.TTP_SCOPE) & (provinces.year == 2022)]
    assert set(ttp_2022.province) == {"FATA (merged into KP 2018)", "Khyber Pakhtunkhwa"}
    assert set(ttp_2022.province_kp_incl_fata) == {"Khyber Pakhtunkhwa"}
    everything = provinces[provinces.scope == refresh_ucdp.ALL_SCOPE]
    assert "unknown (no adm_1)" in set(everything.province)
    entry = data.describe("ucdp_ged221_pakistan_yearly_by_type", data_copy)
    assert entry["version"] == "UCDP GED 99.1" and "GED 99.1" in entry["title"]


def test_refresh_reproduces_the_shipped_tables_from_their_own_totals():
    """The shipped tables are consistent with the refresh code: yearly = sum of monthly."""
    monthly = data.load("ucdp_ged221_pakistan_monthly_by_type")
    yearly = data.load("ucdp_ged221_pakistan_yearly_by_type")
    from_months = (monthly.assign(year=monthly.month.str[:4].astype(int), type_of_violence=monthly.type_of_violence.astype(int))
                   .groupby(["year", "type_of_violence"], as_index=False)["best"].sum())
    joined = yearly.astype({"year": int, "type_of_violence": int}).merge(from_months, on=["year", "type_of_violence"])
    assert len(joined) == len(yearly) and (joined.best_x == joined.best_y).all()


def test_refresh_refuses_a_file_that_is_not_ged(tmp_path, data_copy):
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match="not a UCDP GED event file: missing column"):
        refresh_ucdp.refresh(path, "1.0", data_copy)


def test_refresh_refuses_an_unknown_province(tmp_path, data_copy):
    rows = [_event(1, "2022-01-10", 1, 857, "Atlantis province", 5)]
    path = tmp_path / "ged.csv"
    pd.DataFrame(rows, columns=COLUMNS).to_csv(path, index=False)
    with pytest.raises(ValueError, match="Atlantis province"):
        refresh_ucdp.refresh(path, "1.0", data_copy)


def test_command_line_entry_point(ged_file, data_copy, capsys):
    assert refresh_ucdp.main([str(ged_file), "--version", "99.1", "--data-dir", str(data_copy)]) == 0
    assert "ucdp_ged221_pakistan_ttp_monthly" in capsys.readouterr().out
