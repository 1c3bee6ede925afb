"""openssl's tolerance where it is safe: re-encode a certificate that cryptography's strict DER parser
refuses but openssl reads, naming each malformation that was smoothed over.

Repaired (each is evidence a legacy device or CA emitted; zlint's corpus has all of them):
- an empty RelativeDistinguishedName SET in a Name (`31 00`) is dropped;
- NULL parameters after an ECDSA or DSA signature OID, or a DSA key OID, are dropped (RFC 5758 §3.2 and
  RFC 3279 §2.3.2 say absent; a DSA key without parameters inherits its issuer's);
- a DSA key without parameters (RFC 3279 §2.3.2: inherited from the issuer's key) gets placeholder
  parameters so that the rest can be read; its size and key identifier are then unknown;
- an INTEGER with needless leading 0x00 or 0xFF octets is made minimal;
- a length in a longer form than needed is re-encoded in the shortest.

Only constructed elements are walked: OCTET STRING and BIT STRING contents (extension values, keys,
signatures) are copied byte for byte. The repaired bytes serve to read fields; the certificate keeps the
identity (SHA-256) of the bytes on disk, and its signature, made over the original bytes, is not checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

_NULL = b"\x05\x00"
# content octets of the OIDs whose NULL parameters are dropped
_ECDSA_SIG_PREFIX = bytes.fromhex("2a8648ce3d04")  # 1.2.840.10045.4 (ecdsa-with-SHA1, -SHA224…-SHA512)
_DSA_OIDS = {
    bytes.fromhex("2a8648ce380401"),  # 1.2.840.10040.4.1 id-dsa (key)
    bytes.fromhex("2a8648ce380403"),  # 1.2.840.10040.4.3 id-dsa-with-sha1
    bytes.fromhex("608648016503040301"),  # 2.16.840.1.101.3.4.3.1 dsa-with-sha224
    bytes.fromhex("608648016503040302"),  # 2.16.840.1.101.3.4.3.2 dsa-with-sha256
}
_DSA_KEY = bytes.fromhex("2a8648ce380401")
# Dss-Parms { p, q, g } as small placeholders: cryptography parses them, nothing computes with them
_PLACEHOLDER_DSS = bytes.fromhex("3009020101020101020101")
DSA_INHERITED = "a DSA key without parameters (inherited from its issuer; key size unknown)"
MAX_DEPTH = 32


class _Bad(Exception):
    """Not DER that the repair can walk."""


@dataclass(slots=True)
class _Repairs:
    found: list[str] = field(default_factory=list)

    def add(self, what: str) -> None:
        if what not in self.found:
            self.found.append(what)


def _header(b: bytes, i: int, end: int, fixes: _Repairs) -> tuple[int, int, int]:
    """(tag, content start, content end) at i."""
    if i + 2 > end:
        raise _Bad
    tag, n = b[i], b[i + 1]
    if tag & 0x1F == 0x1F:
        raise _Bad
    if n < 0x80:
        start = i + 2
        length = n
    else:
        k = n & 0x7F
        if not 1 <= k <= 4:
            raise _Bad  # indefinite or absurd
        start = i + 2 + k
        length = int.from_bytes(b[i + 2 : start], "big")
        if length < 0x80 or b[i + 2] == 0:
            fixes.add("a length in a longer form than DER allows")
    if start + length > end:
        raise _Bad
    return tag, start, start + length


def _length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def _tlv(tag: int, content: bytes) -> bytes:
    return bytes([tag]) + _length(len(content)) + content


def _integer(content: bytes, fixes: _Repairs) -> bytes:
    i = 0
    while i + 1 < len(content) and (
        (content[i] == 0 and content[i + 1] < 0x80) or (content[i] == 0xFF and content[i + 1] >= 0x80)
    ):
        i += 1
    if i:
        fixes.add("an INTEGER with needless leading octets (not minimal DER)")
    return content[i:]


def _children(b: bytes, start: int, end: int, fixes: _Repairs) -> list[tuple[int, int, int]]:
    out = []
    at = start
    while at < end:
        tag, c_start, c_end = _header(b, at, end, fixes)
        out.append((tag, c_start, c_end))
        at = c_end
    return out


def _walk(b: bytes, tag: int, start: int, end: int, fixes: _Repairs, depth: int) -> bytes:
    """The element re-encoded with the repairs."""
    if depth > MAX_DEPTH:
        raise _Bad
    if not tag & 0x20:  # primitive: copied, INTEGERs made minimal
        content = b[start:end]
        return _tlv(tag, _integer(content, fixes) if tag == 0x02 and content else content)
    kids = _children(b, start, end, fixes)
    if tag == 0x30 and kids and all(t == 0x31 for t, _, _ in kids):  # a Name: SEQUENCE OF RDN SETs
        empty = [k for k in kids if k[1] == k[2]]
        if empty and len(empty) < len(kids):
            fixes.add("an empty RDN SET in a Name")
            kids = [k for k in kids if k[1] != k[2]]
    if tag == 0x30 and len(kids) == 2 and kids[0][0] == 0x06 and b[kids[1][1] - 2 : kids[1][2]] == _NULL:
        oid = b[kids[0][1] : kids[0][2]]
        if oid.startswith(_ECDSA_SIG_PREFIX) or oid in _DSA_OIDS:
            fixes.add("NULL parameters in an ECDSA or DSA algorithm identifier")
            kids = kids[:1]
    content = b"".join(_walk(b, t, s, e, fixes, depth + 1) for t, s, e in kids)
    if tag == 0x30 and len(kids) == 1 and kids[0][0] == 0x06 and b[kids[0][1] : kids[0][2]] == _DSA_KEY:
        fixes.add(DSA_INHERITED)
        content += _PLACEHOLDER_DSS
    return _tlv(tag, content)


def repair(der: bytes) -> tuple[bytes, list[str]]:
    """(re-encoded DER, the malformations repaired); the input unchanged with [] when it needs no repair
    or cannot be walked."""
    fixes = _Repairs()
    try:
        tag, start, end = _header(der, 0, len(der), fixes)
        if tag != 0x30 or end != len(der):
            return der, []
        fixed = _walk(der, tag, start, end, fixes, 0)
    except _Bad:
        return der, []
    return (fixed, fixes.found) if fixed != der else (der, [])
