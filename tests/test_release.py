"""Licence, citation file and version: present, consistent, and shown on the site."""

import re

import yaml

import ttpbook
from site_tools import ROOT


def _version() -> str:
    return re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M).group(1)


def test_citation_file_has_the_required_fields():
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert citation["cff-version"] == "1.2.0"
    for key in ("message", "title", "authors", "version", "license"):
        assert citation.get(key), key
    assert all("name" in a or "family-names" in a for a in citation["authors"])
    assert set(citation["license"]) == {"CC-BY-4.0", "MIT"}


def test_one_version_everywhere():
    version = _version()
    assert ttpbook.__version__ == version
    assert yaml.safe_load((ROOT / "CITATION.cff").read_text())["version"] == version
    assert f"Version {version}." in (ROOT / "_config.yml").read_text()
    assert f"## {version}" in (ROOT / "CHANGELOG.md").read_text()


def test_licence_states_both_licences():
    text = (ROOT / "LICENSE").read_text()
    assert "CC BY 4.0" in text and "MIT License" in text


def test_version_is_in_the_site_footer(built_site):
    html = (built_site["html"] / "chapters" / "welcome.html").read_text()
    assert f"Version {_version()}." in html
