"""The one place stages are combined: inventory summary, dependency graph, drills and the assessment (its
level-5 drills included) as one result, and that result as the report's view; a drill and an assessment as a
tabletop exercise package."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cmmm import drill
from cmmm._version import VERSION
from cmmm.drill import DrillResult
from cmmm.drill.engine import BlockMap
from cmmm.errors import InputError
from cmmm.maturity import Assessment, SimulatedEvidence, assess
from cmmm.maturity.partial import Census, Partial, merge, partial_of, with_cas
from cmmm.maturity.result import Simulator
from cmmm.model import Inventory
from cmmm.store import (
    CriterionState,
    Diff,
    SnapshotInfo,
    SnapshotMetrics,
    StoredEvidence,
    bucket_numbers,
    diff,
    read_cas,
    read_ordered,
    read_snapshot,
    select,
    snapshots,
    stored_evidence,
    write_snapshot,
)

# The report, the graph, the inventory summary, the lab and tabletop are imported where they are used:
# `cmmm assess --store` needs none of them (matplotlib and every reader cost more than its assessment).
if TYPE_CHECKING:
    from cmmm.graph import GraphSummary
    from cmmm.ingest.summary import InventorySummary
    from cmmm.lab import LabResult
    from cmmm.report import ReportView
    from cmmm.report.view import TrendSection
    from cmmm.tabletop import Package, Variant


@dataclass(frozen=True, slots=True, kw_only=True)
class PipelineResult:
    summary: InventorySummary
    graph: GraphSummary
    drills: tuple[DrillResult, ...]
    assessment: Assessment
    lab: LabResult | None = None


def run(
    inv: Inventory,
    *,
    now: datetime,
    scenarios: Sequence[str] = (),
    runs: int = 200,
    seed: int = 0,
    observed_at: datetime | None = None,
    lab: LabResult | None = None,
    blocks: BlockMap | None = None,
) -> PipelineResult:
    """Summarize the inventory and its graph, assess maturity (its level-5 drills included) and run each
    scenario (name or file) on `inv` at `now`, seeded. `observed_at`: when the inventory was taken (an
    earlier date looks ahead; see cmmm.maturity.assess). `lab`: a PQC lab result for this inventory — its
    measured handshakes replace the size table in the PQC drill and fill the report's lab section.
    `blocks`: where every drill's Monte Carlo blocks run (a Dask cluster); this process by default."""
    from cmmm.graph import summarize_graph
    from cmmm.ingest.summary import summarize
    from cmmm.lab import with_lab

    if lab is not None:
        inv = with_lab(inv, lab)
    drills = tuple(
        drill.run(inv, drill.load_scenario(s), now=now, runs=runs, seed=seed, blocks=blocks)
        for s in scenarios
    )
    simulate = drill_evidence if blocks is None else functools.partial(drill_evidence, blocks=blocks)
    assessment = assess(inv, now=now, observed_at=observed_at, simulate=simulate)
    return PipelineResult(
        summary=summarize(inv, now=now),
        graph=summarize_graph(inv),
        drills=drills,
        assessment=assessment,
        lab=lab,
    )


def report_view(
    result: PipelineResult, *, generated_at: datetime, trend: TrendSection | None = None
) -> ReportView:
    """The report's view of a pipeline result, with the store's trend when there is one."""
    from cmmm.report import build_view

    view = build_view(
        summary=result.summary,
        assessment=result.assessment,
        graph=result.graph,
        drills=result.drills,
        generated_at=generated_at,
        lab=result.lab,
    )
    return view if trend is None else dataclasses.replace(view, trend=trend)


def drill_evidence(
    criterion_id: str, inv: Inventory, now: datetime, blocks: BlockMap | None = None
) -> SimulatedEvidence | None:
    """The maturity assessment's simulated criteria, answered by running their drills (seeded); `blocks`:
    where their Monte Carlo runs (a Dask cluster, cmmm.distributed), this process by default."""
    found = drill.simulated_evidence(criterion_id, inv, now, blocks)
    if found is None:
        return None
    return SimulatedEvidence(
        value=found.value,
        threshold="",
        met=found.met,
        evidence=found.evidence,
        not_applicable=found.not_applicable,
    )


def snapshot_metrics(assessment: Assessment) -> SnapshotMetrics:
    """What a store keeps of an assessment for `history`, `diff` and the report's trend: the level, the
    score, the headline shares and counts, and every criterion's status (the simulated ones are the
    level-5 drills' verdicts)."""
    m = assessment.measures
    values: dict[str, float | None] = {
        "certificates": m.certificates,
        "end_entity": m.end_entity,
        "expired": m.expired,
        "expiring_30": m.expiring_30,
        "expiring_90": m.expiring_90,
        "automated_share": m.automated.value,
        "owner_known_share": m.owner_known.value,
        "quantum_vulnerable_share": m.quantum_vulnerable.value,
        "deprecated_share": m.deprecated.value,
        "auto_discovered_share": m.auto_discovered.value,
    }
    return SnapshotMetrics(
        level=assessment.level,
        score=assessment.score,
        values=values,
        criteria=tuple(
            CriterionState(
                id=c.criterion.id,
                level=c.criterion.level,
                evidence=c.criterion.evidence.value,
                status=c.status.value,
                met=c.status.met,
            )
            for c in assessment.criteria
        ),
    )


def store_snapshot(
    inv: Inventory,
    store: Path,
    *,
    now: datetime,
    written_at: datetime,
    assessed: bool = True,
    assessment: Assessment | None = None,
) -> SnapshotInfo:
    """Add `inv` to the store as a snapshot taken at `now`, with its assessment (drills included; the one
    given, or one made here) unless `assessed` is False (then the snapshot's level and score are unknown)."""
    kept: dict[str, SimulatedEvidence] = {}

    def recording(criterion_id: str, inv: Inventory, at: datetime) -> SimulatedEvidence | None:
        found = drill_evidence(criterion_id, inv, at)
        if found is not None and at == now:
            kept[criterion_id] = found
        return found

    if assessed and assessment is None:
        assessment = assess(inv, now=now, observed_at=now, simulate=recording)
    metrics = snapshot_metrics(assessment) if assessed and assessment is not None else None
    if metrics is not None and kept:
        metrics = dataclasses.replace(
            metrics,
            evidence=tuple(
                StoredEvidence(
                    criterion_id=cid,
                    value=e.value,
                    met=e.met,
                    evidence=e.evidence,
                    not_applicable=e.not_applicable,
                )
                for cid, e in kept.items()
            ),
            evaluated_at=now,
            cmmm_version=evidence_version(),
        )
    return write_snapshot(store, inv, taken_at=now, written_at=written_at, version=VERSION, metrics=metrics)


@functools.cache
def evidence_version() -> str:
    """The cmmm that computes the drills' evidence: its version and a digest of its code and catalogs, so
    evidence kept by a build with other drill code (a development tree) is never taken for this one's."""
    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.suffix in (".py", ".yaml", ".yml") and p.is_file()):
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    return f"{VERSION}+{h.hexdigest()[:12]}"


def stored_simulation(store: Path, snapshot: str, now: datetime, blocks: BlockMap | None = None) -> Simulator:
    """The simulator of an assessment of a stored snapshot at `now`: the level-5 drills' evidence kept with
    the snapshot when its assessment was made at that time by this cmmm (the drills are seeded: running them
    again gives the same answer), else the drills, run."""
    kept = stored_evidence(store, snapshot, evaluated_at=now, cmmm_version=evidence_version())

    def simulate(criterion_id: str, inv: Inventory, at: datetime) -> SimulatedEvidence | None:
        e = kept.get(criterion_id) if at == now else None
        if e is None:
            return drill_evidence(criterion_id, inv, at, blocks)
        return SimulatedEvidence(
            value=e.value, threshold="", met=e.met, evidence=e.evidence, not_applicable=e.not_applicable
        )

    return simulate


def store_diff(store: Path, a: str | None = None, b: str | None = None) -> Diff:
    """Snapshot `a` against `b` of a store (ids, dates or latest; default: the two latest)."""
    infos = snapshots(store)
    if len(infos) < 2 and (a is None or b is None):
        raise InputError(str(store), f"diff needs two snapshots; the store has {len(infos)}")
    first = select(infos, a, str(store)) if a is not None else infos[-2]
    second = select(infos, b, str(store)) if b is not None else infos[-1]
    return diff(read_snapshot(store, str(first.id)), read_snapshot(store, str(second.id)), a=first, b=second)


def store_trend(store: Path, snapshot: str = "latest") -> TrendSection | None:
    """The trend of a store up to the chosen snapshot (by the time they were taken); None with fewer than two."""
    from cmmm.report.history import trend_section

    infos = snapshots(store)
    upto = select(infos, snapshot, str(store))
    earlier = sorted(
        (i for i in infos if (i.taken_at, i.id) <= (upto.taken_at, upto.id)), key=lambda i: (i.taken_at, i.id)
    )
    return trend_section(tuple(earlier))


def earlier_state(inv: Inventory, at: datetime) -> Inventory:
    """The inventory as it stood at `at`, as far as its own dates tell: the certificates issued by then
    (notBefore on or before `at`, or unknown) and their observations. Certificates renewed since are not
    brought back (the inventory no longer has them). For the demo's history and for back-filling a store
    from one export."""
    certs = inv.certificates
    keep = (certs["not_before"].isna() | (certs["not_before"] <= at)).fillna(True).astype(bool)
    ids = certs.loc[keep, "cert_id"]
    obs = inv.observations[inv.observations["cert_id"].isin(ids).fillna(False).astype(bool)]
    kept = set(ids.dropna())
    return dataclasses.replace(
        inv,
        certificates=certs[keep].reset_index(drop=True),
        observations=obs.reset_index(drop=True),
        bodies={k: v for k, v in inv.bodies.items() if k in kept},
    )


DEMO_HISTORY_DAYS = (180, 90)  # the demo store's earlier snapshots, this many days before the as-of date


def demo_history(
    store: Path, inv: Inventory, assessment: Assessment, *, now: datetime
) -> TrendSection | None:
    """The demo's store, made afresh: `inv` as it stood DEMO_HISTORY_DAYS before `now` (earlier_state), then
    as it is (with `assessment`), one snapshot each — so the demo report has a trend and `cmmm diff` has
    something to say."""
    store.unlink(missing_ok=True)
    for days in DEMO_HISTORY_DAYS:
        at = now - timedelta(days=days)
        store_snapshot(earlier_state(inv, at), store, now=at, written_at=now)
    store_snapshot(inv, store, now=now, written_at=now, assessment=assessment)
    return store_trend(store)


def tabletop(
    inv: Inventory,
    scenario: str,
    *,
    now: datetime,
    generated_at: datetime,
    variant: Variant | None = None,
    runs: int = 300,
    seed: int = 0,
    snapshot: str | None = None,
) -> Package:
    """A tabletop exercise package: the scenario (name or file) with the facilitator's variant applied, its
    drill on `inv` and the assessment (without its level-5 drills, which the package does not show) as one
    package. The drill's timings are the package's clock; `snapshot` names a store's snapshot."""
    from cmmm.tabletop import Variant, build_package
    from cmmm.tabletop import apply as apply_variant

    sc, varied, changes = apply_variant(variant or Variant(), drill.load_scenario(scenario), inv, now)
    result = drill.run(varied, sc, now=now, runs=runs, seed=seed)
    assessment = assess(inv, now=now)
    return build_package(
        varied, result, assessment, generated_at=generated_at, changes=changes, snapshot=snapshot
    )


# ---------------------------------------------------------------- a dataset too large for one process
@dataclass(frozen=True, slots=True, kw_only=True)
class BucketJob:
    """One bucket of a dataset to count: where it is, the broadcast CA rows, and the dates."""

    path: Path
    bucket: int
    cas: pd.DataFrame
    ca_bodies: dict[str, bytes]
    ca_order: np.ndarray  # each CA row's place in the dataset
    now: datetime
    observed_at: datetime | None


def census_bucket(job: BucketJob) -> Partial:
    """A bucket's partial (what a worker computes): read it, dedup it, add the CA rows, count its own."""
    bucket, merged, order = read_ordered(job.path, [job.bucket])
    inv, own, places = with_cas(bucket, job.cas, job.ca_bodies, order=order, ca_order=job.ca_order)
    return partial_of(inv, own, places, now=job.now, observed_at=job.observed_at, merged=merged)


def census_dataset(
    path: Path,
    *,
    now: datetime,
    observed_at: datetime | None = None,
    shards: Callable[[Callable[[BucketJob], Partial], Sequence[BucketJob]], list[Partial]] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Census:
    """The census of the dataset at `path`, bucket by bucket: no process holds more than one bucket and the
    CA rows. `shards` runs the buckets (a Dask cluster's `Engine.shards`, whose workers see `path` as an
    absolute path); one after the other here by default, calling `progress(done, total)` after each. The result equals `census(read_dataset(path))`
    but for `merged`, the certificate rows the read's dedup merged (which the census reports)."""
    path = path.resolve()
    cas, ca_bodies, ca_order = read_cas(path)
    jobs = [
        BucketJob(
            path=path,
            bucket=b,
            cas=cas,
            ca_bodies=ca_bodies,
            ca_order=ca_order,
            now=now,
            observed_at=observed_at,
        )
        for b in bucket_numbers(path)
    ]
    if not jobs:
        raise InputError(str(path), "the dataset holds no certificate")
    if shards is not None:
        return merge(shards(census_bucket, jobs))
    parts = []
    for done, job in enumerate(jobs, 1):  # one bucket at a time: this process holds one
        parts.append(census_bucket(job))
        if progress is not None:
            progress(done, len(jobs))
    return merge(parts)
