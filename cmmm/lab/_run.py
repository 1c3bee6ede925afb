"""The lab run: mirror each private hierarchy, build it in each profile, measure handshakes, probe clients."""

from __future__ import annotations

import ipaddress
import math
import statistics
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
from cryptography import x509
from cryptography.x509 import verification

from cmmm.lab import compat, tls
from cmmm.lab.build import CANNOT_BUILD, DEFAULT_PROFILES, BuiltChain, LabProfile, build, slug
from cmmm.lab.mirror import HierarchyShape, shapes
from cmmm.lab.result import (
    COMPAT_COLUMNS,
    HIERARCHY_COLUMNS,
    MEASUREMENT_COLUMNS,
    VERDICT_COLUMNS,
    LabResult,
    LabVerdict,
)
from cmmm.model import Inventory

KEMS = ("x25519", "X25519MLKEM768", "SecP256r1MLKEM768")
DEFAULT_RUNS = 20


def _verify_ms(chain: BuiltChain, now: datetime, runs: int) -> float:
    """Median time of cryptography's RFC 5280 path validation of the chain against its root."""
    certs = x509.load_pem_x509_certificates(chain.chain_file.read_bytes())
    root = x509.load_pem_x509_certificate(chain.root_file.read_bytes())
    name = chain.server_name
    subject: Any
    try:
        subject = x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        subject = x509.DNSName(name)
    verifier = (
        verification.PolicyBuilder()
        .store(verification.Store([root]))
        .time(now)
        .build_server_verifier(subject)
    )
    times = []
    for _ in range(max(1, runs)):
        t0 = time.perf_counter()
        verifier.verify(certs[0], certs[1:])
        times.append((time.perf_counter() - t0) * 1000)
    return float(statistics.median(times))


def _measure(chain: BuiltChain, kem: str, runs: int, now: datetime) -> dict[str, Any]:
    row: dict[str, Any] = {
        "hierarchy": chain.hierarchy,
        "profile": chain.profile.value,
        "leaf": chain.leaf.common_name,
        "san_shape": chain.leaf.shape,
        "leaf_key": chain.leaf_key,
        "certificates_sent": len(chain.der_sizes),
        "chain_der_bytes": sum(chain.der_sizes),
        "kem": kem,
        "runs": runs,
        "error": None,
    }
    try:
        series = tls.measure(
            chain.chain_file, chain.key_file, chain.root_file, chain.server_name, kem, runs=runs
        )
    except tls.LabTLSError as exc:
        row["error"] = str(exc)
        return row
    first = series.first
    row.update(
        negotiated=first.group,
        hello_retry=first.hello_retry,
        client_hello_bytes=first.client_hello_bytes,
        certificate_bytes=first.certificate_bytes,
        certificate_verify_bytes=first.certificate_verify_bytes,
        server_flight_bytes=first.server_flight_bytes,
        round_trips=tls.round_trips(first.server_flight_bytes, first.hello_retry),
        handshake_ms_median=round(series.median("wall_ms"), 3),
        handshake_ms_p90=round(series.p90("wall_ms"), 3),
        client_cpu_ms_median=round(series.median("client_cpu_ms"), 3),
        client_cpu_ms_p90=round(series.p90("client_cpu_ms"), 3),
        server_cpu_ms_median=round(series.median("server_cpu_ms"), 3),
        server_cpu_ms_p90=round(series.p90("server_cpu_ms"), 3),
    )
    try:
        row["verify_ms_median"] = round(_verify_ms(chain, now, runs), 3)
    except verification.VerificationError as exc:
        row["error"] = f"cryptography's verifier refused the chain: {exc}"[:200]
    return row


def _verdict(
    shape: HierarchyShape, profile: LabProfile, rows: pd.DataFrame, probes: pd.DataFrame, baseline_rt: float
) -> dict[str, Any]:
    base = {"hierarchy": shape.name, "profile": profile.value}
    if shape.public:
        out = _judged(profile, rows, probes, baseline_rt, base)
        out["reason"] = f"{PUBLIC_NOTE}: {out['reason']}"
        return out
    return _judged(profile, rows, probes, baseline_rt, base)


# Why a public hierarchy's results are information, not a plan (DOMAIN §3, §5).
PUBLIC_NOTE = "for information only (public WebPKI: no root program admits ML-DSA, BR §6.1.5)"


def _judged(
    profile: LabProfile,
    rows: pd.DataFrame,
    probes: pd.DataFrame,
    baseline_rt: float,
    base: dict[str, Any],
) -> dict[str, Any]:
    if profile in CANNOT_BUILD:
        return {**base, "verdict": LabVerdict.CANNOT_BUILD.value, "reason": CANNOT_BUILD[profile]}
    failed = rows[rows["error"].notna()]
    accepted = ", ".join(probes.loc[probes["accepted"] == True, "client"])  # noqa: E712
    refused = probes[probes["accepted"] == False]  # noqa: E712
    rejected = "; ".join(f"{r.client} ({r.library}): {r.reason}" for r in refused.itertuples())
    common = {**base, "accepted_by": accepted, "rejected_by": rejected}
    if len(failed) == len(rows) or not len(rows):
        why = str(failed["error"].iloc[0]) if len(failed) else "nothing measured"
        return {**common, "verdict": LabVerdict.FAILS.value, "reason": why}
    ok = rows[rows["error"].isna()]
    classical = ok[ok["kem"] == "x25519"] if (ok["kem"] == "x25519").any() else ok
    rt = int(classical["round_trips"].max())
    out = {
        **common,
        "certificate_bytes": int(classical["certificate_bytes"].max()),
        "server_flight_bytes": int(classical["server_flight_bytes"].max()),
        "round_trips": rt,
        "baseline_round_trips": None if math.isnan(baseline_rt) else int(baseline_rt),
        "handshake_ms_median": float(classical["handshake_ms_median"].median()),
    }
    notes = (
        [f"{len(failed)} of {len(rows)} measurements failed: {failed['error'].iloc[0]}"]
        if len(failed)
        else []
    )
    if rejected:
        notes.append(f"clients that refuse it need an upgrade: {rejected}")
    if not math.isnan(baseline_rt) and rt > baseline_rt:
        notes.insert(
            0,
            f"the server flight ({out['server_flight_bytes']:,} B) needs {rt} round trips against {int(baseline_rt)} "
            f"today: past the {tls.INITIAL_WINDOW_BYTES:,}-byte initial window",
        )
        return {**out, "verdict": LabVerdict.EXTRA_ROUND_TRIP.value, "reason": "; ".join(notes)}
    notes.insert(
        0, f"verified handshakes in {rt} round trips ({out['server_flight_bytes']:,} B server flight)"
    )
    return {**out, "verdict": LabVerdict.WORKS.value, "reason": "; ".join(notes)}


def run(
    inv: Inventory,
    output: Path,
    *,
    now: datetime,
    hierarchies: Sequence[str] = (),
    profiles: Sequence[LabProfile] = DEFAULT_PROFILES,
    kems: Sequence[str] = KEMS,
    runs: int = DEFAULT_RUNS,
    clients: Sequence[compat.Client] = tuple(compat.Client),
    progress: Callable[[str], None] | None = None,
) -> LabResult:
    """Rebuild every private hierarchy of `inv` (or those named) in each profile under `output`, run `runs`
    verified loopback handshakes per representative leaf and key-exchange group, and probe `clients`.
    `inv` may come from files or, later, a store: only the Inventory is read."""
    found = shapes(inv, hierarchies)
    measurements: list[dict[str, Any]] = []
    verdicts: list[dict[str, Any]] = []
    probes: list[dict[str, Any]] = []
    skipped = list(found.skipped)
    for shape in found.hierarchies:
        baseline_rt = math.nan
        for profile in profiles:
            if profile in CANNOT_BUILD:
                verdicts.append(_verdict(shape, profile, pd.DataFrame(), pd.DataFrame(), baseline_rt))
                continue
            if progress is not None:
                progress(f"{shape.name}: {profile.value}")
            try:
                chains = build(shape, profile, output / slug(shape.name) / slug(profile.value), now=now)
            except (ValueError, OSError) as exc:
                skipped.append(f"{shape.name} in {profile.value}: cannot be built: {exc}")
                continue
            rows = [_measure(c, kem, runs, now) for c in chains for kem in kems]
            measurements.extend(rows)
            frame = pd.DataFrame(rows, columns=list(MEASUREMENT_COLUMNS))
            probed = [
                {"hierarchy": shape.name, "profile": profile.value, **_probe_row(p)}
                for p in (compat.probe(chains[0], tuple(clients)) if chains else ())
            ]
            probes.extend(probed)
            verdict = _verdict(
                shape, profile, frame, pd.DataFrame(probed, columns=list(COMPAT_COLUMNS)), baseline_rt
            )
            verdicts.append(verdict)
            if profile is LabProfile.BASELINE and verdict.get("round_trips") is not None:
                baseline_rt = float(verdict["round_trips"])
    return LabResult(
        generated_at=now,
        output=str(output),
        measurements=pd.DataFrame(measurements, columns=list(MEASUREMENT_COLUMNS)),
        verdicts=pd.DataFrame(verdicts, columns=list(VERDICT_COLUMNS)),
        compatibility=pd.DataFrame(probes, columns=list(COMPAT_COLUMNS)),
        hierarchies=pd.DataFrame([_shape_row(s) for s in found.hierarchies], columns=list(HIERARCHY_COLUMNS)),
        cannot_build={p.value: CANNOT_BUILD[p] for p in profiles if p in CANNOT_BUILD},
        skipped=tuple(skipped),
        environment={
            "host": "127.0.0.1",
            "runs": runs,
            "kems": list(kems),
            "initial_window_bytes": tls.INITIAL_WINDOW_BYTES,
            "libraries": {c.value: v for c, v in compat.libraries().items()},
        },
    )


def _probe_row(p: compat.Probe) -> dict[str, Any]:
    return {"client": p.client.value, "library": p.library, "accepted": p.accepted, "reason": p.reason}


def _shape_row(s: HierarchyShape) -> dict[str, Any]:
    return {
        "hierarchy": s.name,
        "trust": "public" if s.public else "private",
        "depth": s.depth,
        "intermediates": s.intermediates,
        "cas": "; ".join(c.name for c in s.cas),
        "leaves_mirrored": len(s.leaves),
        "certificates": s.certificates,
        "san_shapes": "; ".join(sorted({leaf.shape for leaf in s.leaves})),
    }
