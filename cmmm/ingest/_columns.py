"""Header aliases of native inventories and CLM exports, and value vocabularies, as data."""

from __future__ import annotations

import re

# canonical column -> header spellings (compared after lower-casing and dropping non-alphanumerics)
ALIASES: dict[str, tuple[str, ...]] = {
    "cert_id": ("certid_", "cmmmcertid"),
    "common_name": (
        "commonname",
        "cn",
        "subjectcn",
        "subjectcommonname",
        "issuedcommonname",
        "issuedcn",
        "domain",
        "domainname",
        "certificatename",
        "name",
        "subjectname",
        "subject",
        "certificate",
        "hostname",
    ),
    "sans": (
        "sans",
        "san",
        "subjectalternativenames",
        "subjectalternativename",
        "subjectaltnames",
        "altnames",
        "dnsnames",
        "alternativenames",
        "subjectalternativenamesdns",
    ),
    "issuer": (
        "issuer",
        "issuercn",
        "issuername",
        "issuingca",
        "certificateauthority",
        "certificateauthorityname",
        "caname",
        "issuedby",
        "issuercommonname",
    ),
    "issuer_dn": ("issuerdn", "issuerdistinguishedname"),
    "subject_dn": ("subjectdn", "issueddn", "issueddistinguishedname", "distinguishedname"),
    "issuer_org": (
        "issuerorg",
        "issuero",
        "issuerorganization",
        "issuerorganisation",
        "caorganization",
        "vendor",
    ),
    "subject_org": ("subjectorg", "subjecto", "organization", "organisation"),
    "serial": ("serial", "serialnumber", "serialno", "certificateserialnumber", "serialhex"),
    # the certificate itself, PEM text in a cell (a "Certificate" column holding PEM is taken as this too)
    "pem": ("pem", "certificatepem", "pemcertificate", "certpem", "certificatebody", "pemdata", "x509pem"),
    "fingerprint_sha256": (
        "fingerprintsha256",
        "sha256",
        "sha256fingerprint",
        "thumbprintsha256",
        "sha256thumbprint",
        "fingerprint",
    ),
    "fingerprint_sha1": (
        "fingerprintsha1",
        "sha1",
        "sha1fingerprint",
        "thumbprint",
        "certificatehash",
        "sha1thumbprint",
    ),
    "not_before": (
        "notbefore",
        "validfrom",
        "issued",
        "issuedate",
        "issuedon",
        "startdate",
        "notvalidbefore",
        "certificateeffectivedate",
        "effectivedate",
        "validitystart",
        "validitynotbefore",
        "start",
        "creationdate",
        "created",
    ),
    "not_after": (
        "notafter",
        "expiry",
        "expires",
        "expiration",
        "expirationdate",
        "expirydate",
        "validto",
        "validuntil",
        "enddate",
        "certificateexpirationdate",
        "notvalidafter",
        "expireson",
        "validitynotafter",
        "expiresat",
        "expirationtime",
        "end",
        "validtill",
    ),
    "key_algorithm": (
        "keyalgorithm",
        "keytype",
        "publickeyalgorithm",
        "keytypestring",
        "algorithm",
        "keyalg",
    ),
    "key_size": ("keysize", "keylength", "bits", "keysizeinbits", "keystrength", "keybits"),
    "key_curve": ("keycurve", "curve", "ellipticcurve"),
    "signature_algorithm": (
        "signaturealgorithm",
        "sigalg",
        "signingalgorithm",
        "signaturehashalgorithm",
        "signature",
    ),
    "is_ca": ("isca", "basicconstraintsca", "caflag"),
    "trust": ("trust", "trusttype", "publicprivate", "exposure"),
    "endpoints": (
        "endpoints",
        "endpoint",
        "hosts",
        "locations",
        "installedon",
        "deployedto",
        "url",
        "urls",
        "location",
        "sslLocations".lower(),
        "hostport",
        "server",
        "servers",
    ),
    "service": ("service", "application", "app", "servicename", "system"),
    "owner": (
        "owner",
        "owneremail",
        "contact",
        "responsible",
        "responsibleperson",
        "ownername",
        "custodian",
        "ownerusername",  # Venafi Cloud
        "requestername",  # AD CS certutil -view csv
    ),
    "team": ("team", "ownerteam", "group", "department", "businessunit", "ownergroup"),
    "environment": ("environment", "env", "stage"),
    "criticality": ("criticality", "priority", "businesscriticality", "tier", "importance"),
    "automation": (
        "automation",
        "renewalmethod",
        "renewal",
        "managedby",
        "provisioning",
        "renewaltype",
        "issuancemethod",
    ),
    "discovered_by": ("discoveredby", "discovery", "discoverymethod", "discoverysource"),
    "last_seen": ("lastseen", "lastscanned", "lastqueried", "lastquerieddate", "lastscan", "lastobserved"),
    "secrecy_years": ("secrecyyears", "secrecy", "confidentialityyears"),
    "tags": ("tags", "labels"),
    "sct_count": ("sctcount",),
    "earliest_sct": ("earliestsct",),
    "ext_key_usage": ("extkeyusage", "extendedkeyusage", "extendedkeyusages", "eku"),
    "path_len": ("pathlen",),
    "is_self_signed": ("isselfsigned", "selfsigned"),
    "subject_key_id": ("subjectkeyid", "ski", "subjectkeyidentifier"),
    "authority_key_id": ("authoritykeyid", "aki", "authoritykeyidentifier"),
    "key_id": ("keyid", "spkisha256"),
}


def squash(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


ALIAS_INDEX: dict[str, str] = {}
for _canon, _names in ALIASES.items():
    ALIAS_INDEX.setdefault(squash(_canon), _canon)
    for _n in _names:
        ALIAS_INDEX.setdefault(squash(_n), _canon)


# Headers that win over an earlier header for the same column: Keyfactor exports the numeric enum
# KeyType before its readable KeyTypeString.
PREFERRED_HEADERS = frozenset({"keytypestring"})


def map_headers(headers: list[str]) -> dict[str, str]:
    """Map each recognized header to its canonical column; the first header wins for each canonical name
    (a PREFERRED_HEADERS spelling wins over any other)."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    preferred = [h for h in headers if squash(str(h)) in PREFERRED_HEADERS]
    for h in [*preferred, *(h for h in headers if h not in preferred)]:
        canon = ALIAS_INDEX.get(squash(str(h)))
        if canon and canon not in taken:
            out[h] = canon
            taken.add(canon)
    return out


NAME_COLUMNS = ("common_name", "sans")
DATE_COLUMNS = ("not_before", "not_after", "last_seen", "earliest_sct")

AUTOMATION_VALUES = {
    "acme": "acme",
    "letsencrypt": "acme",
    "certbot": "acme",
    "acmesh": "acme",
    "lego": "acme",
    "caddy": "acme",
    "traefik": "acme",
    "certmanager": "cert-manager",
    "k8s": "cert-manager",
    "kubernetes": "cert-manager",
    "cloudmanaged": "cloud-managed",
    "cloud": "cloud-managed",
    "acm": "cloud-managed",
    "aws": "cloud-managed",
    "awsacm": "cloud-managed",
    "azure": "cloud-managed",
    "keyvault": "cloud-managed",
    "azurekeyvault": "cloud-managed",
    "gcp": "cloud-managed",
    "amazonissued": "cloud-managed",
    "est": "est",
    "scep": "scep",
    "intune": "scep",
    "vault": "vault",
    "vaultpki": "vault",
    "manual": "manual",
    "ticket": "manual",
    "byhand": "manual",
    "email": "manual",
    "spreadsheet": "manual",
    "calendar": "manual",
    "imported": "manual",
    "none": "none",
    "no": "none",
    "unmanaged": "none",
}
CRITICALITY_VALUES = {
    "critical": "critical",
    "crit": "critical",
    "p1": "critical",
    "tier0": "critical",
    "tier1": "high",
    "high": "high",
    "p2": "high",
    "medium": "medium",
    "med": "medium",
    "moderate": "medium",
    "p3": "medium",
    "tier2": "medium",
    "low": "low",
    "p4": "low",
    "tier3": "low",
    "minor": "low",
}
ENVIRONMENT_VALUES = {
    "prod": "prod",
    "production": "prod",
    "prd": "prod",
    "live": "prod",
    "staging": "staging",
    "stage": "staging",
    "stg": "staging",
    "preprod": "staging",
    "uat": "staging",
    "dev": "dev",
    "development": "dev",
    "test": "test",
    "testing": "test",
    "qa": "test",
    "sandbox": "dev",
}
TRUST_VALUES = {
    "public": "public",
    "external": "public",
    "internet": "public",
    "publiclytrusted": "public",
    "private": "private",
    "internal": "private",
    "enterprise": "private",
    "intranet": "private",
}
DISCOVERY_VALUES = {
    "manual": "manual",
    "spreadsheet": "manual",
    "networkscan": "network-scan",
    "scan": "network-scan",
    "nmap": "network-scan",
    "sslyze": "network-scan",
    "testssl": "network-scan",
    "scanner": "network-scan",
    "caapi": "ca-api",
    "ca": "ca-api",
    "cloudapi": "cloud-api",
    "cloud": "cloud-api",
    "kubernetes": "kubernetes",
    "k8s": "kubernetes",
    "filesystem": "filesystem",
    "file": "filesystem",
    "agent": "filesystem",
    "ctlog": "ct-log",
    "ct": "ct-log",
    "cbom": "cbom",
}
TRUE_VALUES = {"true", "yes", "y", "1", "t", "x"}
FALSE_VALUES = {"false", "no", "n", "0", "f"}
