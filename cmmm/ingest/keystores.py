"""Key and trust stores: Java JKS/JCEKS (pyjks) and NSS `sql:` databases (cert9.db/key4.db, SQLite).

Certificates in these stores are not encrypted: they are read whatever the store password. A JKS store's
password only guards its integrity hash and its private keys; like PKCS#12's, passwords come from
--password-file or CMMM_PKCS12_PASSWORDS, are tried in order and are never logged.
"""

from __future__ import annotations

import sqlite3
import urllib.request
from pathlib import Path
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from pyasn1.error import PyAsn1Error

from cmmm.errors import InputError
from cmmm.ingest._base import Batch, ReadContext
from cmmm.ingest.x509 import certificate_row, key_type_name, load_der, public_key_id
from cmmm.model import PrivateKeyFinding, Rejected

_JKS_MAGIC = b"\xfe\xed\xfe\xed"
_JCEKS_MAGIC = b"\xce\xce\xce\xce"
_SQLITE_MAGIC = b"SQLite format 3\x00"
_CKO_CERTIFICATE = b"\x00\x00\x00\x01"  # NSS stores CK_ULONG attributes as 4 bytes big-endian (sdb.c)
_CKO_PRIVATE_KEY = b"\x00\x00\x00\x03"
_NSS_NULL = b"\xa5\x00Z"  # sdb.c SQLITE_EXPLICIT_NULL: an attribute present but empty


def _add(batch: Batch, path: Path, ref: str, der: bytes, store: str) -> None:
    """One certificate of a store, or a rejection naming its entry."""
    try:
        cert = load_der(der)
        row = certificate_row(cert, der)
    except ValueError as exc:
        batch.rejected.append(Rejected(source=str(path), locator=ref, reason=f"corrupt certificate: {exc}"))
        return
    assert isinstance(batch.certificates, list) and isinstance(batch.observations, list)
    batch.certificates.append(row)
    batch.observations.append(
        {
            "cert_id": row["cert_id"],
            "source": str(path),
            "source_ref": ref,
            "location": str(path),
            "discovered_by": "filesystem",
            "tags": f"store:{store}",
        }
    )
    batch.bodies[row["cert_id"]] = der


# ----------------------------------------------------------------------------------------------- JKS
def sniff_jks(path: Path, head: bytes) -> int:
    return 95 if head[:4] in (_JKS_MAGIC, _JCEKS_MAGIC) else 0


def _jks() -> Any:
    """pyjks, imported when a Java keystore is read (it and pyasn1 cost every other ingest 0.08 s)."""
    import jks

    return jks


def _integrity(data: bytes, ctx: ReadContext) -> str | None:
    """The password that verifies the store's integrity hash (never logged), or None."""
    jks = _jks()
    for pw in ("", *ctx.passwords):
        try:
            jks.KeyStore.loads(data, pw, try_decrypt_keys=False)
        except jks.util.KeystoreSignatureException:
            continue
        except jks.util.KeystoreException:  # the hash itself is cut short or malformed
            return None
        return pw
    return None


def _key_facts(entry: Any, password: str | None, ctx: ReadContext) -> tuple[str, str | None, bool]:
    """(key type, key_id, whether it was decrypted) of a JKS private-key entry."""
    jks = _jks()
    for pw in dict.fromkeys(p for p in (password, "", *ctx.passwords) if p is not None):
        try:
            entry.decrypt(pw)
        except (jks.util.KeystoreException, PyAsn1Error, ValueError):  # wrong password, or a corrupt entry
            continue
        try:
            key = serialization.load_der_private_key(entry.pkey_pkcs8, password=None)
        except (ValueError, TypeError, UnsupportedAlgorithm):
            return "unknown", None, True
        return key_type_name(key), public_key_id(key), True
    return "unknown (encrypted)", None, False


def read_jks(path: Path, ctx: ReadContext) -> Batch:
    """Every trusted certificate and every private-key entry's chain; key entries become findings."""
    data = path.read_bytes()
    kind = "JCEKS" if data[:4] == _JCEKS_MAGIC else "JKS"
    jks = _jks()
    try:
        store = jks.KeyStore.loads(data, None, try_decrypt_keys=False)  # certificates need no password
    except jks.util.DuplicateAliasException as exc:
        raise InputError(str(path), f"{kind} keystore has a duplicate alias: {exc}") from None
    except (jks.util.KeystoreException, PyAsn1Error, UnicodeDecodeError, ValueError) as exc:
        raise InputError(str(path), f"unreadable {kind} keystore: {exc}") from None
    batch = Batch()
    password = _integrity(data, ctx)
    if password is None:
        tried = len(ctx.passwords)
        batch.notes.append(
            f"{path}: {kind} integrity not verified: no configured password matches (tried the empty one "
            f"and {tried} configured); its certificates were read, as the format stores them unencrypted"
        )
    for alias, entry in sorted(store.certs.items()):
        _add(batch, path, f"alias {alias}", entry.cert, kind.lower())
    for alias, entry in sorted(store.private_keys.items()):
        for i, (_, der) in enumerate(entry.cert_chain):
            _add(batch, path, f"alias {alias} chain {i}", der, kind.lower())
        key_type, key_id, _ = _key_facts(entry, password, ctx)
        batch.private_keys.append(
            PrivateKeyFinding(
                path=str(path),
                locator=f"alias {alias}",
                key_type=key_type,
                encrypted=True,  # JKS always encrypts private keys, with a password of its own
                key_id=key_id,
                store="keystore",
            )
        )
    if store.secret_keys:
        batch.notes.append(f"{path}: {len(store.secret_keys)} JCEKS secret-key entr(ies) (not certificates)")
    if not (store.certs or store.private_keys or store.secret_keys):
        batch.notes.append(f"{path}: {kind} keystore holds no entries")
    return batch


# ----------------------------------------------------------------------------------------------- NSS
def sniff_nss(path: Path, head: bytes) -> int:
    if path.name == "pkcs11.txt" and b"library=" in head and b"NSS=" in head:
        return 60  # the module list beside cert9.db and key4.db
    if not head.startswith(_SQLITE_MAGIC):
        return 0
    # the first page holds the schema: NSS's tables are nssPublic (cert9.db) and nssPrivate (key4.db)
    return 95 if b"nssPublic" in head or b"nssPrivate" in head else 0


def _query(path: Path, sql: str) -> list[tuple[Any, ...]]:
    """Rows of a read-only query on an SQLite file that is never written, locked or journaled."""
    uri = f"file:{urllib.request.pathname2url(str(path.resolve()))}?mode=ro&immutable=1"
    try:
        with sqlite3.connect(uri, uri=True) as db:
            return db.execute(sql).fetchall()
    except sqlite3.DatabaseError as exc:
        raise InputError(str(path), f"unreadable NSS database: {exc}") from None


def _label(raw: Any) -> str:
    if isinstance(raw, bytes) and raw != _NSS_NULL:
        return raw.decode("utf-8", "replace")
    return "-"


def read_nss(path: Path, ctx: ReadContext) -> Batch:
    """cert9.db: every CKO_CERTIFICATE object's CKA_VALUE (column a11); key4.db: one finding per key."""
    batch = Batch()
    if not path.read_bytes()[:16].startswith(_SQLITE_MAGIC):
        batch.notes.append(f"{path}: NSS module configuration (no certificates)")
        return batch
    tables = {r[0] for r in _query(path, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "nssPublic" in tables:
        for oid, cls, label, value in _query(path, "SELECT id, a0, a3, a11 FROM nssPublic ORDER BY id"):
            if cls != _CKO_CERTIFICATE:
                continue  # trust objects, public keys
            ref = f"object {oid} ({_label(label)})"
            if not isinstance(value, bytes) or value == _NSS_NULL:
                batch.rejected.append(
                    Rejected(source=str(path), locator=ref, reason="certificate has no value")
                )
                continue
            _add(batch, path, ref, value, "nss")
    if "nssPrivate" in tables:
        for oid, cls, label in _query(path, "SELECT id, a0, a3 FROM nssPrivate ORDER BY id"):
            if cls != _CKO_PRIVATE_KEY:
                continue  # secret keys
            batch.private_keys.append(
                PrivateKeyFinding(
                    path=str(path),
                    locator=f"object {oid} ({_label(label)})",
                    key_type="unknown (encrypted)",
                    encrypted=True,  # key4.db wraps every key under the database password
                    store="keystore",
                )
            )
    return batch
