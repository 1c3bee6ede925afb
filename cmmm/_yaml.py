"""YAML for untrusted files: safe loading only, no alias bombs, impossible dates as errors.

Inventories, profiles, policies and Kubernetes exports never need anchors and aliases; a few nested
aliases can expand a 500-byte file into gigabytes ("billion laughs"), so documents that use more than a
handful are refused. libyaml's loader is used when it is available and the text holds no anchors.
"""

from __future__ import annotations

import re
from importlib.resources.abc import Traversable
from typing import Any

import yaml

from cmmm.errors import InputError

MAX_ALIASES = 64
# Nodes a document holds once every alias is expanded: 30 aliases of aliases under MAX_ALIASES can still
# name 2^30 leaves (a 796-byte file); a document larger than this when expanded is refused.
MAX_EXPANDED_NODES = 1_000_000
_ANCHOR = re.compile(r"(?:^|[\s\[{,:-])&[^\s\]},]+", re.MULTILINE)
_FAST = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# "\ud800" written as an escape (JSON, YAML double quotes) decodes to a lone surrogate no encoder accepts
SURROGATE_ESCAPE = re.compile(r"\\[uU]0{0,4}[dD][89a-fA-F][0-9a-fA-F]{2}")
_SURROGATE = re.compile("[\ud800-\udfff]")


class YamlError(ValueError):
    """A document that cannot be used: syntax, too many aliases, or an impossible value such as 2026-02-30."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        self.reason = reason
        self.line = line
        super().__init__(reason)


class _CountingLoader(yaml.SafeLoader):
    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._aliases = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise YamlError(
                    f"more than {MAX_ALIASES} YAML aliases (refused: alias expansion)", mark.line + 1
                )
        return super().compose_node(parent, index)

    def compose_document(self) -> Any:
        node = super().compose_document()
        if self._aliases and node is not None:
            _check_expansion(node)
        return node


def _check_expansion(root: yaml.Node) -> None:
    """Refuse a node graph whose expansion exceeds MAX_EXPANDED_NODES or refers to itself (aliases make
    the tree a graph; sizes are summed bottom-up, each shared node measured once — linear, no recursion)."""
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children = _children(node)
        if done:
            on_path.discard(key)
            size[key] = 1 + sum(size[id(c)] for c in children)
            if size[key] > MAX_EXPANDED_NODES:
                raise YamlError(
                    f"YAML expands to more than {MAX_EXPANDED_NODES} nodes through its aliases "
                    "(limit: alias expansion)",
                    node.start_mark.line + 1,
                )
            continue
        if key in size:
            continue
        if key in on_path:
            raise YamlError("YAML alias refers to a node that contains it (limit: alias expansion)")
        on_path.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in size)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _loader(text: str) -> Any:
    return _CountingLoader if _ANCHOR.search(text) else _FAST


def load_all(text: str) -> list[Any]:
    """Every non-empty document of a multi-document stream."""
    try:
        docs = [d for d in yaml.load_all(text, Loader=_loader(text)) if d is not None]
        return without_surrogates(docs) if SURROGATE_ESCAPE.search(text) else docs
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise YamlError(
            f"invalid YAML: {getattr(exc, 'problem', None) or exc}", mark.line + 1 if mark else None
        ) from None
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. a timestamp such as 2026-02-30
        if isinstance(exc, YamlError):
            raise
        raise YamlError(f"invalid value in YAML: {exc}") from None


def without_surrogates(doc: Any) -> Any:
    """The document with every lone surrogate in its strings and keys replaced by U+FFFD (iteratively:
    no recursion however deep the document)."""

    def fix(v: Any) -> Any:
        return _SURROGATE.sub("\N{REPLACEMENT CHARACTER}", v) if isinstance(v, str) else v

    root = [doc]
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            for i, v in enumerate(node):
                node[i] = fix(v)
                if isinstance(v, list | dict):
                    stack.append(v)
        elif isinstance(node, dict):
            for k in list(node):
                v = node.pop(k)
                node[fix(k)] = fix(v)
                if isinstance(v, list | dict):
                    stack.append(v)
    return root[0]


def load(text: str) -> Any:
    """A single document (None when empty)."""
    docs = load_all(text)
    if len(docs) > 1:
        raise YamlError("expected one YAML document, found several")
    return docs[0] if docs else None


def text_of(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM), falling back to Latin-1, which never fails."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def load_mapping(source: Traversable) -> dict[str, Any]:
    """A YAML mapping document (profile, policy, scenario) from a file or a package resource; errors
    name the file and line."""
    try:
        doc = load(text_of(source.read_bytes()))
    except OSError as exc:
        raise InputError(str(source), f"cannot read: {exc.strerror}") from None
    except YamlError as exc:
        raise InputError(str(source), exc.reason, line=exc.line) from None
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise InputError(str(source), "expected a mapping at the top level")
    return doc
