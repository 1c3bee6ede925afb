"""Generate the five sample organizations in sample_inventories/ from one seed, with real certificates.

    .venv/bin/python sample_inventories/generate.py            # (re)write all five + _truth/
    .venv/bin/python sample_inventories/generate.py --check    # regenerate into a temp dir, compare

Every certificate is real: CA hierarchies (public-CA look-alikes such as "ISRG Root X1" → "R11" and
"DigiCert Global Root G2" → "DigiCert Global G2 TLS RSA SHA256 2020 CA1", self-generated; and each
organization's private CA) issue leaves with `cryptography`. CSV rows carry the issuer name and serial
(and the SHA-256 fingerprint where the source would know it), so rows merge with PEM bodies on ingest.
All dates are relative to AS_OF; the structure (names, serials, dates, rows) depends only on SEED.

This file is the entry point. The building blocks (certificates, CAs, the public CA look-alikes, an
organization and its files) are in _world.py, the tools' own export formats in _exports.py, and each
organization in its own module: _level1_chaos.py … _level5_crypto_agile.py. Their names start with "_" so that
ingesting this folder skips them, as it skips generate.py.

Determinism:
- byte-identical on regeneration: every RSA/ECDSA certificate, every CSV, YAML and JSON file. EC keys
  are derived from seeded scalars, ECDSA signs per RFC 6979 (`ecdsa_deterministic=True`), RSA
  PKCS#1 v1.5 signatures are deterministic, and RSA keys come from a seeded prime pool
  (`cmmm.lab.pki.DeterministicKeys`: distinct moduli, but keys share prime factors — samples only).
- not byte-identical: ML-DSA-65 signatures (OpenSSL signs ML-DSA hedged/randomized; the keys are
  seeded, so subjects, serials, dates and public keys stay identical), hence the PEM files of the
  ML-DSA pilot chain; and the PKCS#12 file (random MAC salt). `--check` compares those by structure
  (subject, issuer, serial, validity and public key of every certificate inside) and everything else
  byte for byte; regenerating keeps such a file's old bytes when its structure is unchanged, so a
  regeneration with the same seed leaves `git status` clean. Their fingerprints are therefore left
  out of the CSVs: those rows match the PEM bodies by issuer and serial.

Ground truth for tests lives in _truth/<org>.json (folders starting with "_" are not ingested).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

HERE = Path(__file__).resolve().parent
# `cmmm` from this checkout and the generator's modules beside this file, wherever it is started from
sys.path[:0] = [str(HERE.parent), str(HERE)]

from _level1_chaos import level1  # noqa: E402
from _level2_aware import level2  # noqa: E402
from _level3_defined import level3  # noqa: E402
from _level4_agile import level4  # noqa: E402
from _level5_crypto_agile import level5  # noqa: E402
from _world import SEED, Org, World, iso  # noqa: E402

BUILDERS: dict[str, Callable[[World], Org]] = {
    "level1-chaos": level1,
    "level2-aware": level2,
    "level3-defined": level3,
    "level4-agile": level4,
    "level5-crypto-agile": level5,
}
ORGS = tuple(BUILDERS)


def generate(out: Path, seed: int = SEED) -> dict[str, dict[str, Any]]:
    """Write all five organizations and _truth/ under `out`; files no longer generated are removed.

    A PEM or PKCS#12 file whose certificates are unchanged in structure (see _structure) keeps its old
    bytes, so regenerating does not churn the randomized ML-DSA signatures and the PFX salt.
    """
    world = World(seed)
    truths: dict[str, dict[str, Any]] = {}
    for slug in ORGS:
        org = BUILDERS[slug](world)
        target = out / slug
        stale = {p for p in target.rglob("*") if p.is_file()} if target.exists() else set()
        for rel, data in sorted(org.files.items()):
            p = target / rel
            stale.discard(p)
            if p.exists() and _same(p.read_bytes(), data, p.suffix):
                continue
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)
        for p in stale:
            p.unlink()
        truths[slug] = org.truth()
    (out / "_truth").mkdir(parents=True, exist_ok=True)
    for slug, t in truths.items():
        (out / "_truth" / f"{slug}.json").write_text(
            json.dumps(t, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    return truths


def _same(old: bytes, new: bytes, suffix: str) -> bool:
    if old == new:
        return True
    return suffix in (".pem", ".pfx") and _structure(old, suffix) == _structure(new, suffix)


def _structure(data: bytes, suffix: str) -> list[tuple[str, ...]]:
    """Subject, issuer, serial, validity and public key of every certificate in a PEM or PKCS#12 file."""
    if suffix == ".pfx":
        p12 = pkcs12.load_pkcs12(data, None)
        certs = [c.certificate for c in ([p12.cert] if p12.cert else []) + list(p12.additional_certs)]
    else:
        certs = x509.load_pem_x509_certificates(data)
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    return [
        (
            c.subject.rfc4514_string(),
            c.issuer.rfc4514_string(),
            str(c.serial_number),
            iso(c.not_valid_before_utc),
            iso(c.not_valid_after_utc),
            c.public_key().public_bytes(serialization.Encoding.DER, spki).hex(),
        )
        for c in certs
    ]


def check(seed: int = SEED) -> list[str]:
    """Regenerate into a temporary folder and list every difference from the committed tree."""
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp), seed)
        for sub in (*ORGS, "_truth"):
            new_root, old_root = Path(tmp) / sub, HERE / sub
            new = {p.relative_to(new_root) for p in new_root.rglob("*") if p.is_file()}
            old = (
                {p.relative_to(old_root) for p in old_root.rglob("*") if p.is_file()}
                if old_root.exists()
                else set()
            )
            problems += [f"missing in the tree: {sub}/{p}" for p in sorted(new - old)]
            problems += [f"not generated: {sub}/{p}" for p in sorted(old - new)]
            for rel in sorted(new & old):
                a, b = new_root / rel, old_root / rel
                if _same(b.read_bytes(), a.read_bytes(), rel.suffix):
                    continue
                problems.append(f"differs: {sub}/{rel}")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument(
        "--check", action="store_true", help="regenerate into a temp dir and compare with the tree"
    )
    ap.add_argument("--out", type=Path, default=HERE, help="where to write (default: this folder)")
    args = ap.parse_args(argv)
    if args.check:
        problems = check()
        for p in problems:
            print(p)
        print("sample_inventories: " + ("up to date" if not problems else f"{len(problems)} difference(s)"))
        return 1 if problems else 0
    truths = generate(args.out)
    for slug, t in truths.items():
        print(f"{slug}: {t['expected']['certificates']} certificates")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
