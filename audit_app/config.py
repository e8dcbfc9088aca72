"""One Settings object: sensible defaults, overridden by ``AUDIT_*`` environment variables."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_path
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent


def default_checklists_dir() -> Path:
    """The repository's ``checklists/`` in a checkout, else the copy bundled in the wheel."""
    in_checkout = PACKAGE_DIR.parent / "checklists"
    if in_checkout.is_dir():
        return in_checkout
    return PACKAGE_DIR / "_bundled" / "checklists"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AUDIT_", extra="ignore")

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
    trusted_user_header: str | None = None
    """Behind a single-sign-on proxy: the request header that carries the logged-in user's
    name (``AUDIT_TRUSTED_USER_HEADER``, e.g. ``X-Forwarded-User``). Off by default; set it
    only when the proxy is the sole way in, because anyone who can reach the app directly
    could send the header."""

    @property
    def resolved_mappings_dir(self) -> Path:
        return self.mappings_dir or self.data_dir / "mappings"

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'audit.db'}"


def load_settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]
