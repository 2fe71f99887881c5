"""Regenerate the book's UCDP aggregate tables from a UCDP GED event file.

UCDP publishes a new Georeferenced Event Dataset (GED) every year. To bring the book's
tables up to date, download the GED CSV (global, or the Pakistan country extract) from UCDP
yourself, then run

    python -m ttpbook.refresh_ucdp path/to/GEDEvent_vXX_X.csv --version XX.X

This rewrites the five ``ucdp_ged*`` aggregate tables in ``data/`` (yearly and monthly by type
of violence, the TTP dyads yearly and monthly, yearly by province), records their new
checksums, size and date in ``data/datapackage.json``, and validates them. Event rows are never
written to ``data/``: only the aggregates are.

The file names keep ``ged221`` so that chapters need no change; the descriptor's ``title``,
``version``, ``sources``, ``processing`` note and the coverage years in ``description`` say which
release the tables now come from. Each is rewritten whole (never patched from its old text), so
any number of refreshes leaves them right.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from pathlib import Path

import pandas as pd

from . import data, datapackage

DEATH_COLUMNS = ["best", "low", "high", "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown"]
TYPE_LABELS = {1: "state-based", 2: "non-state", 3: "one-sided"}
TTP_DYADS = {857: (404, 1, "Government of Pakistan - TTP"), 997: (530, 3, "TTP - Civilians")}
FATA_ADM1 = "Federally Administered Tribal Areas"
FATA_LABEL = "FATA (merged into KP 2018)"
NO_ADM1 = "unknown (no adm_1)"
ALL_SCOPE = "all organised violence (types 1-3)"
TTP_SCOPE = "TTP dyads 857+997"
REQUIRED = ["year", "type_of_violence", "dyad_new_id", "adm_1", "date_start"] + DEATH_COLUMNS
TABLES = {
    "yearly_by_type": "ucdp_ged221_pakistan_yearly_by_type",
    "monthly_by_type": "ucdp_ged221_pakistan_monthly_by_type",
    "ttp_yearly": "ucdp_ged221_pakistan_ttp_yearly",
    "ttp_monthly": "ucdp_ged221_pakistan_ttp_monthly",
    "by_province": "ucdp_ged221_pakistan_yearly_by_province",
}


def read_events(path: Path | str) -> pd.DataFrame:
    """Read a GED CSV: the global file (filtered to Pakistan) or a country extract (HXL row dropped)."""
    events = pd.read_csv(path, low_memory=False)
    if len(events) and str(events.iloc[0, 0]).startswith("#"):
        events = events.iloc[1:].reset_index(drop=True)  # HDX extracts carry an HXL tag row
    missing = [c for c in REQUIRED if c not in events.columns]
    if missing:
        raise ValueError(f"{path}: not a UCDP GED event file: missing column(s) {missing}.")
    if "country" in events.columns:
        events = events[events["country"] == "Pakistan"]
    events = events.copy()
    for column in ["year", "type_of_violence", "dyad_new_id"] + DEATH_COLUMNS:
        events[column] = pd.to_numeric(events[column], errors="raise").astype(int)
    events["month"] = pd.to_datetime(events["date_start"]).dt.to_period("M").astype(str)
    if events.empty:
        raise ValueError(f"{path}: no events located in Pakistan.")
    return events


def _sum(events: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    grouped = events.groupby(keys)
    out = grouped[DEATH_COLUMNS].sum()
    out.insert(0, "events", grouped.size())
    return out


def _zero_fill(table: pd.DataFrame, index: pd.MultiIndex) -> pd.DataFrame:
    return table.reindex(index, fill_value=0).astype(int).reset_index()


def _months(first_year: int, last_year: int) -> list[str]:
    return [str(p) for p in pd.period_range(f"{first_year}-01", f"{last_year}-12", freq="M")]


def province_names(crosswalk: pd.DataFrame) -> dict[str, str]:
    """GED adm_1 spelling → the province name the book uses (FATA kept separate)."""
    names = {}
    for row in crosswalk.itertuples():
        if isinstance(row.ucdp_ged_adm_1, str) and row.ucdp_ged_adm_1:
            names[row.ucdp_ged_adm_1] = FATA_LABEL if row.ucdp_ged_adm_1 == FATA_ADM1 else row.current_name
    return names


def aggregate(events: pd.DataFrame, crosswalk: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The five aggregate tables, keyed as in TABLES."""
    first, last = int(events["year"].min()), int(events["year"].max())
    years, types = range(first, last + 1), sorted(TYPE_LABELS)

    by_type = _zero_fill(_sum(events, ["year", "type_of_violence"]),
                         pd.MultiIndex.from_product([years, types], names=["year", "type_of_violence"]))
    monthly = _zero_fill(_sum(events, ["month", "type_of_violence"]),
                         pd.MultiIndex.from_product([_months(first, last), types], names=["month", "type_of_violence"]))
    for table in (by_type, monthly):
        table.insert(2, "type_label", table["type_of_violence"].map(TYPE_LABELS))

    ttp = events[events["dyad_new_id"].isin(TTP_DYADS)]
    ttp_first = int(ttp["year"].min()) if len(ttp) else first
    dyads = sorted(TTP_DYADS)
    ttp_yearly = _zero_fill(_sum(ttp, ["year", "dyad_new_id"]),
                            pd.MultiIndex.from_product([range(ttp_first, last + 1), dyads], names=["year", "dyad_new_id"]))
    ttp_monthly = _zero_fill(_sum(ttp, ["month", "dyad_new_id"]),
                             pd.MultiIndex.from_product([_months(ttp_first, last), dyads], names=["month", "dyad_new_id"]))
    for table in (ttp_yearly, ttp_monthly):
        ids = table["dyad_new_id"].map(TTP_DYADS)
        table.insert(2, "conflict_new_id", ids.str[0])
        table.insert(3, "type_of_violence", ids.str[1])
        table.insert(4, "dyad_name", ids.str[2])

    names = province_names(crosswalk)
    located = events.assign(province=events["adm_1"].map(names).fillna(NO_ADM1))
    unknown = located.loc[located["adm_1"].notna() & ~located["adm_1"].isin(names), "adm_1"].unique()
    if len(unknown):
        raise ValueError(f"adm_1 value(s) not in data/geo_province_crosswalk.csv: {sorted(unknown)}")
    parts = []
    for scope, subset in ((ALL_SCOPE, located), (TTP_SCOPE, located[located["dyad_new_id"].isin(TTP_DYADS)])):
        table = _sum(subset, ["year", "province"]).reset_index()
        table.insert(0, "scope", scope)
        parts.append(table)
    by_province = pd.concat(parts, ignore_index=True)
    by_province.insert(3, "province_kp_incl_fata",
                       by_province["province"].replace({FATA_LABEL: "Khyber Pakhtunkhwa"}))
    by_province = by_province.sort_values(["scope", "year", "province"], key=_scope_order).reset_index(drop=True)
    return {"yearly_by_type": by_type, "monthly_by_type": monthly, "ttp_yearly": ttp_yearly,
            "ttp_monthly": ttp_monthly, "by_province": by_province}


def _scope_order(column: pd.Series) -> pd.Series:
    if column.name == "scope":
        return column.map({TTP_SCOPE: 0, ALL_SCOPE: 1})
    return column


PROCESSING = (
    "Aggregated from the GED {version} event rows ({events:,} events in Pakistan, from {file}, sha256 {sha}) "
    "with pandas by `python -m ttpbook.refresh_ucdp`: month = month of date_start{span}; sums of UCDP's best, "
    "low, high, deaths_a (Government of Pakistan), deaths_b (the other side), deaths_civilians, deaths_unknown, "
    "plus a count of events; zero-filled. Note: low and high do not always bracket best ({unbracketed:,} of "
    "{events:,} events)."
)
PROVINCE_NOTE = " Province from GED adm_1 through geo_province_crosswalk.csv."


def provenance(events: pd.DataFrame, ged_csv: Path, version: str) -> dict[str, str]:
    """Descriptor fields that say where the tables now come from, computed from the events read."""
    sha, _ = data.file_stats(ged_csv)
    span = ""
    if "date_end" in events.columns:
        months = pd.to_datetime(events["date_end"]).dt.to_period("M").astype(str)
        span = f" ({int((months != events['month']).sum()):,} events span two months)"
    unbracketed = int(((events["low"] > events["best"]) | (events["high"] < events["best"])).sum())
    note = PROCESSING.format(version=version, events=len(events), file=Path(ged_csv).name, sha=f"{sha[:8]}…{sha[-4:]}",
                             span=span, unbracketed=unbracketed)
    source = {"title": f"UCDP Georeferenced Event Dataset {version}, file {Path(ged_csv).name} (sha256 {sha})",
              "path": "https://ucdp.uu.se/downloads/"}
    return {"processing": note, "source": source}


def _describe_release(resource: dict, name: str, version: str, facts: dict, tables: dict[str, pd.DataFrame]) -> None:
    """Rewrite the release-dependent fields of one resource (idempotent: nothing depends on the old text)."""
    resource["version"] = f"UCDP GED {version}"
    resource["title"] = re.sub(r"^UCDP GED [^:]*:", f"UCDP GED {version}:", resource["title"])
    resource["sources"] = [facts["source"]]
    resource["processing"] = facts["processing"] + (PROVINCE_NOTE if name == TABLES["by_province"] else "")
    table = tables[next(k for k, v in TABLES.items() if v == name)]
    if "month" in table:
        first, last = table["month"].min(), table["month"].max()
        resource["description"] = re.sub(r"\b\d{4}-\d{2} to \d{4}-\d{2}\b", f"{first} to {last}", resource["description"])
    else:
        first, last = int(table["year"].min()), int(table["year"].max())
        resource["description"] = re.sub(r"\b\d{4}-\d{4}\b", f"{first}-{last}", resource["description"])
    if name == TABLES["by_province"]:
        no_adm1 = int(table.loc[(table["scope"] == ALL_SCOPE) & (table["province"] == NO_ADM1), "events"].sum())
        resource["description"] = re.sub(r"[\d,]+ events have no adm_1", f"{no_adm1:,} events have no adm_1",
                                         resource["description"])


def refresh(ged_csv: Path | str, version: str, data_dir: Path | str = data.DATA_DIR) -> dict[str, int]:
    """Rewrite the aggregate tables from ``ged_csv`` and update the descriptor; return rows written."""
    data_dir = Path(data_dir)
    crosswalk = data.load("geo_province_crosswalk", data_dir)
    events = read_events(ged_csv)
    tables = aggregate(events, crosswalk.astype(object).where(crosswalk.notna(), None))
    facts = provenance(events, Path(ged_csv), version)
    descriptor = data.read_descriptor(data_dir)
    by_name = {r["name"]: r for r in descriptor["resources"]}
    written = {}
    for key, name in TABLES.items():
        resource = by_name[name]
        path = data_dir / resource["path"]
        tmp = path.with_suffix(".csv.tmp")
        tables[key].to_csv(tmp, index=False, lineterminator="\n")
        tmp.replace(path)
        _describe_release(resource, name, version, facts, tables)
        written[name] = len(tables[key])
    datapackage.write_descriptor(descriptor, data_dir)
    datapackage.rehash(list(TABLES.values()), data_dir, accessed=dt.date.today().isoformat())
    for name in TABLES.values():
        data.validate(name, data_dir)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ttpbook.refresh_ucdp", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("ged_csv", help="UCDP GED event CSV you downloaded (global or Pakistan extract)")
    parser.add_argument("--version", required=True, help="GED release, e.g. 25.1")
    parser.add_argument("--data-dir", default=str(data.DATA_DIR))
    args = parser.parse_args(argv)
    written = refresh(args.ged_csv, args.version, args.data_dir)
    for name, rows in written.items():
        print(f"{name}: {rows} rows")
    print("Descriptor updated and tables validated. Check the Data and sources page, then rebuild the book.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
