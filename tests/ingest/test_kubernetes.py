"""Kubernetes / cert-manager: Certificates joined to Secrets and Issuers, status and labels kept."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import cmmm
from cmmm.ingest import Format, detect
from tests.conftest import Chain, write


def _secret(ns: str, name: str, pem: bytes, annotations: dict[str, str] | None = None) -> str:
    ann = "".join(f"\n    {k}: {v}" for k, v in (annotations or {}).items())
    return f"""apiVersion: v1
kind: Secret
type: kubernetes.io/tls
metadata:
  name: {name}
  namespace: {ns}
  annotations:{ann or " {}"}
data:
  tls.crt: {base64.b64encode(pem).decode()}
  tls.key: ''
"""


_ISSUER = """apiVersion: cert-manager.io/v1
kind: ClusterIssuer
metadata:
  name: le-prod
spec:
  acme:
    server: https://acme-v02.api.letsencrypt.org/directory
    privateKeySecretRef: {name: le-prod}
    solvers: [{http01: {ingress: {ingressClassName: nginx}}}]
"""


def _certificate(
    ns: str, name: str, secret: str, dns: str, *, status: bool = True, issuer: str = "le-prod"
) -> str:
    st = (
        """
status:
  conditions:
  - {type: Ready, status: "True", reason: Ready}
  notAfter: "2027-02-01T10:00:00Z"
  notBefore: "2026-11-03T10:00:00Z"
  renewalTime: "2027-01-02T10:00:00Z"
"""
        if status
        else ""
    )
    return f"""apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: {name}
  namespace: {ns}
  labels: {{team: payments, app.kubernetes.io/name: checkout, environment: production}}
spec:
  secretName: {secret}
  dnsNames: [{dns}, www.{dns}]
  privateKey: {{algorithm: ECDSA, size: 384}}
  issuerRef: {{name: {issuer}, kind: ClusterIssuer, group: cert-manager.io}}
{st}"""


def test_multidoc_yaml_joins_certificate_secret_and_issuer(tmp_path: Path, chain: Chain, now) -> None:
    leaf = chain.leaves[0]
    text = (
        "# leading comment\n---\n"
        + _ISSUER
        + "---\n---\n"
        + _certificate("shop", "web", "web-tls", "shop.example.test")
    )
    text += "---\n" + _secret("shop", "web-tls", leaf.pem + chain.inter.pem) + "...\n"
    f = write(tmp_path / "cluster.yaml", text)
    assert detect(f, f.read_bytes()) == Format.KUBERNETES
    inv = cmmm.load([f], now=now)
    assert inv.rejected == ()
    facts = inv.certificate_facts().set_index("cert_id")
    row = facts.loc[leaf.cert_id]
    assert row["automation"] == "cert-manager"
    assert row["discovered_by"] == "kubernetes"
    assert row["team"] == "payments" and row["service"] == "checkout" and row["environment"] == "prod"
    obs = inv.observations.set_index("cert_id").loc[leaf.cert_id]
    assert obs["location"] == "k8s:shop/secret/web-tls"
    assert "issuer_type=acme" in obs["tags"] and "ready=True" in obs["tags"]
    assert "renewal_time=2027-01-02T10:00:00Z" in obs["tags"]
    # the chain certificate in tls.crt is inventoried too, without the leaf's automation
    assert chain.inter.cert_id in facts.index
    assert len(inv) == 2


def test_certificate_without_secret_uses_status_and_issuer(tmp_path: Path, now) -> None:
    f = write(
        tmp_path / "certs.yaml",
        _ISSUER + "---\n" + _certificate("shop", "web", "web-tls", "shop.example.test"),
    )
    inv = cmmm.load([f], now=now)
    c = inv.certificates.iloc[0]
    assert c["common_name"] == "shop.example.test"
    assert c["sans"] == "shop.example.test;www.shop.example.test"
    assert c["not_after"].isoformat() == "2027-02-01T10:00:00+00:00"
    assert (c["key_algorithm"], c["key_size"]) == ("EC", 384)
    assert c["issuer_name"] == "Let's Encrypt" and c["trust"] == "public"
    assert inv.observations.iloc[0]["automation"] == "cert-manager"


def test_issuer_found_in_sibling_file_and_kubectl_json_list(tmp_path: Path, now) -> None:
    import yaml

    write(tmp_path / "issuers.yaml", _ISSUER.replace("acme-v02", "acme-staging-v02"))
    cert = yaml.safe_load(_certificate("shop", "web", "web-tls", "shop.example.test"))
    f = write(tmp_path / "certs.json", json.dumps({"apiVersion": "v1", "kind": "List", "items": [cert]}))
    inv = cmmm.load([f], now=now)
    c = inv.certificates.iloc[0]
    assert c["issuer_name"] == "Let's Encrypt (staging)" and c["trust"] == "private"
    assert inv.observations.iloc[0]["source_ref"] == "document 0 item 0 Certificate shop/web"


def test_unissued_certificates_are_noted_and_issuer_only_files_hold_nothing(tmp_path: Path, now) -> None:
    write(tmp_path / "a.yaml", _certificate("shop", "web", "web-tls", "shop.example.test", status=False))
    write(tmp_path / "b.yaml", _ISSUER)
    inv = cmmm.load([tmp_path], now=now)
    assert len(inv) == 0 and inv.rejected == ()
    assert any("has no status.notAfter" in n for n in inv.notes)
    assert any("holds no certificates" in n for n in inv.notes)


def test_truncated_or_wrong_shaped_kubernetes_files_are_rejected(tmp_path: Path, now) -> None:
    write(
        tmp_path / "trunc.yaml",
        "apiVersion: v1\nkind: Secret\ntype: kubernetes.io/tls\nmetadata: {name: s, namespace: n}\n"
        "data:\n  tls.crt: LS0tLS1CRUdJTiBDRVJUSUZJQ0FUR...\n"
        f"  tls.key: {base64.b64encode(b'-----BEGIN EC PRIVATE KEY-----').decode()}\n",
    )
    write(tmp_path / "broken.yaml", "apiVersion: cert-manager.io/v1\nkind: Certificate\nspec: [unclosed\n")
    write(
        tmp_path / "shape.yaml",
        "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: x}\nspec: [1]\n"
        "status: {notAfter: '2027-01-01T00:00:00Z'}\n",
    )
    inv = cmmm.load([tmp_path], now=now)
    reasons = {Path(r.source).name: r.reason for r in inv.rejected}
    assert "not valid base64" in reasons["trunc.yaml"]
    assert [(k.locator, k.key_type) for k in inv.private_keys] == [("document 0 Secret n/s tls.key", "EC")]
    assert reasons["broken.yaml"].startswith("invalid YAML")
    assert "spec/status is not a mapping" in reasons["shape.yaml"]


def test_certificates_and_secrets_exported_to_separate_files_join(tmp_path: Path, chain: Chain, now) -> None:
    leaf = chain.leaves[1]
    write(tmp_path / "certificates.yaml", _certificate("shop", "web", "web-tls", "shop.example.test"))
    write(tmp_path / "secrets.yaml", _secret("shop", "web-tls", leaf.pem))
    write(tmp_path / "issuers.yaml", _ISSUER)
    inv = cmmm.load([tmp_path], now=now)
    assert inv.rejected == ()
    assert inv.certificates["cert_id"].tolist() == [leaf.cert_id]  # not a second, body-less certificate
    facts = inv.certificate_facts().set_index("cert_id")
    assert facts.loc[leaf.cert_id, "automation"] == "cert-manager"
    assert facts.loc[leaf.cert_id, "team"] == "payments"
    refs = sorted(inv.observations["source_ref"])
    assert refs[0].startswith("document 0 Certificate shop/web (Secret in secrets.yaml)")


def test_owner_from_annotation_and_chain_certificates_keep_no_workload_labels(
    tmp_path: Path, chain: Chain, now
) -> None:
    """Label values cannot hold an e-mail address: the owner comes from an annotation such as
    `example.test/owner`. The CA certificate after the leaf in tls.crt is not the namespace team's."""
    leaf = chain.leaves[0]
    cert = _certificate("shop", "web", "web-tls", "shop.example.test").replace(
        "  labels:", "  annotations: {example.test/owner: alice@example.test}\n  labels:", 1
    )
    text = _ISSUER + "---\n" + cert + "---\n" + _secret("shop", "web-tls", leaf.pem + chain.inter.pem)
    inv = cmmm.load([write(tmp_path / "shop.yaml", text)], now=now)
    assert inv.rejected == ()
    facts = inv.certificate_facts().set_index("cert_id")
    row = facts.loc[leaf.cert_id]
    assert (row["owner"], row["team"], row["service"]) == ("alice@example.test", "payments", "checkout")
    ca = facts.loc[chain.inter.cert_id]
    assert ca[["owner", "team", "service", "environment", "automation"]].isna().all()
    assert ca["discovered_by"] == "kubernetes"
