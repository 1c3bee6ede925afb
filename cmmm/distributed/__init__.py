"""Dask as the engine past one machine: start or join a cluster, and run a stage's blocks on its workers.

`--cluster local[:WORKERS]` starts a `distributed.LocalCluster` on this machine; `--cluster tcp://HOST:8786`
(or `CMMM_DASK_SCHEDULER`) joins a running scheduler. The stages never import dask: they take a block map
(cmmm.drill.engine.BlockMap, a shard map for ingest) and this module supplies one that runs on the cluster.
Only aggregates and per-block results travel back; the report renders on the client.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from distributed import Client, LocalCluster, as_completed
from distributed.client import FutureCancelledError
from distributed.scheduler import KilledWorker

from cmmm._version import VERSION
from cmmm.errors import CmmmError

ENV = "CMMM_DASK_SCHEDULER"
CONNECT_TIMEOUT_S = 10
_LOCAL = re.compile(r"^local(?::(\d+))?$")
_REMOTE = re.compile(r"^(tcp|tls|ws|wss)://[^\s/]+:\d+/?$")

T = TypeVar("T")
R = TypeVar("R")


class ClusterError(CmmmError):
    """The cluster cannot be used: unreachable, a worker lost beyond Dask's retries, another cmmm version."""


@dataclass(frozen=True, slots=True)
class Engine:
    """A connected Dask client; `blocks` and `shards` hand a stage's work to its workers."""

    client: Client
    address: str

    def workers(self) -> int:
        return len(self.client.scheduler_info(n_workers=-1)["workers"])

    def blocks(
        self, fn: Callable[[Any, Any, int], R], shared: Any, jobs: Sequence[tuple[Any, int]]
    ) -> list[R]:
        """fn(shared, seed, runs) per job on the workers, `shared` broadcast once; results in job order."""
        if not jobs:
            return []
        [handle] = self.client.scatter([shared], broadcast=True, hash=False)
        futures = self.client.map(
            fn, [handle] * len(jobs), [s for s, _ in jobs], [r for _, r in jobs], pure=False
        )
        return self._gathered(futures)

    def shards(
        self, fn: Callable[[T], R], items: Sequence[T], progress: Callable[[int, int], None] | None = None
    ) -> list[R]:
        """fn(item) per item on the workers (one task each); results in item order. `progress(done, total)`
        is called as tasks finish, in any order."""
        if not items:
            return []
        return self._gathered(self.client.map(fn, list(items), pure=False), progress)

    def _gathered(self, futures: list[Any], progress: Callable[[int, int], None] | None = None) -> list[Any]:
        """The futures' results in their order, `progress` told as each finishes; a worker lost beyond
        Dask's retries (KilledWorker) is one ClusterError, never a partial result."""
        try:
            if progress is not None:
                for done, _ in enumerate(as_completed(futures), 1):
                    progress(done, len(futures))
            out: list[Any] = self.client.gather(futures)
        except (KilledWorker, FutureCancelledError) as exc:
            raise ClusterError(
                f"{self.address}: a worker was lost and Dask's retries ran out ({exc})"
            ) from exc
        return out


def _cmmm_version() -> str:
    """What a worker runs (imported there, so a worker without cmmm fails here, not mid-stage)."""
    return VERSION


@contextmanager
def connect(spec: str) -> Iterator[Engine]:
    """Start (`local`, `local:N`) or join (`tcp://HOST:PORT`) a cluster for the duration of the block;
    one ClusterError line for a bad address, an unreachable scheduler or a worker on another cmmm version."""
    spec = spec.strip()
    local = _LOCAL.match(spec)
    if local is None and not _REMOTE.match(spec):
        raise ClusterError(f"--cluster {spec!r}: expected local, local:WORKERS or tcp://HOST:PORT")
    cluster: LocalCluster | None = None
    try:
        if local is not None:
            n = int(local.group(1) or 2)
            if n < 1:
                raise ClusterError(f"--cluster {spec!r}: at least one worker")
            cluster = LocalCluster(
                n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=40
            )
            client = Client(cluster)
        else:
            client = Client(spec, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError) as exc:
        if cluster is not None:
            cluster.close()
        raise ClusterError(f"{spec}: cannot reach the Dask scheduler ({exc})") from exc
    try:
        _check_versions(client, spec)
        yield Engine(client=client, address=spec)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _check_versions(client: Client, spec: str) -> None:
    try:
        found: dict[str, str] = client.run(_cmmm_version)
    except ModuleNotFoundError as exc:
        raise ClusterError(f"{spec}: the workers cannot import cmmm ({exc})") from exc
    other = sorted({v for v in found.values() if v != VERSION})
    if other:
        raise ClusterError(f"{spec}: workers run cmmm {', '.join(other)}, this client {VERSION}")
