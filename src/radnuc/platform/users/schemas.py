"""API shapes of users and tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from radnuc.platform.actor import Role


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    username: str
    agency_id: str
    role: Role
    active: bool
    language: str | None = Field(None, description="Console language chosen by the user; null: the browser's")
    created_at: datetime


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.@-]+$")
    role: Role
    password: str = Field(min_length=12, max_length=1024)


class LanguageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    language: Literal["en", "vi"] | None = Field(description="Console language; null to follow the browser")


class UserList(BaseModel):
    items: list[UserOut]
    total: int
    limit: int
    offset: int
