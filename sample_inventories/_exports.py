"""The tools' own export formats: cert-manager objects in kubectl Lists, AWS ACM JSON, nmap XML, testssl.sh
JSON and crt.sh JSON."""

from __future__ import annotations

import base64
import hashlib
import json
import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import yaml
from cryptography import x509

from _world import Cert, iso, key_type

_NAME_LONG = {
    x509.NameOID.COMMON_NAME: "commonName",
    x509.NameOID.ORGANIZATION_NAME: "organizationName",
    x509.NameOID.COUNTRY_NAME: "countryName",
}


def _uid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _go_duration(days: float) -> str:
    return f"{round(days * 24)}h0m0s"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# ------------------------------------------------------------------------- Kubernetes / cert-manager
def kubectl_list(items: list[dict[str, Any]]) -> str:
    """`kubectl get … -o yaml`: one List, keys sorted, base64 on one line (libyaml for speed)."""
    doc = {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}
    base = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

    class Dumper(base):  # type: ignore[misc, valid-type]
        def ignore_aliases(self, data: Any) -> bool:
            return True  # kubectl writes shared values out in full: no &id001 anchors

    return str(yaml.dump(doc, Dumper=Dumper, sort_keys=True, width=1 << 20, allow_unicode=True))


def ready_condition(at: str, reason: str, message: str | None = None) -> dict[str, Any]:
    """cert-manager's Ready condition, with the message it writes for `reason`."""
    msg = message or {
        "ACMEAccountRegistered": "The ACME account was registered with the ACME server",
        "KeyPairVerified": "Signing CA verified",
    }.get(reason, "Certificate is up to date and has not expired")
    return {
        "lastTransitionTime": at,
        "message": msg,
        "observedGeneration": 1,
        "reason": reason,
        "status": "True",
        "type": "Ready",
    }


def _cluster_issuer(
    name: str, uid: str, created: str, resource_version: str, spec: dict[str, Any], status: dict[str, Any]
) -> dict[str, Any]:
    return {
        "apiVersion": "cert-manager.io/v1",
        "kind": "ClusterIssuer",
        "metadata": {
            "creationTimestamp": created,
            "generation": 1,
            "name": name,
            "resourceVersion": resource_version,
            "uid": uid,
        },
        "spec": spec,
        "status": status,
    }


def acme_cluster_issuer(
    name: str,
    server: str,
    email: str,
    *,
    uid: str,
    created: str,
    registered: str,
    resource_version: str,
    eab_key_id: str | None = None,
) -> dict[str, Any]:
    """An ACME ClusterIssuer (HTTP-01 through the nginx ingress class), with External Account Binding
    when the CA requires one; registered with its ACME server at `registered`."""
    spec: dict[str, Any] = {
        "email": email,
        "privateKeySecretRef": {"name": f"{name}-account-key"},
        "server": server,
        "solvers": [{"http01": {"ingress": {"ingressClassName": "nginx"}}}],
    }
    if eab_key_id:
        spec["externalAccountBinding"] = {
            "keyID": eab_key_id,
            "keySecretRef": {"key": "secret", "name": f"{name}-eab"},
        }
    status = {
        "acme": {"lastRegisteredEmail": email, "uri": server.replace("/directory", "/acct/1")},
        "conditions": [ready_condition(registered, "ACMEAccountRegistered")],
    }
    return _cluster_issuer(name, uid, created, resource_version, {"acme": spec}, status)


def ca_cluster_issuer(
    name: str, secret_name: str, *, uid: str, created: str, verified: str, resource_version: str
) -> dict[str, Any]:
    """A CA ClusterIssuer signing with the key pair in `secret_name`, verified at `verified`."""
    status = {"conditions": [ready_condition(verified, "KeyPairVerified")]}
    return _cluster_issuer(name, uid, created, resource_version, {"ca": {"secretName": secret_name}}, status)


def vault_cluster_issuer(
    name: str,
    server: str,
    path: str,
    *,
    uid: str,
    created: str,
    verified: str,
    resource_version: str,
) -> dict[str, Any]:
    """A Vault ClusterIssuer: cert-manager asks Vault's PKI engine at `path` to sign, authenticated with
    its Kubernetes service account; the CA key stays in Vault (and the HSM behind it), never in a Secret."""
    spec = {
        "vault": {
            "auth": {
                "kubernetes": {
                    "mountPath": "/v1/auth/kubernetes",
                    "role": "cert-manager",
                    "serviceAccountRef": {"name": "cert-manager-vault"},
                }
            },
            "path": path,
            "server": server,
        }
    }
    status = {"conditions": [ready_condition(verified, "VaultVerified", "Vault verified")]}
    return _cluster_issuer(name, uid, created, resource_version, spec, status)


def cert_manager_objects(
    c: Cert,
    ns: str,
    name: str,
    issuer: str,
    chain: Sequence[Cert],
    rng: random.Random,
    *,
    owner_annotation: str,
    client_auth: bool = False,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """One cert-manager Certificate and its kubernetes.io/tls Secret (tls.crt = leaf + chain; the export
    strips tls.key, as `cmmm` would otherwise report every private key it holds). The owner goes into
    the Certificate's `owner_annotation`; `client_auth` adds that usage (mesh mTLS)."""
    nb = c.cert.not_valid_before_utc
    days = (c.cert.not_valid_after_utc - nb).total_seconds() / 86400
    revision = 1 + rng.randrange(12)
    created = nb - timedelta(days=days * 2 / 3 * (revision - 1), minutes=2)
    labels = {"app": c.service, "environment": c.environment, "team": c.team}
    certificate = _certificate(
        c,
        ns,
        name,
        issuer,
        labels=labels,
        revision=revision,
        created=created,
        rng=rng,
        owner_annotation=owner_annotation,
        client_auth=client_auth,
    )
    tls_crt = b"".join(x.issued.pem for x in (c, *chain))
    ann = {
        "cert-manager.io/alt-names": ",".join(c.sans),
        "cert-manager.io/certificate-name": name,
        "cert-manager.io/common-name": c.cn,
        "cert-manager.io/ip-sans": "",
        "cert-manager.io/issuer-group": "cert-manager.io",
        "cert-manager.io/issuer-kind": "ClusterIssuer",
        "cert-manager.io/issuer-name": issuer,
        "cert-manager.io/uri-sans": "",
    }
    secret = {
        "apiVersion": "v1",
        "data": {"tls.crt": _b64(tls_crt)},
        "kind": "Secret",
        "metadata": {
            "annotations": ann,
            "creationTimestamp": iso(created + timedelta(seconds=4)),
            "labels": {**labels, "controller.cert-manager.io/fao": "true"},
            "name": f"{name}-tls",
            "namespace": ns,
            "resourceVersion": str(rng.randrange(10_000_000, 99_999_999)),
            "uid": _uid(rng),
        },
        "type": "kubernetes.io/tls",
    }
    return certificate, secret


def _certificate(
    c: Cert,
    ns: str,
    name: str,
    issuer: str,
    *,
    labels: dict[str, str | None],
    revision: int,
    created: datetime,
    rng: random.Random,
    owner_annotation: str,
    client_auth: bool,
) -> dict[str, Any]:
    """The cert-manager Certificate of `c`, Ready, with its renewal time a third before expiry."""
    nb, na = c.cert.not_valid_before_utc, c.cert.not_valid_after_utc
    days = (na - nb).total_seconds() / 86400
    key_alg, key_size = key_type(c.cert.public_key())
    spec: dict[str, Any] = {
        "dnsNames": c.sans,
        "duration": _go_duration(days),
        "issuerRef": {"group": "cert-manager.io", "kind": "ClusterIssuer", "name": issuer},
        "privateKey": {
            "algorithm": "ECDSA" if key_alg == "EC" else key_alg,
            "rotationPolicy": "Always",
            "size": int(key_size),
        },
        "renewBefore": _go_duration(days / 3),
        "secretName": f"{name}-tls",
        "secretTemplate": {"labels": labels},
        "usages": ["digital signature", "key encipherment", "server auth"]
        + (["client auth"] if client_auth else []),
    }
    return {
        "apiVersion": "cert-manager.io/v1",
        "kind": "Certificate",
        "metadata": {
            "annotations": {owner_annotation: c.owner},
            "creationTimestamp": iso(created),
            "generation": 1,
            "labels": labels,
            "name": name,
            "namespace": ns,
            "resourceVersion": str(rng.randrange(10_000_000, 99_999_999)),
            "uid": _uid(rng),
        },
        "spec": spec,
        "status": {
            "conditions": [ready_condition(iso(nb + timedelta(seconds=4)), "Ready")],
            "notAfter": iso(na),
            "notBefore": iso(nb),
            "renewalTime": iso(na - timedelta(days=days / 3)),
            "revision": revision,
        },
    }


# ---------------------------------------------------------------------------------------- AWS ACM
def _colon_serial(n: int) -> str:
    raw = n.to_bytes((n.bit_length() + 8) // 8, "big").lstrip(b"\0") or b"\0"
    return ":".join(f"{b:02x}" for b in raw)


def acm_describe(
    c: Cert, region: str, in_use_by: list[str], rng: random.Random, *, account: str
) -> dict[str, Any]:
    """`aws acm describe-certificate` (CLI v2: ISO 8601 times) with `list-tags-for-certificate` beside."""
    cert = c.cert
    nb, na = cert.not_valid_before_utc, cert.not_valid_after_utc
    key_alg, key_size = key_type(cert.public_key())
    arn = f"arn:aws:acm:{region}:{account}:certificate/{_uid(rng)}"
    token = f"{rng.getrandbits(128):032x}"
    sans = c.sans
    return {
        "Certificate": {
            "CertificateArn": arn,
            "DomainName": c.cn,
            "SubjectAlternativeNames": sans,
            "DomainValidationOptions": [
                {
                    "DomainName": s,
                    "ValidationDomain": s,
                    "ValidationStatus": "SUCCESS",
                    "ResourceRecord": {
                        "Name": f"_{token}.{s}.",
                        "Type": "CNAME",
                        "Value": f"_{token[::-1]}.{token[:10]}.acm-validations.aws.",
                    },
                    "ValidationMethod": "DNS",
                }
                for s in sans
            ],
            "Serial": _colon_serial(cert.serial_number),
            "Subject": f"CN={c.cn}",
            "Issuer": "Amazon",
            "CreatedAt": (nb - timedelta(days=180, minutes=7)).isoformat(),
            "IssuedAt": (nb + timedelta(minutes=1)).isoformat(),
            "Status": "ISSUED",
            "NotBefore": nb.isoformat(),
            "NotAfter": na.isoformat(),
            "KeyAlgorithm": f"RSA-{key_size}" if key_alg == "RSA" else "EC-prime256v1",
            "SignatureAlgorithm": "SHA256WITHRSA",
            "InUseBy": in_use_by,
            "Type": "AMAZON_ISSUED",
            "KeyUsages": [{"Name": "DIGITAL_SIGNATURE"}, {"Name": "KEY_ENCIPHERMENT"}],
            "ExtendedKeyUsages": [
                {"Name": "TLS_WEB_SERVER_AUTHENTICATION", "OID": "1.3.6.1.5.5.7.3.1"},
                {"Name": "TLS_WEB_CLIENT_AUTHENTICATION", "OID": "1.3.6.1.5.5.7.3.2"},
            ],
            "RenewalEligibility": "ELIGIBLE",
            "Options": {"CertificateTransparencyLoggingPreference": "ENABLED"},
        },
        "Tags": [
            {"Key": "Service", "Value": c.service},
            {"Key": "Team", "Value": c.team},
            {"Key": "Owner", "Value": c.owner},
            {"Key": "Environment", "Value": c.environment},
            {"Key": "ManagedBy", "Value": "terraform"},
        ],
    }


def acm_get(c: Cert, chain: Sequence[Cert]) -> dict[str, str]:
    """`aws acm get-certificate`: the body and its chain as PEM."""
    return {
        "Certificate": c.issued.pem.decode("ascii").strip(),
        "CertificateChain": b"".join(x.issued.pem for x in chain).decode("ascii").strip(),
    }


# ------------------------------------------------------------------------------------------- nmap
def _nmap_dn(name: x509.Name) -> tuple[str, list[tuple[str, str]]]:
    pairs = [(_NAME_LONG.get(a.oid, a.oid.dotted_string), str(a.value)) for a in name if a.oid in _NAME_LONG]
    return "/".join(f"{k}={v}" for k, v in pairs), sorted(pairs)


def _spaced(hexstr: str) -> str:
    return " ".join(hexstr[i : i + 4] for i in range(0, len(hexstr), 4))


def nmap_host(c: Cert, ip: str, start: int, rng: random.Random) -> str:
    """One <host> of `nmap -Pn -p 443 --script ssl-cert -oX`: the structured ssl-cert tables and pem."""
    cert = c.cert
    host, port = c.endpoints[0].rsplit(":", 1)
    key_alg, key_size = key_type(cert.public_key())
    subj_text, subj = _nmap_dn(cert.subject)
    iss_text, iss = _nmap_dn(cert.issuer)
    sig = cert.signature_algorithm_oid._name  # OpenSSL's long name, as nmap prints it
    der = c.issued.der
    md5 = hashlib.md5(der, usedforsecurity=False).hexdigest()
    sha1 = hashlib.sha1(der, usedforsecurity=False).hexdigest()
    sha256 = hashlib.sha256(der).hexdigest()
    nb = cert.not_valid_before_utc.strftime("%Y-%m-%dT%H:%M:%S")
    na = cert.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%S")
    san = ", ".join(f"DNS:{s}" for s in c.sans)
    output = (
        f"Subject: {subj_text}\nSubject Alternative Name: {san}\nIssuer: {iss_text}\n"
        f"Public Key type: {key_alg.lower()}\nPublic Key bits: {key_size}\nSignature Algorithm: {sig}\n"
        f"Not valid before: {nb}\nNot valid after:  {na}\nMD5:   {_spaced(md5)}\nSHA-1: {_spaced(sha1)}"
    )
    if key_alg == "EC":
        pub = (
            '<elem key="type">ec</elem>\n<elem key="bits">256</elem>\n<table key="ecdhparams">\n'
            '<table key="curve_params">\n<elem key="ec_curve_type">namedcurve</elem>\n'
            '<elem key="curve">prime256v1</elem>\n</table>\n</table>'
        )
    else:
        pub = f'<elem key="type">rsa</elem>\n<elem key="bits">{key_size}</elem>\n<elem key="exponent">65537</elem>'
    elems = "\n".join(f'<elem key="{k}">{escape(v)}</elem>' for k, v in subj)
    ielems = "\n".join(f'<elem key="{k}">{escape(v)}</elem>' for k, v in iss)
    end = start + rng.randrange(1, 4)
    pem = c.issued.pem.decode("ascii")
    return (
        f'<host starttime="{start}" endtime="{end}"><status state="up" reason="user-set" reason_ttl="0"/>\n'
        f'<address addr="{ip}" addrtype="ipv4"/>\n'
        f'<hostnames>\n<hostname name="{escape(host)}" type="user"/>\n</hostnames>\n'
        f'<ports><port protocol="tcp" portid="{port}"><state state="open" reason="syn-ack" '
        f'reason_ttl="{rng.choice((52, 53, 54, 241))}"/><service name="https" method="table" conf="3"/>'
        f'<script id="ssl-cert" output={quoteattr(output)}>'
        f'<table key="subject">\n{elems}\n</table>\n<table key="issuer">\n{ielems}\n</table>\n'
        f'<table key="pubkey">\n{pub}\n</table>\n<table key="extensions">\n'
        f'<table>\n<elem key="name">X509v3 Subject Alternative Name</elem>\n<elem key="value">{escape(san)}</elem>\n</table>\n'
        f'<table>\n<elem key="name">X509v3 Basic Constraints</elem>\n<elem key="value">CA:FALSE</elem>\n'
        f'<elem key="critical">true</elem>\n</table>\n</table>\n'
        f'<elem key="sig_algo">{sig}</elem>\n<table key="validity">\n<elem key="notBefore">{nb}</elem>\n'
        f'<elem key="notAfter">{na}</elem>\n</table>\n<elem key="md5">{md5}</elem>\n'
        f'<elem key="sha1">{sha1}</elem>\n<elem key="sha256">{sha256}</elem>\n'
        f'<elem key="pem">{escape(pem)}</elem>\n</script></port>\n</ports>\n'
        f'<times srtt="{rng.randrange(900, 30000)}" rttvar="{rng.randrange(200, 9000)}" to="100000"/>\n'
        "</host>\n"
    )


def nmap_run(hosts: list[str], start: int, end: int, *, target_list: str, output: str) -> str:
    """The whole `nmap -Pn -p 443 --script ssl-cert -iL target_list -oX output` document around `hosts`
    (each host up, as `nmap_host` writes them)."""
    # nmap writes "--" as "-&#45;" in its comment and attributes (a comment may not hold "--")
    args = f"nmap -Pn -p 443 -&#45;script ssl-cert -iL {target_list} -oX {output}"
    started = datetime.fromtimestamp(start, UTC).strftime("%a %b %d %H:%M:%S %Y")
    finished = datetime.fromtimestamp(end, UTC).strftime("%a %b %d %H:%M:%S %Y")
    targets = len(hosts)
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE nmaprun>\n'
        '<?xml-stylesheet href="file:///usr/bin/../share/nmap/nmap.xsl" type="text/xsl"?>\n'
        f"<!-- Nmap 7.95 scan initiated {started} as: {args} -->\n"
        f'<nmaprun scanner="nmap" args="{args}" start="{start}" startstr="{started}" version="7.95" '
        'xmloutputversion="1.05">\n'
        '<scaninfo type="connect" protocol="tcp" numservices="1" services="443"/>\n'
        '<verbose level="0"/>\n<debugging level="0"/>\n'
    )
    tail = (
        f'<runstats><finished time="{end}" timestr="{finished}" summary="Nmap done at {finished}; '
        f'{targets} IP addresses ({targets} hosts up) scanned in {end - start:.2f} seconds" '
        f'elapsed="{end - start:.2f}" exit="success"/><hosts up="{targets}" down="0" total="{targets}"/>\n'
        "</runstats>\n</nmaprun>\n"
    )
    return head + "".join(hosts) + tail


# ------------------------------------------------------------------------------------ testssl.sh
_TESTSSL_VERSIONS = ("SSLv2", "SSLv3", "TLS1", "TLS1_1", "TLS1_2", "TLS1_3")


def _one_line_pem(c: Cert) -> str:
    """testssl.sh writes a PEM body into one JSON string, its line breaks as spaces."""
    return " ".join(c.issued.pem.decode("ascii").split())


def _testssl_dn(name: x509.Name) -> str:
    cn = name.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    org = name.get_attributes_for_oid(x509.NameOID.ORGANIZATION_NAME)
    country = name.get_attributes_for_oid(x509.NameOID.COUNTRY_NAME)
    where = f" from {country[0].value}" if country else ""
    return f"{cn[0].value if cn else ''} ({org[0].value if org else ''}{where})"


def testssl_findings(
    c: Cert,
    chain: Sequence[Cert],
    ip: str,
    *,
    kems: Sequence[str],
    curves: Sequence[str],
    body: bool = True,
) -> list[dict[str, str]]:
    """The findings `testssl.sh --jsonfile` (3.2, on OpenSSL 3.5) writes for one TLS 1.2/1.3 target that
    presents `c` with `chain`: protocols, forward-secrecy groups (FS_KEMs: the hybrid ML-KEM groups),
    the host certificate's cert_* findings with its PEM, and the intermediates. Without `body` the PEMs and
    the fingerprint are left out (the generator's ML-DSA certificates: their signatures are randomized, so
    a regenerated scan could not match the PEM files kept from an earlier run; the serial and issuer still
    join the findings to the body)."""
    host, port = c.endpoints[0].rsplit(":", 1)
    cert = c.cert
    key_alg, key_size = key_type(cert.public_key())
    where = f"{host}/{ip}"

    def f(fid: str, severity: str, finding: str) -> dict[str, str]:
        return {"id": fid, "ip": where, "port": port, "severity": severity, "finding": finding}

    out = [f("service", "INFO", "HTTP")]
    for v in _TESTSSL_VERSIONS:
        offered = v in ("TLS1_2", "TLS1_3")
        text = "offered with final" if v == "TLS1_3" else "offered"
        out.append(
            f(
                v,
                "OK" if offered else "INFO" if v.startswith("TLS") else "OK",
                text if offered else "not offered",
            )
        )
    out.append(f("FS", "OK", "offered"))
    if kems:
        out.append(f("FS_KEMs", "OK", " ".join(kems)))
    out.append(f("FS_ECDHE_curves", "OK", " ".join(curves)))
    sig = cert.signature_algorithm_oid._name
    key = f"{'EC' if key_alg == 'EC' else key_alg} {key_size} bits" if key_size else key_alg
    out += [
        f("cert_numbers", "INFO", "1"),
        f("cert_signatureAlgorithm", "OK", sig),
        f("cert_keySize", "INFO", key),
        f("cert_commonName", "OK", c.cn),
        f("cert_subjectAltName", "INFO", " ".join(c.sans)),
        f("cert_serialNumber", "INFO", format(cert.serial_number, "X")),
        f("cert_caIssuers", "INFO", _testssl_dn(cert.issuer)),
        f("cert_notBefore", "INFO", cert.not_valid_before_utc.strftime("%Y-%m-%d %H:%M")),
        f("cert_notAfter", "OK", cert.not_valid_after_utc.strftime("%Y-%m-%d %H:%M")),
        f("cert_chain_of_trust", "OK", "passed."),
    ]
    if body:
        out.insert(-9, f("cert", "INFO", _one_line_pem(c)))
        out.insert(-4, f("cert_fingerprintSHA256", "INFO", hashlib.sha256(c.issued.der).hexdigest().upper()))
        out += [f(f"intermediate_cert <#{k}>", "INFO", _one_line_pem(x)) for k, x in enumerate(chain, 1)]
    return out


def testssl_json(findings: list[dict[str, str]]) -> str:
    """`testssl.sh --jsonfile`: one flat list of findings, one object per line, as testssl.sh writes it."""
    rows = ",\n".join("  " + json.dumps(x, ensure_ascii=False) for x in findings)
    return "[\n" + rows + "\n]\n"


# --------------------------------------------------------------------------------------- crt.sh
def _crtsh_dn(name: x509.Name) -> str:
    """crt.sh's issuer_name: the attributes in the certificate's order, ", "-separated."""
    short = {
        x509.NameOID.COUNTRY_NAME: "C",
        x509.NameOID.ORGANIZATION_NAME: "O",
        x509.NameOID.COMMON_NAME: "CN",
    }
    return ", ".join(f"{short.get(a.oid, a.oid.dotted_string)}={a.value}" for a in name)


def crtsh_rows(
    certs: Sequence[Cert], rng: random.Random, *, first_id: int, issuer_ca_ids: dict[str, int]
) -> list[dict[str, Any]]:
    """`https://crt.sh/?q=%.DOMAIN&output=json&exclude=expired&deduplicate=Y`: one row per certificate
    (precertificate and certificate deduplicated), its names in name_value, logged a minute before it
    was issued (the SCTs embedded in it)."""
    rows = []
    crt_id = first_id
    for c in sorted(certs, key=lambda x: (x.cert.not_valid_before_utc, x.serial)):
        cert = c.cert
        crt_id += rng.randrange(1, 4000)
        entry = cert.not_valid_before_utc - timedelta(seconds=rng.randrange(40, 70))
        rows.append(
            {
                "issuer_ca_id": issuer_ca_ids[c.issuer_cn],
                "issuer_name": _crtsh_dn(cert.issuer),
                "common_name": c.cn,
                "name_value": "\n".join(c.sans),
                "id": crt_id,
                "entry_timestamp": entry.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3],
                "not_before": cert.not_valid_before_utc.strftime("%Y-%m-%dT%H:%M:%S"),
                "not_after": cert.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%S"),
                "serial_number": c.serial.rjust(len(c.serial) + len(c.serial) % 2, "0"),  # whole bytes
                "result_count": 2,
            }
        )
    return rows
