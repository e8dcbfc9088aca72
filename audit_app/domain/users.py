"""Who uses the app and what each role may see: head office everything, an area manager the
branches of their areas, a viewer everything but read-only."""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from audit_app.domain.audit import Branch
from audit_app.i18n.catalogue import LANGUAGES


class Role(StrEnum):
    HEAD_OFFICE = "head_office"
    AREA_MANAGER = "area_manager"
    VIEWER = "viewer"


USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@\-]*")
USERNAME_RULE = "use letters, digits and . _ @ - only, starting with a letter or digit"


class User(BaseModel):
    """A user as the services see them; the password hash never leaves storage."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    username: str
    display_name: str = Field(default="", max_length=200)
    role: Role
    areas: tuple[str, ...] = ()
    active: bool = True
    language: str | None = None
    """The language the user chose in the app; None until they choose."""

    @field_validator("username")
    @classmethod
    def _username_is_plain(cls, value: str) -> str:
        """The rule is said in words: the head office user who typed the name should not
        have to read a regular expression."""
        if not 2 <= len(value) <= 100:
            raise ValueError("a user name needs 2 to 100 characters")
        if not USERNAME.fullmatch(value):
            raise ValueError(USERNAME_RULE)
        return value

    @field_validator("language")
    @classmethod
    def _language_has_a_catalogue(cls, value: str | None) -> str | None:
        if value is not None and value not in LANGUAGES:
            raise ValueError(f"the app speaks {', '.join(LANGUAGES)}, not {value!r}")
        return value

    @model_validator(mode="after")
    def _areas_fit_the_role(self) -> User:
        if self.role == Role.AREA_MANAGER and not self.areas:
            raise ValueError("an area manager needs at least one area")
        if self.role != Role.AREA_MANAGER and self.areas:
            raise ValueError("only an area manager has areas")
        return self

    @property
    def can_write(self) -> bool:
        return self.role in (Role.HEAD_OFFICE, Role.AREA_MANAGER)

    def sees(self, branch: Branch) -> bool:
        """Whether this user may see (and, with ``can_write``, audit) the branch."""
        if self.role != Role.AREA_MANAGER:
            return True
        return branch.area in self.areas
