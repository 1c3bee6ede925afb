"""Seeded mutations of a seed file: type confusion of every JSON/YAML/XML field, deep nesting, and byte-level
damage to certificates, containers and tables."""

from __future__ import annotations

import json
import random
import re
from typing import Any

import yaml

# Values that confuse a reader expecting another type, or that break encoders, parsers and spreadsheets.
CONFUSERS: list[Any] = [
    None,
    True,
    0,
    -1,
    2**64 + 1,
    -(2**70),
    1e308,
    float("inf"),
    "",
    " ",
    "x" * 70_000,
    "\ud800",
    "\ufffe\uffff",
    "=cmd|' /c calc'!A1",
    "bob\r=1+1",
    "a\x85b\u2028c",
    "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
    "2027-02-30",
    "9999-99-99T99:99:99Z",
    "10.0.0.0/8",
    "[::1]:99999",
    [],
    {},
    [None],
    {"": None},
    [[[[[]]]]],
    {"a": {"b": {"c": [1, "x", None]}}},
]


DEEP = "__cmmm_fuzz_deep__"  # replaced after serializing by 1,200 nested brackets (no encoder recurses that deep)


def _deep(depth: int, kind: str) -> Any:
    if depth > 500:
        return DEEP
    node: Any = 1
    for _ in range(depth):
        node = [node] if kind == "list" else {"a": node}
    return node


def _confuser(rng: random.Random) -> Any:
    if rng.random() < 0.05:
        return _deep(rng.choice([50, 200, 1200]), rng.choice(["list", "dict"]))
    return rng.choice(CONFUSERS)


def mutate_tree(doc: Any, rng: random.Random, rate: float) -> Any:
    """A copy of the JSON/YAML document with a share `rate` of its values (and some keys) replaced by
    confusers, lists emptied or doubled (iterative, bounded to 50,000 nodes)."""
    root = [json.loads(json.dumps(doc, default=str))]
    stack: list[Any] = [root]
    seen = 0
    while stack and seen < 50_000:
        node = stack.pop()
        seen += 1
        if isinstance(node, list):
            for i in range(len(node)):
                if rng.random() < rate:
                    node[i] = _confuser(rng)
                elif isinstance(node[i], list | dict):
                    stack.append(node[i])
            if node and rng.random() < rate / 4:
                node.extend(node[: rng.randint(1, len(node))])
        elif isinstance(node, dict):
            for k in list(node):
                if rng.random() < rate:
                    node[k] = _confuser(rng)
                elif rng.random() < rate / 8:
                    node[rng.choice(["", "certificates", "status", "data", "endpoints", "chain"])] = node.pop(
                        k
                    )
                elif isinstance(node[k], list | dict):
                    stack.append(node[k])
    return root[0]


def mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    """Byte-level damage: flips, truncation, insertions of structure characters, duplicated chunks."""
    b = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.randrange(7)
        pos = rng.randrange(len(b) + 1) if b else 0
        if op == 0 and b:
            b[min(pos, len(b) - 1)] ^= 1 << rng.randrange(8)
        elif op == 1:
            del b[pos:]
        elif op == 2:
            b[pos:pos] = rng.choice(
                [
                    b'"',
                    b"\r",
                    b"\n",
                    b"\x00",
                    b"\x85",
                    b",",
                    b";",
                    b"-----BEGIN CERTIFICATE-----\n",
                    b"<",
                    b"]",
                    b"{",
                ]
            ) * rng.choice([1, 2, 100])
        elif op == 3 and b:
            end = min(len(b), pos + rng.randint(1, 64))
            b[pos:pos] = b[pos:end] * rng.choice([2, 50])
        elif op == 4 and b:
            b[pos : pos + rng.randint(1, 16)] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        elif op == 5:
            b[pos:pos] = "é…\ufffe".encode(rng.choice(["utf-8", "utf-16"]))
        elif op == 6 and b:
            del b[pos : pos + rng.randint(1, 64)]
    return bytes(b)


_XML_TEXT = re.compile(rb">([^<>]{1,200})<")
_XML_ATTR = re.compile(rb'="([^"]{0,200})"')


def mutate_xml(data: bytes, rng: random.Random) -> bytes:
    """Element text and attribute values replaced by confusers, or a subtree nested deep."""
    choice = rng.random()
    if choice < 0.15:
        at = data.find(b">", data.find(b"<", data.find(b"?>") + 2)) + 1
        depth = rng.choice([100, 2500])
        return data[:at] + b"<x>" * depth + b"</x>" * depth + data[at:]
    pool = [b"", b"-1", b"99999999999999999999999", b"NaN", b"x" * 5000, "\ufffe".encode(), b"&amp;", b"=1+1"]
    pattern = _XML_TEXT if choice < 0.6 else _XML_ATTR

    def sub(m: re.Match[bytes]) -> bytes:
        if rng.random() < 0.3:
            new = rng.choice(pool)
            return m.group(0).replace(m.group(1), new) if m.group(1) else m.group(0)
        return m.group(0)

    return pattern.sub(sub, data)


def mutate(name: str, data: bytes, rng: random.Random) -> bytes:
    """One mutation of a seed, chosen by what the seed is."""
    head = data.lstrip()[:1]
    if rng.random() < 0.25:
        return mutate_bytes(data, rng)
    if head in (b"{", b"["):
        try:
            doc = json.loads(data)
        except ValueError:
            return _json_lines(data, rng) or mutate_bytes(data, rng)
        text = json.dumps(mutate_tree(doc, rng, rng.choice([0.02, 0.1, 0.3])), default=str)
        return _deepen(text).encode("utf-8", "surrogatepass")
    if head == b"<":
        return mutate_xml(data, rng)
    if name.endswith((".yaml", ".yml")):
        try:
            docs = list(yaml.safe_load_all(data))
            out = [mutate_tree(d, rng, rng.choice([0.05, 0.2])) for d in docs]
            return _deepen(yaml.safe_dump_all(out, allow_unicode=True)).encode("utf-8", "surrogatepass")
        except (yaml.YAMLError, ValueError, RecursionError):
            return mutate_bytes(data, rng)
    return mutate_bytes(data, rng)


def _json_lines(data: bytes, rng: random.Random) -> bytes | None:
    """JSON Lines (zgrab2): each record mutated on its own."""
    out = []
    for line in data.splitlines():
        try:
            doc = json.loads(line)
        except ValueError:
            return None
        out.append(
            _deepen(json.dumps(mutate_tree(doc, rng, 0.1), default=str)).encode("utf-8", "surrogatepass")
        )
    return b"\n".join(out) if out else None


def _deepen(text: str) -> str:
    return text.replace(f'"{DEEP}"', "[" * 1200 + "]" * 1200).replace(DEEP, "[" * 1200 + "]" * 1200)
