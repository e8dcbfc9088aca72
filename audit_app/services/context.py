"""What every use case needs: settings, the database engine and the checklist catalogue."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import Engine

from audit_app.checklists import Catalogue
from audit_app.config import Settings, load_settings
from audit_app.domain.users import User
from audit_app.services import sealing
from audit_app.storage import database, repository


@dataclass(frozen=True)
class AppContext:
    settings: Settings
    engine: Engine
    catalogue: Catalogue
    checklist_version_ids: dict[tuple[str, int], int]
    user: User | None = None
    replaced_checklists: tuple[repository.ReplacedVersion, ...] = ()
    """Stored versions no audit used that this opening replaced with their files' content
    (the command line prints a notice; the activity log has an entry for each)."""
    """Who is acting. ``None`` is the command line on the server, which sees everything; the
    web app always acts as a logged-in user, and the services keep that user in scope."""

    def as_user(self, user: User | None) -> AppContext:
        """The same context acting as ``user`` (the engine and catalogue are shared)."""
        return replace(self, user=user)

    @property
    def database_label(self) -> str:
        """The database URL without its password, for messages."""
        return database.redact(self.settings.resolved_database_url)


def open_context(settings: Settings | None = None) -> AppContext:
    """Open (and, on first use, create and migrate) the database and load the checklists."""
    settings = settings or load_settings()
    engine = sealing.open_engine(settings)
    database.upgrade(engine)
    sealing.check_key(engine, settings)
    catalogue = Catalogue.from_folder(settings.checklists_dir)
    with database.transaction(engine) as conn:
        stored = repository.store_checklist_versions(conn, catalogue)
    return AppContext(settings, engine, catalogue, stored.ids, replaced_checklists=stored.replaced)
