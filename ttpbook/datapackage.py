"""Keep data/datapackage.json in step with the files, and render it for the book.

    python -m ttpbook.datapackage rehash NAME [NAME ...]   # record new checksums after a checked change
    python -m ttpbook.datapackage check                     # validate every table
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

from . import data


def write_descriptor(descriptor: dict, data_dir: Path | str = data.DATA_DIR) -> None:
    path = Path(data_dir) / data.DESCRIPTOR_NAME
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)


def rehash(names: list[str], data_dir: Path | str = data.DATA_DIR, accessed: str | None = None) -> None:
    """Record the current checksum and size of the named tables (and, if given, a new access date)."""
    descriptor = data.read_descriptor(data_dir)
    by_name = {r["name"]: r for r in descriptor["resources"]}
    for name in names:
        if name not in by_name:
            raise KeyError(f"No table named {name!r} in {data.DESCRIPTOR_NAME}.")
        resource = by_name[name]
        path = Path(data_dir) / resource["path"]
        sha256, size = data.file_stats(path)
        resource["hash"] = "sha256:" + sha256
        resource["bytes"] = size
        if accessed:
            resource["accessed"] = accessed
    write_descriptor(descriptor, data_dir)


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def sources_markdown(data_dir: Path | str = data.DATA_DIR) -> str:
    """The 'Data and sources' listing, generated from the descriptor (MyST Markdown)."""
    descriptor = data.read_descriptor(data_dir)
    out = []
    for r in descriptor["resources"]:
        out.append(f"### {r['title']}\n")
        out.append(f"`data/{r['path']}`. {r['description']}\n")
        facts = [
            ("Source", "; ".join(
                f"[{s['title']}]({s['path']})" if s.get("path") else s["title"] for s in r["sources"])),
            ("Licence", "; ".join(l.get("title", l.get("name", "")) for l in r["licenses"])),
            ("Cite", r.get("citation", "")),
            ("Processing", r.get("processing", "")),
            ("Copied into the book", r.get("accessed", "")),
            ("SHA-256", f"`{r['hash'].removeprefix('sha256:')}`"),
            ("Size", f"{r['bytes']:,} bytes"),
        ]
        out.append("| | |\n|---|---|\n" + "\n".join(f"| {k} | {_cell(v)} |" for k, v in facts) + "\n")
        if "schema" not in r:
            continue
        out.append("| Column | Type | Unit | Meaning | Allowed values |\n|---|---|---|---|---|")
        for f in r["schema"]["fields"]:
            c = f.get("constraints", {})
            allowed = []
            if "enum" in c:
                allowed.append("one of " + ", ".join(str(v) for v in c["enum"]))
            if "minimum" in c:
                allowed.append(f"≥ {c['minimum']}")
            if "pattern" in c:
                allowed.append(f"pattern `{c['pattern']}`")
            out.append(f"| `{f['name']}` | {f['type']} | {f.get('unit', '')} | {_cell(f.get('description', ''))} | {_cell('; '.join(allowed))} |")
        out.append("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ttpbook.datapackage", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p_rehash = sub.add_parser("rehash", help="record the current checksum of the named tables")
    p_rehash.add_argument("names", nargs="+")
    p_rehash.add_argument("--data-dir", default=str(data.DATA_DIR))
    p_check = sub.add_parser("check", help="validate every table")
    p_check.add_argument("--data-dir", default=str(data.DATA_DIR))
    args = parser.parse_args(argv)
    if args.command == "rehash":
        rehash(args.names, args.data_dir, accessed=dt.date.today().isoformat())
        print(f"Recorded new checksums for: {', '.join(args.names)}")
    else:
        try:
            names = data.validate_all(args.data_dir)
        except data.DataValidationError as error:
            print(error)
            return 1
        print(f"{len(names)} tables valid.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
