"""Validation where users met a traceback, a 500 or no JSON (issue 16), each met as they met it."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from support.apps import Apps
from support.paths import ROOT

BAD_REGEX_SHAPES = b"""@prefix sh: <http://www.w3.org/ns/shacl#> .
<http://example.org/S> a sh:NodeShape ; sh:targetNode <http://example.org/x> ;
  sh:property [ sh:path <http://example.org/p> ; sh:pattern "([a-z" ] .
"""
DATA = b'<http://example.org/x> <http://example.org/p> "abc" .\n'


def paradip_kg(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "paradip_kg", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, check=False)


def test_shapes_with_a_bad_regex_are_exit_2_with_the_message(tmp_path: Path) -> None:
    (tmp_path / "shapes.ttl").write_bytes(BAD_REGEX_SHAPES)
    (tmp_path / "data.nt").write_bytes(DATA)
    result = paradip_kg("validate", "--shapes", "shapes.ttl", "data.nt", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "sh:pattern is not a valid regular expression" in result.stderr and "'([a-z'" in result.stderr


def test_json_output_of_a_malformed_file_is_json(tmp_path: Path) -> None:
    (tmp_path / "bad.nt").write_bytes(b'<http://example.org/x> <http://example.org/p> "abc .\n')
    result = paradip_kg("--project-dir", str(ROOT), "validate", "bad.nt", "-o", "json", cwd=tmp_path)
    assert result.returncode == 2
    error = json.loads(result.stdout)
    assert error["error"] == "Malformed RDF" and error["status"] == 400
    assert (error["line"], error["column"]) == (1, 47) and error["source"].endswith("bad.nt")


@pytest.fixture
def client(tmp_path: Path):
    apps = Apps(store=tmp_path / "no-store", project_dir=str(ROOT), validation_reports_dir=str(tmp_path / "r"))
    yield apps().test_client()
    apps.close()


def test_shapes_with_a_bad_regex_are_a_400_on_the_web(client) -> None:
    response = client.post("/validate", data={"data": (io.BytesIO(DATA), "data.nt"),
                                              "shapes": (io.BytesIO(BAD_REGEX_SHAPES), "shapes.ttl")},
                           content_type="multipart/form-data", headers={"Accept": "application/json"})
    assert response.status_code == 400, response.get_data(as_text=True)
    assert "sh:pattern is not a valid regular expression" in response.get_json()["message"]


RELATIVE_SHAPES = b"""@prefix sh: <http://www.w3.org/ns/shacl#> .
<#S> a sh:NodeShape ; sh:targetNode <x> ; sh:property [ sh:path <p> ; sh:minCount 2 ] .
"""
RELATIVE_DATA = b'<x> <p> "one" .\n'


def post_relative(client, **fields: str):
    return client.post("/validate", data={"data": (io.BytesIO(RELATIVE_DATA), "data.ttl"),
                                          "shapes": (io.BytesIO(RELATIVE_SHAPES), "shapes.ttl"), **fields},
                       content_type="multipart/form-data", headers={"Accept": "application/json"})


def test_an_upload_with_relative_iris_gets_a_base_and_the_report_says_which(client) -> None:
    """Every file with relative IRIs was refused ("No scheme found"): a file has a base, so has an upload."""
    summary = post_relative(client).get_json()
    base = "http://localhost/validate/data.ttl"
    assert summary["options"]["base"] == base and summary["options"]["shapes_base"].endswith("/validate/shapes.ttl")
    result, = summary["results"]
    assert result["focus"] == "http://localhost/validate/x"  # <x> against the data's base
    assert summary["conforms"] is False


def test_the_client_can_name_the_base(client) -> None:
    summary = post_relative(client, base="http://example.org/data/", shapes_base="http://example.org/data/").get_json()
    assert summary["options"]["base"] == "http://example.org/data/"
    assert [r["focus"] for r in summary["results"]] == ["http://example.org/data/x"]
    bad = post_relative(client, base="not an iri")
    assert bad.status_code == 400 and "absolute IRI" in bad.get_json()["message"]
