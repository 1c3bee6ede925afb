"""The YAML event builder (cmmm._yaml) gives exactly what PyYAML's safe loader gives, or hands the text to it."""

from __future__ import annotations

import math
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from cmmm import _yaml
from tests.fuzz.mutate import mutate

ROOT = Path(__file__).resolve().parents[1]
SAFE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

pytestmark = pytest.mark.skipif(_yaml._libyaml is None, reason="PyYAML built without libyaml")

SNIPPETS = [
    "a: 1\nb: -2\nc: 0x1F\nd: 0o17\ne: 017\nf: 1_000\ng: +12\n",
    "a: 1.5\nb: .inf\nc: -.Inf\nd: 6.8523015e+5\ne: 1e3\nf: .5\n",
    "a: true\nb: no\nc: Yes\nd: off\ne: ON\nf: y\ng: n\n",
    "a: ~\nb: null\nc:\nd: Null\ne: ''\nf: \"\"\n",
    "a: 2026-12-05\nb: 2026-12-05T08:53:25Z\nc: 2026-12-05 08:53:25.5 +01:00\nd: '2026-12-05'\n",
    'a: |\n  line one\n  line two\nb: >\n  folded\n  text\nc: "esc\\u00e9\\n"\n',
    "- [1, two, {three: 3, four: [4, 4.0]}]\n- {}\n- []\n- - nested\n  - list\n",
    "--- 1\n--- text\n---\n--- [a]\n...\n--- {k: v}\n",
    "a: 1\na: 2\n",
    "? complex\n: value\n",
    "? [a, b]\n: value\n",
    "base: &b {x: 1}\nderived:\n  <<: *b\n  y: 2\n",
    "a: !!str 12\nb: !!binary aGVsbG8=\nc: !!set {x, y}\n",
    "a: ! 12\n",
    "key with spaces: value: with colon\n'quoted key': \"x\"\n",
    'emoji: \U0001f600\nrtl: \u05d0\u05d1\ncontrol: "\\x85"\n',
    "=: value tag\n",
    "a: <not a merge key>\n",
    "plain: -\nplain2: --\nsign: +\ndot: .\n",
    "1: int key\n2.5: float key\ntrue: bool key\n~: null key\n2026-01-01: date key\n",
    "",
    "# only a comment\n",
    "scalar document\n",
    "[1, 2, 3]",
]


def _same(text: str) -> None:
    """What the event builder gives equals what the loader chosen without it gives (the counting loader
    when the text holds anchors)."""
    try:
        expected: Any = [d for d in yaml.load_all(text, Loader=_yaml._loader(text)) if d is not None]
        if _yaml.SURROGATE_ESCAPE.search(text):
            expected = _yaml.without_surrogates(expected)
    except (yaml.YAMLError, ValueError, RecursionError) as exc:  # the safe loader recurses on deep nesting
        expected = type(exc)
    try:
        got: Any = _yaml.load_all(text)
    except _yaml.YamlError:
        assert isinstance(expected, type), (text, expected)
        return
    assert repr(got) == repr(expected), text  # repr: NaN is not equal to itself


@pytest.mark.parametrize("text", SNIPPETS)
def test_the_event_builder_equals_the_safe_loader(text: str) -> None:
    _same(text)


def test_nan_is_built_as_the_safe_loader_builds_it() -> None:
    (doc,) = _yaml.load_all("a: .nan\n")
    assert math.isnan(doc["a"])


def test_mutated_kubernetes_exports_load_alike() -> None:
    rng = random.Random(2026)
    for seed in sorted((ROOT / "sample_inventories" / "level4-agile" / "kubernetes").glob("*-dev.yaml"))[:2]:
        lines = seed.read_text().splitlines(keepends=True)
        # the head of the export up to its fifth object: mutating goes through PyYAML's Python loader
        cut = [i for i, line in enumerate(lines) if line.startswith("- apiVersion")][5]
        data = "".join(lines[:cut]).encode()
        for _ in range(15):
            _same(_yaml.text_of(mutate(seed.name, data, rng)))


def test_a_kubernetes_export_is_built_from_events_not_handed_back() -> None:
    text = (ROOT / "sample_inventories" / "level4-agile" / "kubernetes" / "analytics-dev.yaml").read_text()
    docs = _yaml._events_load_all(text)  # raises _Unhandled if it had to hand the text back
    assert docs == list(yaml.load_all(text, Loader=SAFE))


def test_deep_nesting_is_refused_without_recursion() -> None:
    with pytest.raises(_yaml.YamlError, match="nesting depth"):
        _yaml.load_all("a: " + "[" * 100_000 + "]" * 100_000 + "\n")
    inner = _yaml.MAX_DEPTH - 1  # the mapping around it is the first level
    assert _yaml.load_all("a: " + "[" * inner + "]" * inner + "\n")


def test_anchors_still_go_through_the_counting_loader() -> None:
    bomb = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    bomb += [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]" for i in range(7)]
    with pytest.raises(_yaml.YamlError, match="alias expansion"):
        _yaml.load_all("\n".join(bomb) + "\n")
    assert _yaml.load_all("base: &b {x: 1}\nother: *b\n") == [{"base": {"x": 1}, "other": {"x": 1}}]


def test_the_nesting_limit_holds_after_a_tag_or_an_anchor() -> None:
    deep = "[" * (_yaml.MAX_DEPTH + 1) + "]" * (_yaml.MAX_DEPTH + 1)
    for head in ("- !!str a\n", "- &x a\n- *x\n", "- <b>\n"):
        with pytest.raises(_yaml.YamlError, match="nesting depth"):
            _yaml.load_all(head + "- " + deep + "\n")
