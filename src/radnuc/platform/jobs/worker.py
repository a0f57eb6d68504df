"""The worker loop: claim a job, run it, record the outcome — each step in its own transaction.

Analysis (CPU) runs outside any write transaction; its outcome and the job's completion are written in one
transaction, guarded so that a measurement's analysis is written once even if a lease expired and another
worker ran the same job. Run as many worker processes as wanted (``radnuc worker``), on one machine or several:
one per free core is the sweet spot, each with a single-threaded BLAS (``blas_threads=1``, see
:mod:`radnuc.platform.jobs.blas`) and the analysis modules imported before the first claim (``warm``), so that a
worker's first job does not pay the ~1 s import of scipy and the analysis code while holding a lease.
When a job was found the loop claims the next one at once; it sleeps ``poll_s`` only when the queue is empty.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import time
import uuid
from collections.abc import Callable

from sqlalchemy.orm import Session

from radnuc.platform.db import Database, transaction
from radnuc.platform.jobs import service as jobs
from radnuc.platform.jobs.models import Job
from radnuc.platform.measurements import service as measurements
from radnuc.platform.settings import PlatformSettings
from radnuc.spectra import SpectrumError

log = logging.getLogger(__name__)


class PermanentJobError(Exception):
    """Retrying cannot help (the input is unusable): the job is marked failed at once."""


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


_NOT_LOADED = object()


def _load_analysis_input(session: Session, job: Job):
    return measurements.load_for_analysis(session=session, measurement_id=job.payload["measurement_id"])


def _analyse(db: Database, job: Job, worker_id: str, settings: PlatformSettings, preloaded=_NOT_LOADED) -> None:
    """Analyse a measurement; ``preloaded``: its input read in the claim's transaction (else read here)."""
    from radnuc.analysis.pipeline import AnalysisInputError

    measurement_id = job.payload["measurement_id"]
    if preloaded is _NOT_LOADED:
        with transaction(db.read_sessions) as session:
            loaded = _load_analysis_input(session, job)
    else:
        loaded = preloaded
    if loaded is not None:
        filename, data = loaded
        try:
            outcome = measurements.analyse_bytes(data, filename, cache_dir=_cache_dir(settings))
        except SpectrumError as exc:
            raise PermanentJobError(f"stored file no longer readable: {exc}") from exc
        except AnalysisInputError as exc:
            raise PermanentJobError(str(exc)) from exc
    with transaction(db.sessions) as session:  # the job row first: the audit head is locked as late as possible
        jobs.complete(session=session, job_id=job.id, worker_id=worker_id)
        if loaded is not None:
            measurements.record_analysis(session=session, measurement_id=measurement_id, outcome=outcome)


def _cache_dir(settings: PlatformSettings) -> str | None:
    """The template cache directory (created on first use); None (no cache) when it cannot be created."""
    path = settings.template_cache_dir
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as exc:
        log.warning("template cache %s unavailable (%s): templates are computed in memory", path, exc)
        return None
    return path


def _analyse_failed(db: Database, job: Job, error: str) -> None:
    with transaction(db.sessions) as session:
        measurements.mark_failed(session=session, measurement_id=job.payload["measurement_id"], error=error)


HANDLERS: dict[str, Callable[..., None]] = {measurements.ANALYSE_JOB: _analyse}
ON_FAILED: dict[str, Callable[[Database, Job, str], None]] = {measurements.ANALYSE_JOB: _analyse_failed}
# Read a job's input in the transaction that claims it (one transaction less per job); passed as ``preloaded``.
PRELOAD: dict[str, Callable[[Session, Job], object]] = {measurements.ANALYSE_JOB: _load_analysis_input}
EXPIRE_EVERY_S = 5.0  # how often a worker sweeps jobs whose lease expired on their last attempt


def run_one(db: Database, settings: PlatformSettings, worker_id: str, *, expire: bool = True) -> bool:
    """Claim and run one job; False when none was due. ``expire``: sweep exhausted jobs first (see jobs.claim)."""
    with transaction(db.sessions) as session:
        job = jobs.claim(session=session, worker_id=worker_id, lease_s=settings.job_lease_s, kinds=list(HANDLERS),
                         expire=expire)
        extra = {}
        if job is not None and job.kind in PRELOAD:
            extra["preloaded"] = PRELOAD[job.kind](session, job)
    if job is None:
        return False
    started = time.perf_counter()
    try:
        HANDLERS[job.kind](db, job, worker_id, settings, **extra)
        log.info("job %s (%s) done in %.3f s", job.id, job.kind, time.perf_counter() - started)
    except Exception as exc:  # any failure is recorded on the job, then retried or marked failed
        permanent = isinstance(exc, PermanentJobError)
        error = f"{type(exc).__name__}: {exc}"
        with transaction(db.sessions) as session:
            status = jobs.fail(session=session, job_id=job.id, worker_id=worker_id, error=error,
                               backoff_s=settings.job_backoff_s, permanent=permanent)
        log.warning("job %s (%s) attempt %d failed: %s -> %s", job.id, job.kind, job.attempts, error, status)
        if status == "failed" and job.kind in ON_FAILED:
            ON_FAILED[job.kind](db, job, error)
    return True


def warm_up(settings: PlatformSettings) -> None:
    """Import the analysis code (scipy.stats, detect, identify) before the first job: ~1 s once per process."""
    started = time.perf_counter()
    import radnuc.analysis.detect  # noqa: F401
    import radnuc.analysis.identify.engine  # noqa: F401
    import radnuc.analysis.pipeline  # noqa: F401

    _cache_dir(settings)
    log.info("analysis code loaded in %.2f s", time.perf_counter() - started)


def run_worker(db: Database, settings: PlatformSettings, *, worker_id: str | None = None, until_idle: bool = False,
               poll_s: float = 0.5, max_jobs: int | None = None, install_signals: bool = False,
               blas_threads: int | None = None, warm: bool = False) -> int:
    """Process jobs until stopped (SIGTERM/SIGINT finish the current job first); returns how many ran.

    ``blas_threads``: limit the BLAS threads of this process (None: leave them); ``warm``: :func:`warm_up` first.
    """
    worker_id = worker_id or new_worker_id()
    if blas_threads is not None:
        from radnuc.platform.jobs.blas import limit_blas_threads

        limit_blas_threads(blas_threads)
    if warm:
        warm_up(settings)
    stop = False

    def _stop(_signum, _frame):
        nonlocal stop
        stop = True

    if install_signals:
        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
    done = 0
    log.info("worker %s started", worker_id)
    cpu_start = time.process_time()
    last_sweep = float("-inf")
    while not stop and (max_jobs is None or done < max_jobs):
        sweep = time.monotonic() - last_sweep >= EXPIRE_EVERY_S
        if sweep:
            last_sweep = time.monotonic()
        if run_one(db, settings, worker_id, expire=sweep):
            done += 1
            continue  # more may be queued: claim again at once, no sleep
        if until_idle:
            break
        time.sleep(poll_s)
    log.info("worker %s stopped after %d job(s), %.3f s CPU", worker_id, done, time.process_time() - cpu_start)
    return done
