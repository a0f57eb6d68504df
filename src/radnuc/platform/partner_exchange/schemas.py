"""API shapes of international exchange (``/api/v1/international``)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from radnuc.platform.deps import ID_PATTERN

RecordType = Literal["incident", "alarm", "measurement", "evidence"]
PartnerName = Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$",
                    description="A partner's name as in partners.yaml")


class PartnerOut(BaseModel):
    name: str
    country: str | None
    kind: str
    max_tlp: str = Field(description="The most restrictive TLP 2.0 label the partner may receive (trust level)")
    community: bool = Field(description="Member of the sharing community (may receive TLP:GREEN)")
    client_of: str | None
    profile: str = Field(description="Redaction profile applied to what it receives")
    public_key: bool = Field(description="A public key is configured: bundles it signs can be imported")
    max_bundle_bytes: int


class PartnersOut(BaseModel):
    configured: bool = Field(description="False when RADNUC_PARTNERS_FILE is not set")
    self_name: str | None = Field(description="The local agency as partners know it (signer of exports)")
    self_country: str | None
    signing_key: bool = Field(description="RADNUC_AGENCY_KEY_FILE is set and exists: exports can be signed")
    partners: list[PartnerOut]


class ShareRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    record_type: RecordType
    record_id: str = Field(pattern=ID_PATTERN)
    partner: str = PartnerName
    include_related: bool = Field(False, description="Incident: also its alarms, measurements and evidence")


class ExportRequest(ShareRequest):
    skip_refused: bool = Field(False, description="Send the allowed records even if some are refused")


class ItdbRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    incident_id: str = Field(pattern=ID_PATTERN)
    partner: str = PartnerName
    format: Literal["json", "html", "pdf"] = "json"
    include_related: bool = Field(True, description="Summarise the incident's alarms, measurements and evidence")


class N42Request(BaseModel):
    model_config = ConfigDict(extra="forbid")

    measurement_id: str = Field(pattern=ID_PATTERN)
    partner: str = PartnerName


class N42Out(BaseModel):
    """The N42.42 file and its detached signature, both base64. Decode ``n42`` to ``filename`` and ``signature``
    to ``signature_filename`` (``filename`` + ``.sig.json``): ``radnuc share verify FILENAME --partners
    partners.yaml`` then checks them against the configured keys."""

    partner: str
    profile: str = Field(description="Redaction profile applied to the file and its analysis")
    signer: str = Field(description="Who signed (the 'self' of partners.yaml)")
    filename: str = Field(description="Suggested file name of the N42.42 file")
    media_type: str = Field(description="Media type of the N42.42 file (application/xml)")
    n42: str = Field(description="The N42.42-2012 XML file, base64")
    bytes: int = Field(description="Size of the N42.42 file")
    sha256: str = Field(description="SHA-256 of the N42.42 file (hex)")
    signature_filename: str = Field(description="Where `radnuc share verify` looks for the signature")
    signature: str = Field(description="The detached signature (a radnuc-signed-bundle/1 JSON envelope over "
                                       "{type: radnuc-detached-file, name, bytes, sha256}), base64")
    key_id: str
    signed_at: str
    redactions: list[str] = Field(description="What the redaction profile removed from the record's analysis")


class DecisionOut(BaseModel):
    allowed: bool
    reason: str
    record_type: str
    record_id: str
    partner: str
    tlp: str


class PreviewItem(BaseModel):
    decision: DecisionOut
    record: dict[str, Any] | None = Field(description="Exactly the record that would leave (None when refused)")
    redactions: list[str] = Field(description="What the redaction profile removed, coarsened or screened")
    omitted: list[str] = Field(description="Values of the platform record that are not shareable as they are")


class PreviewOut(BaseModel):
    partner: str
    profile: str
    sender: str = Field(description="The agency deciding as TLP sender (the caller's agency)")
    signer: str = Field(description="Who signs the bundle (the 'self' of partners.yaml)")
    allowed: bool = Field(description="Every record may go")
    allowed_count: int
    refused_count: int
    items: list[PreviewItem]


class RefusedOut(BaseModel):
    detail: str
    decisions: list[DecisionOut]


class ImportedRecordOut(BaseModel):
    stix_id: str
    record_type: str
    id: str
    tlp: str
    owner_agency: str
    status: Literal["new", "duplicate", "updated"]
    content_sha256: str
    local_incident_id: str | None
    record: dict[str, Any]


class ImportOut(BaseModel):
    signer: str
    sha256: str = Field(description="SHA-256 of the received file")
    records: list[ImportedRecordOut]
    foreign: list[dict[str, Any]] = Field(description="STIX objects not made by radnuc, for a human to review")
    counts: dict[str, int]
