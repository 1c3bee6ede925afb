"""Measured criteria: one vectorized function per criterion id, over the per-certificate facts.

Each function returns a Measurement (metrics/_common.py): the value compared with the criterion's
threshold, a sentence of evidence with the numbers, the certificates that fail it (a boolean mask aligned
with the facts; the caller keeps the top N for display) and, where the rule needs a field the data may
lack, how much of the population it could judge. Thresholds and parameters come from criteria.yaml.
"""

from __future__ import annotations

from collections.abc import Callable

from cmmm.maturity.measures import MetricContext
from cmmm.maturity.metrics import agility, automation, discovery, inventory, ownership, policy
from cmmm.maturity.metrics._common import Measurement, Metric
from cmmm.model import Profile

__all__ = ["CONTEXT", "METRICS", "Measurement", "Metric"]

Context = Callable[[MetricContext, Profile], str]

# Measured context shown next to an attested answer: the data cannot answer the question, but it can
# show its size. Keys are attested criterion ids (a contract test checks it).
CONTEXT: dict[str, Context] = {
    "agi.mosca-assessed": agility.mosca_context,
    "agi.pqc-plan": agility.pqc_plan_context,
}


# The registry: criterion id → implementation. A contract test keeps it equal to the measured criteria
# of criteria.yaml, and requires a docstring on each.
METRICS: dict[str, Metric] = {
    "inv.expiry-known": inventory.inv_expiry_known,
    "inv.expired-deployed": inventory.inv_expired_deployed,
    "inv.expired-deployed-rare": inventory.inv_expired_deployed,
    "inv.expired-deployed-minimal": inventory.inv_expired_deployed,
    "inv.expired-deployed-critical": inventory.inv_expired_deployed,
    "inv.internal-and-public": inventory.inv_internal_and_public,
    "inv.issuer-known": inventory.inv_issuer_known,
    "own.responsible-recorded": ownership.own_responsible_recorded,
    "own.owner-coverage": ownership.own_owner_coverage,
    "own.no-surprise-expiry": ownership.own_no_surprise_expiry,
    "disc.automated-source": discovery.disc_automated_source,
    "disc.methods": discovery.disc_methods,
    "disc.automated-coverage": discovery.disc_automated_coverage,
    "disc.automated-complete": discovery.disc_automated_coverage,
    "disc.ct-monitoring": discovery.disc_ct_monitoring,
    "auto.renewal-started": automation.auto_renewal_started,
    "auto.renewal-majority": automation.auto_renewal_majority,
    "auto.renewal-most": automation.auto_renewal_most,
    "auto.public-all": automation.auto_public_all,
    "auto.complete": automation.auto_complete,
    "auto.effective": automation.auto_effective,
    "pol.no-weak-public": policy.pol_no_weak_public,
    "pol.compliance": policy.pol_compliance,
    "pol.compliance-enforced": policy.pol_compliance_enforced,
    "pol.compliance-complete": policy.pol_compliance_complete,
    "pol.cap-ready": policy.pol_cap_ready,
    "pol.no-exposed-keys": policy.pol_no_exposed_keys,
    "pol.wildcards-limited": policy.pol_wildcards_limited,
    "pol.no-key-reuse": policy.pol_no_key_reuse,
    "pol.serverauth-only": policy.pol_serverauth_only,
    "agi.deprecated-limited": agility.agi_deprecated_limited,
    "agi.no-deprecated-crypto": agility.agi_no_deprecated_crypto,
    "agi.algorithms-known": agility.agi_algorithms_known,
    "agi.algorithms-complete": agility.agi_algorithms_complete,
    "agi.pqc-pilot": agility.agi_pqc_pilot,
    "agi.hybrid-kem": agility.agi_hybrid_kem,
    "agi.ca-fallback": agility.agi_ca_fallback,
}
