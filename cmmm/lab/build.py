"""Candidate profiles and the test PKI of one hierarchy built in each: fresh keys and certificates in a folder.

Nothing here touches the inventory: every key is generated now, every certificate signed now, and both are
written under the output folder (keys 0600), one folder per hierarchy and profile.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path

from cmmm.errors import UsageError
from cmmm.export.atomic import write_text_atomic
from cmmm.lab.mirror import CaShape, HierarchyShape, LeafShape
from cmmm.lab.pki import Issued, issue, key_pem, make_key


class LabProfile(StrEnum):
    """The candidate algorithm profiles a hierarchy is rebuilt in (the baseline first)."""

    BASELINE = "baseline"
    ML_DSA_44 = "ML-DSA-44"
    ML_DSA_65 = "ML-DSA-65"
    ML_DSA_87 = "ML-DSA-87"
    COMPOSITE = "ML-DSA-65+ECDSA-P256"
    SLH_DSA = "SLH-DSA-SHA2-128s"


# Profile → the one key every CA and leaf gets (None: keep each certificate's algorithm of today).
PROFILE_KEYS: dict[LabProfile, str | None] = {
    LabProfile.BASELINE: None,
    LabProfile.ML_DSA_44: "ML-DSA-44",
    LabProfile.ML_DSA_65: "ML-DSA-65",
    LabProfile.ML_DSA_87: "ML-DSA-87",
}

PROFILE_DOCS: dict[LabProfile, str] = {
    LabProfile.BASELINE: "today's algorithms: each CA and leaf keeps its key type and size from the inventory",
    LabProfile.ML_DSA_44: "every CA and leaf on ML-DSA-44 (FIPS 204, NIST category 2; RFC 9881)",
    LabProfile.ML_DSA_65: "every CA and leaf on ML-DSA-65 (FIPS 204, NIST category 3; RFC 9881)",
    LabProfile.ML_DSA_87: "every CA and leaf on ML-DSA-87 (FIPS 204, NIST category 5; CNSA 2.0)",
    LabProfile.COMPOSITE: "composite ML-DSA-65 + ECDSA P-256 (draft-ietf-lamps-pq-composite-sigs)",
    LabProfile.SLH_DSA: "SLH-DSA-SHA2-128s (FIPS 205; RFC 9909)",
}

# What the bundled library cannot build, and why (checked against cryptography 50.0 / OpenSSL 4.0.3).
CANNOT_BUILD: dict[LabProfile, str] = {
    LabProfile.COMPOSITE: (
        "cannot be built: neither cryptography 50 nor the OpenSSL 4.0 it bundles implements the composite "
        "signatures of draft-ietf-lamps-pq-composite-sigs (no composite OID or key type in either library), "
        "and that OpenSSL has no TLS SignatureScheme for them, so a composite chain can be neither signed nor "
        "presented in a handshake"
    ),
    LabProfile.SLH_DSA: (
        "cannot be built: OpenSSL 4.0 implements SLH-DSA, but cryptography 50 exposes no SLH-DSA key type "
        "(only ML-DSA), so no SLH-DSA key can be generated or certificate signed through it"
    ),
}

DEFAULT_PROFILES = tuple(LabProfile)


def parse_profiles(names: Sequence[str]) -> tuple[LabProfile, ...]:
    """Profiles by name (case-insensitive), in catalog order; none given: all of them."""
    if not names:
        return DEFAULT_PROFILES
    known = {p.value.lower(): p for p in LabProfile}
    bad = [n for n in names if n.strip().lower() not in known]
    if bad:
        raise UsageError(f"unknown lab profile {bad[0]!r}; one of: {', '.join(p.value for p in LabProfile)}")
    wanted = {known[n.strip().lower()] for n in names}
    return tuple(p for p in LabProfile if p in wanted)


@dataclass(frozen=True, slots=True, kw_only=True)
class BuiltChain:
    """One representative leaf of one hierarchy in one profile, as files: the chain a server presents
    (leaf first, intermediates up to the top, not the top), its key, and the trust anchor."""

    hierarchy: str
    profile: LabProfile
    leaf: LeafShape
    chain_file: Path
    key_file: Path
    root_file: Path
    server_name: str
    leaf_key: str
    der_sizes: tuple[int, ...]  # leaf first, then each intermediate sent

    @property
    def label(self) -> str:
        return f"{self.leaf.common_name} ({self.leaf.shape})"


def slug(text: str) -> str:
    """A file-name-safe form of a certificate name (attacker-controlled text never reaches a path as is)."""
    s = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.").lower()
    return s[:60] or "unnamed"


def _digest(key: str) -> str:
    return {"EC-384": "sha384", "EC-521": "sha512"}.get(key, "sha256")


def server_name(leaf: LeafShape) -> str:
    """The name the client asks for: the first SAN (a wildcard's '*' replaced by a label)."""
    first = leaf.sans[0]
    return "lab" + first[1:] if first.startswith("*.") else first


def build(
    shape: HierarchyShape, profile: LabProfile, folder: Path, *, now: datetime
) -> tuple[BuiltChain, ...]:
    """Build the hierarchy in `profile` under `folder` (created): the top CA, every intermediate, each
    representative leaf, with fresh keys. Raises KeyError for a profile in CANNOT_BUILD."""
    pinned = PROFILE_KEYS[profile]
    folder.mkdir(parents=True, exist_ok=True)
    start = now - timedelta(hours=1)
    issued: dict[str, Issued] = {}
    kinds: dict[str, str] = {}
    for ca in shape.cas:
        issued[ca.ca_id] = _ca(ca, issued, kinds, pinned, start)
        write_text_atomic(folder / f"ca-{slug(ca.name)}.pem", issued[ca.ca_id].pem.decode("ascii"))
    root_file = folder / "root.pem"
    write_text_atomic(root_file, issued[shape.top].pem.decode("ascii"))
    parents = {c.ca_id: c.parent for c in shape.cas}
    out: list[BuiltChain] = []
    for i, leaf in enumerate(shape.leaves, start=1):
        key = pinned or leaf.key
        cert = issue(
            cn=leaf.common_name[:64],
            sans=leaf.sans,
            not_before=start,
            days=leaf.days,
            issuer=issued[leaf.issuer],
            key_kind=key,
            digest=_digest(kinds[leaf.issuer]),
            scts=(start, start) if shape.public else (),  # CT: at least two embedded SCTs on public leaves
        )
        chain = [cert]
        node: str | None = leaf.issuer
        while node is not None and node != shape.top:
            chain.append(issued[node])
            node = parents.get(node)
        base = folder / f"leaf-{i}-{slug(leaf.common_name)}"
        chain_file = base.with_name(base.name + "-chain.pem")
        key_file = base.with_name(base.name + "-key.pem")
        write_text_atomic(chain_file, "".join(c.pem.decode("ascii") for c in chain))
        write_text_atomic(key_file, key_pem(cert.key).decode("ascii"))
        os.chmod(key_file, 0o600)
        out.append(
            BuiltChain(
                hierarchy=shape.name,
                profile=profile,
                leaf=leaf,
                chain_file=chain_file,
                key_file=key_file,
                root_file=root_file,
                server_name=server_name(leaf),
                leaf_key=key,
                der_sizes=tuple(len(c.der) for c in chain),
            )
        )
    return tuple(out)


def _ca(
    ca: CaShape, issued: dict[str, Issued], kinds: dict[str, str], pinned: str | None, start: datetime
) -> Issued:
    """A CA certificate signed by its parent (self-signed at the top), hashed as its signer's key wants."""
    kinds[ca.ca_id] = pinned or ca.key
    signer = ca.parent if ca.parent in issued else ca.ca_id
    return issue(
        cn=ca.name[:64],
        not_before=start,
        days=ca.days,
        issuer=issued.get(ca.parent) if ca.parent else None,
        key=make_key(kinds[ca.ca_id]),
        ca=True,
        digest=_digest(kinds[signer]),
    )
