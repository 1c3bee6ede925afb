"""Every real-world sample under ../shared/formats (stores, CLM exports, CT logs, scanners, CBOMs) is
detected and ingests with the fields its reader expects.

The samples are reference material that is not shipped with the project: the tests skip when the folder
is absent (set CMMM_SHARED_FORMATS to point elsewhere).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
from pathlib import Path

import pandas as pd
import pytest

import cmmm
from cmmm.errors import InputError
from cmmm.export.cbom import cbom_document
from cmmm.ingest import INGESTERS, Format, ReadContext, detect, load, read_file
from cmmm.model import Inventory
from tests.conftest import NOW, write


def _formats_dir() -> Path | None:
    env = os.environ.get("CMMM_SHARED_FORMATS")
    candidates = [Path(env)] if env else []
    root = Path(__file__).resolve().parents[2]
    candidates += [root.parent / "shared" / "formats", root.parents[1] / "shared" / "formats"]
    return next((c for c in candidates if c.is_dir()), None)


FORMATS = _formats_dir()
pytestmark = pytest.mark.skipif(
    FORMATS is None, reason="../shared/formats (or CMMM_SHARED_FORMATS) is absent"
)

# file → (ingester, certificates it yields, a rejection reason it must give or None, a note fragment or None)
EXPECTED: dict[str, tuple[str, int, str | None, str | None]] = {
    "cert-manager/DERIVED_kubectl_get_certificates_A_o_json.json": ("kubernetes", 2, None, None),
    "cert-manager/cm_test_fixtures_multidoc.yaml": ("kubernetes", 0, None, "no status.notAfter"),
    "cert-manager/otus_kubectl_get_certificate_list.yaml": ("kubernetes", 1, None, None),
    "cert-manager/vz_clusterissuer_acme_ocidns.yaml": ("kubernetes", 0, None, "holds no certificates"),
    "cert-manager/vz_kubectl_get_certificate_ca.yaml": ("kubernetes", 1, None, None),
    "cert-manager/vz_kubectl_get_clusterissuer_ca.yaml": ("kubernetes", 0, None, "holds no certificates"),
    "cert-manager/vz_kubectl_get_clusterissuer_selfsigned.yaml": (
        "kubernetes",
        0,
        None,
        "holds no certificates",
    ),
    # the documentation truncated the Secret's base64 with "..."
    "cert-manager/vz_kubectl_get_secret_tls.yaml": ("kubernetes", 0, "not valid base64", None),
    "cert-manager/website_acme_production_issuer.yaml": ("kubernetes", 0, None, "holds no certificates"),
    "cert-manager/website_certificate_all_fields.yaml": ("kubernetes", 0, None, "no status.notAfter"),
    "cert-manager/website_issuers_vault_venafi_ca.yaml": ("kubernetes", 0, None, "holds no certificates"),
    "aws_acm/awscli_describe_certificate_example.json": ("aws-acm", 1, None, None),
    "aws_acm/awscli_list_certificates_example.json": ("aws-acm", 0, None, "without NotAfter"),
    "aws_acm/awscli_list_tags_for_certificate_example.json": (
        "aws-acm",
        0,
        None,
        "without a certificate ARN",
    ),
    "aws_acm/awsdocs_gs_acm_describe_output.json": ("aws-acm", 1, None, None),
    "azure_keyvault_gcp/rest_7.4_GetCertificate-example.json": ("azure-keyvault", 1, None, None),
    "azure_keyvault_gcp/rest_7.4_GetCertificates-example.json": ("azure-keyvault", 2, None, None),
    "vault_pki/docs_list_certs_response.json": ("vault-pki", 0, None, "listing of 2 serial"),
    "vault_pki/docs_list_issuers_response.json": ("vault-pki", 0, None, "listing of 2 issuer"),
    # the documentation truncated the PEMs with "..."
    "vault_pki/docs_read_cert_response.json": ("vault-pki", 0, "truncated", None),
    "vault_pki/docs_read_issuer_json_response.txt": ("vault-pki", 0, "truncated", None),
    "certbot/archive_a_cert1.pem": ("pem", 1, None, None),
    "certbot/archive_a_fullchain1.pem": ("pem", 2, None, None),
    "certbot/docs_certbot_certificates_output.txt": ("certbot", 2, None, None),
    "certbot/docs_renewal_conf_v4.conf": ("certbot", 0, None, "yourdomain.com-0001"),
    "certbot/renewal_a.encryption-example.com.conf": ("certbot", 0, None, "a.encryption-example.com"),
    "certbot/testdata_sample-renewal.conf": ("certbot", 0, None, "sample-renewal"),
    "certbot/testdata_sample-renewal-ec.conf": ("certbot", 0, None, "sample-renewal-ec"),
    # the source notes the docstring JSON is invalid (a missing comma)
    "clm_csv_exports/lemur_api_GET_certificates_example_response.txt": ("clm", 0, "invalid JSON", None),
    "clm_csv_exports/venafi_cloud_certificatesearch_response.json": ("clm", 1, None, None),
    "clm_csv_exports/venafi_tpp_certificate_details_response.json": ("clm", 1, None, None),
    "clm_csv_exports/venafi_tpp_certificates_search_response.json": (
        "clm",
        0,
        None,
        "without CertificateDetails",
    ),
    "zgrab2_censys_ct/crtsh_output_json_github.json": ("ct-log", 3, None, None),
    "edge_cases/bundle_with_garbage.pem": ("pem", 3, "no END line", None),
    "edge_cases/chain.p7b": ("pkcs7", 2, None, "read as BER"),
    "edge_cases/chain.p7b.pem": ("pem", 2, None, "read as BER"),
    "edge_cases/ec_selfsigned.pem": ("pem", 1, None, None),
    "edge_cases/k8s_multidoc_with_empty_doc_and_secret.yaml": ("kubernetes", 2, None, None),
    "edge_cases/leaf.der": ("der", 1, None, None),
    "edge_cases/legacy_rc2_3des_changeit.p12": ("pkcs12", 1, None, None),
    "edge_cases/with_password_changeit.pfx": ("pkcs12", 3, None, None),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_ingests_as_expected(name: str) -> None:
    assert FORMATS is not None
    path = FORMATS / name
    if not path.exists():
        pytest.skip(f"{name} is not in {FORMATS}")
    fmt, n, rejection, note = EXPECTED[name]
    got_fmt, batch = read_file(path, ReadContext(now=NOW, passwords=("changeit",)))
    assert got_fmt == fmt
    assert len(batch.certificates) == n
    reasons = [r.reason for r in batch.rejected]
    if rejection is None:
        assert reasons == []
    else:
        assert reasons and all(rejection in r for r in reasons), reasons
    if note is not None:
        assert any(note in x for x in batch.notes), batch.notes


def test_sample_fields_match_what_the_files_say() -> None:
    assert FORMATS is not None
    names = [
        "cert-manager",
        "aws_acm",
        "azure_keyvault_gcp",
        "certbot/docs_certbot_certificates_output.txt",
        "clm_csv_exports",
        "zgrab2_censys_ct/crtsh_output_json_github.json",
    ]
    inv = cmmm.load([FORMATS / n for n in names], now=NOW)
    c = inv.certificates.set_index("common_name")
    facts = inv.certificate_facts().set_index("common_name")
    # cert-manager: the self-signed root CA joined to its ClusterIssuer in a sibling file
    assert c.loc["my-root-ca", "is_ca"] and c.loc["my-root-ca", "issuer_name"] == "my-root-ca"
    assert (c.loc["my-root-ca", "key_algorithm"], c.loc["my-root-ca", "key_size"]) == ("EC", 256)
    assert facts.loc["chartmuseum.51.250.87.87.nip.io", "automation"] == "cert-manager"
    assert facts.loc["chartmuseum.51.250.87.87.nip.io", "service"] == "chartmuseum"
    # ACM: AMAZON_ISSUED is cloud-managed, InUseBy becomes the service
    assert facts.loc["gregpe.com", "automation"] == "cloud-managed"
    assert facts.loc["gregpe.com", "service"] == "cloudfront:distribution/E12KXPQHVLSYVC"
    assert c.loc["www.example.com", "serial"] == "facb0a38dea65522d7d013a3936dbd6"
    # Azure: the cer's legacy OIW sha1WithRSA; both list entries carry the same thumbprint
    kv = c.loc["KeyVaultTest"]
    assert kv["signature_algorithm"] == "sha1WithRSAEncryption" and kv["issuer_name"] == "Root Agency"
    assert facts.loc["KeyVaultTest", "observations"] == 3
    # certbot staging lineages, Venafi TPP, crt.sh
    lineages = facts.loc[["yourdomain.com"]]
    assert (
        len(lineages) == 2
        and set(lineages["automation"]) == {"acme"}
        and set(lineages["trust"]) == {"private"}
    )
    assert c.loc["t1579099443-xiel.venafi.example.com", "key_size"] == 8192
    assert c.loc["*.github.com", "issuer_name"] == "DigiCert SHA2 High Assurance Server CA"
    assert facts.loc["*.github.com", "discovered_by"] == "ct-log"


def test_edge_cases_folder_loads_with_password() -> None:
    assert FORMATS is not None
    inv = cmmm.load([FORMATS / "edge_cases"], now=NOW, passwords=("changeit",))
    assert {r.reason for r in inv.rejected} == {"CERTIFICATE block has no END line (truncated)"}
    names = set(inv.certificates["common_name"])
    assert {"a.encryption-example.com", "Fake LE Intermediate X1", "pfx-test.example"} <= names
    assert len(inv.private_keys) >= 2  # the two PKCS#12 key bags


FUZZ_SAMPLES = {
    "kubernetes": ["cert-manager/DERIVED_kubectl_get_certificates_A_o_json.json"],
    "aws-acm": ["aws_acm/awsdocs_gs_acm_describe_output.json"],
    "azure-keyvault": ["azure_keyvault_gcp/rest_7.4_GetCertificate-example.json"],
    "vault-pki": ["vault_pki/docs_read_issuer_json_response.txt"],
    "clm": [
        "clm_csv_exports/venafi_cloud_certificatesearch_response.json",
        "clm_csv_exports/venafi_tpp_certificate_details_response.json",
    ],
    "ct-log": ["zgrab2_censys_ct/crtsh_output_json_github.json"],
}


def test_wrong_typed_values_anywhere_never_raise(tmp_path: Path) -> None:
    """Values of the wrong JSON type at any depth give rows or rejections, never a traceback."""
    assert FORMATS is not None
    rng = random.Random(7)
    weird: list[object] = [None, 1, 1.5, "x", [], {}, [1, "a"], {"a": 1}, True]

    def mutate(o: object) -> object:
        if isinstance(o, dict):
            return {k: rng.choice(weird) if rng.random() < 0.15 else mutate(v) for k, v in o.items()}
        if isinstance(o, list):
            return [rng.choice(weird) if rng.random() < 0.15 else mutate(v) for v in o]
        return o

    ctx = ReadContext(now=NOW)
    for fmt, names in FUZZ_SAMPLES.items():
        for name in names:
            doc = json.loads((FORMATS / name).read_text())
            for trial in range(8):
                f = write(tmp_path / f"{fmt}-{trial}.json", json.dumps(mutate(doc)))
                with contextlib.suppress(InputError):
                    INGESTERS[Format(fmt)].read(f, ctx)


# Files in the scanner folders that are not scanner output (schemas, documentation excerpts, source code).
NOT_SAMPLES = {
    "json_output_schema.json",
    "nse_ssl-cert_doc_output_xmloutput.txt",
    "nse_ssl-enum-ciphers_doc_output_xmloutput.txt",
    "testssl_sh_fileout_json_functions.sh.txt",
}


MINE = {
    "nmap": Format.NMAP,
    "sslyze": Format.SSLYZE,
    "testssl": Format.TESTSSL,
    "cyclonedx_cbom": Format.CYCLONEDX_CBOM,
}


def _load(name: str) -> Inventory:
    assert FORMATS is not None
    return load([FORMATS / name], now=NOW)


@pytest.mark.parametrize("folder", sorted(MINE))
def test_every_sample_is_detected_and_read_without_error(folder: str) -> None:
    assert FORMATS is not None
    for path in sorted((FORMATS / folder).iterdir()):
        if path.name in NOT_SAMPLES or path.name == "SOURCE.txt":
            continue
        assert detect(path, path.read_bytes()[:65536]) is MINE[folder], path.name
        inv = load([path], now=NOW)
        # the only rejection among the samples is a server sslyze could not reach
        for r in inv.rejected:
            assert "ERROR_NO_CONNECTIVITY" in r.reason, (path.name, r)
        if len(inv):
            assert (
                inv.certificates["not_after"].notna().all() and inv.certificates["common_name"].notna().all()
            )
            assert set(inv.observations["cert_id"]) == set(inv.certificates["cert_id"])


def test_nmap_samples() -> None:
    inv = _load("nmap")
    certs = inv.certificates.set_index("common_name")
    dionaea = certs.loc["Nepenthes Development Team"]
    assert (dionaea["key_algorithm"], dionaea["key_size"], dionaea["signature_algorithm"]) == (
        "RSA",
        2048,
        "md5WithRSAEncryption",
    )
    assert bool(dionaea["has_body"]) and bool(dionaea["is_self_signed"])
    jungo = inv.observations[
        inv.observations["cert_id"] == certs.loc["ORname_Jungo: OpenRG Products Group", "cert_id"]
    ]
    assert sorted(jungo["port"]) == [443, 992, 8443]  # nmap 6.40: one self-signed cert on three ports
    assert set(inv.observations["discovered_by"]) == {"network-scan"}
    assert any("ssl-enum-ciphers without ssl-cert" in n for n in inv.notes)


def test_sslyze_samples() -> None:
    inv = _load("sslyze")
    certs = inv.certificates
    fb = certs[certs["common_name"] == "*.facebook.com"]
    # the JSON serial is an integer beyond 2^64; the body agrees with it exactly
    assert format(5119648089655238486873092307176970521, "x") in set(fb["serial"])
    assert set(fb["key_algorithm"]) == {"EC", "RSA"}  # facebook serves an ECDSA and an RSA chain
    badssl = certs[certs["common_name"] == "*.badssl.com"].iloc[0]
    assert badssl["not_after"] == pd.Timestamp("2015-04-12 23:59:59", tz="UTC")
    obs = inv.observations
    assert "sni:none" in set(obs["tags"].str.split(";").explode())
    fb_leaf = obs[obs["cert_id"].isin(fb["cert_id"])]
    assert set(fb_leaf["tls_versions"]) == {"TLSv1.0;TLSv1.1;TLSv1.2;TLSv1.3"}
    assert set(fb_leaf["kex_groups"]) == {"x25519;secp256r1"}
    scans = [r for r in inv.rejected if Path(r.source).name not in NOT_SAMPLES]
    assert [r.locator for r in scans] == ["server 0 (localhost:1234)"]


def test_testssl_samples() -> None:
    inv = _load("testssl")
    leaves = inv.certificates[inv.certificates["common_name"] == "*.google.com"]
    assert len(leaves) == 2 and set(leaves["key_algorithm"]) == {"RSA", "EC"}
    assert set(inv.certificates["common_name"]) >= {"WR2", "GTS Root R1"}
    obs = inv.observations[inv.observations["cert_id"].isin(leaves["cert_id"])]
    assert set(obs["location"]) == {"example.com:443"}
    assert set(obs["kex_groups"]) == {"X25519MLKEM768;secp256r1;x25519"}
    assert set(obs["tls_versions"]) == {"TLSv1.0;TLSv1.1;TLSv1.2;TLSv1.3"}
    assert any("testssl_baseline_default.csv" in n and "no certificate findings" in n for n in inv.notes)


def test_zgrab2_samples() -> None:
    assert FORMATS is not None
    folder = FORMATS / "zgrab2_censys_ct"
    inv = load(sorted(folder.glob("zgrab2_*.json")), now=NOW)
    assert not inv.rejected
    assert sorted(inv.observations["location"]) == ["target:443", "target:5432"]
    assert set(inv.observations["tls_versions"]) == {"TLSv1.2"}
    assert set(inv.certificates["key_algorithm"]) == {"RSA"}


def test_cbom_samples_and_export_of_them() -> None:
    inv = _load("cyclonedx_cbom")
    per_file = {Path(s.path).name: s.records for s in inv.sources}
    assert per_file == {
        "cbomkit-kafka-cbom.json": 0,
        "cbomkit-keycloak-cbom.json": 0,
        "cbomkit-theia_bom_with_certificate.json": 1,
        "cbomkit-theia_protocol_with_certificate.json": 1,
        "valid-cryptography-certificate-1.7.json": 1,
        "valid-cryptography-certificate-advanced-1.7.json": 2,
        "valid-cryptography-full-1.6.json": 1,
        "valid-cryptography-full-1.6.xml": 1,
    }
    google = inv.certificates[inv.certificates["common_name"] == "www.google.com"]
    assert len(google) == 1  # cbomkit's bom-ref fingerprint and 1.7's fingerprint field agree
    g = google.iloc[0]
    assert (g["issuer_name"], g["key_algorithm"], g["key_size"]) == ("GTS CA 1C3", "RSA", 2048)
    assert g["signature_algorithm"] == "sha512WithRSAEncryption"
    # the advanced 1.7 sample gives two different certificates one placeholder fingerprint
    adv = inv.certificates[
        inv.certificates["common_name"].isin(["internal-ca.example.com", "server.example.com"])
    ]
    assert len(adv) == 2 and adv["serial"].notna().all()
    algs = inv.algorithms
    assert len(algs) > 20
    vulnerable = set(algs.loc[algs["quantum_vulnerable"].fillna(False).astype(bool), "algorithm"])
    assert {"RSA-2048", "DSA", "EC-secp384r1"} <= vulnerable
    assert cbom_document(inv)["specVersion"] == "1.6"
