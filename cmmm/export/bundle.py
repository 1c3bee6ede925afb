"""The starter bundle `cmmm init` writes: a commented profile.yaml and policy.yaml, and a spreadsheet template.

The answers come from the command (asked, or the defaults); what the folder already holds (teams, issuing CAs)
fills the defaults. Every attested question init asks is answered in the file it writes — by default "no",
which claims nothing — so `cmmm assess` reports an answer, never "not answered", for each of them.
Nothing is overwritten: write_starter refuses before writing anything when one of its files exists.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from cmmm.errors import InputError
from cmmm.export.atomic import write_text_atomic
from cmmm.model import Inventory

PROFILE, POLICY = "profile.yaml", "policy.yaml"
# Starts with "_": a bundle's reader skips it (docs/bundle.md), so the template's example rows are never
# read as certificates. Fill it in and rename it certificates.csv.
SPREADSHEET = "_certificates-template.csv"
NEVER = "never"  # the answer to a dated question (last_fire_drill) that has no date yet

# What backs a "yes": the evidence reference a reviewer asks for (docs/maturity.md, "Attestations").
EVIDENCE_HINTS: dict[str, str] = {
    "periodic_discovery": "the scan schedule (cron job, scanner configuration)",
    "renewal_runbook": "the runbook's location (wiki page, repository path)",
    "itsm_integration": "a ticket an expiry alert opened",
    "documented_policy": "the approved policy document and its version",
    "last_fire_drill": "the drill's report or ticket",
    "mass_revocation_plan": "the plan document",
    "metrics_reviewed": "the review's minutes or dashboard",
    "issuance_policy_enforced": "the CA or CLM rule that blocks non-compliant requests",
    "hsm_ca_keys": "the HSM audit report",
    "automated_deployment": "the deployment pipeline",
    "infrastructure_as_code": "the repository with the certificate resources",
    "automated_revocation": "the revocation script or API integration",
    "mosca_assessed": "the assessment document",
    "pqc_migration_plan": "the migration plan document",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Question:
    """An attested question of the criteria catalog: its profile.yaml key, what it means, its level."""

    key: str
    title: str
    meaning: str
    level: int
    dated: bool  # the answer is a date (last_fire_drill), not yes/no

    @property
    def evidence_hint(self) -> str:
        return EVIDENCE_HINTS.get(self.key, "a document, ticket or URL")


@dataclass(frozen=True, slots=True, kw_only=True)
class Answer:
    answer: bool | str  # yes/no, or for a dated question an ISO date or NEVER
    on: date | None = None
    evidence: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TeamCapacity:
    name: str
    engineers: int
    hours_per_day: float


@dataclass(frozen=True, slots=True, kw_only=True)
class CaChoice:
    name: str
    type: str  # acme | public | private | cloud
    pre_approved: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Detected:
    """What a folder holds, as far as the starter bundle cares."""

    files: int
    certificates: int
    formats: tuple[tuple[str, int], ...]  # ingester → files
    teams: tuple[str, ...]  # most certificates first
    issuers: tuple[CaChoice, ...]  # issuing CAs of end-entity certificates, most used first
    has_profile: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Starter:
    organization: str
    teams: tuple[TeamCapacity, ...]
    approved_cas: tuple[CaChoice, ...]
    backup_cas: tuple[CaChoice, ...]
    ca_onboarding_days: int
    attested: dict[str, Answer]


def detect(inv: Inventory | None) -> Detected:
    """Teams and issuing CAs of an inventory (None: the folder holds none)."""
    if inv is None or not len(inv):
        n = len(inv.sources) if inv is not None else 0
        return Detected(files=n, certificates=0, formats=(), teams=(), issuers=(), has_profile=False)
    facts = inv.certificate_facts()
    leaves = facts[~facts["is_ca"].fillna(False).astype(bool)]
    teams = leaves["team"].dropna().astype(str).value_counts()
    issuers = (
        leaves.assign(kind=_ca_kind(leaves))
        .dropna(subset=["issuer_name"])
        .groupby(["issuer_name", "kind"], sort=False)
        .size()
        .sort_values(ascending=False, kind="stable")
    )
    formats: dict[str, int] = {}
    for s in inv.sources:
        formats[s.ingester] = formats.get(s.ingester, 0) + 1
    return Detected(
        files=len(inv.sources),
        certificates=len(inv),
        formats=tuple(sorted(formats.items(), key=lambda kv: (-kv[1], kv[0]))),
        teams=tuple(str(t) for t in teams.index[:8]),
        issuers=tuple(CaChoice(name=n, type=k) for n, k in _first_kind(issuers.index)[:5]),
        has_profile=inv.profile.found,
    )


def _first_kind(pairs: Sequence[tuple[object, object]]) -> list[tuple[str, str]]:
    """(issuer, kind) pairs, most used first, one per issuer: its most used kind."""
    seen: dict[str, str] = {}
    for name, kind in pairs:
        seen.setdefault(str(name), str(kind))
    return list(seen.items())


def _ca_kind(leaves: pd.DataFrame) -> pd.Series:
    kind = pd.Series("private", index=leaves.index, dtype=object)
    kind[leaves["trust"].astype("string").fillna("") == "public"] = "public"
    kind[leaves["automation"].astype("string").fillna("") == "acme"] = "acme"
    kind[leaves["automation"].astype("string").fillna("") == "cloud-managed"] = "cloud"
    return kind


def defaults(detected: Detected, questions: Sequence[Question], organization: str) -> Starter:
    """The answers of `cmmm init --defaults`: the folder's teams with one engineer two hours a day, its
    most-used issuing CAs approved, no backup CA, 30 days to onboard one, and "no" to every question."""
    teams = tuple(TeamCapacity(name=t, engineers=1, hours_per_day=2.0) for t in detected.teams) or (
        TeamCapacity(name="pki", engineers=1, hours_per_day=2.0),
    )
    return Starter(
        organization=organization,
        teams=teams,
        approved_cas=detected.issuers,
        backup_cas=(),
        ca_onboarding_days=30,
        attested={q.key: Answer(answer=NEVER if q.dated else False) for q in questions},
    )


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _q(text: str) -> str:
    """A YAML scalar in double quotes (names from the inventory are untrusted text)."""
    return '"' + re.sub(r"[\x00-\x1f\x7f]", " ", text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _answer(q: Question, a: Answer) -> str:
    if q.dated:
        value = a.answer if isinstance(a.answer, str) else NEVER
    else:
        value = "yes" if a.answer is True else "no"
    if a.on is None and not a.evidence:
        return value
    parts = [f"answer: {value}"]
    if a.on is not None:
        parts.append(f"date: {a.on.isoformat()}")
    if a.evidence:
        parts.append(f"evidence: {_q(a.evidence)}")
    return "{" + ", ".join(parts) + "}"


def profile_yaml(s: Starter, questions: Sequence[Question], detected: Detected) -> str:
    """profile.yaml with a comment on every field (docs/bundle.md documents them all)."""
    found = (
        f"# This folder held {_plural(detected.certificates, 'certificate')} in {_plural(detected.files, 'file')}"
        f" ({', '.join(f'{k} {n}' for k, n in detected.formats)}) when it was written.\n"
        if detected.certificates
        else "# This folder held no inventory when it was written.\n"
    )
    lines = [
        "# profile.yaml: the organization around the certificates (written by `cmmm init`).",
        "# Every field is documented in docs/bundle.md; `cmmm assess` reads this file from the bundle.",
        found.rstrip("\n"),
        f"organization: {_q(s.organization)}",
        "teams:                                # who replaces certificates in a drill, and how much time they have",
    ]
    for t in s.teams:
        lines += [
            f"  - name: {_q(t.name)}",
            f"    engineers: {t.engineers}",
            f"    hours_per_day: {t.hours_per_day:g}             # per engineer, for certificate work",
        ]
    if s.approved_cas:
        lines.append(
            "approved_cas:                         # CAs you may issue from today (acme | public | private | cloud)"
        )
        lines += [f"  - {{name: {_q(c.name)}, type: {c.type}}}" for c in s.approved_cas]
    else:
        lines.append(
            "approved_cas: []                      # CAs you may issue from today: - {name: ..., type: acme}"
        )
    if s.backup_cas:
        lines.append("backup_cas:                           # where certificates go if an approved CA fails")
        lines += [
            f"  - {{name: {_q(c.name)}, type: {c.type}, pre_approved: {'true' if c.pre_approved else 'false'}}}"
            for c in s.backup_cas
        ]
    else:
        lines.append(
            "backup_cas: []                        # where certificates go if an approved CA fails:"
            " - {name: ..., type: acme, pre_approved: true}"
        )
    lines += [
        f"ca_onboarding_days: {s.ca_onboarding_days}                 # lead time to onboard a CA that is not pre-approved",
        'attested:                             # answers only people can give; "no" claims nothing',
        "  # A yes counts toward a level; from level 4 it needs a date and an evidence reference:",
        '  #   hsm_ca_keys: {answer: yes, date: 2026-09-30, evidence: "HSM audit report AR-2026-11"}',
    ]
    for q in questions:
        a = s.attested.get(q.key, Answer(answer=NEVER if q.dated else False))
        what = "date of the last drill, or never" if q.dated else "yes or no"
        lines += [
            f"  # {q.title} (level {q.level}; {what}). Evidence: {q.evidence_hint}.",
            f"  {q.key}: {_answer(q, a)}",
        ]
    return "\n".join(lines) + "\n"


POLICY_TEXT = """\
# policy.yaml: the certificate policy `cmmm assess` checks every certificate against (written by `cmmm init`).
# Every field is documented in docs/bundle.md; `cmmm checks` lists the policy checks and their codes.
name: "Certificate policy (cmmm init defaults; review before relying on it)"
allowed_key_algorithms:               # families and minimum sizes allowed
  RSA: {min_size: 2048}
  EC: {curves: [secp256r1, secp384r1]}
  Ed25519: {}
  ML-DSA-65: {}
forbidden_signature_hashes: [md5, sha1]
approved_issuers: []                  # issuer names or organizations; empty: not checked
max_validity_days:
  public: cabf                        # the dated CA/Browser Forum caps (200 → 100 → 47 days)
  private: 397
wildcards:
  allowed: true
require_owner: true                   # every certificate needs an owner or team
"""

SPREADSHEET_TEXT = """\
common_name,sans,issuer,serial,not_before,not_after,key_algorithm,key_size,signature_algorithm,endpoints,service,owner,team,environment,criticality,automation,discovered_by
www.example.com,www.example.com;example.com,Let's Encrypt R11,04a1b2c3,2026-09-01,2026-11-30,EC,256,ecdsa-with-SHA256,www.example.com:443,web,alice@example.com,web-ops,prod,high,acme,network-scan
vpn.example.com,vpn.example.com,Example Issuing CA 1,1f2e3d,2025-06-01,2027-06-01,RSA,2048,sha256WithRSAEncryption,10.0.0.5:443,vpn,bob@example.com,infrastructure,prod,critical,manual,manual
"""


def write_starter(
    folder: Path, profile: str, *, spreadsheet: bool = False
) -> tuple[tuple[Path, ...], tuple[Path, ...]]:
    """Write profile.yaml, and policy.yaml and the spreadsheet template where none is there yet, into an
    existing folder. Returns (written, kept). An existing profile.yaml is never overwritten: InputError."""
    if (folder / PROFILE).exists() or (folder / PROFILE).is_symlink():
        raise InputError(
            str(folder / PROFILE), "already exists: cmmm init does not overwrite it (move it away first)"
        )
    files = {folder / PROFILE: profile, folder / POLICY: POLICY_TEXT}
    if spreadsheet:
        files[folder / SPREADSHEET] = SPREADSHEET_TEXT
    kept = tuple(p for p in files if p.exists() or p.is_symlink())
    written = tuple(p for p in files if p not in kept)
    for path in written:
        write_text_atomic(path, files[path])
    return written, kept
