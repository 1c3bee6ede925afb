"""Every file meets one boundary and every parser a bound (issue 19): deep nesting, alias graphs, deep
folders, sparse files, huge headers, DOCTYPEs past the first MiB, PKCS#12 iteration counts, non-UTF-8 names
and passwords, a reader's defect — each a rejection naming its limit, the rest of the tree read."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import PrivateFormat, pkcs12

import cmmm
from cmmm.ingest import INGESTERS, Format, ReadContext, read_file
from cmmm.ingest._base import Batch
from cmmm.ingest.x509files import MAX_PKCS12_ITERATIONS
from cmmm.lab.pki import issue
from tests.conftest import NOW, Chain, write

ROOT = Path(__file__).resolve().parents[2]
CTX = ReadContext(now=NOW)


def _guarded(fmt: Format, path: Path) -> Batch:
    from cmmm.ingest import _read_guarded

    data = path.read_bytes()
    return _read_guarded(fmt, path, (data[:65536], len(data)), CTX)


DEEP_JSON = "[" * 1100 + "]" * 1100
DEEP_OBJECT = (
    '{"certificates": [{"common_name": "x", "not_after": "2027-01-01", "tags": '
    + '{"a": ' * 1100
    + "1"
    + "}" * 1100
    + "}]}"
)
DEEP_XML = "<bom>" + "<c>" * 2000 + "</c>" * 2000 + "</bom>"
DEEP_YAML = "certificates:\n" + "".join(" " * i + "- \n" for i in range(0, 400, 1))


@pytest.mark.parametrize("fmt", list(Format), ids=str)
def test_deep_nesting_is_a_rejection_in_every_reader(tmp_path: Path, fmt: Format) -> None:
    for name, text in (
        ("a.json", DEEP_JSON),
        ("b.json", DEEP_OBJECT),
        ("c.xml", DEEP_XML),
        ("d.yaml", DEEP_YAML),
    ):
        path = write(tmp_path / name, text)
        batch = _guarded(fmt, path)
        assert batch.defects == 0, (fmt, name, batch.rejected)
        assert batch.rejected or batch.notes or batch.records == 0


def test_deep_files_in_the_pooled_path_reject_only_themselves(tmp_path: Path, chain: Chain) -> None:
    for i in range(250):
        write(tmp_path / f"c{i:03}.pem", chain.leaves[i % 3].pem)
    for i in range(10):
        write(tmp_path / f"deep{i}.json", DEEP_OBJECT)
    inv = cmmm.load([tmp_path], now=NOW, workers=2)
    deep = [r for r in inv.rejected if "deep" in r.source]
    assert len(deep) == 10 and all("nest" in r.reason for r in deep), deep
    assert len(inv.certificates) == 3


def test_yaml_alias_graph_under_the_alias_limit_is_refused(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x]"] + [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]" for i in range(1, 31)]
    lines += ["certificates:", "- common_name: a.example", "  not_after: 2027-01-01", "  tags: *a30"]
    path = write(tmp_path / "bomb.yaml", "\n".join(lines) + "\n")
    assert len(path.read_bytes()) < 1000
    t0 = time.monotonic()
    inv = cmmm.load([path], now=NOW)
    assert time.monotonic() - t0 < 5
    assert any("alias expansion" in r.reason for r in inv.rejected), inv.rejected


def test_a_thousand_folders_deep(tmp_path: Path, chain: Chain) -> None:
    write(tmp_path / "top.pem", chain.leaves[0].pem)
    deep = tmp_path
    for _ in range(1000):
        deep = deep / "d"
        deep.mkdir()
    write(deep / "bottom.pem", chain.leaves[1].pem)
    try:
        inv = cmmm.load([tmp_path], now=NOW)
    finally:
        (deep / "bottom.pem").unlink()
        while deep != tmp_path:  # bottom up: shutil.rmtree (pytest's cleanup) recurses once per level
            deep.rmdir()
            deep = deep.parent
    assert len(inv.certificates) == 1
    assert any("folder depth" in r.reason for r in inv.rejected)


def test_sparse_and_nul_files_are_refused_without_reading_them(tmp_path: Path, chain: Chain) -> None:
    write(tmp_path / "ok.pem", chain.leaves[0].pem)
    sparse = tmp_path / "sparse.csv"
    with sparse.open("wb") as fh:
        fh.write(b"common_name,not_after\n")
        fh.truncate(1 << 30)  # 1 GiB, nearly all holes
    rows = b"".join(
        b"h%d.example,2027-01-01\n" % i for i in range(300)
    )  # the NULs start past the sniffed head
    write(
        tmp_path / "nul.csv", b"common_name,not_after\n" + rows + b"\0" * 10_000 + b"\na.example,2027-01-01\n"
    )
    t0 = time.monotonic()
    inv = cmmm.load([tmp_path], now=NOW)
    assert time.monotonic() - t0 < 10
    reasons = {Path(r.source).name: r.reason for r in inv.rejected}
    assert "sparse file" in reasons["sparse.csv"] and "NUL" in reasons["nul.csv"]
    assert len(inv.certificates) == 1


def test_a_million_columns_is_refused_fast(tmp_path: Path) -> None:
    header = "common_name,not_after," + ",".join(f"c{i}" for i in range(1_000_000))
    path = write(tmp_path / "wide.csv", header + "\na.example,2027-01-01\n")
    t0 = time.monotonic()
    inv = cmmm.load([path], now=NOW)
    assert time.monotonic() - t0 < 10
    assert any("column limit" in r.reason for r in inv.rejected), inv.rejected


@pytest.mark.parametrize("root", ["nmaprun", "bom"])
def test_a_doctype_after_a_mebibyte_of_comments_is_refused(tmp_path: Path, root: str) -> None:
    xmlns = ' xmlns="http://cyclonedx.org/schema/bom/1.6"' if root == "bom" else ""
    text = (
        '<?xml version="1.0"?>\n'
        + "<!-- "
        + "x" * (1 << 20)
        + " -->\n"
        + f'<!DOCTYPE {root} [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
        + f"<{root}{xmlns}>&e;</{root}>\n"
    )
    path = write(tmp_path / f"x.{'xml'}", text)
    batch = _guarded(Format.NMAP if root == "nmaprun" else Format.CYCLONEDX_CBOM, path)
    assert batch.rejected and "refused as unsafe" in batch.rejected[0].reason
    assert "root:" not in str(batch.rejected)


def test_nmaps_own_plain_doctype_still_passes(tmp_path: Path) -> None:
    path = write(
        tmp_path / "scan.xml", '<?xml version="1.0"?>\n<!DOCTYPE nmaprun>\n<nmaprun start="1"></nmaprun>\n'
    )
    batch = _guarded(Format.NMAP, path)
    assert not any("unsafe" in r.reason for r in batch.rejected)


def test_pkcs12_with_too_many_iterations_is_not_opened(tmp_path: Path) -> None:
    leaf = issue(cn="p12.example", not_before=NOW - timedelta(days=1), days=30)
    enc = (
        PrivateFormat.PKCS12.encryption_builder()
        .kdf_rounds(50_000)  # 0x00C350: three content octets, patched below to 0x7FFFFF
        .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
        .hmac_hash(hashes.SHA256())
        .build(b"pw")
    )
    data = pkcs12.serialize_key_and_certificates(b"x", leaf.key, leaf.cert, None, enc)
    hostile = data.replace(b"\x02\x03\x00\xc3\x50", b"\x02\x03\x7f\xff\xff")
    assert hostile != data
    path = write(tmp_path / "slow.p12", hostile)
    t0 = time.monotonic()
    fmt, batch = read_file(path, replace(CTX, passwords=("pw",)))
    assert time.monotonic() - t0 < 2
    assert fmt == "pkcs12" and "PKCS#12 iterations" in batch.rejected[0].reason
    assert MAX_PKCS12_ITERATIONS < 0x7FFFFF


def test_a_readers_defect_rejects_its_file_and_is_counted(
    tmp_path: Path, chain: Chain, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A reader with a bug (here: one that raises TypeError, standing in for a defect no real input should
    reach) rejects its own file only; the defect is counted and its traceback logged."""
    write(tmp_path / "ok.pem", chain.leaves[0].pem)
    write(tmp_path / "inv.csv", "common_name,not_after\na.example,2027-01-01\n")

    def broken(path: Path, ctx: ReadContext) -> Batch:
        raise TypeError("a defect")

    monkeypatch.setitem(INGESTERS, Format.CSV, replace(INGESTERS[Format.CSV], read=broken))
    with caplog.at_level(logging.DEBUG, logger="cmmm.ingest"):
        inv = cmmm.load([tmp_path], now=NOW, workers=1)
    assert len(inv.certificates) == 1
    (bad,) = inv.rejected
    assert "TypeError" in bad.reason and "defect" in bad.reason
    assert sum(s.defects for s in inv.sources) == 1
    assert any("Traceback" in (r.exc_text or "") or r.exc_info for r in caplog.records)


def _cmmm(args: list[str], env: dict[bytes, bytes] | None = None) -> subprocess.CompletedProcess[bytes]:
    base = {k.encode(): v.encode() for k, v in os.environ.items()}
    base[b"PYTHONPATH"] = str(ROOT).encode()
    return subprocess.run(
        [sys.executable.encode(), b"-m", b"cmmm", *(a if isinstance(a, bytes) else a.encode() for a in args)],
        env={**base, **(env or {})},
        capture_output=True,
        timeout=300,
        check=False,
    )


def test_non_utf8_file_name_and_password_reach_no_encoder(tmp_path: Path) -> None:
    folder = str(tmp_path).encode() + b"/caf\xe9"
    os.mkdir(folder)
    leaf = issue(cn="latin.example", not_before=NOW - timedelta(days=1), days=30)
    with open(folder + b"/caf\xe9.pem", "wb") as fh:
        fh.write(leaf.pem)
    with open(folder + b"/inv\xe9.csv", "wb") as fh:
        fh.write(b"common_name,not_after,issuer\nb.example,2027-01-01,CN=Evil\xef\xbf\xbeCA\n")
    stored = issue(cn="p12.example", not_before=NOW, days=30)
    p12 = pkcs12.serialize_key_and_certificates(
        b"x",
        stored.key,
        stored.cert,
        None,
        PrivateFormat.PKCS12.encryption_builder().kdf_rounds(2048).build(b"right"),
    )
    with open(folder + b"/store\xe9.p12", "wb") as fh:
        fh.write(p12)
    env = {b"CMMM_PKCS12_PASSWORDS": b"p\xff\nright"}  # a non-UTF-8 password beside the right one
    out = str(tmp_path).encode()
    for args in (
        [b"ingest", folder],
        [b"ingest", folder, b"--format", b"json"],
        [b"ingest", folder, b"-o", out + b"/inv.parquet"],
        [b"assess", folder, b"--format", b"markdown"],
        [b"report", folder, b"-o", out + b"/report.html"],
    ):
        res = _cmmm(args, env)
        assert res.returncode == 0, (args, res.stderr.decode(errors="replace"))
        assert b"Traceback" not in res.stderr and b"a defect in cmmm" not in res.stdout
        assert b"\xef\xbf\xbe" not in res.stdout  # U+FFFE shown as U+FFFD
    res = _cmmm([b"ingest", folder], env)
    assert b"caf\xef\xbf\xbd" in res.stdout or b"rejected" not in res.stdout
    assert b"PKCS#12 could not be opened" not in res.stdout  # the non-UTF-8 password opened it
    html = (tmp_path / "report.html").read_bytes()
    assert b"\xef\xbf\xbe" not in html and b"Evil" in html
