"""The value objects of an audit: a branch, an answer, a visit and its answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator


class AuditKind(StrEnum):
    MYSTERY_SHOP = "mystery_shop"
    SELF_ASSESSMENT = "self_assessment"
    IMPORT = "import"
    INSPECTION = "inspection"
    FOLLOW_UP = "follow_up"
    """Re-checks only the failed items of an earlier audit (``Visit.follow_up_of``)."""


class AuditStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class Channel(StrEnum):
    IN_PERSON = "in_person"
    PHONE = "phone"
    EMAIL = "email"
    WEB_FORM = "web_form"
    SOCIAL_MEDIA = "social_media"
    REVIEW_SITE = "review_site"
    ON_SITE = "on_site"


class Branch(BaseModel):
    """A location of the franchise; ``code`` is the key people type and import by."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    code: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
    name: str = Field(min_length=1, max_length=200)
    region: str = Field(min_length=1, max_length=100)
    area: str = Field(default="", max_length=100)
    country: str = Field(min_length=2, max_length=2)
    language: str = Field(default="en", min_length=2, max_length=8)
    manager: str = Field(default="", max_length=200)
    franchisee: str = Field(default="", max_length=200)
    address: str = Field(default="", max_length=500)
    active: bool = True

    @field_validator("country")
    @classmethod
    def _upper_country(cls, value: str) -> str:
        if not value.isalpha():
            raise ValueError("a country is a two-letter code such as ES, RO or TR")
        return value.upper()

    @field_validator("language")
    @classmethod
    def _lower_language(cls, value: str) -> str:
        return value.lower()


AnswerValue = bool | int | float | str | None


@dataclass(frozen=True)
class Answer:
    """One item's answer. ``value`` is typed by the item: bool, int, float or str."""

    item_id: str
    value: AnswerValue = None
    na: bool = False
    comment: str | None = None
    photos: tuple[str, ...] = ()
    """The SHA-256 of each photo the answer carries, in order (files in the media store)."""

    @property
    def answered(self) -> bool:
        """N/A or a value. A photo carries evidence, it answers nothing by itself: a yes/no
        question with a photo and no answer is unanswered. (A photo item, whose answer is
        its photos, is checked by ``domain.answers.is_answered``.)"""
        return self.na or self.value is not None


@dataclass(frozen=True)
class Visit:
    """Who audited which branch with which checklist, when and how."""

    branch_code: str
    checklist_id: str
    checklist_version: int
    visited_at: datetime
    auditor: str
    kind: AuditKind = AuditKind.MYSTERY_SHOP
    channel: Channel | None = None
    language: str = "en"
    follow_up_of: int | None = None
    """The audit a follow-up re-checks (kind ``follow_up``); None for every other audit."""
    reference: str | None = None
    """The visit's id in an outside system (an agency's review number): how an audit is
    traced back to the vendor's record, and what tells two visits of one store on one day
    apart."""


@dataclass(frozen=True)
class AuditRecord:
    """A visit with its answers, as entered or imported, before it is stored."""

    visit: Visit
    answers: tuple[Answer, ...]
    status: AuditStatus = AuditStatus.SUBMITTED
    source: str | None = None
    source_hash: str | None = None
    created_by: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
