"""The ingester registry: every format has a reader, a sniffer, a description and documented modules."""

from __future__ import annotations

from cmmm.ingest import INGESTERS, Format

SCANNERS = (Format.NMAP, Format.SSLYZE, Format.TESTSSL)


def test_every_registered_format_has_an_implementation_and_docstring() -> None:
    assert set(INGESTERS) == set(Format)
    for key, ing in INGESTERS.items():
        assert ing.name == key.value and ing.description
        assert callable(ing.sniff) and callable(ing.read)
        module = __import__(ing.read.__module__, fromlist=["_"])
        assert module.__doc__, ing.read.__module__


def test_every_scanner_is_registered_with_a_docstring() -> None:
    for key in (*SCANNERS, Format.CYCLONEDX_CBOM):
        ing = INGESTERS[key]
        assert ing.sniff.__doc__ and ing.read.__doc__, key
