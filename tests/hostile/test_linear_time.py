"""Readers and sniffers in linear time (issue 19): PEM bundles of 5k and 20k blocks, unterminated BEGIN
lines, and every sniffer fed adversarial heads of growing length."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest

from cmmm.ingest import INGESTERS, ReadContext, detect
from cmmm.ingest.x509files import read_pem_data
from cmmm.lab.pki import issue
from tests.conftest import NOW

CTX = ReadContext(now=NOW)


def _best_of(fn: object, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        best = min(best, time.perf_counter() - t0)
    return best


def test_pem_bundle_time_grows_linearly() -> None:
    """5k vs 20k blocks: the ratio stays near 4 (the former line counting rescanned the bundle per block:
    8 s vs 84 s)."""
    pem = issue(cn="lin.example", not_before=NOW - timedelta(days=1), days=30).pem
    small, large = pem * 5_000, pem * 20_000
    t_small = _best_of(lambda: read_pem_data(Path("s.pem"), small, CTX), 2)
    t_large = _best_of(lambda: read_pem_data(Path("l.pem"), large, CTX), 1)
    assert t_large / t_small < 6.5, (t_small, t_large)


def test_forty_thousand_unterminated_blocks_are_fast() -> None:
    data = b"-----BEGIN CERTIFICATE-----\nMIIB\n" * 40_000
    t0 = time.perf_counter()
    batch = read_pem_data(Path("cut.pem"), data, CTX)
    assert time.perf_counter() - t0 < 5
    assert len(batch.rejected) == 40_000
    assert batch.rejected[1].locator == "line 3" and "no END line" in batch.rejected[1].reason


# Heads built to make a backtracking regex explode: repeated near-matches of the shapes sniffers look for.
ADVERSARIAL = {
    "hex-list": lambda n: b"[" + b'"aa:bb" ' * n + b"x",
    # the Vault sniffer's former regex: 98 bytes of this took 2 s, 122 bytes 97 s
    "hex-list-spaces": lambda n: b"[" + b'"aa:bb"     ' * n + b"x",
    "json-keys": lambda n: b"{" + b'"a": ' * n,
    "json-strings": lambda n: b'{"certificates": [' + b'"\\"' * n,
    "pem-begin": lambda n: b"-----BEGIN " * n,
    "pem-unterminated": lambda n: b"x\n-----BEGIN CERTIFICATE-----\n" * n,
    "xml-open": lambda n: b"<bom " * n,
    "xml-attrs": lambda n: b'<bom xmlns="' + b"http://cyclonedx.org/schema/bom/" * n,
    "yaml-keys": lambda n: b"- a:" * n,
    "yaml-nested": lambda n: b"kind: " + b" " * n + b"x",
    "csv-delims": lambda n: b",;|\t" * n + b"\n",
    "csv-quotes": lambda n: b'"' * n + b",",
    "dn": lambda n: b"CN=" + b"\\," * n,
    "spaces": lambda n: b" " * n + b"x",
    "colons": lambda n: b"a:" * n,
    "brackets": lambda n: b"[{" * n,
    "certbot": lambda n: b"Certificate Name: " + b"a" * n,
    "testssl": lambda n: b'[{"id": "' + b"cert" * n,
}


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_every_sniffer_is_linear_in_its_head(name: str) -> None:
    make = ADVERSARIAL[name]
    for key, ing in INGESTERS.items():
        short, long = make(2_000)[:65536], make(8_000)[:65536]
        t_short = _best_of(lambda: ing.sniff(Path("x.json"), short), 5)  # noqa: B023
        t_long = _best_of(lambda: ing.sniff(Path("x.json"), long), 5)  # noqa: B023
        # 4 times the input: linear is 4 times the time, quadratic 16; backtracking is seconds to hours.
        # The slack absorbs a shared machine's noise on millisecond timings.
        assert t_long < 1.0, (key, name, t_long)
        assert t_long < 12 * t_short + 0.05, (key, name, t_short, t_long)
    assert _best_of(lambda: detect(Path("x.json"), make(8_000)[:65536]), 1) < 1.0
