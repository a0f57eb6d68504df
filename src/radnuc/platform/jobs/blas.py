"""Limit the threads of the BLAS libraries already loaded in this process (OpenBLAS, as bundled by numpy/scipy).

Why: a worker process runs one analysis at a time and the service scales by running one worker process per core.
A multi-threaded BLAS inside each process then only fights the other processes for the same cores; worse, for
the small matrix-vector products of :mod:`radnuc.analysis.detect` (a 16,384-channel spectrum times its
channel-to-window matrix) OpenBLAS's thread hand-off costs far more than the product: measured on the 2-core VM,
``detect`` of the 197 kB portal N42 took 64 ms with the default threads and 3.1 ms with one
(docs/benchmarks-platform.md).

Environment variables (``OPENBLAS_NUM_THREADS`` …) only act before numpy is imported, and the ``radnuc`` command
imports numpy at start-up, so the limit is applied at run time through OpenBLAS's own ``*_set_num_threads``
entry points, found in the shared libraries mapped into the process (Linux ``/proc/self/maps``; elsewhere only the
environment is set, for child processes). The environment variables are set too, so that processes started from
this one (uvicorn's HTTP workers) start with the same limit.
"""

from __future__ import annotations

import ctypes
import logging
import os

log = logging.getLogger(__name__)

ENV_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
_SETTERS = ("openblas_set_num_threads", "scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads",
            "openblas_set_num_threads64_")
_GETTERS = ("openblas_get_num_threads", "scipy_openblas_get_num_threads64_", "scipy_openblas_get_num_threads",
            "openblas_get_num_threads64_")


def _loaded_openblas() -> list[str]:
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            paths = {line.split(maxsplit=5)[-1].strip() for line in maps if "openblas" in line.lower()}
    except OSError:  # not Linux
        return []
    return sorted(p for p in paths if p.startswith("/") and ".so" in p)


def _first(lib: ctypes.CDLL, names: tuple[str, ...]):
    for name in names:
        func = getattr(lib, name, None)
        if func is not None:
            return func
    return None


def limit_blas_threads(n: int = 1) -> dict[str, int]:
    """Set every loaded OpenBLAS to ``n`` threads (and the environment for child processes).

    Returns ``{library path: threads now}`` for the libraries it could set (empty when none was found)."""
    n = max(1, int(n))
    for var in ENV_VARS:
        os.environ[var] = str(n)
    done: dict[str, int] = {}
    for path in _loaded_openblas():
        try:
            lib = ctypes.CDLL(path, mode=getattr(os, "RTLD_NOLOAD", 0))  # only what is already loaded
        except OSError:
            continue
        setter = _first(lib, _SETTERS)
        if setter is None:
            continue
        setter.argtypes, setter.restype = [ctypes.c_int], None
        setter(n)
        getter = _first(lib, _GETTERS)
        if getter is not None:
            getter.argtypes, getter.restype = [], ctypes.c_int
            done[path] = int(getter())
        else:
            done[path] = n
    log.debug("BLAS threads limited to %d in %s", n, done or "no loaded OpenBLAS")
    return done
