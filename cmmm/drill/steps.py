"""The plan's steps: the issuance changes that do the work (one per ClusterIssuer, ACME account, ACM account,
Key Vault, Vault issuer, automation or manual team), trust-bundle distribution before them, revocation after
them; and the fallback for every certificate the median plan misses."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cmmm.drill.priority import NAMES_SHOWN, bounded, direct_clients
from cmmm.drill.result import FALLBACK_COLUMNS, STEP_COLUMNS
from cmmm.drill.scenario import Kind, Scenario
from cmmm.drill.selection import Selection
from cmmm.graph.hierarchy import hierarchy, node_depths
from cmmm.model import AUTOMATED, CRITICALITY_RANK, Criticality, Inventory, isin, remap
from cmmm.schedules import REVOCATION_HOURS


class Route(StrEnum):
    """How a certificate's replacement is issued: the one change that re-issues every certificate under it."""

    CERT_MANAGER = "cert-manager issuer"  # a ClusterIssuer or a namespaced Issuer (tags issuer_ref)
    ACME_ACCOUNT = "ACME account"  # certbot and other ACME clients (tags acme_server)
    ACM = "AWS ACM"  # tags arn=arn:aws:acm:<region>:<account>:certificate/…
    KEY_VAULT = "Azure Key Vault"  # location https://<vault>.vault.azure.net/certificates/…
    VAULT_PKI = "Vault PKI"  # location vault:<issuer>
    GCP_CERTIFICATE_MANAGER = (
        "Google Certificate Manager"  # location projects/<p>/locations/<l>/certificates/…
    )
    AUTOMATION = "automated renewal"  # automated, but the inventory does not say through which object
    MANUAL = "manual"


class Mode(StrEnum):
    """What the issuance change does in this scenario."""

    NEW_CA = "new CA"  # distrust, outage, PQC: issue from another CA
    SAME_CA = "same CA"  # mass revocation, algorithm sunset: re-issue (re-key) from the same CA
    RECHAIN = "re-chain"  # root expiry: same certificates, a chain to a current root


@dataclass(frozen=True, slots=True, kw_only=True)
class RouteText:
    """The instruction for each mode ({what} the object, {count} certificates, {scope}, {ca} the replacement
    CA, {old} the current CA), how to verify it, how to roll it back."""

    new_ca: str
    same_ca: str
    rechain: str
    verify: str
    rollback: str


_KEEP = "the old certificates stay deployable until the revocation step"

ROUTES: dict[Route, RouteText] = {
    Route.CERT_MANAGER: RouteText(
        new_ca="Re-point {what} ({count}{scope}) to {ca}; cert-manager re-issues every Certificate that uses it",
        same_ca="Re-issue the {count} of {what}{scope} from {old} (`cmctl renew` per namespace)",
        rechain="Put the chain to the current root into {what} ({count}{scope}) and re-issue",
        verify="`kubectl get certificate -A`: every Certificate Ready with the new issuer; "
        "`openssl s_client -showcerts` on one endpoint per namespace",
        rollback="Re-apply the saved manifest of {what} and re-issue; " + _KEEP,
    ),
    Route.ACME_ACCOUNT: RouteText(
        new_ca="Point the ACME clients of {what} ({count}{scope}) at {ca}'s ACME directory and force renewal",
        same_ca="Force renewal of the {count} of {what}{scope} (`certbot renew --force-renewal` or equivalent)",
        rechain="Set the ACME clients of {what} ({count}{scope}) to the chain to the current root and renew",
        verify="`openssl s_client -showcerts` on each location: the new issuer and a full chain",
        rollback="Point the clients back at the previous directory and re-install the previous files; "
        + _KEEP,
    ),
    Route.ACM: RouteText(
        new_ca="Request {count} replacements{scope} in {what} from {ca} and re-associate every resource "
        "that uses them (load balancers, CloudFront, API Gateway)",
        same_ca="Renew the {count} of {what}{scope} (`aws acm renew-certificate`, or request anew) and check "
        "every attached resource",
        rechain="Re-import the {count} of {what}{scope} with the chain to the current root",
        verify="`aws acm describe-certificate`: ISSUED and InUseBy lists every resource; `openssl s_client`",
        rollback="Re-associate the resources with the previous certificate ARN; " + _KEEP,
    ),
    Route.KEY_VAULT: RouteText(
        new_ca="Change the issuer of the {count} certificate policies of {what}{scope} to {ca} and create new "
        "versions",
        same_ca="Create new versions of the {count} of {what}{scope}",
        rechain="Merge the chain to the current root into the {count} of {what}{scope}",
        verify="`az keyvault certificate show`: a new enabled version from the new issuer, picked up by its users",
        rollback="Re-enable the previous certificate version (Key Vault keeps them); " + _KEEP,
    ),
    Route.VAULT_PKI: RouteText(
        new_ca="Make {ca} the default issuer of {what} ({count}{scope}) and let Vault Agent re-issue",
        same_ca="Re-issue the {count} of {what}{scope} (trigger the Vault Agent templates)",
        rechain="Set the chain to the current root on {what} ({count}{scope}) and re-issue",
        verify="`vault list` on the mount shows the new serials; `openssl s_client` on the locations",
        rollback="Make the previous issuer the default again; " + _KEEP,
    ),
    Route.GCP_CERTIFICATE_MANAGER: RouteText(
        new_ca="Re-create the {count} of {what}{scope} with an issuance config for {ca} and update the maps",
        same_ca="Re-create the {count} of {what}{scope}",
        rechain="Upload the {count} of {what}{scope} with the chain to the current root",
        verify="`gcloud certificate-manager certificates describe`: ACTIVE; `openssl s_client` on the locations",
        rollback="Point the certificate map entries back at the previous certificates; " + _KEEP,
    ),
    Route.AUTOMATION: RouteText(
        new_ca="Switch {what} ({count}{scope}) to {ca} in one configuration change and trigger renewal",
        same_ca="Trigger renewal of {what} ({count}{scope})",
        rechain="Configure {what} ({count}{scope}) to serve the chain to the current root and renew",
        verify="`openssl s_client -showcerts` on each location: the new issuer and a full chain",
        rollback="Restore the previous configuration; " + _KEEP,
    ),
    Route.MANUAL: RouteText(
        new_ca="{what}: re-issue {count} by hand from {ca}{scope} — CSR, order, install, reload",
        same_ca="{what}: re-issue {count} by hand from {old}{scope} — CSR, order, install, reload",
        rechain="{what}: install the chain to the current root on {count}{scope} and reload",
        verify="`openssl s_client -showcerts` on each location in the plan",
        rollback="Re-install the saved old certificate, key and chain and reload; " + _KEEP,
    ),
}

_TAG_KEYS = ("issuer_ref", "acme_server", "arn", "k8s_secret")
_K8S = re.compile(r"^k8s:([^/]+)/")
_ACM_ARN = re.compile(r"^arn:aws:acm:([^:]*):([^:]*):")
_KEY_VAULT = re.compile(r"^https://([^./]+)\.vault\.azure\.net/", re.IGNORECASE)
_GCP = re.compile(r"^projects/([^/]+)/locations/([^/]+)/certificates/")


def member(column: pd.Series, values: pd.Series) -> np.ndarray:
    """column.isin(values), a missing cell never a member: the test runs in Arrow (cmmm.model.isin) when
    both are text — pandas' isin on Arrow strings converts every value to a scalar one by one."""
    text = column.astype("string")
    return isin(text, values.astype("string").dropna()) & text.notna().to_numpy(dtype=bool)


def _listed(names: list[str], shown: int = NAMES_SHOWN) -> str:
    return bounded(names, shown, sep=", ")


# ---------------------------------------------------------------- routes: which change re-issues a certificate
def routes(inv: Inventory, plan: pd.DataFrame, automated: np.ndarray) -> pd.DataFrame:
    """Per plan row (same order): route, target (the object changed, e.g. ClusterIssuer/x) and namespace."""
    facts = _tag_facts(inv, plan["cert_id"])
    old = _old_ca(plan)
    team = ("team " + plan["team"].astype("string")).fillna(
        "owner unknown, team " + pd.Series(plan["capacity_team"], dtype="string")
    )
    route: np.ndarray = np.full(len(plan), Route.MANUAL.value, dtype=object)
    target = team.to_numpy(dtype=object)
    rules = (
        (facts["issuer_ref"], Route.CERT_MANAGER, facts["issuer_ref"]),
        (facts["acme_server"], Route.ACME_ACCOUNT, "ACME account at " + facts["acme_server"]),
        (facts["acm"], Route.ACM, "ACM " + facts["acm"]),
        (facts["key_vault"], Route.KEY_VAULT, "Key Vault " + facts["key_vault"]),
        (facts["vault"], Route.VAULT_PKI, "Vault PKI issuer " + facts["vault"]),
        (facts["gcp"], Route.GCP_CERTIFICATE_MANAGER, "Certificate Manager " + facts["gcp"]),
    )
    done = ~automated.copy()
    for present, r, text in reversed(rules):  # the first rule wins: applied last
        hit = present.notna().to_numpy(dtype=bool) & automated
        route = np.where(hit, r.value, route)
        target = np.where(hit, text.astype(object).to_numpy(), target)
        done |= hit
    generic = ~done
    label = plan["method"].astype("string") + " renewals of " + old.astype("string") + " certificates"
    route = np.where(generic, Route.AUTOMATION.value, route)
    target = np.where(generic, label.to_numpy(dtype=object), target)
    return pd.DataFrame({"route": route, "target": target, "namespace": facts["namespace"].to_numpy()})


def _tag_facts(inv: Inventory, cert_ids: pd.Series) -> pd.DataFrame:
    """Per certificate (aligned with cert_ids): the first issuer_ref, acme_server, ACM account/region, Key
    Vault, Vault issuer, Certificate Manager project and Kubernetes namespace its observations name."""
    obs = inv.observations[["cert_id", "tags", "location"]]
    obs = obs[(obs["tags"].notna() | obs["location"].notna()).to_numpy(dtype=bool)]
    obs = obs[member(obs["cert_id"], cert_ids)].reset_index(drop=True)  # _extract reindexes by position
    tags = obs["tags"].astype("string")
    loc = obs["location"].astype("string")
    found = pd.DataFrame({"cert_id": obs["cert_id"].astype("string")}, index=obs.index)
    for key in _TAG_KEYS:
        found[key] = _extract(tags, f"{key}=", rf"(?:^|;){key}=([^;]+)")
    arn = _extract(tags, "arn:aws:acm:", _ACM_ARN, groups=2, within=found.pop("arn"))
    found["acm"] = (arn[1] + " " + arn[0]).where(arn[0].notna())
    secret_ns = _extract(tags, "/", r"^([^/]+)/", within=found.pop("k8s_secret"))
    found["namespace"] = _extract(loc, "k8s:", _K8S).fillna(secret_ns)
    found["key_vault"] = _extract(loc, ".vault.azure.net/", _KEY_VAULT, case=False)
    found["vault"] = _extract(loc, "vault:", r"^vault:(.+)$")
    gcp = _extract(loc, "projects/", _GCP, groups=2)
    found["gcp"] = (gcp[0] + "/" + gcp[1]).where(gcp[0].notna())
    ref = found["issuer_ref"]
    namespaced = ref.str.startswith("Issuer/").fillna(False)
    found["issuer_ref"] = ref.mask(namespaced, "Issuer " + found["namespace"].fillna("?") + "/" + ref.str[7:])
    ids = cert_ids.astype("string").reset_index(drop=True)
    out = {}
    for col in found.columns.drop("cert_id"):
        got = found[["cert_id", col]].dropna().drop_duplicates("cert_id")
        if got.empty:  # nothing named: no lookup of every certificate id
            out[col] = pd.Series(pd.NA, index=ids.index, dtype="string")
            continue
        where = positions_in(ids, got["cert_id"])
        out[col] = pd.Series(got[col].astype("string").array.take(where, allow_fill=True), index=ids.index)
    return pd.DataFrame(out)


def positions_in(ids: pd.Series, keys: pd.Series) -> np.ndarray:
    """Per id: its position in `keys` (distinct text), -1 where absent or missing — found in Arrow, not by
    probing a pandas index with a million Python strings."""
    data = pa.chunked_array(ids.astype("string").array.__arrow_array__())
    value_set = (
        pa.chunked_array(keys.astype("string").array.__arrow_array__()).combine_chunks().cast(data.type)
    )
    at = pc.index_in(data, value_set=value_set, skip_nulls=True)
    return np.asarray(pc.fill_null(at, -1).to_numpy(zero_copy_only=False), dtype=np.int64)


def _extract(
    col: pd.Series,
    marker: str,
    pattern: str | re.Pattern[str],
    *,
    groups: int = 1,
    case: bool = True,
    within: pd.Series | None = None,
) -> Any:
    """col.str.extract(pattern) (of `within` when given), run only on the cells holding `marker`: the
    others cannot match, and most observations hold none of these markers (a regex over a million cells
    each costs a quarter of a second)."""
    src = col if within is None else within
    hit = src.str.contains(marker, case=case, regex=False).fillna(False).to_numpy(dtype=bool)
    sub = src[hit].str.extract(pattern, expand=groups > 1)
    return sub.reindex(src.index)


def _old_ca(plan: pd.DataFrame) -> pd.Series:
    """The CA that issues a certificate today, as an ACME account knows it (its organization) or by name."""
    org = plan["issuer_org"].astype("string")
    name = plan["issuer_name"].astype("string")
    acme = (plan["method"].astype("string") == "acme").fillna(False)
    return org.where(acme & org.notna(), name.fillna(org)).fillna("unknown CA").reset_index(drop=True)


# ---------------------------------------------------------------- steps
def mode(scenario: Scenario, sel: Selection) -> Mode:
    if not sel.needs_issuance:
        return Mode.RECHAIN
    if sel.needs_new_ca or sel.needs_pqc_ca or scenario.kind is Kind.CA_OUTAGE:
        return Mode.NEW_CA
    return Mode.SAME_CA


def issuance_steps(plan: pd.DataFrame, route: pd.DataFrame, how: Mode) -> pd.DataFrame:
    """One step per issuance change (route, target and replacement CA), in the order of the most urgent
    certificate under it. `plan` carries the plan columns plus issuer_name/issuer_org."""
    rows = plan.assign(
        route=route["route"].to_numpy(),
        target=route["target"].to_numpy(),
        namespace=route["namespace"].to_numpy(),
        old=_old_ca(plan).to_numpy(),
        rca=plan["replacement_ca"].astype("string").fillna("").to_numpy(),
    )
    out = [_step(g, how) for _, g in rows.groupby(["route", "target", "rca"], sort=False, dropna=False)]
    steps = pd.DataFrame(out)
    if not len(steps):
        return pd.DataFrame(columns=[*STEP_COLUMNS, "first"])
    return steps.sort_values("first", kind="stable").reset_index(drop=True)


def _step(g: pd.DataFrame, how: Mode) -> dict[str, Any]:
    r = Route(g["route"].iloc[0])
    text = ROUTES[r]
    count = len(g)
    noun = "certificate" if count == 1 else "certificates"
    what = str(g["target"].iloc[0])
    ca = str(g["rca"].iloc[0]) or "a CA still to be onboarded"
    template = {Mode.NEW_CA: text.new_ca, Mode.SAME_CA: text.same_ca, Mode.RECHAIN: text.rechain}[how]
    fields = {"what": what, "count": f"{count:,} {noun}", "scope": _scope(g, r), "ca": ca}
    fields["old"] = _listed(_names(g["old"]), 2)
    services = _names(g["service"])
    return {
        "kind": "manual" if r is Route.MANUAL else "issuer change",
        "title": template.format(**fields),
        "mechanism": r.value,
        "target": what,
        "certificates": count,
        "late": int((~g["on_time"].astype(bool)).sum()),
        "services": _listed(services),
        "team": _listed(_names(g["capacity_team"])),
        "replacement_ca": g["rca"].iloc[0] or None,
        "planned_start": g["planned_start"].min(),
        "planned_finish": g["planned_finish"].max(),
        "deadline": g["deadline"].min(),
        "verify": text.verify,
        "rollback": text.rollback.format(**fields),
        "first": int(g["priority"].min()),
        "key": f"{r.value}|{what}|{g['rca'].iloc[0]}",
    }


def _names(values: pd.Series) -> list[str]:
    """The distinct non-missing values, sorted."""
    return sorted(str(v) for v in pd.unique(values.dropna().to_numpy()))


def _scope(g: pd.DataFrame, r: Route) -> str:
    """' in namespaces a, b (+N more)' for Kubernetes, else ' of services …' (empty when unknown)."""
    if r is Route.CERT_MANAGER:
        ns = _names(g["namespace"])
        if ns:
            return " in namespace" + ("s " if len(ns) > 1 else " ") + _listed(ns)
    services = _names(g["service"])
    if services:
        return " of service" + ("s " if len(services) > 1 else " ") + _listed(services)
    return ""


# ---------------------------------------------------------------- trust bundles
def trust_steps(inv: Inventory, plan: pd.DataFrame, route: pd.DataFrame, how: Mode) -> list[dict[str, Any]]:
    """Before the first re-issue from a new CA (or a re-chain to a new root): which trust stores need the new
    root or intermediate. One step per replacement CA."""
    if how is Mode.SAME_CA or not len(plan):
        return []
    out = []
    cas = plan["replacement_ca"].astype("string").fillna("")
    for ca in sorted(set(cas)) if how is Mode.NEW_CA else [""]:
        rows = (cas == ca).to_numpy(dtype=bool) if how is Mode.NEW_CA else np.ones(len(plan), bool)
        out.append(_trust_step(inv, plan[rows], route[rows], ca, how))
    return out


def _trust_step(
    inv: Inventory, plan: pd.DataFrame, route: pd.DataFrame, ca: str, how: Mode
) -> dict[str, Any]:
    services = _names(plan["service"])
    clients = direct_clients(inv, services)
    ns = _names(route["namespace"])
    public = bool((plan["trust"].astype("string") == "public").fillna(False).all())
    anchor = _anchor(inv, plan, ca) if how is Mode.NEW_CA else "the current root (and any cross-sign)"
    stores = []
    if clients:
        stores.append("the clients of the affected services: " + _listed(clients))
    if ns:
        stores.append("the trust bundles of namespaces " + _listed(ns) + " (trust-manager)")
    stores.append("pinned or private trust stores (mobile apps, Java trust stores, partner allow-lists)")
    where = "; ".join(stores)
    lead = "Browsers and operating systems already trust a public CA; add " if public else "Add "
    return {
        "kind": "trust bundle",
        "title": f"{lead}{anchor} to {where} — before the first re-issue",
        "mechanism": "trust bundle",
        "target": ca or "current root",
        "certificates": len(plan),
        "late": 0,
        "services": _listed(clients),
        "team": _listed(_names(plan["capacity_team"])),
        "replacement_ca": ca or None,
        "planned_start": plan["planned_start"].min(),
        "planned_finish": pd.NaT,
        "deadline": plan["planned_start"].min(),
        "verify": "from one client of each service: `openssl s_client -CAfile <bundle>` against a test "
        "certificate of the new CA",
        "rollback": "Adding a trust anchor is additive: keep the old one until the revocation step; remove "
        "only the new one if a client breaks",
    }


def _anchor(inv: Inventory, plan: pd.DataFrame, ca: str) -> str:
    """What changes for relying parties: a new root, or only a new intermediate beneath the same root."""
    if not ca:
        return "the root and intermediate of the CA still to be onboarded"
    h = hierarchy(inv)
    nodes = h.nodes
    tops = node_depths(inv).set_index("ca_id")["tops"]
    mine = nodes.loc[nodes["name"].astype("string").str.lower() == ca.lower(), "ca_id"]
    new_tops = {t for c in mine for t in str(tops.get(c, "") or "").split(";") if t}
    mine_rows = member(inv.certificates["cert_id"], plan["cert_id"])
    issuers = set(pd.unique(h.issuer[mine_rows].dropna().to_numpy()))
    old_tops = {t for c in issuers for t in str(tops.get(c, "") or "").split(";") if t}
    names = dict(zip(nodes["ca_id"], nodes["name"].astype("string").fillna("?"), strict=True))
    if new_tops and new_tops <= old_tops:
        root = ", ".join(sorted(str(names.get(t, t)) for t in new_tops))
        return f"the intermediate {ca} (same root: {root}; servers must send the full chain)"
    if new_tops and set(mine) <= new_tops:
        return f"the root {ca} (it issues directly)"
    if new_tops:
        root = ", ".join(sorted(str(names.get(t, t)) for t in new_tops))
        return f"the root {root} and the intermediate {ca}"
    return f"the root and intermediate of {ca} (not in this inventory: get them from the CA)"


# ---------------------------------------------------------------- revocation
@dataclass(frozen=True, slots=True, kw_only=True)
class Revocation:
    """When the old certificates are revoked: by `hours` after the start (None: the certificate's own
    deadline, when `per_certificate`), whether it is an obligation, and the sentence that says so."""

    required: bool
    hours: float | None
    per_certificate: bool
    text: str


# Kinds without a revocation of their own (docs/drills.md, "The plan": Revocation).
_NO_REVOCATION = {
    Kind.CA_OUTAGE: "Nothing to revoke: the old certificates expire on their own while the CA is down.",
    Kind.ROOT_EXPIRY: "Nothing to revoke: the certificates stay, only their chain changes.",
    Kind.VALIDITY_CAP: "Nothing to revoke: renewals replace certificates as they expire.",
}
_RETIRE = (
    "No revocation deadline ({why}): revoke each old certificate once its replacement is verified, and by "
    "its deadline at the latest"
)


def revocation(scenario: Scenario) -> Revocation:
    """The revocation rule of a scenario, from BR §4.9.1 (cmmm.schedules.REVOCATION_HOURS, DOMAIN §2)."""
    kind = scenario.kind
    if kind in _NO_REVOCATION:
        return Revocation(required=False, hours=None, per_certificate=False, text=_NO_REVOCATION[kind])
    if kind is Kind.MASS_REVOCATION:
        fast = scenario.deadline_hours <= REVOCATION_HOURS["key_compromise"]
        rule = (
            "24 hours for key compromise or failed domain validation"
            if fast
            else "5 days for other misissuance"
        )
        return Revocation(
            required=True,
            hours=None,
            per_certificate=True,
            text=f"The CA revokes the old certificates at their deadline (BR §4.9.1.1: {rule}); revoke each "
            "one yourself as soon as its replacement is verified, and confirm with the CA which ones got an "
            "extension.",
        )
    if kind is Kind.CA_DISTRUST and not scenario.parameters.get("clients") and not scenario.replays:
        hours = float(REVOCATION_HOURS["subordinate_ca"])
        return Revocation(
            required=True,
            hours=hours,
            per_certificate=False,
            text="Revoke each old certificate as soon as its replacement is verified; the compromised CA "
            f"certificate itself within {hours / 24:.0f} days (BR §4.9.1.2), which ends every certificate "
            "still beneath it; then remove the CA from the trust bundles.",
        )
    why = {
        Kind.CA_DISTRUST: "the root programs stop trusting the CA; nobody revokes for you",
        Kind.ALGORITHM_SUNSET: "a sunset is not a BR revocation event",
        Kind.PQC_MIGRATION: "a migration deadline is policy, not a BR revocation event",
    }.get(kind, "no BR revocation event")
    return Revocation(required=False, hours=None, per_certificate=True, text=_RETIRE.format(why=why) + ".")


def revoke_by(rule: Revocation, now: pd.Timestamp, deadline: pd.Series) -> pd.Series:
    """Per certificate: when its old certificate must be revoked (NaT: no deadline)."""
    if rule.hours is not None:
        return pd.Series(now + pd.Timedelta(hours=rule.hours), index=deadline.index)
    if rule.per_certificate:
        return deadline.copy()
    return pd.Series(pd.NaT, index=deadline.index, dtype=deadline.dtype)


def revocation_step(plan: pd.DataFrame, rule: Revocation, after: list[int]) -> dict[str, Any] | None:
    if not len(plan) or not (rule.required or rule.per_certificate):
        return None
    old = _listed(_names(_old_ca(plan)), 3)
    return {
        "kind": "revocation",
        "title": f"Revoke the {len(plan):,} old certificates of {old}, each once its replacement is verified",
        "mechanism": "revocation" if rule.required else "retirement",
        "target": old,
        "certificates": len(plan),
        "late": 0,
        "services": _listed(_names(plan["service"])),
        "team": _listed(_names(plan["capacity_team"])),
        "replacement_ca": None,
        "after_steps": ";".join(str(s) for s in after),
        "planned_start": plan["planned_finish"].min(),
        "planned_finish": plan["planned_finish"].max(),
        "deadline": plan["revoke_by"].min(),
        "verify": "the CA's revocation list or OCSP answers `revoked` for every old serial",
        "rollback": "None once revoked: roll back before this step (every earlier step says how)",
    }


# ---------------------------------------------------------------- fallbacks for misses
class Fallback(StrEnum):
    EXTENSION = "extension request"
    ACCEPTED = "accepted exposure"
    EMERGENCY = "emergency change"


# When asking for more time is possible at all (DOMAIN §2, §6).
_EXTENSION_PUBLIC = {
    Kind.MASS_REVOCATION: "ask the CA now to delay revocation: BR §4.9.1.1 allows none, but CAs have "
    "delayed for critical infrastructure under a public incident report (DigiCert 2024: up to about 5 days)",
    Kind.PQC_MIGRATION: "a dated exception from the migration deadline, signed by the risk owner",
}
_EXTENSION_PRIVATE = {
    Kind.MASS_REVOCATION: "our own CA: a dated exception from the revocation policy, signed by the PKI owner",
    Kind.ALGORITHM_SUNSET: "our own CA: a dated exception from the algorithm policy, signed by the PKI owner",
    Kind.PQC_MIGRATION: "a dated exception from the migration deadline, signed by the risk owner",
}


def fallbacks(plan: pd.DataFrame, kind: Kind) -> pd.DataFrame:
    """One row per certificate the median plan misses, with its fallback: accepted exposure for non-production
    and low/medium services (named with what they expose), an extension request where the scenario allows
    one, else an emergency change. Vectorized: a failing drill at scale misses hundreds of thousands."""
    miss = plan[~plan["on_time"].fillna(True).astype(bool)]
    if not len(miss):
        return pd.DataFrame(columns=list(FALLBACK_COLUMNS))
    late_h = ((miss["planned_finish"] - miss["deadline"]).dt.total_seconds() / 3600).round(1)
    choice, detail = _fallback_texts(miss, kind, late_h)
    out = miss[["priority", "cert_id", "common_name", "service", "environment"]].reset_index(drop=True)
    out["criticality"] = miss["transitive_criticality"].to_numpy()
    out["team"] = miss["capacity_team"].to_numpy()
    out["deadline"] = miss["deadline"].reset_index(drop=True)
    out["planned_finish"] = miss["planned_finish"].reset_index(drop=True)
    out["hours_late"] = late_h.to_numpy()
    out["fallback"] = choice
    out["detail"] = detail
    return out[list(FALLBACK_COLUMNS)]


def _text(s: pd.Series | np.ndarray, missing: str = "") -> np.ndarray:
    """Object array of str (missing values as `missing`), for elementwise concatenation."""
    v = pd.Series(s).astype("string").fillna(missing)
    return np.asarray(v.to_numpy(dtype=object), dtype=object)


def _fallback_texts(miss: pd.DataFrame, kind: Kind, late_h: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    env = miss["environment"].astype("string")
    crit = miss["transitive_criticality"].astype("string")
    rank = remap(crit, CRITICALITY_RANK).astype("float64").fillna(0).to_numpy()
    non_prod = (env.notna() & (env != "prod")).to_numpy(dtype=bool)
    accepted = non_prod | ((rank > 0) & (rank <= CRITICALITY_RANK[Criticality.MEDIUM]))
    public = (miss["trust"].astype("string") == "public").fillna(False).to_numpy(dtype=bool)
    ext = np.where(public, _EXTENSION_PUBLIC.get(kind, ""), _EXTENSION_PRIVATE.get(kind, "")).astype(object)
    extension = ~accepted & (ext != "")
    who = _text(miss["service"].astype("string").fillna(miss["common_name"].astype("string")))
    hours = np.array([f"{h:,.1f}" for h in late_h], dtype=object)
    exposes = _text("; it also exposes " + miss["exposes"].astype("string").str.replace(";", ", "))
    kept = (
        "accept that "
        + who
        + " ("
        + _text(env, "environment unknown")
        + ", "
        + _text(crit, "criticality unknown")
    )
    kept = kept + ") is exposed for about " + hours + " h after its deadline" + exposes
    kept = kept + "; tell its users and the service owner"
    asked = ext + "; name " + who + " and the " + hours + " h it needs" + exposes
    team = _text(miss["capacity_team"])
    urgent = "emergency change for " + who + ": page team " + team + ", add engineers from other teams and "
    urgent = urgent + "skip the change window; the median plan is " + hours + " h late" + exposes
    choice = np.select(
        [accepted, extension], [Fallback.ACCEPTED.value, Fallback.EXTENSION.value], Fallback.EMERGENCY.value
    )
    detail = np.where(accepted, kept, np.where(extension, asked, urgent))
    return choice.astype(object), detail.astype(object)


def automated_mask(method: pd.Series) -> np.ndarray:
    """Rows renewed by automation (the plan's method column)."""
    return method.astype("string").isin([a.value for a in AUTOMATED]).fillna(False).to_numpy(dtype=bool)
