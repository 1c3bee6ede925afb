"""Header aliases of native inventories and CLM exports, and value vocabularies, as data."""

from __future__ import annotations

import difflib
import re
import unicodedata

from cmmm.ingest._aliases import LOCALIZED_ALIASES, NO_VALUES, YES_VALUES

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
    # revocation as CA exports state it (AD CS certutil -view csv, Keyfactor, Venafi)
    "revoked_at": ("revokedat", "revocationdate", "revokedon", "revocationeffdate", "revocationtime"),
    "revocation_reason": ("revocationreason", "revokereason", "revokedreason", "reasoncode"),
    "status": ("requestdisposition", "certstatestring", "certificatestatus", "revocationstatus", "revoked"),
}


def squash(header: str) -> str:
    """Lower-case letters and digits only, accents folded ("Gültig bis" → "gultigbis")."""
    if not header.isascii():
        folded = unicodedata.normalize("NFKD", header.replace("ß", "ss"))
        header = "".join(c for c in folded if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]", "", header.lower())


ALIAS_INDEX: dict[str, str] = {}
for _canon, _names in ALIASES.items():
    ALIAS_INDEX.setdefault(squash(_canon), _canon)
    for _n in _names:
        ALIAS_INDEX.setdefault(squash(_n), _canon)
for _canon, _names in LOCALIZED_ALIASES.items():  # after the English ones, which win a collision
    for _n in _names:
        ALIAS_INDEX.setdefault(squash(_n), _canon)


MAX_UNUSED_SHOWN = 25  # a note names at most this many unused columns, then counts the rest


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


UNUSED_SHOWN = 12  # columns named in the note; the rest are counted


def _common_start(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def closest_columns(header: str, limit: int = 3) -> list[str]:
    """The canonical columns a header that cmmm does not read probably meant: the nearest aliases by
    spelling ("Key" → key_id, key_size, key_algorithm), else the one sharing the longest start of at least
    four letters ("Auto-renew" → automation). Empty when nothing is near."""
    h = squash(header)
    if not h:
        return []
    near = difflib.get_close_matches(h, list(ALIAS_INDEX), n=4 * limit, cutoff=0.6)
    out = list(dict.fromkeys(ALIAS_INDEX[a] for a in near))[:limit]
    if out:
        return out
    best, length = None, 3
    for alias, canon in ALIAS_INDEX.items():
        n = _common_start(h, alias)
        if n > length:
            best, length = canon, n
    return [best] if best else []


def unused_columns_note(headers: list[str]) -> str | None:
    """One note naming the columns a table has that cmmm does not read, each with the closest canonical
    name (docs/bundle.md lists them), so a renamed column is not silently dropped."""
    mapped = map_headers(headers)
    unused = [h for h in headers if h not in mapped and str(h).strip() and not str(h).startswith("Unnamed:")]
    if not unused:
        return None
    parts = []
    for h in unused[:UNUSED_SHOWN]:
        near = [c for c in closest_columns(h) if c not in mapped.values()]
        parts.append(f"{h!r} (closest: {', '.join(near)})" if near else repr(h))
    more = f" and {len(unused) - UNUSED_SHOWN} more" if len(unused) > UNUSED_SHOWN else ""
    return f"columns not used: {', '.join(parts)}{more}; rename a column to a canonical name to use it"


NAME_COLUMNS = ("common_name", "sans")
DATE_COLUMNS = ("not_before", "not_after", "last_seen", "earliest_sct", "revoked_at")

# RFC 5280 §5.3.1 CRLReason by code and by the words CAs print ("0x1 -- Key Compromise", "KeyCompromise")
REVOCATION_REASONS = {
    "unspecified": "unspecified",
    "keycompromise": "keyCompromise",
    "cacompromise": "cACompromise",
    "affiliationchanged": "affiliationChanged",
    "superseded": "superseded",
    "cessationofoperation": "cessationOfOperation",
    "certificatehold": "certificateHold",
    "removefromcrl": "removeFromCRL",
    "privilegewithdrawn": "privilegeWithdrawn",
    "aacompromise": "aACompromise",
}
REVOCATION_CODES = dict(
    enumerate(
        (
            "unspecified",
            "keyCompromise",
            "cACompromise",
            "affiliationChanged",
            "superseded",
            "cessationOfOperation",
            "certificateHold",
            "",
            "removeFromCRL",
            "privilegeWithdrawn",
            "aACompromise",
        )
    )
)

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
    "automated": "automated",
    "automatic": "automated",
    "auto": "automated",
    **{squash(v): "automated" for v in YES_VALUES},  # a yes/no renewal column ("Auto-Renew")
    **{squash(v): "none" for v in NO_VALUES},
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
