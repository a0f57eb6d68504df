"""Users, password hashing (argon2id) and bearer tokens (random, stored as SHA-256, with expiry)."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from radnuc.platform.actor import Actor, Role
from radnuc.platform.agencies.models import Agency
from radnuc.platform.audit import service as audit
from radnuc.platform.db import utcnow
from radnuc.platform.errors import BadRequest, Conflict, NotFound, Unauthorized
from radnuc.platform.users.models import Token, User

#: languages of the console a user may choose (keep in step with ``radnuc.web.i18n.LANGUAGES``)
LANGUAGES = ("en", "vi")
_USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{1,100}$")
MIN_PASSWORD = 12
# A hash to verify against when the user does not exist, so that timing does not reveal usernames.
_DUMMY = "$argon2id$v=19$m=65536,t=3,p=4$Vf9nDAFSgChy4UxYsX7Ofw$SWraLl0oghP9mbLwkWUi12VBXYTcMJ/FRcaJtVU1uZk"


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id, RFC 9106 low-memory profile (argon2-cffi defaults)


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise BadRequest(f"password must have at least {MIN_PASSWORD} characters")
    if len(password) > 1024:
        raise BadRequest("password is longer than 1024 characters")


def create_user(*, session: Session, actor: Actor, username: str, agency_id: str, role: str, password: str) -> User:
    """A new user of ``agency_id`` with ``role``; the password is stored as an argon2id hash."""
    if not _USERNAME.match(username or ""):
        raise BadRequest("username must be 1 to 100 characters among letters, digits and _ . @ -")
    try:
        role = Role(role).value
    except ValueError:
        raise BadRequest(f"role must be one of {', '.join(r.value for r in Role)}, got {role!r}") from None
    _check_password(password)
    if session.get(Agency, agency_id) is None:
        raise NotFound(f"agency {agency_id} not found")
    if session.execute(select(User.id).where(User.username == username)).first() is not None:
        raise Conflict(f"user {username!r} already exists")
    user = User(username=username, agency_id=agency_id, role=role, password_hash=hash_password(password),
                active=True)
    session.add(user)
    session.flush()
    audit.record(session=session, actor=actor, action="user.create", entity="user", entity_id=user.id,
                 after=audit.snapshot(user), agency_id=agency_id)
    return user


def authenticate(*, session: Session, username: str, password: str) -> User:
    """The active user with these credentials, else Unauthorized (same message whatever was wrong)."""
    user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    try:
        _hasher().verify(user.password_hash if user is not None else _DUMMY, password)
    except (VerificationError, InvalidHashError):
        raise Unauthorized("incorrect username or password") from None
    if user is None or not user.active:
        raise Unauthorized("incorrect username or password")
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime


def issue_token(*, session: Session, user: User, ttl_s: int) -> IssuedToken:
    """A new random bearer token for ``user``; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    expires = utcnow() + timedelta(seconds=ttl_s)
    row = Token(user_id=user.id, token_hash=_token_hash(token), expires_at=expires)
    session.add(row)
    session.flush()
    audit.record(session=session, actor=actor_for(user), action="token.issue", entity="token", entity_id=row.id,
                 after={"user_id": user.id, "expires_at": expires})
    return IssuedToken(token=token, expires_at=expires)


def resolve_token(*, session: Session, token: str) -> Actor:
    """The actor a bearer token stands for, or Unauthorized (unknown, expired, revoked, inactive user)."""
    row = session.execute(
        select(Token, User).join(User, User.id == Token.user_id).where(Token.token_hash == _token_hash(token))
    ).first()
    if row is None:
        raise Unauthorized("invalid token")
    tok, user = row
    if tok.revoked_at is not None or tok.expires_at <= utcnow() or not user.active:
        raise Unauthorized("token expired or revoked")
    return actor_for(user)


def revoke_token(*, session: Session, actor: Actor, token: str) -> None:
    """Revoke a bearer token (logout)."""
    session.execute(update(Token).where(Token.token_hash == _token_hash(token), Token.revoked_at.is_(None))
                    .values(revoked_at=utcnow()))
    audit.record(session=session, actor=actor, action="token.revoke", entity="token", entity_id=None)


def actor_for(user: User) -> Actor:
    return Actor(user_id=user.id, username=user.username, agency_id=user.agency_id, role=Role(user.role))


def list_users(*, session: Session, agency_id: str, limit: int, offset: int) -> tuple[list[User], int]:
    where = User.agency_id == agency_id
    total = session.execute(select(func.count()).select_from(User).where(where)).scalar_one()
    rows = session.execute(select(User).where(where).order_by(User.username).limit(limit).offset(offset)).scalars()
    return list(rows), total


def get_user(*, session: Session, actor: Actor, user_id: str) -> User:
    """A user of the caller's own agency, else NotFound."""
    user = session.get(User, user_id)
    if user is None or (not actor.is_system and user.agency_id != actor.agency_id):
        raise NotFound(f"user {user_id} not found")
    return user


def set_active(*, session: Session, actor: Actor, user_id: str, active: bool) -> User:
    """Enable or disable a user (disabling also revokes their tokens)."""
    user = get_user(session=session, actor=actor, user_id=user_id)
    before = audit.snapshot(user)
    user.active = active
    if not active:
        session.execute(update(Token).where(Token.user_id == user.id, Token.revoked_at.is_(None))
                        .values(revoked_at=utcnow()))
    session.flush()
    audit.record(session=session, actor=actor, action="user.update", entity="user", entity_id=user.id,
                 before=before, after=audit.snapshot(user), agency_id=user.agency_id)
    return user


def set_language(*, session: Session, actor: Actor, language: str | None) -> User:
    """Store the actor's own console language (``en``, ``vi``), or None to follow the browser again."""
    if language is not None and language not in LANGUAGES:
        raise BadRequest(f"language must be one of {', '.join(LANGUAGES)} or null, got {language!r}")
    if actor.is_system:
        raise BadRequest("the system actor has no language preference")
    user = get_user(session=session, actor=actor, user_id=actor.user_id)
    if user.language == language:
        return user
    before = {"language": user.language}
    user.language = language
    session.flush()
    audit.record(session=session, actor=actor, action="user.language", entity="user", entity_id=user.id,
                 before=before, after={"language": language}, agency_id=user.agency_id)
    return user


def language_of(*, session: Session, user_id: str | None) -> str | None:
    """The stored console language of a user (None: not chosen, follow the browser)."""
    if not user_id:
        return None
    return session.execute(select(User.language).where(User.id == user_id)).scalar_one_or_none()
