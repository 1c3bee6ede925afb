"""The PQC lab: mirrored hierarchies, real ML-DSA chains, verified loopback TLS 1.3 handshakes, measured."""

from __future__ import annotations

import os
import ssl
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from typer.testing import CliRunner

from cmmm import drill, ingest, lab
from cmmm.cli import app
from cmmm.lab import tls
from cmmm.lab.mirror import san_shape, shapes
from cmmm.lab.pki import Issued, issue, key_pem
from tests.conftest import NOW

runner = CliRunner()
MLDSA65_SIGNATURE = 3309  # FIPS 204


def _write(folder: Path, name: str, *certs: Issued) -> None:
    (folder / name).write_bytes(b"".join(c.cert.public_bytes(Encoding.PEM) for c in certs))


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private hierarchy (root → issuing CA → leaves of three SAN shapes) and a public one (SCTs)."""
    folder = tmp_path_factory.mktemp("bundle")
    t0 = NOW - timedelta(days=100)
    root = issue(cn="Lab Private Root", org="Lab", not_before=t0, days=3650, ca=True, key_kind="EC-384")
    inter = issue(cn="Lab Issuing CA", org="Lab", not_before=t0, days=1825, ca=True, issuer=root)
    leaves = [
        issue(cn="app1.corp.example", not_before=NOW - timedelta(days=5), days=90, issuer=inter),
        issue(cn="app2.corp.example", not_before=NOW - timedelta(days=5), days=60, issuer=inter),
        issue(cn="*.svc.corp.example", not_before=NOW - timedelta(days=5), days=90, issuer=inter),
        issue(
            cn="db.corp.example",
            sans=("db.corp.example", "10.1.2.3"),
            not_before=NOW - timedelta(days=5),
            days=90,
            issuer=inter,
        ),
    ]
    proot = issue(cn="Public Look-alike Root", not_before=t0, days=3650, ca=True)
    pca = issue(cn="Public Look-alike CA", not_before=t0, days=1825, ca=True, issuer=proot)
    web = issue(
        cn="www.example.org", not_before=NOW - timedelta(days=5), days=90, issuer=pca, scts=(NOW, NOW)
    )
    _write(folder, "private-ca.pem", root, inter)
    _write(folder, "leaves.pem", *leaves)
    _write(folder, "public.pem", proot, pca, web)
    (folder / "policy.yaml").write_text("max_validity_days: {public: cabf, private: 30}\n")
    return folder


@pytest.fixture(scope="module")
def mldsa_chain(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Issued, Issued, Issued]:
    """A two-level ML-DSA-65 chain (root → issuing CA → leaf) as a server's PEM files."""
    folder = tmp_path_factory.mktemp("mldsa")
    root = issue(cn="PQ Root", not_before=NOW, days=365, ca=True, key_kind="ML-DSA-65")
    inter = issue(cn="PQ Issuing", not_before=NOW, days=365, ca=True, issuer=root, key_kind="ML-DSA-65")
    leaf = issue(cn="pq.lab", sans=("pq.lab",), not_before=NOW, days=30, issuer=inter, key_kind="ML-DSA-65")
    _write(folder, "chain.pem", leaf, inter)
    _write(folder, "root.pem", root)
    (folder / "key.pem").write_bytes(key_pem(leaf.key))
    return folder, root, inter, leaf


def test_mldsa65_chain_verified_with_x25519mlkem768(mldsa_chain: tuple[Path, Issued, Issued, Issued]) -> None:
    folder, _, inter, leaf = mldsa_chain
    series = tls.measure(
        folder / "chain.pem", folder / "key.pem", folder / "root.pem", "pq.lab", "X25519MLKEM768", runs=3
    )
    h = series.first
    assert h.group == "X25519MLKEM768" and not h.hello_retry and len(series.runs) == 3
    # The Certificate message is the DER of the two certificates sent plus TLS 1.3 framing only.
    der = len(leaf.der) + len(inter.der)
    framing = tls.CERTIFICATE_MESSAGE_OVERHEAD + 2 * tls.CERTIFICATE_ENTRY_OVERHEAD
    assert der < h.certificate_bytes <= der + framing
    assert h.certificate_verify_bytes == 4 + 2 + 2 + MLDSA65_SIGNATURE  # header, scheme, length, signature
    assert h.server_flight_bytes > h.certificate_bytes + h.certificate_verify_bytes
    assert h.client_hello_bytes > 1184  # the ML-KEM-768 encapsulation key alone is 1,184 bytes
    assert tls.round_trips(h.server_flight_bytes, h.hello_retry) == 2  # ~15 KB: past the initial window
    assert series.median("server_cpu_ms") > 0 and series.p90("wall_ms") >= series.median("wall_ms")


def test_client_verifies_root_and_name(
    mldsa_chain: tuple[Path, Issued, Issued, Issued], tmp_path: Path
) -> None:
    folder, _, _, _ = mldsa_chain
    other = issue(cn="Other Root", not_before=NOW, days=365, ca=True, key_kind="ML-DSA-65")
    _write(tmp_path, "other.pem", other)
    with pytest.raises(tls.LabTLSError, match="certificate verify failed"):
        tls.measure(
            folder / "chain.pem", folder / "key.pem", tmp_path / "other.pem", "pq.lab", "x25519", runs=1
        )
    with pytest.raises(tls.LabTLSError, match="certificate verify failed"):
        tls.measure(
            folder / "chain.pem", folder / "key.pem", folder / "root.pem", "evil.lab", "x25519", runs=1
        )


def test_hello_retry_is_seen_and_costs_a_round_trip(mldsa_chain: tuple[Path, Issued, Issued, Issued]) -> None:
    folder, _, _, _ = mldsa_chain
    files = (folder / "chain.pem", folder / "key.pem", folder / "root.pem", "pq.lab")
    retry = tls.measure(*files, "x25519:X25519MLKEM768", runs=1, server_groups="X25519MLKEM768").first
    direct = tls.measure(*files, "X25519MLKEM768", runs=1, server_groups="X25519MLKEM768").first
    assert retry.hello_retry and retry.group == "X25519MLKEM768" and not direct.hello_retry
    assert retry.client_hello_bytes > direct.client_hello_bytes  # two ClientHellos
    assert (
        tls.round_trips(retry.server_flight_bytes, True)
        == tls.round_trips(direct.server_flight_bytes, False) + 1
    )


def test_round_trips_with_a_ten_segment_window() -> None:
    assert tls.round_trips(1_400, False) == 1 and tls.round_trips(14_600, False) == 1
    assert tls.round_trips(14_601, False) == 2 and tls.round_trips(43_800, False) == 2
    assert tls.round_trips(43_801, False) == 3 and tls.round_trips(1_400, True) == 2


def test_a_port_that_cannot_be_bound_is_one_line() -> None:
    with pytest.raises(tls.LabTLSError, match="cannot bind"):
        tls.LoopbackServer(tls.SSL.Context(tls.SSL.TLS_METHOD), host="192.0.2.1")


def test_mirror_keeps_the_shape(bundle: Path) -> None:
    inv = ingest.load([bundle], now=NOW)
    found = shapes(inv)
    assert [(h.name, h.public) for h in found.hierarchies] == [
        ("Lab Private Root", False),
        ("Public Look-alike Root", True),
    ]
    assert found.skipped == (
        "Public Look-alike Root: no private CA (a public WebPKI hierarchy): measured for information only, "
        "no root program admits ML-DSA",
    )
    h = found.hierarchies[0]
    assert h.depth == 1 and h.intermediates == 1 and h.certificates == 4
    assert [c.name for c in h.cas] == ["Lab Private Root", "Lab Issuing CA"] and h.cas[0].key == "EC-384"
    by_shape = {leaf.shape: leaf for leaf in h.leaves}
    assert set(by_shape) == {"1 DNS", "wildcard", "1 DNS + 1 IP"}
    assert by_shape["1 DNS"].represents == 2 and by_shape["1 DNS + 1 IP"].sans == (
        "db.corp.example",
        "10.1.2.3",
    )
    assert {leaf.days for leaf in h.leaves} == {30.0}  # the policy's private maximum
    assert found.hierarchies[1].leaves[0].days == 90  # a public leaf keeps its own validity
    named = shapes(inv, ["lab issuing ca", "No Such CA"])
    assert [h.name for h in named.hierarchies] == ["Lab Private Root"]
    assert named.skipped == ("no such ca: no CA of that name or id in the inventory",)


def test_san_shapes() -> None:
    assert san_shape(["a.example"]) == "1 DNS" and san_shape(["a", "b", "c"]) == "3 DNS"
    assert san_shape(["*.x.example", "x.example"]) == "wildcard + 1 DNS" and san_shape(["::1"]) == "1 IP"


@pytest.mark.slow
def test_lab_run_builds_measures_and_feeds_the_drill(bundle: Path, tmp_path: Path) -> None:
    before = sorted(p.name for p in bundle.iterdir())
    inv = ingest.load([bundle], now=NOW)
    profiles = (
        lab.LabProfile.BASELINE,
        lab.LabProfile.ML_DSA_65,
        lab.LabProfile.COMPOSITE,
        lab.LabProfile.SLH_DSA,
    )
    out = tmp_path / "out"
    result = lab.run(inv, out, now=NOW, profiles=profiles, kems=("x25519", "X25519MLKEM768"), runs=2)
    assert sorted(p.name for p in bundle.iterdir()) == before  # nothing written into the inventory
    public = result.verdicts[result.verdicts["hierarchy"] == "Public Look-alike Root"]
    assert public["reason"].str.startswith("for information only").all()
    assert not (result.lab_frame()["hierarchy"] == "Public Look-alike Root").any()  # never fed to the drill
    web = result.measurements[result.measurements["hierarchy"] == "Public Look-alike Root"]
    assert (web["chain_der_bytes"] > 0).all() and set(web["profile"]) == {"baseline", "ML-DSA-65"}
    private = result.verdicts[result.verdicts["hierarchy"] == "Lab Private Root"]
    verdicts = private.set_index("profile")["verdict"].to_dict()
    assert verdicts["baseline"] == "works"
    assert verdicts["ML-DSA-65"] in ("works", "extra-round-trip")
    assert verdicts["ML-DSA-65+ECDSA-P256"] == verdicts["SLH-DSA-SHA2-128s"] == "cannot-build"
    assert "composite" in result.cannot_build["ML-DSA-65+ECDSA-P256"]
    assert result.measurements["error"].isna().all()
    m = result.measurements[result.measurements["hierarchy"] == "Lab Private Root"]
    assert len(m) == 2 * 3 * 2  # 2 profiles × 3 leaves × 2 key exchanges
    framing = tls.CERTIFICATE_MESSAGE_OVERHEAD + tls.CERTIFICATE_ENTRY_OVERHEAD * m["certificates_sent"]
    assert (m["certificate_bytes"] == m["chain_der_bytes"] + framing).all()
    assert set(m["negotiated"]) == {"x25519", "X25519MLKEM768"}
    pq = m[m["profile"] == "ML-DSA-65"]
    assert (pq["certificate_verify_bytes"] == 8 + MLDSA65_SIGNATURE).all() and (
        pq["leaf_key"] == "ML-DSA-65"
    ).all()
    keys = list(out.rglob("*-key.pem"))
    assert len(keys) == 8 and all(os.stat(k).st_mode & 0o077 == 0 for k in keys)  # 2 × (3 + 1 public)
    c = result.compatibility
    compat = c[c["hierarchy"] == "Lab Private Root"].set_index(["profile", "client"])["accepted"]
    assert compat[("ML-DSA-65", "pyopenssl-bundled")] == True  # noqa: E712
    assert compat[("baseline", "python-ssl")] == True  # noqa: E712
    if ssl.OPENSSL_VERSION_INFO < (3, 5):  # the system OpenSSL has no ML-DSA before 3.5
        assert compat[("ML-DSA-65", "python-ssl")] == False  # noqa: E712
    lab.write_result(result, out / "pqc-lab.json")
    back = lab.read_result(out / "pqc-lab.json")
    assert back.verdicts["verdict"].tolist() == result.verdicts["verdict"].tolist()
    assert back.lab_frame().equals(result.lab_frame())
    _drill_reads_the_lab(inv, back)


def _drill_reads_the_lab(inv: object, back: lab.LabResult) -> None:
    """The drill's handshake track reads the measured sizes instead of the table."""
    sc = drill.load_scenario("pqc-migration-2030-2035")
    table = drill.run(inv, sc, now=NOW, runs=5).findings["handshake"].set_index("issuing_ca")
    measured = drill.run(lab.with_lab(inv, back), sc, now=NOW, runs=5).findings["handshake"]
    row = measured.set_index("issuing_ca").loc["Lab Issuing CA"]
    assert table.loc["Lab Issuing CA", "bytes_source"] == "table" and row["bytes_source"] == "lab"
    expected = (
        back.measured_sizes()
        .set_index(["hierarchy", "profile", "leaf_key"])
        .loc[("Lab Private Root", "ML-DSA-65", "ML-DSA-65"), "bytes"]
    )
    assert row["bytes_pqc"] == expected != table.loc["Lab Issuing CA", "bytes_pqc"]


@pytest.mark.slow
def test_pqc_lab_command(bundle: Path, tmp_path: Path) -> None:
    out = tmp_path / "lab"
    args = ["pqc-lab", str(bundle), "-o", str(out), "--runs", "1", "--candidate", "baseline"]
    res = runner.invoke(
        app, [*args, "--candidate", "ML-DSA-44", "--hierarchy", "Nope", "--report", str(out / "r.md")]
    )
    assert res.exit_code == 0, res.output
    assert "note" in res.output and "no CA of that name" in res.output
    doc = (out / "pqc-lab.json").read_text()
    assert '"cmmm_pqc_lab": 1' in doc and (out / "pqc-lab.md").exists()
    res = runner.invoke(app, [*args, "--report", str(out / "r.md")])
    assert res.exit_code == 0, res.output
    report = (out / "r.md").read_text()
    assert "## PQC lab: measured handshakes" in report and "Lab Private Root" in report
    assert runner.invoke(app, ["pqc-lab", "--store", str(tmp_path / "s.duckdb")]).exit_code == 2
    bad = runner.invoke(app, [*args, "--candidate", "RSA-1024"])
    assert bad.exit_code == 2 and "unknown lab profile" in bad.output


@pytest.mark.slow
def test_sample_hierarchy_with_two_issuing_cas(tmp_path: Path) -> None:
    """Fabrikam's private root with two issuing CAs (level 4 sample): mirrored as such, measured, reported."""
    from cmmm import pipeline
    from cmmm.report import ReportFormat, render
    from tests.conftest import sample

    inv = sample("level4-agile")
    result = lab.run(
        inv,
        tmp_path,
        now=NOW,
        hierarchies=["Fabrikam Root CA G2"],
        profiles=(lab.LabProfile.BASELINE, lab.LabProfile.ML_DSA_65),
        kems=("x25519",),
        runs=1,
        clients=(lab.Client.BUNDLED,),
    )
    h = result.hierarchies.iloc[0]
    assert (h["hierarchy"], h["trust"], h["depth"], h["intermediates"]) == (
        "Fabrikam Root CA G2",
        "private",
        1,
        2,
    )
    assert result.measurements["error"].isna().all() and len(result.measurements) == 2 * h["leaves_mirrored"]
    done = pipeline.run(inv, now=NOW, scenarios=("pqc-migration-2030-2035",), runs=5, lab=result)
    hs = done.drills[0].findings["handshake"]
    fabrikam = hs[hs["issuing_ca"].isin(["Fabrikam Issuing CA 1", "Fabrikam Kubernetes CA"])]
    assert len(fabrikam) and fabrikam["bytes_source"].isin(["lab", "lab (partly)"]).all()
    md = render(pipeline.report_view(done, generated_at=NOW), ReportFormat.MARKDOWN)
    assert "## PQC lab: measured handshakes" in md and "| Fabrikam Root CA G2 | ML-DSA-65 | x25519 |" in md


def test_every_profile_and_client_is_implemented_and_documented() -> None:
    from cmmm.lab.build import PROFILE_KEYS
    from cmmm.lab.compat import CLIENTS

    for p in lab.LabProfile:
        assert lab.PROFILE_DOCS[p] and ((p in PROFILE_KEYS) != (p in lab.CANNOT_BUILD)), p
    for c in lab.Client:
        assert lab.CLIENT_DOCS[c] and callable(CLIENTS[c]), c
