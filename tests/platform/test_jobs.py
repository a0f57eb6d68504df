"""The durable job queue: claim, lease expiry and reclaim, analysed once, retries then failure."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select

from radnuc.platform.alarms.models import Alarm
from radnuc.platform.db import transaction, utcnow
from radnuc.platform.jobs import service as jobs
from radnuc.platform.jobs import worker as worker_mod
from radnuc.platform.jobs.models import Job
from radnuc.platform.measurements import service as measurements
from radnuc.platform.measurements.models import Measurement
from tests.platform.helpers import ALARMING, QUIET


def _ingest(world, path, user="a_officer"):
    parsed = measurements.parse_upload(data=path.read_bytes(), filename=path.name, max_bytes=10**8)
    with transaction(world.db.sessions) as s:
        m, _ = measurements.store_measurement(session=s, actor=world.actor[user], agency_id=world.actor[user].agency_id,
                                              parsed=parsed, max_attempts=3)
    return m


def test_enqueue_is_idempotent_by_key(world):
    with transaction(world.db.sessions) as s:
        a = jobs.enqueue(session=s, kind="analyse", key="k1", payload={"measurement_id": "x"})
        b = jobs.enqueue(session=s, kind="analyse", key="k1", payload={"measurement_id": "x"})
        assert a.id == b.id
        assert s.execute(select(func.count()).select_from(Job)).scalar_one() == 1


def test_claim_then_nothing_left_then_expired_lease_is_reclaimed(world):
    _ingest(world, QUIET)
    with transaction(world.db.sessions) as s:
        job = jobs.claim(session=s, worker_id="w1", lease_s=60)
        assert job is not None and job.status == "running" and job.attempts == 1 and job.locked_by == "w1"
    with transaction(world.db.sessions) as s:
        assert jobs.claim(session=s, worker_id="w2", lease_s=60) is None  # leased to w1
    later = utcnow() + timedelta(seconds=61)
    with transaction(world.db.sessions) as s:  # w1 died: its lease expires and w2 takes over
        again = jobs.claim(session=s, worker_id="w2", lease_s=60, now=later)
        assert again is not None and again.id == job.id and again.attempts == 2 and again.locked_by == "w2"
    with transaction(world.db.sessions) as s:  # the dead worker cannot complete what it no longer holds
        assert jobs.complete(session=s, job_id=job.id, worker_id="w1") is False
        assert jobs.complete(session=s, job_id=job.id, worker_id="w2") is True


def test_the_same_measurement_is_analysed_once_even_when_two_workers_run_its_job(world, settings):
    m = _ingest(world, ALARMING)
    with transaction(world.db.sessions) as s:
        job = jobs.claim(session=s, worker_id="slow", lease_s=60)
    with transaction(world.db.sessions) as s:
        stolen = jobs.claim(session=s, worker_id="fast", lease_s=60, now=utcnow() + timedelta(seconds=120))
    worker_mod._analyse(world.db, stolen, "fast", settings)
    worker_mod._analyse(world.db, job, "slow", settings)  # the slow worker finishes late: nothing is written twice
    with transaction(world.db.read_sessions) as s:
        assert s.execute(select(func.count()).select_from(Alarm)).scalar_one() == 1
        row = s.get(Measurement, m.id)
        assert row.status == "analysed" and row.analysis["alarm"] is True
        assert s.get(Job, job.id).status == "done"


def test_failures_are_retried_with_backoff_then_marked_failed(world, settings, monkeypatch):
    m = _ingest(world, QUIET)
    calls = []

    def boom(data, name, **_kwargs):
        calls.append(name)
        raise RuntimeError("analysis crashed")

    monkeypatch.setattr(measurements, "analyse_bytes", boom)
    assert worker_mod.run_one(world.db, settings, "w") is True
    with transaction(world.db.read_sessions) as s:
        job = s.execute(select(Job)).scalar_one()
        assert job.status == "queued" and job.attempts == 1 and "analysis crashed" in job.last_error
    worker_mod.run_worker(world.db, settings, worker_id="w", until_idle=True)
    with transaction(world.db.read_sessions) as s:
        job = s.execute(select(Job)).scalar_one()
        assert job.status == "failed" and job.attempts == 3
        assert s.get(Measurement, m.id).status == "failed"
    assert len(calls) == 3


def test_backoff_delays_the_retry(world, monkeypatch):
    _ingest(world, QUIET)
    with transaction(world.db.sessions) as s:
        job = jobs.claim(session=s, worker_id="w", lease_s=60)
        status = jobs.fail(session=s, job_id=job.id, worker_id="w", error="x", backoff_s=10)
        assert status == "queued"
    with transaction(world.db.sessions) as s:
        assert jobs.claim(session=s, worker_id="w", lease_s=60) is None
        assert jobs.claim(session=s, worker_id="w", lease_s=60, now=utcnow() + timedelta(seconds=11)) is not None


def test_a_lease_expiring_on_the_last_attempt_marks_the_job_failed(world):
    _ingest(world, QUIET)
    now = utcnow()
    for attempt in range(3):
        with transaction(world.db.sessions) as s:
            assert jobs.claim(session=s, worker_id=f"w{attempt}", lease_s=1,
                              now=now + timedelta(seconds=10 * attempt)) is not None
    with transaction(world.db.sessions) as s:
        assert jobs.claim(session=s, worker_id="w9", lease_s=1, now=now + timedelta(seconds=100)) is None
        job = s.execute(select(Job)).scalar_one()
        assert job.status == "failed" and "lease expired" in job.last_error


def test_concurrent_workers_claim_each_job_exactly_once(world):
    n = 12
    with transaction(world.db.sessions) as s:
        for i in range(n):
            jobs.enqueue(session=s, kind="analyse", key=f"job{i}", payload={"measurement_id": str(i)})
    claimed: list[int] = []
    lock = threading.Lock()

    def work(name):
        while True:
            with transaction(world.db.sessions) as s:
                job = jobs.claim(session=s, worker_id=name, lease_s=60)
            if job is None:
                return
            with lock:
                claimed.append(job.id)

    threads = [threading.Thread(target=work, args=(f"t{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(claimed) == sorted(set(claimed)) and len(claimed) == n


def test_unanalysable_input_fails_once_with_a_clear_message(world, settings, monkeypatch):
    """Input the analysis cannot use is a permanent failure: one attempt, the reason on job and measurement."""
    from radnuc.analysis import pipeline

    m = _ingest(world, QUIET)
    calls = []

    def unusable(ms, **_kwargs):
        calls.append(1)
        raise pipeline.AnalysisInputError("spectrum cannot be analysed: no energy calibration")

    monkeypatch.setattr(pipeline, "analyse", unusable)
    worker_mod.run_worker(world.db, settings, worker_id="w", until_idle=True)
    with transaction(world.db.read_sessions) as s:
        job = s.execute(select(Job)).scalar_one()
        assert job.status == "failed" and job.attempts == 1 and "no energy calibration" in job.last_error
        row = s.get(Measurement, m.id)
        assert row.status == "failed" and "no energy calibration" in row.analysis["error"]
    assert calls == [1]


def test_analysis_outcome_has_the_real_algorithm(world, settings):
    m = _ingest(world, ALARMING)
    worker_mod.run_worker(world.db, settings, worker_id="w", until_idle=True)
    with transaction(world.db.read_sessions) as s:
        a = s.get(Measurement, m.id).analysis
    assert a["method"] == "identify" and a["category"] == "industrial" and a["nuclides"][0]["name"] == "Am-241"
    assert a["details"]["explanation"]


def test_worker_limits_blas_to_one_thread(monkeypatch):
    """Workers scale by processes: each one's OpenBLAS runs one thread (set at run time, numpy being loaded)."""
    import numpy  # noqa: F401  (loads numpy's OpenBLAS)

    from radnuc.platform.jobs.blas import ENV_VARS, limit_blas_threads

    for var in ENV_VARS:
        monkeypatch.setenv(var, "")  # restored after the test
    done = limit_blas_threads(1)
    assert all(threads == 1 for threads in done.values())
    assert all(v == "1" for v in (__import__("os").environ[var] for var in ENV_VARS))


def test_claim_without_expiry_sweep_still_skips_exhausted_jobs(world):
    _ingest(world, QUIET)
    now = utcnow()
    for attempt in range(3):
        with transaction(world.db.sessions) as s:
            assert jobs.claim(session=s, worker_id=f"w{attempt}", lease_s=1, now=now + timedelta(seconds=10 * attempt))
    with transaction(world.db.sessions) as s:  # attempts used up: not claimed, even without the sweep
        assert jobs.claim(session=s, worker_id="w9", lease_s=1, now=now + timedelta(seconds=100), expire=False) is None
        assert s.execute(select(Job)).scalar_one().status == "running"
    with transaction(world.db.sessions) as s:
        assert jobs.expire_exhausted(session=s, now=now + timedelta(seconds=100)) == 1
