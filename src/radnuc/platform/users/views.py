"""``/api/v1/auth`` (tokens) and ``/api/v1/users`` (the caller's agency's users; admin manages)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm

from radnuc.platform import permissions
from radnuc.platform.deps import CurrentActor, Limit, Offset, ReadDB, RecordId, WriteDB, oauth2_scheme
from radnuc.platform.errors import Unauthorized
from radnuc.platform.users import service
from radnuc.platform.users.schemas import LanguageIn, TokenOut, UserCreate, UserList, UserOut

auth_router = APIRouter(prefix="/auth", tags=["auth"])
router = APIRouter(prefix="/users", tags=["users"])


@auth_router.post("/token", response_model=TokenOut)
def token(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()], db: WriteDB):
    """OAuth2 password flow: username + password → bearer token (expires; see ``expires_at``)."""
    if len(form.username) > 100 or len(form.password) > 1024 or "\x00" in form.username:
        raise Unauthorized("incorrect username or password")
    user = service.authenticate(session=db, username=form.username, password=form.password)
    issued = service.issue_token(session=db, user=user, ttl_s=request.app.state.settings.token_ttl_s)
    db.commit()
    return TokenOut(access_token=issued.token, expires_at=issued.expires_at)


@auth_router.post("/logout", status_code=204)
def logout(actor: CurrentActor, db: WriteDB, raw: Annotated[str | None, Depends(oauth2_scheme)]):
    """Revoke the bearer token used for this request."""
    service.revoke_token(session=db, actor=actor, token=raw or "")
    db.commit()


@router.get("/me", response_model=UserOut)
def me(actor: CurrentActor, db: ReadDB):
    return service.get_user(session=db, actor=actor, user_id=actor.user_id)


@router.put("/me/language", response_model=UserOut)
def set_my_language(body: LanguageIn, actor: CurrentActor, db: WriteDB):
    """Choose the console language (``en``, ``vi``) for the caller; null follows the browser again."""
    user = service.set_language(session=db, actor=actor, language=body.language)
    db.commit()
    return user


@router.get("", response_model=UserList)
def list_users(actor: CurrentActor, db: ReadDB, limit: Limit = 50, offset: Offset = 0):
    """Users of the caller's agency."""
    rows, total = service.list_users(session=db, agency_id=actor.agency_id, limit=limit, offset=offset)
    return UserList(items=[UserOut.model_validate(u) for u in rows], total=total, limit=limit, offset=offset)


@router.post("", response_model=UserOut, status_code=201)
def create_user(body: UserCreate, actor: CurrentActor, db: WriteDB):
    """Admin: add a user to the admin's own agency."""
    permissions.require(actor, "user:manage")
    user = service.create_user(session=db, actor=actor, username=body.username, agency_id=actor.agency_id,
                               role=body.role.value, password=body.password)
    db.commit()
    return user


@router.get("/{user_id}", response_model=UserOut)
def get_user(user_id: RecordId, actor: CurrentActor, db: ReadDB):
    return service.get_user(session=db, actor=actor, user_id=user_id)


@router.post("/{user_id}/disable", response_model=UserOut)
def disable_user(user_id: RecordId, actor: CurrentActor, db: WriteDB):
    """Admin: disable a user of the own agency (revokes their tokens)."""
    permissions.require(actor, "user:manage")
    user = service.set_active(session=db, actor=actor, user_id=user_id, active=False)
    db.commit()
    return user
