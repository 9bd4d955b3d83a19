"""Run a CPU-bound function over a stream of inputs in worker processes.

Parsing one input (decoding, feedparser, ftfy, boilerplate and spam rules,
entity extraction) is pure Python and depends on nothing but that input, so
on a machine with several cores it runs in workers while the main process
folds the results into the store.  Results come back in input order, and
every write stays in the main process, one transaction per source, as
without workers.

Workers are forked ("spawn" would run an embedding script's unguarded top
level again in every worker).  A forked worker holds no archive lock (it is
a record lock, see ``lock.py``), and a worker whose parent dies exits at
once (``watch_parent``) instead of waiting for work forever.

A worker that dies itself (killed by the system for memory, say) breaks
the pool and takes every input in flight with it, and which of them killed
it cannot be known.  Each of those inputs is then run again alone, in a
process of its own: the one that kills that process too is the culprit,
and is given up (``on_killed``) instead of being parsed in the main
process, where it would kill the whole run, and every later run that met
it.  A new pool takes the rest.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from .orphans import watch_parent

T = TypeVar("T")
R = TypeVar("R")

MIN_ITEMS = 8  # fewer inputs than this are parsed in the caller
MAX_WORKERS = 4
IN_FLIGHT_PER_WORKER = 2  # bounds the inputs held in memory at once


def worker_count() -> int:
    """Cores this process may use, at most ``MAX_WORKERS``."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return min(MAX_WORKERS, cores)


def _start_worker(parent: int) -> None:
    watch_parent(parent)


def ordered_map(
    func: Callable[[T], R],
    items: Iterable[T],
    local: Callable[[T], bool] = lambda item: False,
    workers: int | None = None,
    on_broken: Callable[[], None] = lambda: None,
    on_killed: Callable[[T], R | None] = lambda item: None,
) -> Iterator[tuple[T, R | None]]:
    """Each item with ``func(item)`` computed by a worker, in input order.

    The result is None for items ``local`` says the caller handles itself,
    and for every item when there are too few to be worth workers (or one
    core): the caller then does the work as it would without this module.
    An item whose process died twice, in the pool and then alone, gets
    ``on_killed(item)``.  ``on_broken`` is called once, when a worker is
    first found dead.  ``func`` must be a module-level function;
    exceptions it raises are raised here, when its item's turn comes.
    """
    stream = iter(items)
    head = list(itertools.islice(stream, MIN_ITEMS))
    workers = worker_count() if workers is None else workers
    if len(head) < MIN_ITEMS or workers < 2:
        for item in itertools.chain(head, stream):
            yield item, None
        return
    pool = _pool(workers)
    told = False
    pending: deque[tuple[T, Future[Any] | None, ProcessPoolExecutor]] = deque()

    def next_result() -> tuple[T, Any]:
        nonlocal pool, told
        item, future, its_pool = pending.popleft()
        if future is None:
            return item, None
        try:
            return item, future.result()
        except BrokenProcessPool:
            if its_pool is pool:  # the first of its pool's losses: replace the pool
                if not told:
                    told = True
                    on_broken()
                pool.shutdown(wait=True, cancel_futures=True)
                pool = _pool(workers)
            done, result = _alone(func, item)
            return item, result if done else on_killed(item)

    try:
        for item in itertools.chain(head, stream):
            future = None if local(item) else _submit(pool, func, item)
            pending.append((item, future, pool))
            while len(pending) > workers * IN_FLIGHT_PER_WORKER:
                yield next_result()
        while pending:
            yield next_result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _pool(workers: int) -> ProcessPoolExecutor:
    context = multiprocessing.get_context("fork")
    return ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=(os.getpid(),))


def _alone(func: Callable[[T], R], item: T) -> tuple[bool, R | None]:
    """``(True, func(item))`` computed in a process of its own, or
    ``(False, None)`` if that process died too."""
    solo = _pool(1)
    try:
        return True, solo.submit(func, item).result()
    except BrokenProcessPool:
        return False, None
    finally:
        solo.shutdown(wait=True, cancel_futures=True)


def _submit(pool: ProcessPoolExecutor, func: Callable[[T], R], item: T) -> Future[Any]:
    """``pool.submit``, or a future that fails as a broken pool's would."""
    try:
        return pool.submit(func, item)
    except BrokenProcessPool as exc:
        failed: Future[Any] = Future()
        failed.set_exception(exc)
        return failed
