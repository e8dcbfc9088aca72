"""One Settings object: sensible defaults, overridden by ``AUDIT_*`` environment variables."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

from platformdirs import user_data_path
from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from audit_app.domain.bounds import NAME_COLUMN_CHARS, TEXT_CEILING_CHARS, Bounds
from audit_app.errors import AuditAppError

PACKAGE_DIR = Path(__file__).resolve().parent


def default_checklists_dir() -> Path:
    """The repository's ``checklists/`` in a checkout, else the copy bundled in the wheel."""
    in_checkout = PACKAGE_DIR.parent / "checklists"
    if in_checkout.is_dir():
        return in_checkout
    return PACKAGE_DIR / "_bundled" / "checklists"


class Settings(BaseSettings):
    # An empty variable (``AUDIT_DEBUG=`` in an environment file) is one not set: its
    # default, never an empty key or a value that cannot be read.
    model_config = SettingsConfigDict(env_prefix="AUDIT_", extra="ignore", env_ignore_empty=True)

    data_dir: Path = Field(default_factory=lambda: user_data_path("audit-app", appauthor=False))
    """Where the embedded SQLite database lives (``AUDIT_DATA_DIR``)."""
    database_url: str | None = None
    """Any SQLAlchemy URL (``AUDIT_DATABASE_URL``); default: SQLite in ``data_dir``."""
    checklists_dir: Path = Field(default_factory=default_checklists_dir)
    mappings_dir: Path | None = None
    """Saved mapping profiles (``AUDIT_MAPPINGS_DIR``); default: ``mappings`` in ``data_dir``.
    Point every copy of the app at one shared folder so a profile is made once."""
    port: int = 8501
    address: str = "localhost"
    debug: bool = False
    """Show tracebacks instead of one-line messages (``AUDIT_DEBUG=1``)."""
    session_hours: float = Field(default=12, gt=0)
    """How long a log-in lasts in a browser (``AUDIT_SESSION_HOURS``)."""
    trail_key: SecretStr | None = None
    """Seals the audit trail (``AUDIT_TRAIL_KEY``); default: a random key made once in
    ``data_dir`` (``trail.key``). Kept out of the database, so write access to the database is
    not enough to seal a change. Give every server on one database the same key."""
    revision_window_days: float = Field(default=7, ge=0)
    """How long after submission an area manager may still correct an audit
    (``AUDIT_REVISION_WINDOW_DAYS``); head office may correct at any time."""
    max_upload_mb: int = Field(default=20, gt=0)
    """The largest file accepted for import, in MB (``AUDIT_MAX_UPLOAD_MB``): in the app's
    upload box (Streamlit's ``--server.maxUploadSize``), on the command line and for branch
    lists. A bulk file of thousands of visits is a few MB."""
    max_inflated_mb: int = Field(default=200, gt=0)
    """The most a workbook may hold once unzipped, in MB (``AUDIT_MAX_INFLATED_MB``): an
    .xlsx is a zip, and a few MB can inflate to gigabytes (a zip bomb). Checked before
    any spreadsheet library reads it."""
    max_name_chars: int = Field(default=NAME_COLUMN_CHARS, gt=0, le=NAME_COLUMN_CHARS)
    """The longest name accepted: auditors, branch names, owners, managers, display names
    (``AUDIT_MAX_NAME_CHARS``). At most the database's column width (200), so PostgreSQL
    never refuses what the services accepted."""
    max_text_chars: int = Field(default=TEXT_CEILING_CHARS, gt=0, le=TEXT_CEILING_CHARS)
    """The longest comment, text answer, reason, appeal, resolution or action note
    (``AUDIT_MAX_TEXT_CHARS``). At most 2,000: every report is tested at that length."""
    earliest_visit_date: date = date(2000, 1, 1)
    """No visit is dated before this day (``AUDIT_EARLIEST_VISIT_DATE``)."""
    latest_visit_days_ahead: int = Field(default=1, ge=0, le=366)
    """No visit is dated later than today by the server's clock plus this many days
    (``AUDIT_LATEST_VISIT_DAYS_AHEAD``): tomorrow by default."""
    not_visited_days: int = Field(default=60, gt=0, le=3660)
    """An area manager's home marks a branch not visited for this many days or more
    (``AUDIT_NOT_VISITED_DAYS``)."""
    media_dir: Path | None = None
    """Where photos are kept (``AUDIT_MEDIA_DIR``); default: ``media`` in ``data_dir``. One
    file per photo, named by the SHA-256 of its content; give every server the same folder."""
    max_photo_mb: float = Field(default=15, gt=0, le=200)
    """The largest photo accepted, in MB, before re-encoding (``AUDIT_MAX_PHOTO_MB``)."""
    max_photo_megapixels: float = Field(default=50, gt=0, le=150)
    """The most pixels a photo may declare, in millions (``AUDIT_MAX_PHOTO_MEGAPIXELS``):
    checked from the header before any pixel is decoded, against decompression bombs."""
    photo_long_edge: int = Field(default=2048, ge=320, le=8192)
    """Photos are stored at most this many pixels on their long edge
    (``AUDIT_PHOTO_LONG_EDGE``): a phone's 12 MP shot is far more than a report shows."""
    trusted_user_header: str | None = None
    """Behind a single-sign-on proxy: the request header that carries the logged-in user's
    name (``AUDIT_TRUSTED_USER_HEADER``, e.g. ``X-Forwarded-User``). Off by default; set it
    only when the proxy is the sole way in, because anyone who can reach the app directly
    could send the header."""
    client_address_header: str | None = None
    """The request header that carries the browser's address when a proxy in front sets it
    (``AUDIT_CLIENT_ADDRESS_HEADER``): log-in throttling counts failures per address, and
    behind a proxy every request comes from the proxy's. ``audit-app serve --processes N``
    sets it for its own workers; set it yourself only behind a proxy that overwrites it on
    every request and is the sole way in."""
    read_ahead: Literal["history", "default", "off"] = "history"
    """What each server process reads as it starts, before anyone asks
    (``AUDIT_READ_AHEAD``): ``history`` head office's default twelve months, then the whole
    history and both selections' item cells; ``default`` the twelve months alone; ``off``
    nothing (every first page reads what it shows)."""
    haproxy: str = "haproxy"
    """The haproxy that ``audit-app serve --processes N`` puts in front of its processes
    (``AUDIT_HAPROXY``): a command looked up on PATH and in /usr/sbin, or a path."""

    @property
    def bounds(self) -> Bounds:
        """The input bounds every service checks (``audit_app.domain.bounds``)."""
        return Bounds(
            self.max_name_chars,
            self.max_text_chars,
            self.earliest_visit_date,
            self.latest_visit_days_ahead,
        )

    @property
    def resolved_mappings_dir(self) -> Path:
        return self.mappings_dir or self.data_dir / "mappings"

    @property
    def resolved_media_dir(self) -> Path:
        return self.media_dir or self.data_dir / "media"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'audit.db'}"


class SettingsError(AuditAppError):
    """An ``AUDIT_*`` variable whose value cannot be used."""


def load_settings(**overrides: object) -> Settings:
    """The settings from the environment; a value that cannot be used is refused naming its
    variable, the value and what it should be."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        problems = []
        for problem in error.errors(include_url=False):
            field = str(problem["loc"][0]) if problem["loc"] else "?"
            secret = field in {"trail_key", "database_url"}
            shown = "(hidden)" if secret else repr(problem.get("input"))
            problems.append(f"AUDIT_{field.upper()}={shown}: {problem['msg']}")
        raise SettingsError(
            "a setting cannot be used: " + "; ".join(problems) + " (README, Configuration)"
        ) from None
