"""Level 1, Bramble & Sons Hardware: a messy spreadsheet and loose files collected from the servers.

The PKCS#12 file (certs/mail-exchange.pfx) has an empty password, as exported by a hurried admin, so it
ingests without CMMM_PKCS12_PASSWORDS; its private key is reported as a finding.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from _world import AS_OF, AS_OF_PIN, CA, Cert, Org, World, d, key_type
from cmmm.lab.pki import key_pem

_DOMAIN = "bramble-sons.example"
_OWNERS = ("Dave", "dave@bramble-sons.example", "Sandra (accounts)", "José Núñez", "IT", "Mike - shop floor")
_HEADER = ("Common Name", "Expiration Date", "Issuer", "Owner", "Server", "System", "Notes", "Serial No.")
_DATE_FORMATS = ("iso", "dmy", "openssl", "long", "epoch")
_NOTES = ("", "", "", "renew via calendar reminder", "Dave has the login", "DO NOT TOUCH", "check w/ vendor")
# (1-based line, text) of the spreadsheet rows no tool can read: no expiry, "ask Dave", too many and
# too few fields
_BROKEN_LINES = (
    (12, f"tbd.{_DOMAIN},,GoDaddy,Dave,srv-web01,webshop,waiting for quote,"),
    (25, f"pos-new.{_DOMAIN},ask Dave,Let's Encrypt,,,payments,,"),
    (40, f"old-shop.{_DOMAIN},2025-02-30 00:00,R11,Mike,srv-web02,,renew? too many, commas, here,"),
    (51, "cam-yard.bramble.local,2027-01-01,self"),
)


def level1(w: World) -> Org:
    o = Org(w, "level1-chaos", "Bramble & Sons Hardware", 1, _DOMAIN)
    _catalog(o)
    dc = o.private_ca(
        "BRAMBLE-DC01-CA", "Bramble & Sons", "RSA-2048", d("2012-03-01"), d("2032-03-01"), digest="sha1"
    )
    le, gd, internal, selfs = _lets_encrypt(o), _godaddy(o), _domain_ca(o, dc), _appliances(o)
    _collected_files(o, le, gd, internal, selfs, dc)
    # the spreadsheet lists all but the print server's certificate and a quarter of the appliances
    listed = [c for c in le + gd + internal if c is not internal[6]] + [
        s for i, s in enumerate(selfs) if i % 4 != 1
    ]
    _spreadsheet(o, listed)
    _record_findings(o, internal, selfs)
    o.write_services()
    _profile(o)
    return o


def _catalog(o: Org) -> None:
    o.service("webshop", "dave@bramble-sons.example", "it", "critical", "payments;erp", customer_facing=True)
    o.service(
        "payments",
        "dave@bramble-sons.example",
        "it",
        "critical",
        "erp",
        customer_facing=True,
        secrecy_years=7,
    )
    o.service("erp", "sandra@bramble-sons.example", "it", "high", "", secrecy_years=10)
    o.service("email", "dave@bramble-sons.example", "it", "high", "")
    o.service("remote-access", "dave@bramble-sons.example", "it", "medium", "erp")


def _owner(rng: random.Random) -> str | None:
    """Half the certificates have someone's name written next to them, in whatever form."""
    return rng.choice(_OWNERS) if rng.random() < 0.5 else None


def _lets_encrypt(o: Org) -> list[Cert]:
    """Let's Encrypt, renewed by hand with certbot "when the calendar says so"; several already expired."""
    rng, le = o.rng, []
    hosts = [
        "www",
        "shop",
        "checkout",
        "pay",
        "blog",
        "stock",
        "click-collect",
        "careers",
        "api",
        "m",
        "status",
        "img",
    ]
    services = {
        "www": "webshop",
        "shop": "webshop",
        "checkout": "webshop",
        "pay": "payments",
        "api": "webshop",
    }
    for i, host in enumerate(hosts):
        expired = i in (2, 5, 9)
        nb = AS_OF - timedelta(days=rng.uniform(95, 140) if expired else rng.uniform(5, 80))
        le.append(
            o.leaf(
                o.w.public["R11"],
                f"{host}.{o.domain}",
                key="RSA-2048",
                not_before=nb,
                days=90,
                service=services.get(host) or "webshop",
                owner=_owner(rng),
                automation="manual",
                endpoints=[f"srv-web0{1 + i % 2}"],
            )
        )
    return le


def _godaddy(o: Org) -> list[Cert]:
    """GoDaddy, bought yearly; a wildcard on every server; two expired but still installed."""
    rng, dom, gd = o.rng, o.domain, []
    for i, (cn, sans) in enumerate(
        [
            (f"*.{dom}", (f"*.{dom}", dom)),
            (f"mail.{dom}", (f"mail.{dom}", f"autodiscover.{dom}")),
            (f"vpn.{dom}", (f"vpn.{dom}",)),
            (f"*.{dom}", (f"*.{dom}", dom)),
            (f"owa.{dom}", (f"owa.{dom}",)),
            (f"ftp.{dom}", (f"ftp.{dom}",)),
            (f"b2b.{dom}", (f"b2b.{dom}",)),
            (f"remote.{dom}", (f"remote.{dom}",)),
        ]
    ):
        expired = i in (3, 5)
        nb = AS_OF - timedelta(days=rng.uniform(400, 500) if expired else rng.uniform(30, 300))
        svc = ["webshop", "email", "remote-access", "webshop", "email", "erp", "erp", "remote-access"][i]
        gd.append(
            o.leaf(
                o.w.public["Go Daddy Secure Certificate Authority - G2"],
                cn,
                key="RSA-2048",
                not_before=nb,
                days=397,
                sans=sans,
                service=svc,
                owner=_owner(rng),
                automation="manual",
                endpoints=["srv-web01; srv-mail01" if i == 0 else f"10.0.0.{10 + i}:443"],
            )
        )
    return gd


def _domain_ca(o: Org, dc: CA) -> list[Cert]:
    """The domain controller's CA: intranet, ERP, RDP. Two SHA-1 leftovers and one RSA-1024."""
    hosts = ["erp", "intranet", "rdp-gw", "wiki", "files", "backup", "print", "hr", "tills", "wsus"]
    internal = []
    for i in range(20):
        host = hosts[i % 10]
        cn = f"{host}{'' if i < 10 else '-02'}.bramble.local"
        internal.append(
            o.leaf(
                dc,
                cn,
                key="RSA-1024" if i == 6 else "RSA-2048",
                digest="sha1" if i in (0, 11) else "sha256",
                not_before=AS_OF - timedelta(days=o.rng.uniform(20, 700)),
                days=730,
                service={"erp": "erp", "rdp-gw": "remote-access", "tills": "payments"}.get(host, "erp"),
                owner=_owner(o.rng),
                automation="manual",
                endpoints=[f"{cn}:443"],
            )
        )
    return internal


def _appliances(o: Org) -> list[Cert]:
    """Self-signed appliances: printers, NAS, tills, switches, cameras."""
    rng, selfs = o.rng, []
    for i in range(42):
        kind = ["printer", "nas", "till", "switch", "cam", "ups"][i % 6]
        cn = f"{kind}{i // 6 + 1:02d}.bramble.local"
        key = "RSA-1024" if i in (0, 13) else ("EC-256" if kind == "cam" else "RSA-2048")
        selfs.append(
            o.leaf(
                None,
                cn,
                key=key,
                not_before=AS_OF - timedelta(days=rng.uniform(100, 2500)),
                days=rng.choice([1825, 3650, 7300]),
                service="payments" if kind == "till" else None,
                owner=_owner(rng),
                automation="none",
                endpoints=[f"{cn}:443"],
            )
        )
    return selfs


def _collected_files(
    o: Org, le: list[Cert], gd: list[Cert], internal: list[Cert], selfs: list[Cert], dc: CA
) -> None:
    """certs/: loose PEM, DER and PFX files collected from the servers, private keys beside them."""
    R11, GD = o.w.public["R11"], o.w.public["Go Daddy Secure Certificate Authority - G2"]
    GD_root = o.w.public["Go Daddy Root Certificate Authority - G2"]
    www, shop_wild, mail, vpn = le[0], gd[0], gd[1], gd[2]
    o.pem("certs/www/fullchain.pem", [www, o.ca_cert(R11)])
    o.put("certs/www/privkey.pem", key_pem(www.issued.key))
    o.mark([shop_wild])
    o.put("certs/wildcard_bramble-sons.cer", shop_wild.issued.der)
    o.pem("certs/gd_bundle-g2-g1.crt", [o.ca_cert(GD), o.ca_cert(GD_root)])
    o.mark([mail, o.ca_cert(GD), o.ca_cert(GD_root)])
    o.put(
        "certs/mail-exchange.pfx",
        pkcs12.serialize_key_and_certificates(
            b"mail",
            mail.issued.key,
            mail.cert,
            [GD.issued.cert, GD_root.issued.cert],
            serialization.NoEncryption(),
        ),
    )
    o.pem("certs/vpn-appliance.pem", [vpn])
    o.pem("certs/erp/legacy-erp.crt", [internal[0]])
    o.mark([o.ca_cert(dc)])
    o.put("certs/BRAMBLE-DC01-CA.cer", dc.issued.der)
    o.pem("certs/printer01.pem", [selfs[0]])
    o.put("certs/printer01.key", key_pem(selfs[0].issued.key))
    o.pem("certs/print-server.pem", [internal[6]])
    o.pem("certs/nas01-selfsigned.pem", [selfs[1]])
    o.put("certs/nas01.key", key_pem(selfs[1].issued.key))


def _spreadsheet(o: Org, listed: list[Cert]) -> None:
    """certificates.csv: Latin-1, CRLF, dates and serials as whoever typed them, duplicates, broken rows."""
    listed_ids = {id(c) for c in listed}
    for c in o.certs:  # the truth knows only the services the spreadsheet names
        if id(c) not in listed_ids or o.rng.random() < 0.4:
            c.service = None
    lines = _spreadsheet_lines(o.rng, listed)
    # a formula someone pasted (spreadsheet apps would run it; the tool must not)
    lines[10][3] = '=HYPERLINK("mailto:it@bramble-sons.example","IT")'
    # copy-paste duplicates
    for j in (1, 4, 17, 30):
        lines.insert(j + 3, list(lines[j]))
    body = [",".join(_q(x) for x in _HEADER)] + [",".join(_q(x) for x in r) for r in lines]
    for idx, text in _BROKEN_LINES:
        body.insert(idx - 1, text)
    o.put("certificates.csv", ("\r\n".join(body) + "\r\n").encode("latin-1"))
    o.mark(listed)
    o.truth_extra["rejected_lines"] = {"certificates.csv": [idx for idx, _ in _BROKEN_LINES]}


def _spreadsheet_lines(rng: random.Random, listed: list[Cert]) -> list[list[str]]:
    """One row per listed certificate: the expiry in one of five formats in turn (the first dd/mm/yyyy
    date has a day above 12, so a reader can tell it from mm/dd), the issuer as a name or a DN, the
    serial copied from wherever the admin looked."""
    lines: list[list[str]] = []
    first_dmy = True
    for i, c in enumerate(listed):
        na = c.cert.not_valid_after_utc
        fmt = _DATE_FORMATS[i % len(_DATE_FORMATS)]
        if fmt == "dmy" and first_dmy and na.day <= 12:
            fmt = "iso"
        if fmt == "dmy" and na.day > 12:
            first_dmy = False
        issuer = c.issuer_cn if c.ca is not None else c.cn
        if c.ca is not None and rng.random() < 0.4:
            issuer = c.cert.issuer.rfc4514_string()
        # openssl's colon hex, Windows' spaced hex, or bare hex
        raw = c.cert.serial_number.to_bytes(16, "big")
        serial = rng.choice([":".join(f"{b:02X}" for b in raw), " ".join(f"{b:02x}" for b in raw), raw.hex()])
        note = rng.choice(_NOTES)
        if c.cert.not_valid_after_utc < AS_OF:
            note = "still on the server?? ask Mike"
        lines.append(
            [
                c.cn,
                _expiry(na, fmt),
                issuer,
                c.owner or "",
                ";".join(c.endpoints),
                c.service or "",
                note,
                serial,
            ]
        )
    return lines


def _expiry(na: datetime, fmt: str) -> str:
    return {
        "iso": na.strftime("%Y-%m-%d"),
        "dmy": na.strftime("%d/%m/%Y"),
        "openssl": na.strftime("%b ") + f"{na.day:2d}" + na.strftime(" %H:%M:%S %Y GMT"),
        "long": na.strftime("%B ") + f"{na.day}, {na.year}",
        "epoch": str(int(na.timestamp())),
    }[fmt]


def _q(v: str) -> str:
    return '"' + v.replace('"', '""') + '"' if any(ch in v for ch in ',"\n') else v


def _record_findings(o: Org, internal: list[Cert], selfs: list[Cert]) -> None:
    """Ground truth of what assess must flag: key files, SHA-1, RSA-1024, expired certificates."""
    o.truth_extra["private_key_files"] = sorted(
        ["certs/www/privkey.pem", "certs/printer01.key", "certs/nas01.key", "certs/mail-exchange.pfx"]
    )
    o.truth_extra["sha1_signed"] = sorted(
        [c.cn, c.serial]
        for c in internal
        if c.cert.signature_hash_algorithm and c.cert.signature_hash_algorithm.name == "sha1"
    )
    o.truth_extra["rsa_1024"] = sorted(
        [c.cn, c.serial]
        for c in internal + selfs
        if key_type(c.cert.public_key()) == ("RSA", "1024") and id(c.issued) in o.present
    )
    o.truth_extra["expired"] = sorted(
        [c.cn, c.serial] for c in o.present.values() if c.cert.not_valid_after_utc < AS_OF
    )


def _profile(o: Org) -> None:
    o.yaml(
        "profile.yaml",
        {
            "organization": o.name,
            "as_of": AS_OF_PIN,
            "industry": "Retail (hardware stores)",
            "teams": [{"name": "it", "engineers": 1, "hours_per_day": 2, "timezone": "Europe/London"}],
            "approved_cas": [
                {"name": "Let's Encrypt", "type": "acme"},
                {"name": "GoDaddy", "type": "public"},
                {"name": "BRAMBLE-DC01-CA", "type": "private"},
            ],
            "backup_cas": [],
            "ca_onboarding_days": 30,
            "migration_years": 3,
            "quantum_threat_years": 10,
            "attested": {
                "documented_policy": False,
                "itsm_integration": False,
                "periodic_discovery": False,
                "renewal_runbook": False,
                "automated_deployment": False,
            },
        },
        "Renewals happen when Dave's calendar reminds him. Nothing else is written down.",
    )
    o.yaml(
        "policy.yaml",
        {
            "name": "IT rules (from an email, 2021)",
            "allowed_key_algorithms": {"RSA": {"min_size": 2048}},
            "require_owner": False,
        },
    )
