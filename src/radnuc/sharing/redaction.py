"""Redaction profiles: what is removed, coarsened and screened before a record leaves the agency.

A profile (per partner, see ``partners.yaml``) applies, in this order:

1. **personal data removed** — the fields listed in :data:`radnuc.sharing.records.PERSONAL_FIELDS` (persons
   involved, user ids of officers, custody holder);
2. **fields removed** — any further fields the profile lists (``lane``, ``filename`` …);
3. **locations coarsened** — latitude/longitude moved to the centre of a grid cell of ``coarsen_deg`` degrees
   (0.5° ≈ 55 km, about the size of a province); ``place`` kept (screened), or dropped;
4. **free text screened** — the text fields of the record (title, place, circumstances, notes …) are searched
   for the patterns of :data:`PATTERNS` and for the names of the persons in the record (whole name and each
   part of three letters or more); matches become ``[redacted:<kind>]``. Words in the profile's ``allow_list``
   and nuclide names (``U-235``, ``Cs-137``) are never redacted;
5. **attachments filtered** — only attachments whose ``kind`` the profile allows remain (default: spectrum and
   report; photos and documents, which tend to show people and plates, are dropped);
6. the ``recipients`` list (who else may see the record) never leaves.

:func:`preview` returns exactly the record dict that the STIX export (:mod:`radnuc.sharing.stix`) carries —
the export is built from this dict only, so the preview is what leaves.

Pattern screening is a safety net, not a guarantee: a name that is not in the record's ``persons`` and not
introduced by a title or role word (``Mr``, ``driver`` …) is not recognised. Profiles for untrusted partners
should drop free text (``drop_text: true``).
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass
from typing import Any

from radnuc.sharing.errors import PartnerConfigError
from radnuc.sharing.records import PERSONAL_FIELDS, Record
from radnuc.sharing.tlp import may_share

#: (kind, regex) screened in free text, in this order. Documented in docs/sharing.md.
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # e-mail addresses
    ("email", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    # coordinates written in text: two decimal numbers with >= 3 decimals separated by a comma
    ("coordinates", re.compile(r"-?\d{1,3}\.\d{3,}\s*[,;/ ]\s*-?\d{1,3}\.\d{3,}")),
    # a name introduced by a title or a role word (English and Vietnamese honorifics)
    ("name", re.compile(r"\b(?i:Mr|Mrs|Ms|Dr|Mister|Madam|ông|bà|anh|chị|suspect|driver|owner|officer|"
                        r"passenger|courier|named|called)\.?\s+((?:[A-ZÀ-Ỹ][\w'’-]+)(?:\s+[A-ZÀ-Ỹ][\w'’-]+){0,3})")),
    # vehicle registration plates: keyword-led (any format), Vietnamese (29A-123.45, 51F-12345), EU style (AB-123-CD)
    ("plate", re.compile(r"(?i:\b(?:plate|registration|licen[cs]e|biển số)\s*(?:no\.?|number|nr\.?)?\s*[:#]?\s*)"
                         r"[A-Z0-9][A-Z0-9 .-]{2,11}[A-Z0-9]")),
    ("plate", re.compile(r"\b\d{2}[A-Z]{1,2}\d?[- ]?\d{3}\.?\d{2}\b")),
    ("plate", re.compile(r"\b[A-Z]{1,3}-\d{2,4}-[A-Z]{1,3}\b")),
    # passport / identity card numbers: keyword-led, or one-two letters followed by 6-9 digits
    ("id-number", re.compile(r"(?i:\b(?:passport|ID card|identity card|ID|CCCD|CMND)\s*(?:no\.?|number|nr\.?)?"
                             r"\s*[:#]?\s*)[A-Z0-9]{5,15}\b")),
    ("id-number", re.compile(r"\b[A-Z]{1,2}\d{6,9}\b")),
    # phone numbers: optional +, then at least 8 digits with spaces, dots, dashes, brackets
    ("phone", re.compile(r"(?<![\w.])\+?\d(?:[\s().-]?\d){7,14}(?!\w|\.\d)")),
    # long digit runs (national ID numbers, bank accounts)
    ("id-number", re.compile(r"\b\d{9,}\b")),
)
NUCLIDE_IN_TEXT = re.compile(r"^[A-Z][a-z]?-\d{1,3}m?$")


@dataclass(frozen=True)
class RedactionProfile:
    name: str
    remove_personal: bool = True
    remove_fields: tuple[str, ...] = ()
    coarsen_deg: float | None = 0.5
    place: str = "screen"  # keep | screen | drop
    screen_text: bool = True
    drop_text: bool = False  # drop free-text fields altogether (place follows ``place``)
    allow_list: tuple[str, ...] = ()
    attachment_kinds: tuple[str, ...] = ("spectrum", "report")

    def __post_init__(self) -> None:
        if self.place not in ("keep", "screen", "drop"):
            raise PartnerConfigError(f"profile {self.name!r}: place must be keep, screen or drop")
        if self.coarsen_deg is not None and not (0 < self.coarsen_deg <= 180):
            raise PartnerConfigError(f"profile {self.name!r}: coarsen_deg must be within (0, 180]")


PROFILES: dict[str, RedactionProfile] = {
    # between agencies of the same state under a formal agreement: personal data still stays home
    "standard": RedactionProfile("standard"),
    # the IAEA ITDB: what the ITDB notification form asks for, locations to ~province level
    "itdb": RedactionProfile("itdb", remove_fields=("lane", "filename", "instrument", "site"), coarsen_deg=0.5),
    # partners of low trust: no free text, no site, 1° grid, no attachments
    "strict": RedactionProfile("strict", remove_fields=("lane", "filename", "instrument", "site", "detector"),
                               coarsen_deg=1.0, place="drop", drop_text=True, attachment_kinds=()),
    # own agency / test fixtures: nothing removed (never configure this for a foreign partner)
    "internal": RedactionProfile("internal", remove_personal=False, coarsen_deg=None, place="keep",
                                 screen_text=False, attachment_kinds=("photo", "document", "spectrum", "report",
                                                                      "video", "other")),
}


def profile_from_dict(name: str, data: dict[str, Any]) -> RedactionProfile:
    """A profile from its YAML mapping (keys as the dataclass fields)."""
    if not isinstance(data, dict):
        raise PartnerConfigError(f"profile {name!r} must be a mapping")
    allowed = set(RedactionProfile.__dataclass_fields__) - {"name"}
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise PartnerConfigError(f"profile {name!r}: unknown key(s) {unknown}")
    kwargs = dict(data)
    for key in ("remove_fields", "allow_list", "attachment_kinds"):
        if key in kwargs:
            if not isinstance(kwargs[key], list) or not all(isinstance(v, str) for v in kwargs[key]):
                raise PartnerConfigError(f"profile {name!r}: {key} must be a list of strings")
            kwargs[key] = tuple(kwargs[key])
    for key in ("remove_personal", "screen_text", "drop_text"):
        if key in kwargs and not isinstance(kwargs[key], bool):
            raise PartnerConfigError(f"profile {name!r}: {key} must be true or false")
    if "place" in kwargs and not isinstance(kwargs["place"], str):
        raise PartnerConfigError(f"profile {name!r}: place must be keep, screen or drop")
    if "coarsen_deg" in kwargs and kwargs["coarsen_deg"] is not None:
        if isinstance(kwargs["coarsen_deg"], bool) or not isinstance(kwargs["coarsen_deg"], (int, float)):
            raise PartnerConfigError(f"profile {name!r}: coarsen_deg must be a number")
        kwargs["coarsen_deg"] = float(kwargs["coarsen_deg"])
    return RedactionProfile(name=name, **kwargs)


def coarsen(lat: float, lon: float, step: float) -> tuple[float, float]:
    """Centre of the ``step``-degree grid cell holding (lat, lon)."""
    def centre(x: float, lo: float, hi: float) -> float:
        value = math.floor(x / step) * step + step / 2
        return round(min(max(value, lo), hi), 6)

    return centre(lat, -90.0, 90.0), centre(lon, -180.0, 180.0)


def _name_terms(persons: list[dict]) -> list[tuple[str, str]]:
    """(term, kind) of the persons of a record: whole name, each name part of 3+ letters, ID and phone numbers."""
    terms: dict[str, str] = {}
    for p in persons:
        for key, kind in (("name", "name"), ("id_number", "id-number"), ("phone", "phone")):
            value = (p.get(key) or "").strip()
            if value:
                terms.setdefault(value, kind)
                if key == "name":
                    for part in re.split(r"[\s,]+", value):
                        if len(part) >= 3:
                            terms.setdefault(part, kind)
    return sorted(terms.items(), key=lambda t: len(t[0]), reverse=True)


def screen_text(text: str, *, names: list[tuple[str, str]] = (),
                allow_list: tuple[str, ...] = ()) -> tuple[str, list[str]]:
    """Replace personal identifiers in ``text``; returns the new text and the kinds found.

    ``names``: (term, kind) known to be personal (from the record's persons), replaced wherever they occur.
    """
    found: list[str] = []
    allowed = {a.lower() for a in allow_list}
    for term, kind in names:
        if term.lower() in allowed:
            continue
        pattern = re.compile(r"(?<!\w)" + re.escape(term) + r"(?!\w)", re.IGNORECASE)
        text, n = pattern.subn(f"[redacted:{kind}]", text)
        if n:
            found.append(kind)
    for kind, pattern in PATTERNS:
        def repl(match: re.Match[str], kind: str = kind) -> str:
            whole = match.group(0)
            if whole.lower() in allowed or NUCLIDE_IN_TEXT.match(whole):
                return whole
            found.append(kind)
            if kind == "name" and match.lastindex:
                start = match.start(1) - match.start(0)
                return whole[:start] + "[redacted:name]"
            return f"[redacted:{kind}]"
        text = pattern.sub(repl, text)
    return text, found


def redact(record: Record, profile: RedactionProfile) -> tuple[dict[str, Any], list[str]]:
    """The record as it may leave under ``profile`` (a JSON dict) and a list of what was changed."""
    data = record.to_dict()
    notes: list[str] = []
    names = _name_terms(data.get("persons") or [])
    if data.get("recipients"):
        notes.append("recipients list withheld")
    data["recipients"] = []
    if profile.remove_personal:
        for key in PERSONAL_FIELDS.get(record.record_type, ()):
            if data.get(key):
                notes.append(f"{key}: personal data removed")
            data[key] = [] if isinstance(data.get(key), list) else None
    required = {f.name for f in dataclasses.fields(record)
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING}
    for key in profile.remove_fields:
        if key in required or key in ("record_type", "tlp", "owner_agency"):
            continue  # a record without them is not a record: screened like any text instead
        if key in data and data[key] not in (None, []):
            notes.append(f"{key}: removed by profile {profile.name}")
            data[key] = [] if isinstance(data[key], list) else None
    if data.get("latitude") is None or data.get("longitude") is None:
        if data.get("latitude") is not None or data.get("longitude") is not None:
            notes.append("position removed")
        if "latitude" in data:
            data["latitude"] = data["longitude"] = None
    if profile.coarsen_deg is not None and data.get("latitude") is not None:
        data["latitude"], data["longitude"] = coarsen(data["latitude"], data["longitude"], profile.coarsen_deg)
        notes.append(f"coordinates coarsened to a {profile.coarsen_deg}° grid")
    if "place" in data and data["place"] is not None:
        if profile.place == "drop":
            data["place"] = None
            notes.append("place removed")
    text_fields = [f for f in record.text_fields if f != "place" or profile.place == "screen"]
    if profile.drop_text:
        for key in text_fields:
            if key in ("title", "description", "place") or data.get(key) is None:
                continue  # required or handled by ``place``: screened below instead
            data[key] = None
            notes.append(f"{key}: free text removed")
    if profile.screen_text:
        for key in text_fields:
            if isinstance(data.get(key), str):
                data[key], kinds = screen_text(data[key], names=names, allow_list=profile.allow_list)
                for kind in dict.fromkeys(kinds):
                    notes.append(f"{key}: {kind} screened")
    if "attachments" in data:
        kept = []
        for att in data["attachments"]:
            if att.get("kind") in profile.attachment_kinds:
                if profile.screen_text:
                    att = dict(att, name=screen_text(att["name"], names=names, allow_list=profile.allow_list)[0])
                kept.append(att)
            else:
                notes.append(f"attachment of kind {att.get('kind')!r} dropped")
        data["attachments"] = kept
    return data, notes


def preview(record: Record, partner: Any, *, sender: str | None = None) -> dict[str, Any]:
    """What would leave for ``partner``: the decision, and (when allowed) exactly the record dict exported.

    ``partner`` is a :class:`radnuc.sharing.partners.Partner`; its profile is resolved by the caller's
    :class:`~radnuc.sharing.partners.PartnerConfig` (``partner.profile`` holds the resolved profile).
    """
    decision = may_share(record, partner, sender=sender)
    out: dict[str, Any] = {"partner": partner.name, "decision": decision.as_dict(), "record": None,
                           "redactions": []}
    if decision.allowed:
        out["record"], out["redactions"] = redact(record, partner.profile)
        out["profile"] = partner.profile.name
    return out


__all__ = ["PATTERNS", "PROFILES", "RedactionProfile", "coarsen", "preview", "profile_from_dict",
           "redact", "screen_text"]
