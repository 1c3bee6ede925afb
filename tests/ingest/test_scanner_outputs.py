"""Scanner ingesters (nmap, sslyze, testssl.sh) on fixtures built at test time from real certificates."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import timedelta
from pathlib import Path
from xml.sax.saxutils import escape

from cryptography.hazmat.primitives import hashes

from cmmm.ingest import Format, detect, load
from cmmm.lab.pki import Issued, issue
from tests.conftest import NOW, Chain, write

SCANNERS = (Format.NMAP, Format.SSLYZE, Format.TESTSSL)


def _pem(c: Issued) -> str:
    return c.pem.decode()


def _b64(c: Issued, algo: hashes.HashAlgorithm) -> str:
    return base64.b64encode(c.cert.fingerprint(algo)).decode()


# ------------------------------------------------------------------------------------------------ nmap
def _nmap(chain: Chain, *, with_pem: bool = True, truncate: bool = False) -> str:
    leaf = chain.leaves[0]
    pem = f'<elem key="pem">{escape(_pem(leaf))}</elem>' if with_pem else ""
    cert = f"""<script id="ssl-cert" output="Subject: commonName=svc0.example.test">
<table key="subject"><elem key="commonName">svc0.example.test</elem></table>
<table key="issuer"><elem key="commonName">Test Issuing CA 1</elem><elem key="organizationName">Test Org</elem></table>
<table key="pubkey"><elem key="type">ec</elem><elem key="bits">256</elem></table>
<elem key="sig_algo">ecdsa-with-SHA256</elem>
<table key="validity"><elem key="notBefore">{(NOW - timedelta(days=30)):%Y-%m-%dT%H:%M:%S}</elem>
<elem key="notAfter">{(NOW + timedelta(days=60)):%Y-%m-%dT%H:%M:%S}</elem></table>
<elem key="sha1">{leaf.cert.fingerprint(hashes.SHA1()).hex()}</elem>{pem}</script>"""
    ciphers = """<script id="ssl-enum-ciphers" output="...">
<table key="TLSv1.2"><table key="ciphers"><table><elem key="kex_info">ecdh_x25519</elem>
<elem key="name">TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256</elem><elem key="strength">A</elem></table>
<table><elem key="kex_info">rsa 2048</elem><elem key="name">TLS_RSA_WITH_AES_128_GCM_SHA256</elem></table></table></table>
<table key="TLSv1.3"><table key="ciphers"><table><elem key="kex_info">x25519mlkem768</elem>
<elem key="name">TLS_AES_128_GCM_SHA256</elem></table></table></table>
<elem key="least strength">A</elem></script>"""
    host = f"""<host starttime="1795000000" endtime="1795000100"><status state="up"/>
<address addr="10.0.0.5" addrtype="ipv4"/><hostnames><hostname name="svc0.example.test" type="user"/></hostnames>
<ports><port protocol="tcp" portid="443"><state state="open"/><service name="https" tunnel="ssl"/>
{cert}{ciphers}</port></ports></host>"""
    second = host.replace("10.0.0.5", "10.0.0.6").replace('portid="443"', 'portid="8443"')
    doc = f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE nmaprun>
<nmaprun scanner="nmap" start="1795000000" version="7.95" xmloutputversion="1.05">
{host}
{second}
<runstats><finished time="1795000200"/></runstats>
</nmaprun>
"""
    if truncate:
        return doc[: doc.index(second) + len(second) // 2]
    return doc


def test_nmap_certificate_body_and_endpoint_crypto(tmp_path: Path, chain: Chain) -> None:
    path = write(tmp_path / "scan.xml", _nmap(chain))
    assert detect(path, path.read_bytes()) is Format.NMAP
    inv = load([path], now=NOW)
    assert not inv.rejected
    assert len(inv) == 1
    cert = inv.certificates.iloc[0]
    assert cert["cert_id"] == chain.leaves[0].cert_id
    assert cert["serial"] == format(chain.leaves[0].cert.serial_number, "x")
    assert bool(cert["has_body"])
    obs = inv.observations.sort_values("location")
    assert list(obs["location"]) == ["svc0.example.test:443", "svc0.example.test:8443"]
    assert list(obs["port"]) == [443, 8443]
    assert set(obs["discovered_by"]) == {"network-scan"}
    assert set(obs["tls_versions"]) == {"TLSv1.2;TLSv1.3"}
    assert set(obs["kex_groups"]) == {"X25519MLKEM768;x25519"}  # hybrid PQC group first, rsa kex dropped
    assert "ip:10.0.0.5" in obs["tags"].iloc[0]
    assert obs["last_seen"].notna().all()


def test_nmap_without_pem_merges_with_the_body_by_fingerprint(tmp_path: Path, chain: Chain) -> None:
    write(tmp_path / "scan.xml", _nmap(chain, with_pem=False))
    inv = load([tmp_path], now=NOW)
    assert len(inv) == 1
    row = inv.certificates.iloc[0]
    assert row["common_name"] == "svc0.example.test"
    assert row["issuer_name"] == "Test Issuing CA 1"
    assert row["key_algorithm"] == "EC" and row["signature_algorithm"] == "ecdsa-with-SHA256"
    assert row["key_size"] == 256 and row["key_curve"] == "secp256r1"
    # the same certificate as a PEM file: nmap's SHA-1 joins the row to the parsed body
    write(tmp_path / "leaf.pem", chain.leaves[0].pem)
    inv = load([tmp_path], now=NOW)
    assert len(inv) == 1
    assert inv.certificates.iloc[0]["cert_id"] == chain.leaves[0].cert_id
    assert set(inv.certificate_facts()["discovered_by"]) == {"filesystem;network-scan"}


def test_nmap_truncated_keeps_hosts_before_the_cut(tmp_path: Path, chain: Chain) -> None:
    path = write(tmp_path / "scan.xml", _nmap(chain, truncate=True))
    inv = load([path], now=NOW)
    assert len(inv.observations) == 1
    assert len(inv.rejected) == 1 and "host(s) before it were kept" in inv.rejected[0].reason


def test_nmap_wrong_shapes_are_rejected(tmp_path: Path) -> None:
    write(tmp_path / "a.xml", '<?xml version="1.0"?><nmaprun><host><ports>')
    write(tmp_path / "b.xml", '<!DOCTYPE x [<!ENTITY a "aaaa">]><nmaprun>&a;</nmaprun>')
    inv = load([tmp_path], now=NOW)
    reasons = sorted(r.reason for r in inv.rejected)
    assert len(reasons) == 2
    assert "entities" in reasons[0]
    assert reasons[1].startswith("invalid XML")


# ---------------------------------------------------------------------------------------------- sslyze
def _sslyze_cert(c: Issued, v6: bool, *, pem: bool = True) -> dict[str, object]:
    key = c.cert.public_key()
    entry: dict[str, object] = {
        "fingerprint_sha1": _b64(c, hashes.SHA1()),
        "fingerprint_sha256": _b64(c, hashes.SHA256()),
        "serial_number": c.cert.serial_number,
        "not_valid_before": c.cert.not_valid_before_utc.strftime("%Y-%m-%dT%H:%M:%S") + ("Z" if v6 else ""),
        "not_valid_after": c.cert.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%S") + ("Z" if v6 else ""),
        "subject": {"rfc4514_string": c.cert.subject.rfc4514_string()},
        "issuer": {"rfc4514_string": c.cert.issuer.rfc4514_string()},
        "public_key": {
            "algorithm": "EllipticCurvePublicKey" if v6 else "_EllipticCurvePublicKey",
            "key_size": key.key_size,  # type: ignore[union-attr]
            "ec_curve_name": "secp256r1",
        },
        "signature_algorithm_oid": {"dotted_string": "1.2.840.10045.4.3.2", "name": "ecdsa-with-SHA256"},
        "subject_alternative_name": {"dns_names": ["svc1.example.test"], "ip_addresses": []}
        if v6
        else {"dns": ["svc1.example.test"]},
    }
    if pem:
        entry["as_pem"] = _pem(c)
    return entry


def _sslyze(chain: Chain, *, v6: bool, pem: bool = True) -> dict[str, object]:
    leaf = chain.leaves[1]
    chain_entries = [_sslyze_cert(leaf, v6, pem=pem), _sslyze_cert(chain.inter, v6, pem=pem)]
    suites = {
        name: {"status": "COMPLETED", "result": {"is_tls_version_supported": ok, "tls_version_used": tls}}
        for name, ok, tls in (
            ("tls_1_0_cipher_suites", False, "TLS_1_0"),
            ("tls_1_2_cipher_suites", True, "TLS_1_2"),
            ("tls_1_3_cipher_suites", True, "TLS_1_3"),
        )
    }
    return {
        "date_scans_completed": "2026-11-27T10:00:00" + ("Z" if v6 else ""),
        "sslyze_version": "6.2.0" if v6 else "5.2.0",
        "server_scan_results": [
            {
                "server_location": {"hostname": "unreachable.example.test", "port": 443, "ip_address": None},
                "scan_status": "ERROR_NO_CONNECTIVITY",
                "connectivity_error_trace": "Traceback ...\nServerRejectedConnection: refused",
                "scan_result": None,
            },
            {
                "server_location": {"hostname": "svc1.example.test", "port": 443, "ip_address": "10.0.0.7"},
                "network_configuration": {"tls_server_name_indication": "svc1.example.test"},
                "scan_status": "COMPLETED",
                "scan_result": {
                    "certificate_info": {
                        "status": "COMPLETED",
                        "result": {
                            "certificate_deployments": [{"received_certificate_chain": chain_entries}]
                        },
                    },
                    "elliptic_curves": {
                        "status": "COMPLETED",
                        "result": {"supported_curves": [{"name": "X25519"}, {"name": "prime256v1"}]},
                    },
                    **suites,
                },
            },
        ],
    }


def test_sslyze_v5_and_v6_chains(tmp_path: Path, chain: Chain) -> None:
    write(tmp_path / "v5.json", json.dumps(_sslyze(chain, v6=False)))
    write(tmp_path / "v6.json", json.dumps(_sslyze(chain, v6=True)))
    for name in ("v5.json", "v6.json"):
        assert detect(tmp_path / name, (tmp_path / name).read_bytes()) is Format.SSLYZE
    inv = load([tmp_path], now=NOW)
    assert set(inv.certificates["cert_id"]) == {chain.leaves[1].cert_id, chain.inter.cert_id}
    assert len(inv.observations) == 4
    assert [r.locator for r in inv.rejected] == ["server 0 (unreachable.example.test:443)"] * 2
    assert "ServerRejectedConnection" in inv.rejected[0].reason
    leaf_obs = inv.observations[inv.observations["cert_id"] == chain.leaves[1].cert_id]
    assert set(leaf_obs["tls_versions"]) == {"TLSv1.2;TLSv1.3"}
    assert set(leaf_obs["kex_groups"]) == {"x25519;secp256r1"}
    assert set(leaf_obs["location"]) == {"svc1.example.test:443"}
    inter_obs = inv.observations[inv.observations["cert_id"] == chain.inter.cert_id]
    assert inter_obs["tls_versions"].isna().all() and inter_obs["tags"].str.contains("chain:1").all()


def test_sslyze_fields_without_pem_keep_big_serials_and_base64_fingerprints(
    tmp_path: Path, chain: Chain
) -> None:
    big = issue(
        cn="big.example.test",
        not_before=NOW - timedelta(days=1),
        days=90,
        issuer=chain.inter,
        serial=(1 << 150) + 12345,  # far beyond 2^64: must survive JSON and hex conversion exactly
    )
    doc = _sslyze(chain, v6=True, pem=False)
    results = doc["server_scan_results"]
    assert isinstance(results, list)
    results[1]["scan_result"]["certificate_info"]["result"]["certificate_deployments"][0][
        "received_certificate_chain"
    ] = [_sslyze_cert(big, True, pem=False)]
    write(tmp_path / "scan.json", json.dumps(doc))
    inv = load([tmp_path], now=NOW)
    row = inv.certificates.iloc[0]
    assert row["serial"] == format((1 << 150) + 12345, "x")
    assert row["fingerprint_sha256"] == hashlib.sha256(big.der).hexdigest()
    assert row["cert_id"] == big.cert_id  # the fingerprint is the certificate's identity
    assert row["sans"] == "svc1.example.test"
    assert not bool(row["has_body"])


def test_sslyze_truncated_and_wrong_shape(tmp_path: Path, chain: Chain) -> None:
    text = json.dumps(_sslyze(chain, v6=True))
    write(tmp_path / "cut.json", text[: len(text) // 2])
    write(tmp_path / "shape.json", '{"server_scan_results": {"not": "a list"}}')
    inv = load([tmp_path], now=NOW)
    reasons = {Path(r.source).name: r.reason for r in inv.rejected}
    assert reasons["cut.json"].startswith("invalid JSON") and "truncated" in reasons["cut.json"]
    assert reasons["shape.json"] == "not sslyze JSON: no server_scan_results list"


# --------------------------------------------------------------------------------------------- testssl
def _finding(fid: str, finding: str, ip: str = "svc2.example.test/10.0.0.9") -> dict[str, str]:
    return {"id": fid, "ip": ip, "port": "443", "severity": "INFO", "finding": finding}


def _testssl_findings(chain: Chain, *, bodies: bool = True) -> list[dict[str, str]]:
    rsa_leaf = chain.leaves[2]
    ec_leaf = chain.leaves[0]
    out = [
        _finding("service", "HTTP"),
        _finding("SSLv3", "not offered"),
        _finding("TLS1", "not offered"),
        _finding("TLS1_2", "offered"),
        _finding("TLS1_3", "offered with final"),
        _finding("FS_KEMs", "X25519MLKEM768"),
        _finding("FS_ECDHE_curves", "prime256v1 X25519"),
        _finding("cert_numbers", "2"),
    ]
    for n, leaf in ((1, rsa_leaf), (2, ec_leaf)):
        sfx = f" <hostCert#{n}>"
        c = leaf.cert
        out += [
            _finding("cert_commonName" + sfx, c.subject.rfc4514_string().removeprefix("CN=")),
            _finding("cert_subjectAltName" + sfx, " ".join(f"svc{n}.example.test alt.example.test".split())),
            _finding("cert_serialNumber" + sfx, format(c.serial_number, "X")),
            _finding("cert_notBefore" + sfx, f"{c.not_valid_before_utc:%Y-%m-%d %H:%M}"),
            _finding("cert_notAfter" + sfx, f"{c.not_valid_after_utc:%Y-%m-%d %H:%M}"),
            _finding("cert_keySize" + sfx, "EC 256 bits (curve P-256)"),
            _finding("cert_signatureAlgorithm" + sfx, "ECDSA with SHA256"),
            _finding("cert_caIssuers" + sfx, "Test Issuing CA 1 (Test Org from US)"),
            _finding("cert_trust" + sfx + "_wildcard", "trust is via wildcard"),
        ]
        if bodies:
            out += [
                _finding("cert" + sfx, _pem(leaf)),
                _finding(f"intermediate_cert <#1>{sfx}", _pem(chain.inter)),
            ]
    return out


def test_testssl_flat_two_host_certs_and_intermediates(tmp_path: Path, chain: Chain) -> None:
    path = write(tmp_path / "flat.json", json.dumps(_testssl_findings(chain), indent=2))
    assert detect(path, path.read_bytes()) is Format.TESTSSL
    inv = load([path], now=NOW)
    assert not inv.rejected
    assert set(inv.certificates["cert_id"]) == {
        chain.leaves[2].cert_id,
        chain.leaves[0].cert_id,
        chain.inter.cert_id,
    }
    leaves = inv.observations[inv.observations["tls_versions"].notna()]
    assert len(leaves) == 2
    assert set(leaves["kex_groups"]) == {"X25519MLKEM768;secp256r1;x25519"}
    assert set(leaves["tls_versions"]) == {"TLSv1.2;TLSv1.3"}
    assert set(inv.observations["location"]) == {"svc2.example.test:443"}
    assert set(inv.observations["host"]) == {"svc2.example.test"}


def test_testssl_pretty_json(tmp_path: Path, chain: Chain) -> None:
    findings = _testssl_findings(chain)
    items = [
        {k: v for k, v in f.items() if k not in ("ip", "port")} for f in findings if f["id"] != "service"
    ]
    doc = {
        "Invocation": "testssl.sh --jsonfile-pretty x svc2.example.test",
        "startTime": "1795000000",
        "scanResult": [
            {
                "targetHost": "svc2.example.test",
                "ip": "10.0.0.9",
                "port": "443",
                "service": "HTTP",
                "protocols": [i for i in items if i["id"].startswith(("SSL", "TLS"))],
                "fs": [i for i in items if i["id"].startswith("FS")],
                "serverDefaults": [i for i in items if "cert" in i["id"]],
            }
        ],
        "scanTime": 30,
    }
    path = write(tmp_path / "pretty.json", json.dumps(doc, indent=4))
    assert detect(path, path.read_bytes()) is Format.TESTSSL
    inv = load([path], now=NOW)
    assert len(inv) == 3 and not inv.rejected
    assert inv.observations["last_seen"].notna().all()


def test_testssl_csv_fields_without_bodies_merge_by_issuer_and_serial(tmp_path: Path, chain: Chain) -> None:
    findings = _testssl_findings(chain, bodies=False)
    lines = ['"id","fqdn/ip","port","severity","finding","cve","cwe"']
    lines += [
        f'"{f["id"]}","{f["ip"]}","{f["port"]}","{f["severity"]}","{f["finding"]}","",""' for f in findings
    ]
    path = write(tmp_path / "scan.csv", "\n".join(lines) + "\n")
    assert detect(path, path.read_bytes()) is Format.TESTSSL
    inv = load([path], now=NOW)
    assert len(inv) == 2 and not inv.rejected
    rows = inv.certificates.set_index("serial")
    rsa = rows.loc[format(chain.leaves[2].cert.serial_number, "x")]
    assert rsa["issuer_name"] == "Test Issuing CA 1" and rsa["issuer_org"] == "Test Org"
    assert rsa["key_algorithm"] == "EC" and rsa["key_curve"] == "secp256r1"
    assert rsa["signature_algorithm"] == "ecdsa-with-SHA256"
    # the bodies arrive from a PEM file: issuer + serial makes them the same certificates
    write(tmp_path / "chain.pem", chain.leaves[2].pem + chain.leaves[0].pem)
    inv = load([tmp_path], now=NOW)
    assert set(inv.certificates["cert_id"]) == {chain.leaves[2].cert_id, chain.leaves[0].cert_id}
    assert len(inv.observations) == 4


def test_testssl_interrupted_flat_json_keeps_the_findings_before_the_cut(
    tmp_path: Path, chain: Chain
) -> None:
    text = json.dumps(_testssl_findings(chain), indent=2)
    path = write(tmp_path / "flat.json", text[: text.rindex('"id": "intermediate_cert <#1> <hostCert#2>"')])
    inv = load([path], now=NOW)
    assert chain.leaves[0].cert_id in set(inv.certificates["cert_id"])  # hostCert#2 came before the cut
    assert len(inv.rejected) == 1 and "interrupted scan" in inv.rejected[0].reason


def test_testssl_wrong_shapes(tmp_path: Path) -> None:
    write(tmp_path / "cut.json", '[{"id": "service", "ip": "a/1.2.3.4", "severity": "INFO", "finding": "HT')
    write(tmp_path / "odd.json", '[{"id": "x", "ip": "a/1", "severity": "INFO", "finding": "y"}, 3]')
    write(tmp_path / "none.csv", '"id","fqdn/ip","port","severity","finding","cve","cwe"\n')
    inv = load([tmp_path], now=NOW)
    reasons = {Path(r.source).name: r.reason for r in inv.rejected}
    assert "truncated testssl.sh output" in reasons["cut.json"]
    assert reasons["odd.json"].startswith("not testssl.sh JSON")
    assert reasons["none.csv"] == "testssl.sh output holds no findings"


# ---------------------------------------------------------------------------------------------- zgrab2
def _zgrab2_line(chain: Chain, module: str = "http") -> str:
    leaf = chain.leaves[1]
    handshake = {
        "server_hello": {"version": {"name": "TLSv1.3", "value": 772}},
        "server_key_exchange": {"ecdh_params": {"curve_id": {"name": "x25519", "id": 29}}},
        "server_certificates": {
            "certificate": {"raw": base64.b64encode(leaf.der).decode(), "parsed": {"serial_number": "1"}},
            "chain": [{"raw": base64.b64encode(chain.inter.der).decode()}],
        },
    }
    result = (
        {
            "response": {
                "request": {
                    "url": {"scheme": "https", "host": "svc1.example.test:8443"},
                    "tls_log": {"handshake_log": handshake},
                }
            }
        }
        if module == "http"
        else {"tls": {"handshake_log": handshake}}
    )
    rec = {
        "ip": "10.0.0.7",
        "domain": "svc1.example.test",
        "data": {
            module: {
                "status": "success",
                "protocol": module,
                "result": result,
                "timestamp": "2026-11-20T10:00:00Z",
            }
        },
    }
    return json.dumps(rec)


def test_zgrab2_lines(tmp_path: Path, chain: Chain) -> None:
    text = (
        _zgrab2_line(chain) + "\n" + _zgrab2_line(chain, "postgres") + "\n" + _zgrab2_line(chain)[:50] + "\n"
    )
    path = write(tmp_path / "zgrab.json", text)
    assert detect(path, path.read_bytes()) is Format.ZGRAB2
    inv = load([path], now=NOW)
    assert set(inv.certificates["cert_id"]) == {chain.leaves[1].cert_id, chain.inter.cert_id}
    leaf = inv.observations[inv.observations["tls_versions"].notna()].sort_values("port")
    assert list(leaf["location"]) == ["svc1.example.test:5432", "svc1.example.test:8443"]
    assert set(leaf["kex_groups"]) == {"x25519"} and set(leaf["tls_versions"]) == {"TLSv1.3"}
    assert [r.locator for r in inv.rejected] == ["line 3"]
