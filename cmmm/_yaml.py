"""YAML for untrusted files: safe loading only, no alias bombs, impossible dates as errors.

Inventories, profiles, policies and Kubernetes exports never need anchors and aliases; a few nested
aliases can expand a 500-byte file into gigabytes ("billion laughs"), so documents that use more than a
handful are refused. libyaml's loader is used when it is available and the text holds no anchors.

Large exports (a Kubernetes namespace dump is megabytes of plain mappings) are built straight from libyaml's
event stream: PyYAML's constructor spends three quarters of a load composing and then walking a node per
scalar in Python. The event builder resolves plain scalars with PyYAML's own resolver and constructors, so
its result is the safe loader's; any event it does not handle the same way (a tag, an anchor, a merge key,
a key that is not a scalar) sends the whole document to the safe loader instead.
"""

from __future__ import annotations

import codecs
import functools
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
# Containers inside containers: deeper documents are refused (the reason of the JSON reader's limit:
# every later walk of the document would have to be iterative to survive them).
MAX_DEPTH = 500
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


class _Unhandled(Exception):
    """An event the event builder leaves to the safe loader."""


class _Anchored(_Unhandled):
    """An anchor or an alias: the loader that counts aliases and bounds their expansion reads it."""


_libyaml: Any
try:
    from yaml import _yaml as _libyaml
except ImportError:  # PyYAML built without libyaml
    _libyaml = None

_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_STR = "tag:yaml.org,2002:str"
_NO_KEY = object()  # no key is pending in the open mapping
# first characters of a plain scalar that PyYAML's implicit resolvers may turn into something else
_RESOLVABLE = frozenset(_RESOLVER.yaml_implicit_resolvers) - {"<", "="}


@functools.lru_cache(maxsize=4096)
def _resolved(value: str) -> Any:
    """A plain (unquoted, untagged) scalar that may not be a string, as the safe loader constructs it
    (the values are immutable, and a few — true, 1, null — fill most of a document)."""
    tag = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
    if tag == _STR:
        return value
    return _CONSTRUCTOR.yaml_constructors[tag](_CONSTRUCTOR, yaml.ScalarNode(tag, value))


def _value(event: Any, kind: type, depth: int) -> Any:
    """The value a scalar or container-start event opens; _Unhandled for what the safe loader must build."""
    if event.anchor is not None:
        raise _Anchored
    if event.tag is not None:
        raise _Unhandled
    if kind is yaml.ScalarEvent:
        value = event.value
        if not event.implicit[0]:
            return value  # quoted: a string
        if not value or value[0] in _RESOLVABLE:
            return _resolved(value)
        if value[0] in "<=":
            raise _Unhandled  # a merge key or the value tag
        return value
    if depth >= MAX_DEPTH:
        raise _too_deep(event)
    return {} if kind is yaml.MappingStartEvent else []


def _too_deep(event: Any) -> YamlError:
    mark = event.start_mark
    return YamlError(
        f"YAML nested deeper than {MAX_DEPTH} levels (limit: nesting depth)", mark.line + 1 if mark else None
    )


def _events_load_all(text: str) -> list[Any]:
    """The documents of `text`, built from libyaml's events without recursion (see the module's note)."""
    assert _libyaml is not None
    parser = _libyaml.CParser(text)
    values = (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent)
    ends = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    docs: list[Any] = []
    stack: list[tuple[Any, Any]] = []
    node: Any = None  # the open container: a dict, a list, or None between documents
    key: Any = _NO_KEY
    while (event := parser.get_event()) is not None:
        kind = type(event)
        if kind in ends:
            node, key = stack.pop()  # the container was placed in its parent when it opened
            continue
        if kind is yaml.AliasEvent:
            raise _Anchored
        if kind not in values:
            continue  # stream and document boundaries
        value = _value(event, kind, len(stack))
        if type(node) is dict:
            if key is _NO_KEY:
                if kind is not yaml.ScalarEvent:
                    raise _Unhandled  # a complex key
                key = value
                continue
            node[key] = value
            key = _NO_KEY
        elif node is None:
            docs.append(value)
        else:
            node.append(value)
        if kind is not yaml.ScalarEvent:
            stack.append((node, key))
            node, key = value, _NO_KEY
    return docs


def _check_depth(text: str) -> None:
    """Refuse a text nested deeper than MAX_DEPTH before a loader that recurses reads it (the event
    builder checks as it goes; PyYAML's loaders compose recursively)."""
    parser = _libyaml.CParser(text)
    opens, closes = (
        (yaml.MappingStartEvent, yaml.SequenceStartEvent),
        (yaml.MappingEndEvent, yaml.SequenceEndEvent),
    )
    depth = 0
    while True:
        try:
            event = parser.get_event()
        except yaml.YAMLError:  # libyaml refuses what the loader may accept (a surrogate escape): its say
            return
        if event is None:
            return
        kind = type(event)
        if kind in opens:
            depth += 1
            if depth > MAX_DEPTH:
                raise _too_deep(event)
        elif kind in closes:
            depth -= 1


def _load_all(text: str) -> list[Any]:
    if _libyaml is not None:
        try:
            return _events_load_all(text)
        except _Anchored:
            _check_depth(text)
            return list(yaml.load_all(text, Loader=_CountingLoader))
        except _Unhandled:
            _check_depth(text)
        except yaml.YAMLError:
            # libyaml refuses what the Python scanner of the anchored path accepts (a surrogate escape,
            # replaced below): a text with anchors gets that path whatever comes first in it
            if _loader(text) is _FAST:
                raise
    return list(yaml.load_all(text, Loader=_loader(text)))


def load_all(text: str) -> list[Any]:
    """Every non-empty document of a multi-document stream."""
    try:
        docs = [d for d in _load_all(text) if d is not None]
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
    except RecursionError:  # PyYAML's loaders compose recursively (anchored or tagged documents)
        raise YamlError(f"YAML nested deeper than {MAX_DEPTH} levels (limit: nesting depth)") from None


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


_WIDE_BOMS = (  # UTF-32 first: its little-endian BOM begins with UTF-16's
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def wide_bom(data: bytes) -> str | None:
    """The codec of a UTF-16 or UTF-32 text that starts with its byte-order mark (Windows PowerShell 5.1's
    redirections, Excel's "Unicode Text"), else None."""
    return next((name for bom, name in _WIDE_BOMS if data.startswith(bom)), None)


def text_of(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM) or UTF-16/32 with their BOM, falling back to Latin-1, which never
    fails. (A head cut inside a wide character ends in U+FFFD.)"""
    wide = wide_bom(data)
    if wide is not None:
        return data.decode(wide, errors="replace")
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
