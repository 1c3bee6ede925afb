"""CycloneDX 1.6/1.7 cryptographic bills of materials (JSON or XML): certificate and algorithm assets."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from cmmm.crypto import (
    CATEGORY_CLASSICAL_BITS,
    KEY_ALGORITHM_OIDS,
    classical_security_bits,
    key_algorithm,
    key_family,
    nist_quantum_level,
    signature_algorithm,
)
from cmmm.errors import InputError
from cmmm.ingest._base import Batch, ReadContext, parse_json, text_of
from cmmm.ingest._scan import add_rows, dn_attr, hex_fingerprint, hex_serial, reject_entities
from cmmm.model import Rejected

DISCOVERED_BY = "cbom"
SERIAL_PROPERTY = "cmmm:serialNumber"  # 1.6 has no serial field: cmmm's export carries it as a property
_FP_IN_REF = re.compile(r"sha-?256:([0-9a-fA-F]{64})")
_NOT_QUANTUM_SENSITIVE = {"hash", "ae", "block-cipher", "stream-cipher", "mac", "kdf", "drbg", "xof"}
_SYMMETRIC_NAME = re.compile(
    r"^(aes|sha|hmac|chacha|camellia|aria|3des|tdea|des|rc4|md5|blake|poly1305|hkdf|pbkdf|kmac|shake|seed)",
    re.IGNORECASE,
)


def _cyclonedx_root(text: bytes) -> bool:
    """The first <bom …> tag carries the CycloneDX namespace (one look at one tag: linear, where a regex
    `<bom\b[^>]*xmlns=` rescans to the end from every "<bom" of a hostile head)."""
    for m in re.finditer(rb"<bom\b", text):
        end = text.find(b">", m.end())
        return b'xmlns="http://cyclonedx.org/schema/bom/' in text[m.end() : end if end >= 0 else len(text)]
    return False


def sniff(path: Path, head: bytes) -> int:
    """CycloneDX JSON (bomFormat) or XML (the bom namespace) that holds cryptographic assets."""
    text = head[:65536]
    if re.search(rb'"bomFormat"\s*:\s*"CycloneDX"', text):
        return 96 if b"cryptographic-asset" in text or b"cryptoProperties" in text else 60
    if _cyclonedx_root(text):
        return 96 if b"cryptographic-asset" in text else 60
    return 0


# ------------------------------------------------------------------------------------------------ shapes
def _load(path: Path) -> dict[str, Any]:
    src = str(path)
    data = path.read_bytes()
    if data.lstrip()[:1] == b"<":
        reject_entities(path)
        try:
            root = ET.fromstring(data)
        except ET.ParseError as exc:
            raise InputError(
                src, f"invalid XML: {exc}", line=exc.position[0] if exc.position else None
            ) from None
        except LookupError as exc:  # <?xml encoding="…"?> naming no codec
            raise InputError(src, f"invalid XML: {exc}") from None
        if _local(root.tag) != "bom":
            raise InputError(src, f"not a CycloneDX BOM: root element is <{_local(root.tag)}>")
        return _xml_bom(root)
    try:
        doc = parse_json(text_of(data), src)
    except InputError as exc:
        if exc.reason.startswith("invalid JSON"):
            raise InputError(src, f"{exc.reason} (truncated CBOM?)", line=exc.line) from None
        raise
    if not isinstance(doc, dict) or doc.get("bomFormat") != "CycloneDX":
        raise InputError(src, 'not a CycloneDX BOM: no "bomFormat": "CycloneDX"')
    if "components" in doc and not isinstance(doc["components"], list):
        raise InputError(src, "CycloneDX components is not a list")
    return doc


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


# XML element names whose children form a list in the JSON form
_XML_LISTS = {"components", "cipherSuites", "algorithms", "identifiers", "cryptoFunctions", "hashes"}


def _xml_value(elem: ET.Element) -> Any:
    children = list(elem)
    if not children:
        return (elem.text or "").strip()
    if _local(elem.tag) in _XML_LISTS:
        return [_xml_value(c) for c in children]
    out: dict[str, Any] = {}
    for c in children:
        out[_local(c.tag)] = _xml_value(c)
    return out


def _xml_bom(root: ET.Element) -> dict[str, Any]:
    comps: list[dict[str, Any]] = []
    for holder in root:
        if _local(holder.tag) != "components":
            continue
        for c in holder:
            item: dict[str, Any] = dict(c.attrib)
            for child in c:
                item[_local(child.tag)] = _xml_value(child)
            comps.append(item)
    version = re.search(r"/bom/([\d.]+)\}", root.tag)
    return {"specVersion": version.group(1) if version else None, "components": comps}


def _walk(components: list[Any]) -> Iterator[tuple[int, dict[str, Any]]]:
    """Components and their nested components, breadth first."""
    stack = deque(enumerate(components))
    while stack:
        i, c = stack.popleft()
        if isinstance(c, dict):
            yield i, c
            nested = c.get("components")
            if isinstance(nested, list):
                stack.extend(enumerate(nested))


# ------------------------------------------------------------------------------------------------ reading
def read(path: Path, ctx: ReadContext) -> Batch:
    """Certificates (with key and signature algorithms resolved through bom-refs) and algorithm assets."""
    src = str(path)
    doc = _load(path)
    described = _obj(_obj(doc.get("metadata")).get("component")).get("name")
    comps = list(_walk(doc.get("components") or []))
    by_ref = {c["bom-ref"]: c for _, c in comps if isinstance(c.get("bom-ref"), str) and c["bom-ref"]}
    cache: dict[tuple[str, Any], Any] = {}

    def resolve(kind: str, ref: Any) -> Any:
        # thousands of certificates share a handful of algorithm refs: resolve each once
        ref = ref if isinstance(ref, str) else None  # a ref is a string; anything else refers to nothing
        if (kind, ref) not in cache:
            cache[(kind, ref)] = _key(ref, by_ref) if kind == "key" else _signature(ref, by_ref)
        return cache[(kind, ref)]

    batch = Batch()
    records: list[dict[str, Any]] = []
    observations: list[dict[str, Any]] = []
    protocols = 0
    for i, comp in comps:
        props = comp.get("cryptoProperties")
        if not isinstance(props, dict):
            continue
        ref = str(comp.get("bom-ref") or f"components[{i}]")
        location = _occurrence(comp) or described or src
        asset = props.get("assetType")
        if asset == "certificate":
            cp = props.get("certificateProperties")
            if not isinstance(cp, dict):
                batch.rejected.append(
                    Rejected(
                        source=src, locator=ref, reason="certificate asset without certificateProperties"
                    )
                )
                continue
            records.append(_certificate(comp, cp, resolve))
            observations.append(
                {
                    "source": src,
                    "source_ref": ref,
                    "location": location,
                    "service": described,
                    "discovered_by": DISCOVERED_BY,
                }
            )
        elif asset == "algorithm":
            batch.algorithms.append(_algorithm(comp, props, src, ref, location))
        elif asset == "protocol":
            protocols += 1
    add_rows(
        batch,
        path,
        records,
        observations,
        "certificate asset has no subject name or no valid notValidAfter date",
    )
    spec = doc.get("specVersion") or "?"
    batch.notes.append(
        f"{src}: CycloneDX {spec}: {len(records)} certificate, {len(batch.algorithms)} algorithm and "
        f"{protocols} protocol asset(s)"
    )
    return batch


def _occurrence(comp: dict[str, Any]) -> str | None:
    ev = comp.get("evidence")
    occ = ev.get("occurrences") if isinstance(ev, dict) else None
    if isinstance(occ, list) and occ and isinstance(occ[0], dict) and occ[0].get("location"):
        line = occ[0].get("line")
        return f"{occ[0]['location']}:{line}" if line else str(occ[0]["location"])
    return None


def _ref_tail(ref: str | None) -> tuple[str, str]:
    """cbomkit refs carry the algorithm: "crypto/key/rsa-2048@1.2.840.113549.1.1.1" → ("rsa-2048", oid)."""
    if not ref:
        return "", ""
    name, _, oid = ref.rpartition("/")[2].partition("@")
    return name, oid


def _key(ref: str | None, by_ref: dict[Any, dict[str, Any]]) -> tuple[str | None, int | None]:
    """Key algorithm text and size of a subjectPublicKeyRef: from the public-key material it names, the
    algorithm that material names, or the ref itself (cbomkit refs carry name and OID)."""
    comp = by_ref.get(ref)
    size: int | None = None
    curve: str | None = None
    names: list[str] = []
    oids: list[str] = []
    if comp is not None:
        rcm = _obj(_obj(comp.get("cryptoProperties")).get("relatedCryptoMaterialProperties"))
        size = _int(rcm.get("size"))
        alg_ref = rcm.get("algorithmRef")
        alg = by_ref.get(alg_ref) if isinstance(alg_ref, str) else None
        for c in (comp, alg):
            if c is not None:
                cp = _obj(c.get("cryptoProperties"))
                names.append(str(c.get("name") or ""))
                oids.append(str(cp.get("oid") or "").removeprefix("oid:"))
                curve = curve or _obj(cp.get("algorithmProperties")).get("curve")
    tail, oid = _ref_tail(ref)
    names.append(tail)
    oids.append(oid)
    family: str | None = None
    for n in names:
        fam, s2, c2 = key_algorithm(n) if n else (None, None, None)
        if fam and key_family(fam).value != "unknown":
            family = family or fam
            size = size or s2
            curve = curve or c2
    for o in oids:
        family = family or KEY_ALGORITHM_OIDS.get(o)
    if family is None:
        return None, size
    return (f"EC {curve}" if family == "EC" and curve else family), size


def _signature(ref: str | None, by_ref: dict[Any, dict[str, Any]]) -> str | None:
    comp = by_ref.get(ref)
    tail, oid = _ref_tail(ref)
    candidates = [oid, tail]
    if comp is not None:
        candidates = [str(_obj(comp.get("cryptoProperties")).get("oid") or ""), str(comp.get("name") or "")]
        candidates += [oid, tail]
    for c in candidates:
        sig = signature_algorithm(c.removeprefix("oid:")) if c else None
        if sig:
            return sig.name
    return None


def _certificate(
    comp: dict[str, Any], cp: dict[str, Any], resolve: Callable[[str, Any], Any]
) -> dict[str, Any]:
    related = cp.get("relatedCryptographicAssets")
    sig_ref = cp.get("signatureAlgorithmRef")
    key_ref = cp.get("subjectPublicKeyRef")
    if isinstance(related, list):
        for r in related:
            if isinstance(r, dict) and r.get("type") == "algorithm":
                sig_ref = sig_ref or r.get("ref")
            elif isinstance(r, dict) and r.get("type") in ("publicKey", "public-key"):
                key_ref = key_ref or r.get("ref")
    key, size = resolve("key", key_ref)
    fp = cp.get("fingerprint")
    sha256 = None
    if isinstance(fp, dict) and str(fp.get("alg", "")).upper().replace("-", "") == "SHA256":
        sha256 = hex_fingerprint(fp.get("content"), 64)
    for h in _list(comp.get("hashes")):
        if isinstance(h, dict) and str(h.get("alg", "")).upper().replace("-", "") == "SHA256":
            sha256 = sha256 or hex_fingerprint(h.get("content"), 64)
    m = _FP_IN_REF.search(str(comp.get("bom-ref") or ""))
    sha256 = sha256 or (m.group(1).lower() if m else None)
    serial = cp.get("serialNumber")
    for p in _list(comp.get("properties")):
        if isinstance(p, dict) and p.get("name") == SERIAL_PROPERTY:
            serial = serial or p.get("value")
    subject = _dn(cp.get("subjectName"))
    return {
        "subject_dn": subject,
        "common_name": (dn_attr(subject, "CN") if subject and "=" in subject else subject)
        or comp.get("name"),
        "issuer_dn": _dn(cp.get("issuerName")),
        "serial": hex_serial(serial),
        "not_before": cp.get("notValidBefore"),
        "not_after": cp.get("notValidAfter"),
        "key": key,
        "key_size": size,
        "signature": resolve("signature", sig_ref),
        "fingerprint_sha256": sha256,
    }


def _dn(name: Any) -> str | None:
    # cbomkit writes OpenSSL's one-line form "C = US, O = Google Trust Services LLC, CN = GTS CA 1C3"
    if not name:
        return None
    return re.sub(r"\s*=\s*", "=", str(name)).strip()


def _obj(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


def _list(v: Any) -> list[Any]:
    return v if isinstance(v, list) else []


def _int(v: Any) -> int | None:
    try:
        return int(v)
    except (TypeError, ValueError, OverflowError):
        return None


def _algorithm(
    comp: dict[str, Any], props: dict[str, Any], src: str, ref: str, location: str
) -> dict[str, Any]:
    ap = _obj(props.get("algorithmProperties"))
    name = str(comp.get("name") or "")
    oid = str(props.get("oid") or "").removeprefix("oid:") or None
    primitive = ap.get("primitive") if isinstance(ap.get("primitive"), str) else None
    level = _int(ap.get("nistQuantumSecurityLevel"))
    family: str | None = None
    sig = signature_algorithm(oid) or signature_algorithm(name)
    fam, _, _ = key_algorithm(KEY_ALGORITHM_OIDS.get(oid or "", name))
    if fam and key_family(fam).value != "unknown":
        family = fam
    elif sig is not None and sig.family.value != "unknown":
        family = sig.family.value
    symmetric = family is None and (primitive in _NOT_QUANTUM_SENSITIVE or bool(_SYMMETRIC_NAME.match(name)))
    if level is None and not symmetric:
        level = nist_quantum_level(name)
        if level is None and family:
            level = nist_quantum_level(family)
    vulnerable: bool | None
    if level is not None:
        vulnerable = level == 0
    elif symmetric:
        # Grover only halves symmetric and hash strength: not "quantum-vulnerable" in the Shor sense
        vulnerable = False
    else:
        vulnerable = None
    classical = _int(ap.get("classicalSecurityLevel"))
    if classical is None and family and family == fam:  # a key algorithm: the parameter set is its size
        fam_enum = key_family(family)
        classical = classical_security_bits(fam_enum, _int(ap.get("parameterSetIdentifier")))
    if classical is None and level:
        classical = CATEGORY_CLASSICAL_BITS.get(level)
    return {
        "algorithm": name or oid,
        "primitive": primitive,
        "family": family,
        "parameter_set": ap.get("parameterSetIdentifier"),
        "curve": ap.get("curve") or ap.get("ellipticCurve"),
        "oid": oid,
        "classical_security_level": classical,
        "nist_quantum_security_level": level,
        "quantum_vulnerable": vulnerable,
        "source": src,
        "source_ref": ref,
        "location": location,
        "discovered_by": DISCOVERED_BY,
    }
