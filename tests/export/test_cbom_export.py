"""The CBOM export (cmmm.export.cbom) validated against the official CycloneDX 1.6 schema and read back."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cmmm.cli import app
from cmmm.export.cbom import cbom_document
from cmmm.ingest import load
from cmmm.lab.pki import issue
from tests.conftest import NOW, Chain, write
from tests.ingest.test_cbom_import import CBOM_16


def _validator() -> Any:
    """jsonschema validator for CycloneDX 1.6 from the schema files cyclonedx-python-lib ships (offline)."""
    schema_pkg = pytest.importorskip(
        "cyclonedx.schema", reason="cyclonedx-python-lib (dev dependency) ships the schema"
    )
    jsonschema = pytest.importorskip("jsonschema")
    from referencing import Registry, Resource

    res = Path(schema_pkg.__file__).parent / "_res"
    bom = json.loads((res / "bom-1.6.SNAPSHOT.schema.json").read_text(encoding="utf-8"))
    registry: Registry[Any] = Registry()
    for name in ("spdx.SNAPSHOT.schema.json", "jsf-0.82.SNAPSHOT.schema.json"):
        resource = Resource.from_contents(json.loads((res / name).read_text(encoding="utf-8")))
        # the bom schema refers to them relative to its own $id
        registry = registry.with_resource(f"http://cyclonedx.org/schema/{name}", resource)
    cls = jsonschema.validators.validator_for(bom)
    return cls(bom, registry=registry)


def _errors(doc: dict[str, Any]) -> list[str]:
    return [
        f"{list(e.absolute_path)}: {e.validator}: {e.message[-300:]}" for e in _validator().iter_errors(doc)
    ]


def test_export_validates_against_cyclonedx_16_and_round_trips(tmp_path: Path, chain: Chain) -> None:
    pqc_root = issue(
        cn="PQC Root", not_before=NOW - timedelta(days=10), days=3650, ca=True, key_kind="ML-DSA-65"
    )
    pqc_leaf = issue(
        cn="pqc.example.test",
        not_before=NOW - timedelta(days=1),
        days=30,
        issuer=pqc_root,
        key_kind="ML-DSA-44",
    )
    bundle = b"".join(c.pem for c in (chain.root, chain.inter, *chain.leaves, pqc_root, pqc_leaf))
    write(tmp_path / "in" / "certs.pem", bundle)
    write(tmp_path / "in" / "app.cdx.json", json.dumps(CBOM_16))
    inv = load([tmp_path / "in"], now=NOW)
    doc = cbom_document(inv)
    assert _errors(doc) == []
    by_name = {c["name"]: c for c in doc["components"] if c["cryptoProperties"]["assetType"] == "algorithm"}
    levels = {
        n: by_name[n]["cryptoProperties"]["algorithmProperties"].get("nistQuantumSecurityLevel")
        for n in ("ML-DSA-65", "ML-DSA-44", "EC-secp256r1", "EC-secp384r1", "RSA-3072", "ML-KEM-768")
    }
    assert levels == {
        "ML-DSA-65": 3,
        "ML-DSA-44": 2,
        "EC-secp256r1": 0,
        "EC-secp384r1": 0,
        "RSA-3072": 0,
        "ML-KEM-768": 3,
    }
    certs = [c for c in doc["components"] if c["cryptoProperties"]["assetType"] == "certificate"]
    assert len(certs) == len(inv)
    refs = {c["bom-ref"] for c in doc["components"]}
    for c in certs:  # every reference resolves inside the document
        props = c["cryptoProperties"]["certificateProperties"]
        assert props["subjectPublicKeyRef"] in refs and props["signatureAlgorithmRef"] in refs
    assert cbom_document(inv) == doc  # deterministic

    # a broken document fails the same validator (the schema is really applied)
    broken = json.loads(json.dumps(doc))
    first_alg = next(c for c in broken["components"] if c["cryptoProperties"]["assetType"] == "algorithm")
    first_alg["cryptoProperties"]["algorithmProperties"]["nistQuantumSecurityLevel"] = 9
    assert _errors(broken)

    # written by `cmmm ingest -o x.cdx.json`, read back: the same certificates
    out = tmp_path / "inventory.cdx.json"
    result = CliRunner().invoke(app, ["ingest", str(tmp_path / "in"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert _errors(json.loads(out.read_text(encoding="utf-8"))) == []
    again = load([out], now=NOW)
    assert set(again.certificates["cert_id"]) == set(inv.certificates["cert_id"])
    assert set(again.observations["discovered_by"]) == {"cbom"}
