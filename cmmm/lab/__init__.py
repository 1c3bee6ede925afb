"""Real certificates built on demand: test PKIs for sample organizations, tests, benchmarks and the PQC lab.

The PQC lab (`run`) rebuilds each private hierarchy of an inventory in post-quantum profiles and measures
real TLS 1.3 handshakes on loopback (docs/pqc-lab.md).
"""

from cmmm.lab._run import DEFAULT_RUNS, KEMS, run
from cmmm.lab.build import CANNOT_BUILD, DEFAULT_PROFILES, PROFILE_DOCS, LabProfile, parse_profiles
from cmmm.lab.compat import CLIENT_DOCS, Client
from cmmm.lab.result import LabResult, LabVerdict, make_output, read_result, with_lab, write_result

__all__ = [
    "CANNOT_BUILD",
    "CLIENT_DOCS",
    "DEFAULT_PROFILES",
    "DEFAULT_RUNS",
    "KEMS",
    "PROFILE_DOCS",
    "Client",
    "LabProfile",
    "LabResult",
    "LabVerdict",
    "make_output",
    "parse_profiles",
    "read_result",
    "run",
    "with_lab",
    "write_result",
]
