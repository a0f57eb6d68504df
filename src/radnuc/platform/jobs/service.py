"""Enqueue, claim, complete and fail jobs.

Claiming is one atomic ``UPDATE jobs SET status='running', locked_by=…, locked_until=now+lease … WHERE id =
(SELECT id … LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING …``: on PostgreSQL concurrent workers skip each other's
locked rows; on SQLite the write transaction is exclusive (BEGIN IMMEDIATE) and ``FOR UPDATE`` is omitted.
A job is claimable when queued and due, or running with an expired lease (its worker died). Each claim counts an
attempt; a job whose attempts are used up is marked failed instead of being claimed again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from radnuc.platform.db import utcnow
from radnuc.platform.jobs.models import Job, JobStatus

ERROR_CHARS = 2000


def enqueue(*, session: Session, kind: str, key: str, payload: dict, max_attempts: int = 5,
            run_after: datetime | None = None) -> Job:
    """Queue a job unless one with ``key`` exists (then return that one).

    PostgreSQL and SQLite: one ``INSERT … ON CONFLICT (key) DO NOTHING RETURNING`` (one round trip when the key is
    new, which is the ingest path); the existing row is read only on a conflict."""
    now = utcnow()
    values = {"kind": kind, "key": key, "payload": payload, "status": JobStatus.queued.value, "attempts": 0,
              "max_attempts": max_attempts, "run_after": run_after or now, "created_at": now, "updated_at": now}
    dialect = session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        job = session.execute(insert(Job).values(**values).on_conflict_do_nothing(index_elements=["key"])
                              .returning(Job)).scalar_one_or_none()
        if job is not None:
            return job
    else:  # pragma: no cover - other backends
        existing = session.execute(select(Job).where(Job.key == key)).scalar_one_or_none()
        if existing is None:
            job = Job(**values)
            session.add(job)
            session.flush()
            return job
    return session.execute(select(Job).where(Job.key == key)).scalar_one()


def _claimable(now: datetime):
    return or_(
        and_(Job.status == JobStatus.queued.value, Job.run_after <= now),
        and_(Job.status == JobStatus.running.value, Job.locked_until < now),
    )


def expire_exhausted(*, session: Session, now: datetime | None = None) -> int:
    """Mark failed the jobs whose lease expired after their last allowed attempt; returns how many."""
    now = now or utcnow()
    result = session.execute(
        update(Job)
        .where(Job.status == JobStatus.running.value, Job.locked_until < now, Job.attempts >= Job.max_attempts)
        .values(status=JobStatus.failed.value, finished_at=now, updated_at=now, locked_by=None, locked_until=None,
                last_error=func.coalesce(Job.last_error, "") + "; lease expired on the last attempt")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def claim(*, session: Session, worker_id: str, lease_s: float, kinds: list[str] | None = None,
          now: datetime | None = None, expire: bool = True) -> Job | None:
    """Claim one due job for ``worker_id`` (lease ``lease_s``), or None when there is nothing to do.

    ``expire``: first mark failed the jobs whose lease expired on their last attempt (:func:`expire_exhausted`;
    such jobs are never claimed either way, so a worker may sweep only every few seconds to save a statement)."""
    now = now or utcnow()
    if expire:
        expire_exhausted(session=session, now=now)
    candidate = select(Job.id).where(_claimable(now), Job.attempts < Job.max_attempts)
    if kinds:
        candidate = candidate.where(Job.kind.in_(kinds))
    candidate = candidate.order_by(Job.run_after, Job.id).limit(1)
    if session.get_bind().dialect.name == "postgresql":
        candidate = candidate.with_for_update(skip_locked=True)
    stmt = (
        update(Job)
        .where(Job.id == candidate.scalar_subquery())
        .values(status=JobStatus.running.value, locked_by=worker_id, locked_until=now + timedelta(seconds=lease_s),
                attempts=Job.attempts + 1, updated_at=now)
        .returning(Job)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    return session.execute(stmt).scalar_one_or_none()  # the claimed row as updated (one round trip)


def complete(*, session: Session, job_id: int, worker_id: str) -> bool:
    """Mark done; False when this worker no longer holds the job (its lease expired and it was reclaimed)."""
    now = utcnow()
    result = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.locked_by == worker_id, Job.status == JobStatus.running.value)
        .values(status=JobStatus.done.value, finished_at=now, updated_at=now, locked_until=None, last_error=None)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


def fail(*, session: Session, job_id: int, worker_id: str, error: str, backoff_s: float,
         permanent: bool = False) -> str | None:
    """Record a failed attempt: requeue with exponential backoff, or mark failed when attempts are used up.

    Returns the new status, or None when this worker no longer holds the job.
    """
    job = session.execute(select(Job).where(Job.id == job_id).execution_options(populate_existing=True)
                          ).scalar_one_or_none()
    if job is None or job.locked_by != worker_id or job.status != JobStatus.running.value:
        return None
    now = utcnow()
    job.last_error = error[:ERROR_CHARS]
    job.updated_at = now
    job.locked_until = None
    if permanent or job.attempts >= job.max_attempts:
        job.status = JobStatus.failed.value
        job.finished_at = now
    else:
        job.status = JobStatus.queued.value
        job.run_after = now + timedelta(seconds=backoff_s * 2 ** (job.attempts - 1))
    session.flush()
    return job.status


def counts(*, session: Session) -> dict[str, int]:
    """Jobs per status (for the worker's log and the bench)."""
    rows = session.execute(select(Job.status, func.count()).group_by(Job.status)).all()
    return {status: n for status, n in rows}
