"""Load the book's tables, validating each one against the data descriptor first.

Every table in ``data/`` is described in ``data/datapackage.json`` (a Frictionless Data
Package): source, licence, checksum, and the type, unit and allowed values of every column.
``load(name)`` refuses a file that does not match its description, with a message naming the
file, the row and the column.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

DESCRIPTOR_NAME = "datapackage.json"
MAX_ERRORS_SHOWN = 10
DATA_DIR_VARIABLE = "TTPBOOK_DATA_DIR"
_CHECKOUT = Path(__file__).resolve().parent.parent


def _find_data_dir() -> Path:
    """Where the book's tables are: $TTPBOOK_DATA_DIR, else the source checkout, else the installed copy.

    An editable install (or running from the repository) reads ``data/`` next to the package, so
    an edit to a table is seen at once. A plain ``pip install .`` has no checkout: the wheel
    carries the tables as ``ttpbook/bookdata`` (see pyproject.toml) and they are read from there.
    """
    if os.environ.get(DATA_DIR_VARIABLE):
        return Path(os.environ[DATA_DIR_VARIABLE])
    checkout = _CHECKOUT / "data"
    if (checkout / DESCRIPTOR_NAME).exists():
        return checkout
    return Path(str(resources.files("ttpbook") / "bookdata"))


DATA_DIR = _find_data_dir()


class DataValidationError(ValueError):
    """A data file does not match its description in datapackage.json."""


def read_descriptor(data_dir: Path | str = DATA_DIR) -> dict:
    """The data package descriptor as a dict."""
    path = Path(data_dir) / DESCRIPTOR_NAME
    if not path.exists():
        raise DataValidationError(f"{path}: the data descriptor is missing.")
    return json.loads(path.read_text(encoding="utf-8"))


def resource_names(data_dir: Path | str = DATA_DIR) -> list[str]:
    """Names of every table described in the descriptor, in descriptor order."""
    return [r["name"] for r in read_descriptor(data_dir)["resources"]]


def describe(name: str, data_dir: Path | str = DATA_DIR) -> dict:
    """The descriptor entry of one table."""
    for resource in read_descriptor(data_dir)["resources"]:
        if resource["name"] == name:
            return resource
    known = ", ".join(resource_names(data_dir))
    raise KeyError(f"No table named {name!r} in {DESCRIPTOR_NAME}. Known tables: {known}")


def file_stats(path: Path | str) -> tuple[str, int]:
    """SHA-256 and size of a file, as frictionless computes them when it checks the descriptor."""
    from frictionless import Resource  # imported here: it is slow to import

    path = Path(path)
    resource = Resource(path=path.name, basepath=str(path.parent))
    resource.infer(stats=True)
    return resource.stats.sha256, resource.stats.bytes


def sha256_of(path: Path | str) -> str:
    return file_stats(path)[0]


def validate(name: str, data_dir: Path | str = DATA_DIR) -> None:
    """Check one table against its description; raise DataValidationError if it does not match.

    frictionless does the checking: the SHA-256 and size the descriptor records, the header
    labels and their order, and every cell's type and constraints. This module only turns its
    report into a message that names the file, the row and the column (and, for a checksum, the
    command that records a checked change).
    """
    data_dir = Path(data_dir)
    spec = describe(name, data_dir)
    path = data_dir / spec["path"]
    _validate_cached(str(path), _stamp(path), json.dumps(spec, sort_keys=True), str(data_dir))


def _stamp(path: Path) -> tuple:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return ("missing",)
    return (stat.st_size, stat.st_mtime_ns)


def _checksum_message(shown: str, spec: dict, actual: str) -> str:
    expected = spec["hash"].removeprefix("sha256:")
    return (f"{shown}: checksum mismatch: the descriptor records sha256 {expected}, the file has "
            f"{actual}. The file changed since it was described. If the change is intended, check "
            f"it and record the new checksum with `python -m ttpbook.datapackage rehash {spec['name']}`.")


def _validate_json(path: Path, spec: dict, shown: str) -> None:
    """Hand-written because frictionless 5.21 checks neither the hash nor the syntax of a JSON resource."""
    actual = sha256_of(path)
    if spec.get("hash") and actual != spec["hash"].removeprefix("sha256:"):
        raise DataValidationError(_checksum_message(shown, spec, actual))
    try:
        json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise DataValidationError(f"{shown}: not valid JSON ({error}).") from error


def _header_message(shown: str, header: list[str], described: list[str]) -> str:
    missing = [c for c in described if c not in header]
    extra = [c for c in header if c not in described]
    detail = []
    if missing:
        detail.append(f"missing column(s) {missing}")
    if extra:
        detail.append(f"unexpected column(s) {extra}")
    if not detail:
        detail.append(f"columns out of order: found {header}, described {described}")
    return f"{shown}: row 1 (header): " + "; ".join(detail) + "."


@lru_cache(maxsize=64)
def _validate_cached(path_str: str, stamp: tuple, spec_json: str, data_dir: str) -> None:
    from frictionless import Resource  # imported here: it is slow to import

    path = Path(path_str)
    spec = json.loads(spec_json)
    shown = f"data/{spec['path']}"
    if not path.exists():  # checked by hand: frictionless would report a generic "scheme-error"
        raise DataValidationError(f"{shown}: file not found (expected at {path}).")
    if spec.get("format", "csv") != "csv":
        _validate_json(path, spec, shown)
        return

    resource = Resource(spec, basepath=data_dir)
    report = resource.validate()
    if report.valid:
        return
    errors = report.tasks[0].errors
    kinds = {error.type for error in errors}
    if kinds & {"hash-count", "byte-count"}:
        raise DataValidationError(_checksum_message(shown, spec, resource.stats.sha256))
    if any(kind.endswith("-label") for kind in kinds):
        described = [f["name"] for f in spec["schema"]["fields"]]
        raise DataValidationError(_header_message(shown, list(resource.labels), described))
    rows = report.flatten(["rowNumber", "fieldName", "type", "message"])
    lines = []
    for row, field, kind, message in rows[:MAX_ERRORS_SHOWN]:
        where = f"row {row}" if row else "file"
        if field:
            where += f", column '{field}'"
        lines.append(f"{shown}: {where}: {kind}: {message}")
    if len(rows) > MAX_ERRORS_SHOWN:
        lines.append(f"… and {len(rows) - MAX_ERRORS_SHOWN} more error(s).")
    raise DataValidationError(
        "Data file does not match data/datapackage.json (rows are counted from the header, "
        "which is row 1):\n" + "\n".join(lines)
    )


# Hand-written on purpose: pandas nullable Int64/Float64 keep a missing cell missing (not NaN in a float column).
_PANDAS_TYPES = {"integer": "Int64", "number": "Float64", "string": "string"}


def load(name: str, data_dir: Path | str = DATA_DIR) -> pd.DataFrame:
    """Validate a table, then read it with the column types its description gives."""
    validate(name, data_dir)
    spec = describe(name, data_dir)
    if spec.get("format", "csv") != "csv":
        raise ValueError(f"{name} is {spec['format']}, not a table: use load_json().")
    fields = spec["schema"]["fields"]
    dtypes = {f["name"]: _PANDAS_TYPES[f["type"]] for f in fields if f["type"] in _PANDAS_TYPES}
    dates = [f["name"] for f in fields if f["type"] == "date"]
    frame = pd.read_csv(Path(data_dir) / spec["path"], dtype=dtypes, keep_default_na=False,
                        na_values=[""])
    for column in dates:
        frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d")
    for field in fields:
        if field["type"] == "boolean":
            frame[field["name"]] = frame[field["name"]].astype(str).str.lower().map({"true": True, "false": False})
    frame.attrs["source"] = spec.get("title", name)
    frame.attrs["citation"] = spec.get("citation", "")
    return frame


def load_json(name: str, data_dir: Path | str = DATA_DIR):
    """Validate a JSON resource (e.g. map boundaries), then parse it."""
    validate(name, data_dir)
    return json.loads((Path(data_dir) / describe(name, data_dir)["path"]).read_text(encoding="utf-8"))


def validate_all(data_dir: Path | str = DATA_DIR) -> list[str]:
    """Validate every table; return the names checked. Raises on the first bad file."""
    names = resource_names(data_dir)
    for name in names:
        validate(name, data_dir)
    return names
