"""The UCDP refresh command, on a small GED-like fixture the test writes itself."""

import hashlib
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


def test_refresh_writes_the_shipped_schema(ged_file, data_copy):
    """The refresh code writes every table with exactly the columns, in the order, that the shipped
    tables and their description have (so a refresh cannot silently change what the chapters read)."""
    shipped = {name: pd.read_csv(data.DATA_DIR / f"{name}.csv", nrows=0).columns.tolist()
               for name in refresh_ucdp.TABLES.values()}
    refresh_ucdp.refresh(ged_file, "99.1", data_copy)
    for name in refresh_ucdp.TABLES.values():
        written = pd.read_csv(data_copy / f"{name}.csv", nrows=0).columns.tolist()
        described = [f["name"] for f in data.describe(name)["schema"]["fields"]]
        assert written == shipped[name] == described, name


def test_shipped_yearly_table_is_the_sum_of_the_monthly_one():
    """A data-consistency check on the shipped tables (what refresh's aggregate guarantees)."""
    monthly = data.load("ucdp_ged221_pakistan_monthly_by_type")
    yearly = data.load("ucdp_ged221_pakistan_yearly_by_type")
    from_months = (monthly.assign(year=monthly.month.str[:4].astype(int), type_of_violence=monthly.type_of_violence.astype(int))
                   .groupby(["year", "type_of_violence"], as_index=False)["best"].sum())
    joined = yearly.astype({"year": int, "type_of_violence": int}).merge(from_months, on=["year", "type_of_violence"])
    assert len(joined) == len(yearly) and (joined.best_x == joined.best_y).all()


def _second_release(tmp_path):
    rows = [
        _event(1, "2024-02-10", 1, 857, "Balochistan province", 7),
        _event(2, "2025-05-20", 3, 997, "Federally Administered Tribal Areas", 4),
        _event(3, "2025-06-01", 2, 555, None, 1),
    ]
    path = tmp_path / "GEDEvent_v99_2.csv"
    pd.DataFrame(rows, columns=COLUMNS).to_csv(path, index=False)
    return path


def test_refreshing_twice_leaves_the_descriptor_right(ged_file, data_copy, tmp_path):
    """Title, version, source, processing note, coverage and checksums follow the LAST release."""
    refresh_ucdp.refresh(ged_file, "99.1", data_copy)
    second = _second_release(tmp_path)
    refresh_ucdp.refresh(second, "99.2", data_copy)
    for name in refresh_ucdp.TABLES.values():
        entry = data.describe(name, data_copy)
        assert entry["version"] == "UCDP GED 99.2"
        assert entry["title"].startswith("UCDP GED 99.2:") and "99.1" not in entry["title"] and "22.1" not in entry["title"]
        assert "GED 99.2 event rows (3 events in Pakistan, from GEDEvent_v99_2.csv" in entry["processing"]
        assert "99.1" not in entry["processing"] and "22.1" not in entry["processing"]
        assert [s["title"] for s in entry["sources"]] == [
            f"UCDP Georeferenced Event Dataset 99.2, file GEDEvent_v99_2.csv (sha256 {data.file_stats(second)[0]})"]
        path = data_copy / entry["path"]
        assert entry["hash"] == "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
        assert entry["bytes"] == path.stat().st_size
        data.validate(name, data_copy)
    assert "2024-2025" in data.describe("ucdp_ged221_pakistan_yearly_by_type", data_copy)["description"]
    assert "2024-01 to 2025-12" in data.describe("ucdp_ged221_pakistan_monthly_by_type", data_copy)["description"]
    assert "1 events have no adm_1" in data.describe("ucdp_ged221_pakistan_yearly_by_province", data_copy)["description"]


def test_refreshing_twice_with_the_same_release_changes_nothing(ged_file, data_copy):
    refresh_ucdp.refresh(ged_file, "99.1", data_copy)
    first = {p.name: p.read_bytes() for p in data_copy.iterdir()}
    refresh_ucdp.refresh(ged_file, "99.1", data_copy)
    assert {p.name: p.read_bytes() for p in data_copy.iterdir()} == first


def test_refresh_leaves_other_tables_alone(ged_file, data_copy):
    before = data.read_descriptor(data_copy)["resources"]
    refresh_ucdp.refresh(ged_file, "99.1", data_copy)
    after = data.read_descriptor(data_copy)["resources"]
    assert [r["name"] for r in after] == [r["name"] for r in before]
    for old, new in zip(before, after):
        if old["name"] not in refresh_ucdp.TABLES.values():
            assert new == old


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
