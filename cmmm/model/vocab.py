"""Closed vocabularies (key families, automation, discovery, criticality, environment, trust) and the five level names."""

from __future__ import annotations

from enum import StrEnum


class KeyFamily(StrEnum):
    RSA = "RSA"
    EC = "EC"
    ED25519 = "Ed25519"
    ED448 = "Ed448"
    DSA = "DSA"
    ML_DSA = "ML-DSA"
    SLH_DSA = "SLH-DSA"
    ML_KEM = "ML-KEM"  # FIPS 203 key-encapsulation keys (RFC 9935 certificates)
    COMPOSITE = "composite"
    UNKNOWN = "unknown"


class Automation(StrEnum):
    ACME = "acme"
    CERT_MANAGER = "cert-manager"
    CLOUD_MANAGED = "cloud-managed"
    EST = "est"
    SCEP = "scep"
    VAULT = "vault"
    AUTOMATED = "automated"  # renewed automatically by a method the source does not name ("Auto-Renew: yes")
    MANUAL = "manual"
    NONE = "none"


AUTOMATED = frozenset(
    {
        Automation.ACME,
        Automation.CERT_MANAGER,
        Automation.CLOUD_MANAGED,
        Automation.EST,
        Automation.SCEP,
        Automation.VAULT,
        Automation.AUTOMATED,
    }
)


class Discovery(StrEnum):
    MANUAL = "manual"
    NETWORK_SCAN = "network-scan"
    CA_API = "ca-api"
    CLOUD_API = "cloud-api"
    KUBERNETES = "kubernetes"
    FILESYSTEM = "filesystem"
    CT_LOG = "ct-log"
    CBOM = "cbom"


AUTOMATED_DISCOVERY = frozenset(
    {
        Discovery.NETWORK_SCAN,
        Discovery.CA_API,
        Discovery.CLOUD_API,
        Discovery.KUBERNETES,
        Discovery.CT_LOG,
        Discovery.CBOM,
    }
)


# The five CMMM levels (CMMM.md; one to one with the PKI Consortium maturity model's five).
LEVEL_NAMES = {
    1: "Initial / Ad-hoc",
    2: "Managed / Aware",
    3: "Defined / Proactive",
    4: "Quantitatively Managed / Automated",
    5: "Optimizing / Crypto-Agile",
}


class Criticality(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


CRITICALITY_RANK = {Criticality.LOW: 1, Criticality.MEDIUM: 2, Criticality.HIGH: 3, Criticality.CRITICAL: 4}


class Environment(StrEnum):
    PROD = "prod"
    STAGING = "staging"
    DEV = "dev"
    TEST = "test"


class Trust(StrEnum):
    PUBLIC = "public"
    PRIVATE = "private"
