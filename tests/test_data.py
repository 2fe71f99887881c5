"""The data package: every table validates, and damaged copies are refused with a clear message."""

import hashlib
import json
import shutil

import pandas as pd
import pytest

from ttpbook import data, datapackage


@pytest.fixture
def data_copy(tmp_path):
    target = tmp_path / "data"
    shutil.copytree(data.DATA_DIR, target)
    return target


def test_every_table_validates():
    """Does not raise on the shipped data; the control below shows the same call does raise."""
    assert data.validate_all() == [r["name"] for r in data.read_descriptor()["resources"]]


def test_validate_all_stops_at_a_damaged_table(data_copy):
    path = data_copy / "policy_options.csv"
    path.write_bytes(path.read_bytes() + b"\n")
    with pytest.raises(data.DataValidationError, match="data/policy_options.csv: checksum mismatch"):
        data.validate_all(data_copy)


def test_every_file_in_data_is_described():
    described = {r["path"] for r in data.read_descriptor()["resources"]}
    on_disk = {p.name for p in data.DATA_DIR.iterdir()
               if p.name != data.DESCRIPTOR_NAME and not p.name.startswith("LICENSE")}
    assert on_disk == described


@pytest.mark.parametrize("resource", data.read_descriptor()["resources"], ids=lambda r: r["name"])
def test_descriptor_records_provenance(resource):
    for key in ("title", "description", "sources", "licenses", "citation", "accessed", "hash", "bytes"):
        assert resource.get(key), f"{resource['name']}: no {key}"
    assert resource["hash"].startswith("sha256:")
    for field in resource.get("schema", {}).get("fields", []) if resource["format"] == "csv" else []:
        assert field.get("description"), f"{resource['name']}.{field['name']}: no description"
        assert field.get("type")


def test_load_gives_described_types():
    frame = data.load("ucdp_ged221_pakistan_yearly_by_type")
    assert str(frame["best"].dtype) == "Int64"
    assert frame["year"].min() == 1989
    dates = data.load("timeline_talks_ceasefires")
    assert pd.api.types.is_datetime64_any_dtype(dates["date"])


def _edit(path, old, new, rehash_name=None, data_dir=None):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    if rehash_name:
        datapackage.rehash([rehash_name], data_dir)


def test_changed_value_type_names_file_row_and_column(data_copy):
    path = data_copy / "ucdp_ged221_pakistan_yearly_by_type.csv"
    _edit(path, "\n1990,1,state-based,", "\n1990,one,state-based,", "ucdp_ged221_pakistan_yearly_by_type", data_copy)
    with pytest.raises(data.DataValidationError) as error:
        data.load("ucdp_ged221_pakistan_yearly_by_type", data_copy)
    message = str(error.value)
    assert "data/ucdp_ged221_pakistan_yearly_by_type.csv" in message
    assert "row 5" in message and "column 'type_of_violence'" in message


def test_value_out_of_range_is_refused(data_copy):
    path = data_copy / "un_monitoring_team_ttp_strength.csv"
    _edit(path, ",6000,6500,", ",-6000,6500,", "un_monitoring_team_ttp_strength", data_copy)
    with pytest.raises(data.DataValidationError, match=r"row 2, column 'fighters_low'.*constraint"):
        data.validate("un_monitoring_team_ttp_strength", data_copy)


def test_missing_column_is_refused(data_copy):
    path = data_copy / "ucdp_ged221_pakistan_ttp_yearly.csv"
    frame = pd.read_csv(path).drop(columns=["deaths_unknown"])
    frame.to_csv(path, index=False)
    datapackage.rehash(["ucdp_ged221_pakistan_ttp_yearly"], data_copy)
    with pytest.raises(data.DataValidationError, match=r"ttp_yearly.csv: row 1 \(header\): missing column\(s\) \['deaths_unknown'\]"):
        data.load("ucdp_ged221_pakistan_ttp_yearly", data_copy)


def test_reordered_columns_are_named(data_copy):
    path = data_copy / "ucdp_ged221_pakistan_ttp_yearly.csv"
    frame = pd.read_csv(path)
    columns = list(frame.columns)
    columns[0], columns[1] = columns[1], columns[0]
    frame[columns].to_csv(path, index=False)
    datapackage.rehash(["ucdp_ged221_pakistan_ttp_yearly"], data_copy)
    with pytest.raises(data.DataValidationError, match=r"ttp_yearly.csv: row 1 \(header\): columns out of order"):
        data.load("ucdp_ged221_pakistan_ttp_yearly", data_copy)


def test_altered_map_fails_its_checksum(data_copy):
    """The JSON map is checked by hand (frictionless does not hash non-tabular files): prove it is."""
    path = data_copy / "pakistan_provinces.topo.json"
    path.write_text(path.read_text().replace("Punjab", "Punjaab", 1))
    with pytest.raises(data.DataValidationError, match="pakistan_provinces.topo.json: checksum mismatch.*rehash pakistan_provinces"):
        data.load_json("pakistan_provinces", data_copy)


def test_broken_json_is_refused(data_copy):
    path = data_copy / "pakistan_provinces.topo.json"
    path.write_text(path.read_text()[:-10])
    datapackage.rehash(["pakistan_provinces"], data_copy)
    with pytest.raises(data.DataValidationError, match="pakistan_provinces.topo.json: not valid JSON"):
        data.load_json("pakistan_provinces", data_copy)


def test_altered_file_fails_its_checksum(data_copy):
    path = data_copy / "picss_period_totals.csv"
    _edit(path, "151,293", "151,294")
    with pytest.raises(data.DataValidationError, match="picss_period_totals.csv: checksum mismatch.*rehash picss_period_totals"):
        data.load("picss_period_totals", data_copy)


def test_missing_file_is_named(data_copy):
    (data_copy / "crss_quarterly_fatalities.csv").unlink()
    with pytest.raises(data.DataValidationError, match="data/crss_quarterly_fatalities.csv: file not found"):
        data.load("crss_quarterly_fatalities", data_copy)


def test_unknown_table_lists_known_ones():
    with pytest.raises(KeyError, match="Known tables"):
        data.load("no_such_table")


def test_rehash_records_new_checksum(data_copy):
    path = data_copy / "picss_period_totals.csv"
    _edit(path, "151,293", "151,294", "picss_period_totals", data_copy)
    data.validate("picss_period_totals", data_copy)
    recorded = json.loads((data_copy / "datapackage.json").read_text())
    entry = next(r for r in recorded["resources"] if r["name"] == "picss_period_totals")
    # computed here with hashlib, independently of the frictionless code that rehash uses
    assert entry["hash"] == "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    assert entry["bytes"] == path.stat().st_size


def test_data_page_listing_covers_every_table():
    listing = datapackage.sources_markdown()
    for resource in data.read_descriptor()["resources"]:
        assert resource["title"] in listing and resource["hash"].removeprefix("sha256:") in listing
