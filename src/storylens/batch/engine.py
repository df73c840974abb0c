"""Where a batch's tasks run: the engine seam, an in-process engine and Dask distributed.

The seam is one method, ``map_ordered(fn, items, window)``: run ``fn`` on each item
somewhere, at most ``window`` at a time, and yield the results in the items' order (a task
that failed for good yields a ``TaskFailed`` in its place). Ordered results are what keep a
batch equal to ``ingest``: the driver writes shards in input order, so the per-outlet line
counts and the store's tie-breaking row order come out the same. The window bounds the
driver's memory whatever the corpus size.

Why Dask distributed (``storylens[batch]``) rather than Ray: it is pure Python and a small
install (no 100 MB+ wheels, no separate object-store daemon), ``LocalCluster`` starts worker
*processes* on one machine for tests, and ``Client("tcp://scheduler:8786")`` reaches a
cluster people already run (dask-jobqueue on Slurm/PBS, dask-kubernetes, Coiled, YARN).
A worker process that dies mid-task has its task rescheduled on another worker by the
scheduler (up to ``distributed.scheduler.allowed-failures`` times), which is exactly the
retry a backfill needs. A Ray engine would implement the same ``map_ordered`` with
``ray.remote(fn).remote(item)`` and ``ray.get``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from storylens.errors import ConfigError

if TYPE_CHECKING:
    from distributed import Client, Future, LocalCluster

T = TypeVar("T")
R = TypeVar("R")

ENGINES = ("dask", "local")
INSTALL_LINE = "pip install 'storylens[batch]'"


@dataclass(frozen=True, slots=True)
class TaskFailed:
    """A task that failed on the engine itself (its worker died too often, or a bug in the
    task raised): the driver reports its shard as failed and goes on."""

    reason: str


class Engine(Protocol):
    """Runs batch tasks; see the module docstring."""

    name: str
    workers: int
    """How many tasks run at once (0 for the in-process engine)."""

    def map_ordered(self, fn: Callable[[T], R], items: Iterable[T], *, window: int
                    ) -> Iterator[R | TaskFailed]:
        """``fn(item)`` for each item, in the items' order, at most ``window`` in flight."""
        ...

    def close(self) -> None:
        """Release the engine (stops a cluster it started)."""
        ...


class LocalEngine:
    """Runs every task in this process, one after the other, when its result is asked
    for: the engine of ``--workers 0`` and of tests; with it a batch is ``ingest``."""

    name = "local"
    workers = 0

    def map_ordered(self, fn: Callable[[T], R], items: Iterable[T], *, window: int
                    ) -> Iterator[R | TaskFailed]:
        for item in items:
            try:
                yield fn(item)
            except Exception as e:  # a bug in a task: that shard fails, the batch goes on
                yield TaskFailed(f"{type(e).__name__}: {str(e)[:200]}")

    def close(self) -> None:
        return None


class DaskEngine:
    """Tasks on a Dask distributed cluster: the one at ``address``, or a ``LocalCluster``
    of ``workers`` processes (one thread each) started here and stopped by ``close``."""

    name = "dask"

    def __init__(self, address: str | None = None, workers: int = 2, *,
                 connect_timeout: float = 20.0) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise ConfigError(f"the dask engine needs Dask distributed: {INSTALL_LINE}"
                              ) from None
        self._cluster: LocalCluster | None = None
        try:
            if address:
                self._client: Client = Client(address, timeout=connect_timeout)  # type: ignore[no-untyped-call]
            else:
                self._cluster = LocalCluster(  # type: ignore[no-untyped-call]
                    n_workers=max(1, workers), threads_per_worker=1, processes=True,
                    dashboard_address=":0", silence_logs=40)
                self._client = Client(self._cluster)  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError) as e:
            self.close()
            raise ConfigError(f"cannot reach the Dask scheduler at {address or 'local'} "
                              f"({e}); start one with `dask scheduler` or leave out "
                              "--address") from None
        if address:
            try:  # a scheduler with no workers would take tasks and never run them
                self._client.wait_for_workers(1, timeout=connect_timeout)
            except TimeoutError:
                self.close()
                raise ConfigError(f"no worker has joined the Dask scheduler at {address} "
                                  f"within {connect_timeout:g} s; start some with "
                                  f"`dask worker {address}`") from None
        n = len(self._client.scheduler_info().get("workers", {}))
        self.workers = n or max(1, workers)

    def map_ordered(self, fn: Callable[[T], R], items: Iterable[T], *, window: int
                    ) -> Iterator[R | TaskFailed]:
        inflight: deque[Future[Any]] = deque()
        it = iter(items)
        exhausted = False
        while True:
            while not exhausted and len(inflight) < max(1, window):
                try:
                    item = next(it)
                except StopIteration:
                    exhausted = True
                    break
                inflight.append(self._client.submit(fn, item, pure=False))
            if not inflight:
                return
            fut = inflight.popleft()
            try:
                result: R = fut.result()
            except Exception as e:  # KilledWorker after allowed-failures, or a task's bug
                yield TaskFailed(f"{type(e).__name__}: {str(e)[:200]}")
            else:
                yield result
            del fut  # dropping the last reference lets the cluster free the result

    def close(self) -> None:
        client = getattr(self, "_client", None)
        if client is not None:
            client.close()
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


def open_engine(name: str, *, address: str | None = None, workers: int = 2,
                connect_timeout: float = 20.0) -> Engine:
    """The engine called ``name`` (``dask``, or ``local`` for in-process); ``workers`` 0
    means in-process whatever the name (a quick run, or a debugger)."""
    if name not in ENGINES:
        raise ConfigError(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")
    if name == "local" or (workers == 0 and not address):
        return LocalEngine()
    return DaskEngine(address, workers, connect_timeout=connect_timeout)
