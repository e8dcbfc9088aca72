"""Database administration: migrations and their status."""

from __future__ import annotations

from audit_app.config import Settings, load_settings
from audit_app.services import sealing
from audit_app.storage import database


def upgrade_database(settings: Settings | None = None) -> tuple[str | None, str]:
    """Apply pending migrations; returns (revision before, revision after)."""
    settings = settings or load_settings()
    engine = sealing.open_engine(settings)
    try:
        done = database.upgrade(engine)
        sealing.check_key(engine, settings)
        return done
    finally:
        engine.dispose()


def schema_status(settings: Settings | None = None) -> tuple[str | None, str]:
    """(revision in the database, revision this version needs)."""
    engine = database.create_database_engine((settings or load_settings()).resolved_database_url)
    try:
        return database.current_revision(engine), database.head_revision()
    finally:
        engine.dispose()
