"""Mapping a function over independent runs, in this process or in spawned workers."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any


def process_map(
    fn: Callable[[Any], Any], tasks: Iterable[Any], workers: int, *, chunksize: int = 1
) -> Iterator[Any]:
    """``fn`` over ``tasks``, results in the tasks' order, as they arrive.

    In this process when ``workers <= 1`` or there is at most one task, else in a
    pool of ``workers`` processes. The pool spawns, explicitly: importing mesa
    already forces it process-wide (``mesa.batchrunner``), and it is the one start
    method that is safe everywhere. Every task carries its own seed, so the
    results are the same either way, bit for bit. A generator, so a caller can
    report progress as results arrive.
    """
    tasks = list(tasks)
    if workers <= 1 or len(tasks) <= 1:
        yield from map(fn, tasks)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield from pool.map(fn, tasks, chunksize=chunksize)
