"""The fuzz suite (issue 19): seeded, time-boxed mutations of every format's seeds — type confusion of every
JSON/YAML/XML field, deep nesting, damaged certificates, containers and tables. A case fails when reading
raises, when the reader's boundary counts a defect (an unexpected exception inside an ingester), when merging
the batch or writing it out raises, or when one file takes longer than CASE_SECONDS.

Budget: CMMM_FUZZ_SECONDS (default 20, what `make test` runs); `make fuzz` runs 600. CMMM_FUZZ_SEED picks
the seed (default: fixed), so a failure is replayed by its seed and case number."""

from __future__ import annotations

import os
import random
import signal
import time
from pathlib import Path

import pytest

from cmmm.export import inventory_document
from cmmm.ingest import ReadContext, read_file
from cmmm.ingest._merge import merge
from tests.conftest import NOW
from tests.fuzz.corpus import seeds
from tests.fuzz.mutate import mutate

BUDGET = float(os.environ.get("CMMM_FUZZ_SECONDS", "20"))
SEED = int(os.environ.get("CMMM_FUZZ_SEED", "19"))
CASE_SECONDS = 10


class _Hang(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _Hang


def test_fuzz_every_format(tmp_path: Path) -> None:
    corpus = seeds(tmp_path / "seeds")
    rng = random.Random(SEED)
    ctx = ReadContext(now=NOW, passwords=("changeit",))
    work = tmp_path / "case"
    work.mkdir()
    failures: list[str] = []
    cases = 0
    deadline = time.monotonic() + BUDGET
    previous = signal.signal(signal.SIGALRM, _alarm)
    try:
        while time.monotonic() < deadline and len(failures) < 20:
            seed = rng.choice(corpus)
            data = mutate(seed.name, seed.read_bytes(), rng)
            path = work / seed.name
            path.write_bytes(data)
            cases += 1
            signal.alarm(CASE_SECONDS)
            try:
                fmt, batch = read_file(path, ctx)
                if batch.defects:
                    failures.append(f"case {cases} ({seed.name} as {fmt}): {batch.rejected[0].reason}")
                    (tmp_path / f"defect-{cases}-{seed.name}").write_bytes(data)
                    continue
                inventory_document(merge([batch]))
            except _Hang:
                failures.append(f"case {cases} ({seed.name}): over {CASE_SECONDS} s")
            except Exception as exc:  # a crash outside the reader's boundary: the suite's finding
                failures.append(f"case {cases} ({seed.name}): {type(exc).__name__}: {str(exc)[:200]}")
                (tmp_path / f"crash-{cases}-{seed.name}").write_bytes(data)
            finally:
                signal.alarm(0)
    finally:
        signal.signal(signal.SIGALRM, previous)
    print(f"fuzz: {cases} cases from {len(corpus)} seeds in {BUDGET:.0f} s (seed {SEED})")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("case", range(3))
def test_mutations_are_reproducible(case: int) -> None:
    data = b'{"certificates": [{"common_name": "a", "not_after": "2027-01-01"}]}'
    assert mutate("x.json", data, random.Random(case)) == mutate("x.json", data, random.Random(case))
