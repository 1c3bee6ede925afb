"""Live TLS discovery against real servers started here, on loopback only (127.0.0.1 / ::1 / localhost)."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest
from OpenSSL import SSL
from typer.testing import CliRunner

from cmmm import ingest
from cmmm.cli import app
from cmmm.errors import InputError, UsageError
from cmmm.ingest import detect
from cmmm.ingest.registry import Format
from cmmm.lab.pki import Issued, issue
from cmmm.scan import (
    HYBRID_GROUP,
    ChainStatus,
    Endpoint,
    ScanResult,
    StartTLS,
    Status,
    compare,
    expand_targets,
    hostname_matches,
    parse_ports,
    read_scan,
    scan,
    write_scan,
)
from tests.conftest import NOW, write
from tests.scan.tls_servers import LoopbackServers, tls_context

LOCAL = "127.0.0.1"


@dataclass(frozen=True)
class Net:
    servers: LoopbackServers
    ports: dict[str, int]
    certs: dict[str, Issued]

    def ep(self, name: str, **kw: object) -> Endpoint:
        return Endpoint(host=str(kw.pop("host", LOCAL)), port=self.ports[name], **kw)  # type: ignore[arg-type]

    @property
    def trust(self) -> list[object]:
        return [self.certs["root"].cert, self.certs["rsa_root"].cert]


@pytest.fixture(scope="module")
def net() -> Iterator[Net]:
    t0 = NOW - timedelta(days=400)
    fresh = NOW - timedelta(days=10)
    root = issue(cn="Scan Test Root", org="Scan", not_before=t0, days=3650, ca=True, key_kind="EC-384")
    inter = issue(cn="Scan Test Issuing CA", org="Scan", not_before=t0, days=1825, ca=True, issuer=root)
    sans = ("localhost", LOCAL)
    ecdsa = issue(cn="ecdsa.test", not_before=fresh, days=90, issuer=inter, sans=("ecdsa.test", *sans))
    rsa_root = issue(cn="Scan RSA Root", not_before=t0, days=3650, ca=True, key_kind="RSA-2048")
    rsa = issue(
        cn="rsa.test",
        not_before=fresh,
        days=90,
        issuer=rsa_root,
        key_kind="RSA-2048",
        sans=("rsa.test", LOCAL),
    )
    expired = issue(
        cn="expired.test", not_before=NOW - timedelta(days=100), days=30, issuer=inter, sans=(LOCAL,)
    )
    selfsigned = issue(cn="self.test", not_before=fresh, days=90, sans=("self.test",))
    pq = issue(cn="pq.test", not_before=fresh, days=90, issuer=inter, sans=("pq.test", LOCAL))
    s = LoopbackServers()
    ports = {
        "ecdsa": s.tls(tls_context([ecdsa, inter])),
        "rsa": s.tls(
            tls_context([rsa, rsa_root], min_version=SSL.TLS1_VERSION, max_version=SSL.TLS1_2_VERSION)
        ),
        "expired": s.tls(tls_context([expired, inter])),
        "self": s.tls(tls_context([selfsigned])),
        "pq": s.tls(tls_context([pq, inter], groups=None, min_version=SSL.TLS1_3_VERSION)),
        "plain": s.plain(),
        "silent": s.silent(),
        "closed": s.closed_port(),
        "postgres": s.postgres(tls_context([ecdsa, inter])),
        "smtp": s.smtp(tls_context([ecdsa, inter])),
        "v6": s.tls(tls_context([ecdsa, inter]), host="::1"),
        "mtls": s.tls(tls_context([ecdsa, inter], max_version=SSL.TLS1_2_VERSION, require_client_cert=True)),
        "closer": s.listen(lambda c: c.recv(1)),  # reads one byte of the ClientHello, then hangs up
    }
    certs = {
        "root": root,
        "inter": inter,
        "ecdsa": ecdsa,
        "rsa_root": rsa_root,
        "rsa": rsa,
        "expired": expired,
        "self": selfsigned,
        "pq": pq,
    }
    s.start()
    yield Net(servers=s, ports=ports, certs=certs)
    s.stop()


def _der(chain: tuple[object, ...] | list[object]) -> list[bytes]:
    from cryptography.hazmat.primitives.serialization import Encoding

    return [c.public_bytes(Encoding.DER) for c in chain]  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def scanned(net: Net) -> ScanResult:
    names = ["ecdsa", "rsa", "expired", "self", "pq", "plain", "silent", "closed"]
    return scan([net.ep(n) for n in names], now=NOW, timeout=1.0, trust=net.trust)


def _by_port(result: ScanResult, port: int) -> object:
    return next(r for r in result.results if r.endpoint.port == port)


def test_chains_versions_groups_and_validity(net: Net, scanned: ScanResult) -> None:
    c = net.certs
    ecdsa = _by_port(scanned, net.ports["ecdsa"])
    assert ecdsa.status is Status.OK
    assert _der(ecdsa.chain) == [c["ecdsa"].der, c["inter"].der]  # the full presented chain, leaf first
    assert ecdsa.tls_versions == ("TLSv1.2", "TLSv1.3") and ecdsa.protocol == "TLSv1.3"
    assert ecdsa.group == "x25519" and ecdsa.hybrid_pq is False
    assert ecdsa.chain_status is ChainStatus.VALID and ecdsa.hostname_match is True

    rsa = _by_port(scanned, net.ports["rsa"])
    assert _der(rsa.chain) == [c["rsa"].der, c["rsa_root"].der]
    assert rsa.tls_versions == ("TLSv1", "TLSv1.1", "TLSv1.2") and rsa.protocol == "TLSv1.2"
    assert rsa.hybrid_pq is False and rsa.chain_status is ChainStatus.VALID

    expired = _by_port(scanned, net.ports["expired"])
    assert expired.chain_status is ChainStatus.EXPIRED and "expired" in (expired.chain_error or "")

    selfsigned = _by_port(scanned, net.ports["self"])
    assert _der(selfsigned.chain) == [c["self"].der]
    assert selfsigned.chain_status is ChainStatus.SELF_SIGNED
    assert selfsigned.hostname_match is False  # its SAN is self.test, the target an address

    pq = _by_port(scanned, net.ports["pq"])
    assert pq.group == HYBRID_GROUP and pq.hybrid_pq is True and pq.tls_versions == ("TLSv1.3",)


def test_errors_are_classified_never_raised(net: Net, scanned: ScanResult) -> None:
    assert _by_port(scanned, net.ports["plain"]).status is Status.NOT_TLS
    silent = _by_port(scanned, net.ports["silent"])
    assert silent.status is Status.TIMEOUT and silent.elapsed_ms < 2500
    assert _by_port(scanned, net.ports["closed"]).status is Status.REFUSED
    assert scanned.counts == {"ok": 5, "refused": 1, "timeout": 1, "not-tls": 1}
    unresolved = scan(["no-such-host.invalid:443"], now=NOW, timeout=1.0, trust=[])
    assert unresolved.results[0].status is Status.UNRESOLVED


def test_untrusted_by_default_trust_store(net: Net) -> None:
    result = scan([net.ep("ecdsa")], now=NOW, timeout=1.0)  # the system store does not know the test root
    assert result.results[0].chain_status is ChainStatus.UNTRUSTED


def test_starttls_ipv6_sni_and_hostname(net: Net) -> None:
    eps = [
        net.ep("postgres", starttls=StartTLS.POSTGRES),
        net.ep("smtp", starttls=StartTLS.SMTP),
        net.ep("v6", host="::1"),
        net.ep("ecdsa", host="localhost", sni="localhost"),
        net.ep("ecdsa", sni="other.test"),
    ]
    res = scan(eps, now=NOW, timeout=1.0, trust=net.trust)
    pg, smtp, v6, named, other = res.results
    leaf = net.certs["ecdsa"].der
    for r in (pg, smtp, v6, named, other):
        assert r.status is Status.OK, r
        assert _der(r.chain)[0] == leaf
    assert v6.address == "::1" and v6.endpoint.location == f"[::1]:{net.ports['v6']}"
    assert named.hostname_match is True and other.hostname_match is False
    fails = scan([net.ep("mtls"), net.ep("closer")], now=NOW, timeout=1.0, trust=net.trust)
    mtls, closer = fails.results
    assert mtls.status is Status.HANDSHAKE_FAILURE and "alert" in (mtls.error or "")
    assert _der(mtls.chain) == [leaf, net.certs["inter"].der]  # presented before the failure: kept
    assert mtls.chain_status is ChainStatus.VALID
    assert closer.status is Status.HANDSHAKE_FAILURE and closer.chain == ()
    plain_as_pg = scan([net.ep("plain", starttls=StartTLS.POSTGRES)], now=NOW, timeout=1.0, trust=[])
    assert plain_as_pg.results[0].status is Status.NOT_TLS


def test_hostname_rules(net: Net) -> None:
    wild = issue(cn="w", not_before=NOW, days=10, sans=("*.example.test", "10.0.0.1")).cert
    assert hostname_matches(wild, "a.example.test")
    assert not hostname_matches(wild, "a.b.example.test") and not hostname_matches(wild, "example.test")
    assert hostname_matches(wild, "10.0.0.1") and not hostname_matches(wild, "10.0.0.2")


def test_target_parsing() -> None:
    eps = expand_targets(
        ["10.0.0.0/30", "[::1]:8443", "::1", "db.test:5432", "www.test@127.0.0.1:443"], (443,)
    )
    assert [(e.host, e.port) for e in eps] == [
        ("10.0.0.1", 443),
        ("10.0.0.2", 443),
        ("::1", 8443),
        ("::1", 443),
        ("db.test", 5432),
        ("127.0.0.1", 443),
    ]
    assert eps[4].starttls is StartTLS.POSTGRES and eps[4].sni == "db.test"
    assert eps[5].sni == "www.test" and eps[0].sni is None
    with pytest.raises(UsageError, match="--yes"):
        expand_targets(["10.0.0.0/16"], max_range=1024)
    assert len(expand_targets(["10.0.0.0/22"], (443,), max_range=256, yes=True)) == 1022
    assert parse_ports("443,8443,9000-9002,443") == (443, 8443, 9000, 9001, 9002)
    with pytest.raises(InputError):
        parse_ports("443,http")
    with pytest.raises(InputError):
        expand_targets(["host:99999"])


def test_scan_file_round_trip_and_ingest(net: Net, scanned: ScanResult, tmp_path: Path) -> None:
    path = tmp_path / "scan.json"
    write_scan(scanned, path)
    doc = json.loads(path.read_text())
    assert doc["cmmm_scan"] == 1 and len(doc["endpoints"]) == 8
    back = read_scan(path)
    assert [(r.status, _der(r.chain)) for r in back.results] == [
        (r.status, _der(r.chain)) for r in scanned.results
    ]
    assert detect(path, path.read_bytes()[:4096]) is Format.CMMM_SCAN
    inv = ingest.load([path], now=NOW)
    assert not inv.rejected
    leaf_id = net.certs["ecdsa"].cert_id
    assert leaf_id in set(inv.certificates["cert_id"])
    obs = inv.observations
    leaf_obs = obs[(obs["cert_id"] == leaf_id) & obs["host"].notna()].iloc[0]
    assert leaf_obs["location"] == f"{LOCAL}:{net.ports['ecdsa']}" and leaf_obs["port"] == net.ports["ecdsa"]
    assert leaf_obs["tls_versions"] == "TLSv1.2;TLSv1.3" and leaf_obs["kex_groups"] == "x25519"
    pq_obs = obs[(obs["cert_id"] == net.certs["pq"].cert_id) & obs["host"].notna()].iloc[0]
    assert pq_obs["kex_groups"] == HYBRID_GROUP
    assert set(obs["discovered_by"]) == {"network-scan"}
    facts = inv.certificate_facts().set_index("cert_id")
    assert facts.loc[leaf_id, "endpoints"] == 1 and facts.loc[leaf_id, "discovered_by"] == "network-scan"
    # the intermediate was presented too: it is in the inventory, linked as the leaf's issuer
    assert facts.loc[leaf_id, "issuer_cert_id"] == net.certs["inter"].cert_id
    csv_path = tmp_path / "scan.csv"
    assert write_scan(scanned, csv_path) == "csv"
    assert len(pd.read_csv(csv_path)) == 8


class _InFlight:
    """Counts handshakes in progress inside the scanner (exact, unlike a server's view of closes)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import cmmm.scan.handshake as mod

        self.now = self.max = 0
        self._lock = threading.Lock()
        real = mod._handshake

        def counted(*args: object) -> None:
            with self._lock:
                self.now += 1
                self.max = max(self.max, self.now)
            try:
                real(*args)  # type: ignore[arg-type]
            finally:
                with self._lock:
                    self.now -= 1

        monkeypatch.setattr(mod, "_handshake", counted)


def test_two_hundred_endpoints_with_bounded_concurrency(monkeypatch: pytest.MonkeyPatch) -> None:
    inflight = _InFlight(monkeypatch)
    leaf = issue(cn="many.test", not_before=NOW - timedelta(days=1), days=30, sans=(LOCAL,))
    servers = LoopbackServers()
    ctx = tls_context([leaf], groups=None)  # hybrid negotiated first: four handshakes per endpoint
    ports = [servers.tls(ctx) for _ in range(200)]
    servers.start()
    try:
        timeout, bound = 2.0, 16
        t0 = time.monotonic()
        result = scan(
            [f"{LOCAL}:{p}" for p in ports],
            now=NOW,
            timeout=timeout,
            concurrency=bound,
            per_host=bound,
            trust=[],
        )
        elapsed = time.monotonic() - t0
    finally:
        servers.stop()
    assert result.counts == {"ok": 200}
    assert all(r.hybrid_pq for r in result.results)
    assert inflight.max <= bound and servers.accepted == 800  # 4 handshakes per endpoint
    assert elapsed < 15.0  # budget; typically ~2 s on a shared 2-core machine


def test_stop_keeps_gathered_results(net: Net) -> None:
    stop = threading.Event()

    def progress(done: int, total: int) -> None:
        if done >= 1:
            stop.set()

    eps = [net.ep("ecdsa")] + [net.ep("silent")] * 1 + [net.ep("rsa", host="localhost")] * 1
    eps += [Endpoint(host=LOCAL, port=net.ports["closed"] + 0, sni=f"s{i}.test") for i in range(30)]
    result = scan(
        eps, now=NOW, timeout=1.0, concurrency=2, per_host=2, trust=[], progress=progress, stop=stop
    )
    assert result.interrupted
    statuses = [r.status for r in result.results]
    assert Status.SKIPPED in statuses
    assert any(s is not Status.SKIPPED for s in statuses)
    assert len(result.results) == len(eps)


# ----------------------------------------------------------------------------- shadow and stale
def test_compare_with_a_spreadsheet_ground_truth(net: Net, scanned: ScanResult, tmp_path: Path) -> None:
    c, p = net.certs, net.ports
    ecdsa, selfsigned = c["ecdsa"].cert, c["self"].cert
    old_rsa = issue(cn="rsa.test", not_before=NOW - timedelta(days=200), days=90, issuer=c["rsa_root"]).cert
    sheet = write(
        tmp_path / "certs.csv",
        "Common Name,Issuer,Serial Number,Expiration Date,Endpoints,Owner\n"
        # listed with issuer + serial, served where the sheet says: matched
        f"ecdsa.test,Scan Test Issuing CA,{ecdsa.serial_number:x},{ecdsa.not_valid_after_utc:%Y-%m-%d},"
        f"{LOCAL}:{p['ecdsa']},web\n"
        # the previous rsa.test certificate; the server now presents a new one: stale (and the new one shadow)
        f"rsa.test,Scan RSA Root,{old_rsa.serial_number:x},{old_rsa.not_valid_after_utc:%Y-%m-%d},"
        f"{LOCAL}:{p['rsa']},db\n"
        # name and expiry only (a typical level-2 row): matched
        f"self.test,,,{selfsigned.not_valid_after_utc:%Y-%m-%d},{LOCAL}:{p['self']},ops\n"
        # the port is closed now: stale
        f"gone.test,Scan Test Issuing CA,abc123,2027-01-01,{LOCAL}:{p['closed']},ops\n"
        # never scanned: neither shadow nor stale
        "elsewhere.test,Other CA,77,2027-02-01,10.9.8.7:443,ops\n",
    )
    inv = ingest.load([sheet], now=NOW)
    cmp = compare(scanned, inv)
    assert set(cmp.shadow["cert_id"]) == {c["rsa"].cert_id, c["expired"].cert_id, c["pq"].cert_id}
    assert set(cmp.stale["common_name"]) == {"rsa.test", "gone.test"}
    gone = cmp.stale[cmp.stale["common_name"] == "gone.test"].iloc[0]
    assert gone["status"] == "refused" and gone["source_ref"] == "line 5"
    rsa_row = cmp.stale[cmp.stale["common_name"] == "rsa.test"].iloc[0]
    assert "missing from the inventory" in rsa_row["reason"]
    matched = dict(zip(cmp.matched["cert_id"], cmp.matched["matched_by"], strict=True))
    assert matched == {c["ecdsa"].cert_id: "issuer+serial", c["self"].cert_id: "name+expiry"}
    # a merged inventory (scan + sheet) compares the same: the scan's own observations are ignored
    merged = ingest.load([sheet, _scan_file(scanned, tmp_path)], now=NOW)
    again = compare(scanned, merged)
    assert set(again.shadow["cert_id"]) == set(cmp.shadow["cert_id"])
    assert set(again.stale["common_name"]) == {"rsa.test", "gone.test"}


def _scan_file(result: ScanResult, tmp_path: Path) -> Path:
    path = tmp_path / "scan.json"
    write_scan(result, path)
    return path


SAMPLES = Path(__file__).resolve().parents[2] / "sample_inventories" / "level2-aware"


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="sample_inventories/level2-aware not generated in this tree")
def test_compare_with_the_level2_sample_organization(tmp_path: Path) -> None:
    """Serve look-alikes of three of the sample's certificates on loopback (same name and expiry), move
    those rows and two others to loopback endpoints; the comparison must find exactly that truth."""
    inv = ingest.load([SAMPLES], now=NOW)
    facts = inv.certificates.dropna(subset=["common_name", "not_after"])
    facts = facts[~facts["is_ca"].fillna(False).astype(bool)]
    facts = facts.assign(k=facts["common_name"].str.lower() + facts["not_after"].dt.strftime("%Y-%m-%d"))
    facts = facts.drop_duplicates("k", keep=False).head(5)
    assert len(facts) == 5, "the sample needs five distinct named certificates"
    servers = LoopbackServers()
    served_ids, shadow_ids = [], []
    loc: dict[str, str] = {}
    for row in facts.head(3).itertuples():
        nb = row.not_after.to_pydatetime() - timedelta(days=30)
        look = issue(cn=row.common_name, not_before=nb, days=30, sans=(LOCAL,))
        loc[row.cert_id] = f"{LOCAL}:{servers.tls(tls_context([look]))}"
        served_ids.append(row.cert_id)
    for i in range(2):
        extra = issue(cn=f"shadow{i}.test", not_before=NOW - timedelta(days=1), days=30, sans=(LOCAL,))
        shadow_ids.append(extra.cert_id)
        port = servers.tls(tls_context([extra]))
        loc[facts.iloc[3 + i]["cert_id"]] = f"{LOCAL}:{port}"  # the sheet says its cert is here: stale
    servers.start()
    try:
        obs = inv.observations[inv.observations["cert_id"].isin(list(loc))].drop_duplicates("cert_id")
        obs = obs.assign(location=obs["cert_id"].map(loc))
        obs["host"] = LOCAL
        obs["port"] = obs["location"].str.rsplit(":", n=1).str[1].astype("Int64")
        kept = inv.observations[~inv.observations["cert_id"].isin(list(loc))]
        inv = dataclasses.replace(inv, observations=pd.concat([kept, obs]))
        result = scan(sorted(set(loc.values())), now=NOW, timeout=2.0, trust=[])
    finally:
        servers.stop()
    cmp = compare(result, inv)
    assert set(cmp.shadow["cert_id"]) == set(shadow_ids)
    assert set(cmp.matched["inventory_cert_id"]) == set(served_ids)
    assert set(cmp.stale["cert_id"]) == set(facts.iloc[3:5]["cert_id"])


# -------------------------------------------------------------------------------------------- CLI
def test_cli_scan_writes_ingestible_json_and_merges(net: Net, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "scan.json"
    p = net.ports
    targets = [f"{LOCAL}:{p['ecdsa']}", f"{LOCAL}:{p['plain']}", f"{LOCAL}:{p['closed']}"]
    res = runner.invoke(app, ["scan", *targets, "--timeout", "1", "-o", str(out), "--format", "json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert [e["status"] for e in doc["endpoints"]] == ["ok", "not-tls", "refused"]
    assert doc["endpoints"][0]["chain_status"] == "untrusted" and len(doc["endpoints"][0]["chain"]) == 2
    assert out.exists()
    res = runner.invoke(app, ["ingest", str(out)])
    assert res.exit_code == 0 and "network-scan" in res.stdout
    sheet = write(
        tmp_path / "sheet.csv", f"Common Name,Expiration Date,Endpoints\nold.test,2027-01-01,{targets[2]}\n"
    )
    res = runner.invoke(app, ["scan", targets[0], targets[2], "--timeout", "1", "--merge", str(sheet)])
    assert res.exit_code == 0, res.output
    assert "1 shadow" in res.stdout and "1 stale" in res.stdout and "old.test" in res.stdout


def test_cli_bad_usage_is_one_line(tmp_path: Path) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["scan", "10.0.0.0/8"])
    assert res.exit_code == 2 and "--yes" in res.stderr and "Traceback" not in res.output
    res = runner.invoke(app, ["scan"])
    assert res.exit_code == 2 and "no targets" in res.stderr
    res = runner.invoke(app, ["scan", "--targets-file", str(tmp_path / "missing.txt")])
    assert res.exit_code == 2 and "cannot read targets file" in res.stderr.replace("\n", " ")


def test_registry_entry_and_hostile_names_are_escaped(net: Net) -> None:
    from io import StringIO

    from rich.console import Console

    from cmmm.ingest.registry import INGESTERS
    from cmmm.report.terminal.scan import render_scan

    ing = INGESTERS[Format.CMMM_SCAN]
    assert ing.read.__doc__ and ing.sniff.__doc__ and ing.description
    evil = issue(cn="[bold red]pwned[/] \x1b[2J", not_before=NOW - timedelta(days=1), days=9, sans=(LOCAL,))
    servers = LoopbackServers()
    port = servers.tls(tls_context([evil]))
    servers.start()
    try:
        result = scan([f"{LOCAL}:{port}"], now=NOW, timeout=1.0, trust=[])
    finally:
        servers.stop()
    buf = StringIO()
    render_scan(Console(file=buf, width=200, color_system=None), result)
    text = buf.getvalue()
    assert "[bold red]pwned[/]" in text and "\x1b" not in text


def test_politeness_per_host_and_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    inflight = _InFlight(monkeypatch)
    leaf = issue(cn="polite.test", not_before=NOW - timedelta(days=1), days=30, sans=(LOCAL,))
    servers = LoopbackServers()
    ctx = tls_context([leaf], groups=None)
    ports = [servers.tls(ctx) for _ in range(12)]
    servers.start()
    try:
        result = scan(
            [f"{LOCAL}:{p}" for p in ports], now=NOW, timeout=2.0, concurrency=12, per_host=2, trust=[]
        )
        assert result.counts == {"ok": 12} and inflight.max == 2
        closed = LoopbackServers.closed_port()
        t0 = time.monotonic()
        paced = scan(
            [f"{LOCAL}:{closed}"] * 1 + [f"{LOCAL}:{p}" for p in ports[:3]], now=NOW, rate=10, trust=[]
        )
        # 1 refused connection + 3 endpoints × 4 handshakes = 13 connections at 10 per second
        assert time.monotonic() - t0 >= 1.1 and paced.counts == {"refused": 1, "ok": 3}
    finally:
        servers.stop()
