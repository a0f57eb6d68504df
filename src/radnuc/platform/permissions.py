"""Role-based permissions: which roles may perform which action (agency scoping is separate: see shares)."""

from __future__ import annotations

from radnuc.platform.actor import Actor, Role
from radnuc.platform.errors import Forbidden

R = Role
PERMISSIONS: dict[str, frozenset[Role]] = {
    "measurement:create": frozenset({R.officer, R.expert, R.coordinator, R.admin}),
    "alarm:update": frozenset({R.officer, R.expert, R.coordinator, R.admin}),
    "reachback:request": frozenset({R.officer, R.coordinator, R.admin}),
    "reachback:assess": frozenset({R.expert}),
    "incident:create": frozenset({R.officer, R.expert, R.investigator, R.coordinator, R.admin}),
    "incident:update": frozenset({R.investigator, R.coordinator, R.expert, R.admin}),
    "share:create": frozenset({R.coordinator, R.admin, R.investigator, R.officer, R.expert}),
    # send records abroad (signed STIX bundles, N42.42), ITDB notifications, import partners' bundles
    "share:international": frozenset({R.coordinator, R.admin}),
    "evidence:create": frozenset({R.officer, R.expert, R.investigator, R.coordinator, R.admin}),
    "evidence:transfer": frozenset({R.officer, R.expert, R.investigator, R.coordinator, R.admin}),
    "site:manage": frozenset({R.officer, R.coordinator, R.admin}),
    "user:manage": frozenset({R.admin}),
    "audit:read": frozenset({R.admin}),
}


def require(actor: Actor, action: str) -> None:
    """Raise Forbidden unless ``actor``'s role may perform ``action`` (the system actor may do anything)."""
    if actor.is_system:
        return
    if actor.role not in PERMISSIONS[action]:
        raise Forbidden(f"role {actor.role} may not perform {action}")
