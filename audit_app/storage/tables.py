"""The database schema (SQLAlchemy Core). Migrations in ``migrations/`` must match it;
a test compares the two.

Name columns are ``NAME_COLUMN_CHARS`` wide, the most ``AUDIT_MAX_NAME_CHARS`` may be set
to, so a name the services accept always fits (PostgreSQL refuses a longer one); long texts
(comments, reasons, notes) are ``Text``, held to ``AUDIT_MAX_TEXT_CHARS`` by the services.

Visit times are the branch's local wall-clock time as the auditor recorded it; the
``*_at`` bookkeeping columns are UTC.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

from audit_app.domain.bounds import CODE_KEY_CHARS, NAME_COLUMN_CHARS

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

branches = Table(
    "branches",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(32), nullable=False, unique=True),
    # The code with case and Unicode width folded away (domain.bounds.code_key), set on
    # every insert: unique, so ES-CAT-01 and es-cat-01 cannot both exist (migration 0009).
    Column("code_key", String(CODE_KEY_CHARS), nullable=False, server_default=""),
    Column("name", String(NAME_COLUMN_CHARS), nullable=False),
    Column("region", String(100), nullable=False, index=True),
    Column("area", String(100), nullable=False, default=""),
    Column("country", String(2), nullable=False),
    Column("language", String(8), nullable=False, default="en"),
    Column("manager", String(NAME_COLUMN_CHARS), nullable=False, default=""),
    Column("franchisee", String(NAME_COLUMN_CHARS), nullable=False, default=""),
    Column("address", String(500), nullable=False, default=""),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Index(None, "code_key", unique=True),
)

checklist_versions = Table(
    "checklist_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("checklist_id", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("title", String(200), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("definition", JSON, nullable=False),
    Column("stored_at", DateTime, nullable=False),
    UniqueConstraint("checklist_id", "version"),
)

audits = Table(
    "audits",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("branch_id", ForeignKey("branches.id"), nullable=False),
    Column("checklist_version_id", ForeignKey("checklist_versions.id"), nullable=False),
    Column("checklist_id", String(64), nullable=False),
    Column("checklist_version", Integer, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("channel", String(32)),
    Column("visited_at", DateTime, nullable=False),
    Column("auditor", String(NAME_COLUMN_CHARS), nullable=False),
    Column("language", String(8), nullable=False),
    Column("status", String(16), nullable=False),
    Column("source", String(500)),
    Column("source_hash", String(64)),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", String(200)),
    Column("submitted_at", DateTime),
    # The current revision: 1 as first submitted, +1 for each correction (audit_revisions).
    Column("revision", Integer, nullable=False, default=1, server_default="1"),
    # The audit a follow-up re-checks. No foreign key: SQLite cannot add one to an existing
    # table without rebuilding it, and a rebuild would cascade-delete the answers.
    Column("follow_up_of", Integer, index=True),
    # The visit's id in an outside system (an agency's review number), where it has one
    # (migration 0011); searched by, so indexed.
    Column("visit_reference", String(NAME_COLUMN_CHARS), index=True),
    # The auditor as a person (migration 0014): ``auditor`` keeps the name as it was written
    # and sealed; this links it to ``auditors`` (merging two auditors moves the link, never the
    # sealed name). No foreign key, for the same reason as ``follow_up_of``.
    Column("auditor_id", Integer, index=True),
    # One visit: branch, checklist, time and auditor, and the reference where there is one
    # (two partial indexes, as a NULL never equals another in a unique key).
    Index(
        "uq_audits_visit",
        "branch_id",
        "checklist_id",
        "visited_at",
        "auditor",
        unique=True,
        sqlite_where=text("visit_reference IS NULL"),
        postgresql_where=text("visit_reference IS NULL"),
    ),
    Index(
        "uq_audits_visit_reference",
        "branch_id",
        "checklist_id",
        "visited_at",
        "auditor",
        "visit_reference",
        unique=True,
        sqlite_where=text("visit_reference IS NOT NULL"),
        postgresql_where=text("visit_reference IS NOT NULL"),
    ),
    Index(None, "checklist_id", "visited_at"),
    Index(None, "branch_id", "visited_at"),
    # The newest visits, and the last days before them, are read through it (migration 0018).
    Index(None, "visited_at"),
    Index(None, "source_hash"),
)

answers = Table(
    "answers",
    metadata,
    Column("audit_id", ForeignKey("audits.id", ondelete="CASCADE"), primary_key=True),
    Column("item_id", String(64), primary_key=True),
    Column("value", Text),
    Column("na", Boolean, nullable=False, default=False),
    Column("comment", Text),
    Column("score", Float),
)

audit_scores = Table(
    "audit_scores",
    metadata,
    Column("audit_id", ForeignKey("audits.id", ondelete="CASCADE"), primary_key=True),
    Column("overall", Float),
    Column("raw_overall", Float),
    Column("grade", String(100)),
    Column("passed", Boolean),
    Column("critical_failure", Boolean, nullable=False),
    Column("scored_at", DateTime, nullable=False),
    # The data stamp's max(scored_at) runs on every page view (migration 0006).
    Index(None, "scored_at"),
)

section_scores = Table(
    "section_scores",
    metadata,
    Column("audit_id", ForeignKey("audits.id", ondelete="CASCADE"), primary_key=True),
    Column("section_id", String(64), primary_key=True),
    Column("score", Float),
    Column("weight", Float, nullable=False),
)

audit_item_scores = Table(
    "audit_item_scores",
    metadata,
    # Every answer's item score of one audit in one row (``item_vectors``), written in the
    # same transaction as its answers: comparisons read 40,000 of these instead of grouping
    # 2.4 million answers (migration 0012). Derived data: never archived, rebuilt on restore.
    Column("audit_id", ForeignKey("audits.id", ondelete="CASCADE"), primary_key=True),
    Column("scores", LargeBinary, nullable=False),
)

audit_section_scores = Table(
    "audit_section_scores",
    metadata,
    # Every section score and weight of one scored audit in one row (``section_vectors``),
    # written in the same transaction as its ``section_scores`` rows: comparisons read
    # 130,000 of these for a ten-times year instead of a million section rows (migration
    # 0017). Derived data: never archived, rebuilt on restore.
    Column("audit_id", ForeignKey("audits.id", ondelete="CASCADE"), primary_key=True),
    Column("scores", LargeBinary, nullable=False),
)

item_month_sums = Table(
    "item_month_sums",
    metadata,
    # Per branch, checklist, item, month of the visit, kind and channel ('' for none): the
    # scored answers of submitted audits (n), the sum and sum of squares of their 0-1 item
    # scores and how many failed (the corrective-action test). Kept in the same transaction
    # as every write of an audit (``item_sums``), rebuilt on restore, checked by verify
    # (migration 0016). Derived data: never archived.
    Column("branch_id", ForeignKey("branches.id", ondelete="CASCADE"), primary_key=True),
    Column("checklist_id", String(64), primary_key=True),
    Column("item_id", String(64), primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("kind", String(32), primary_key=True),
    Column("channel", String(32), primary_key=True),
    Column("n", Integer, nullable=False),
    Column("total", Float, nullable=False),
    Column("total_sq", Float, nullable=False),
    Column("failed", Integer, nullable=False),
    # SQLite keeps the rows in their key's b-tree: no second copy of the key in an index
    # (the scale set's 2.3 million rows take about half the space).
    sqlite_with_rowid=False,
)

branch_month_sums = Table(
    "branch_month_sums",
    metadata,
    # Per branch, checklist version, month of the visit, kind and channel ('' for none): the
    # submitted audits with an overall score, the sum and sum of squares of those scores,
    # how many passed, how many had a pass/fail verdict and how many failed on a critical
    # item. What a league table, its trend and the overview's months add up, kept in the
    # same transaction as every write of an audit's score (``branch_sums``), rebuilt on
    # restore, checked by verify (migration 0019). Derived data: never archived.
    Column("branch_id", ForeignKey("branches.id", ondelete="CASCADE"), primary_key=True),
    Column("checklist_id", String(64), primary_key=True),
    Column("checklist_version", Integer, primary_key=True),
    Column("month", String(7), primary_key=True),
    Column("kind", String(32), primary_key=True),
    Column("channel", String(32), primary_key=True),
    Column("audits", Integer, nullable=False),
    Column("total", Float, nullable=False),
    Column("total_sq", Float, nullable=False),
    Column("passed", Integer, nullable=False),
    Column("judged", Integer, nullable=False),
    Column("critical_failures", Integer, nullable=False),
    sqlite_with_rowid=False,
)

import_files = Table(
    "import_files",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("import_key", String(64), nullable=False, unique=True),
    Column("content_hash", String(64), nullable=False, index=True),
    Column("file_name", String(500), nullable=False),
    Column("imported_at", DateTime, nullable=False),
    Column("imported_by", String(200)),
    Column("checklist_id", String(64), nullable=False),
    Column("checklist_version", Integer, nullable=False),
    Column("mapping", String(200)),
    Column("audits_added", Integer, nullable=False),
    Column("visits_already_present", Integer, nullable=False),
    Column("rows_skipped", Integer, nullable=False),
    Column("rows_read", Integer),
    Column("rows_imported", Integer),
    Column("rows_already_present", Integer),
)
"""One row per import; its key (file content, mapping profile, checklist versions)
recognises the same import made twice. Rows counts are NULL for imports logged before 0007."""

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(100), nullable=False, unique=True),
    Column("display_name", String(NAME_COLUMN_CHARS), nullable=False, default=""),
    Column("role", String(32), nullable=False),
    Column("areas", JSON, nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("last_login_at", DateTime),
    Column("language", String(8)),
)
"""People who log in; only an argon2 hash of the password is kept. ``language`` is the one
the user chose in the app (NULL: not chosen, the app picks from their area or browser)."""

audit_revisions = Table(
    "audit_revisions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("audit_id", ForeignKey("audits.id"), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("created_by", String(200)),
    Column("reason", Text),
    Column("content", JSON, nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("audit_hash", String(64), nullable=False),
    Column("sequence", Integer, nullable=False, unique=True),
    Column("chain_hash", String(64), nullable=False),
    UniqueConstraint("audit_id", "revision"),
)
"""Every submitted revision of every audit, never changed: its content, a hash of it, a
hash chained over the audit's revisions (``audit_hash``) and one over all submissions in
order (``sequence``, ``chain_hash``). ``audit-app verify`` recomputes them."""

corrective_actions = Table(
    "corrective_actions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("audit_id", ForeignKey("audits.id"), nullable=False, index=True),
    Column("branch_id", ForeignKey("branches.id"), nullable=False, index=True),
    Column("checklist_id", String(64), nullable=False),
    Column("item_id", String(64), nullable=False),
    Column("critical", Boolean, nullable=False),
    Column("score", Float),
    Column("due_on", Date, nullable=False),
    Column("owner", String(NAME_COLUMN_CHARS), nullable=False, default=""),
    Column("status", String(16), nullable=False, index=True),
    Column("note", Text),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("updated_by", String(200)),
    Column("verified_by_audit", ForeignKey("audits.id")),
)
"""One per failed item of a submitted audit: who fixes it by when, and how far it got."""

action_events = Table(
    "action_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("action_id", ForeignKey("corrective_actions.id"), nullable=False, index=True),
    Column("at", DateTime, nullable=False),
    Column("by", String(200)),
    Column("field", String(32), nullable=False),
    Column("old", Text),
    Column("new", Text),
)
"""Who changed what on an action, and when."""

appeals = Table(
    "appeals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("audit_id", ForeignKey("audits.id"), nullable=False, index=True),
    Column("raised_at", DateTime, nullable=False),
    Column("raised_by", String(200)),
    Column("reason", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("resolved_at", DateTime),
    Column("resolved_by", String(200)),
    Column("resolution", Text),
    Column("revision", Integer),
)
"""A branch's appeal against an audit: upheld (a revision is made) or rejected (why is kept)."""

activity_log = Table(
    "activity_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime, nullable=False, index=True),
    Column("actor", String(200)),
    Column("action", String(32), nullable=False, index=True),
    Column("subject", String(300), nullable=False),
    Column("detail", JSON, nullable=False),
)
"""Who did what, for head office: log-ins, submissions, imports, revisions, appeals, user
and backup changes. Never a password, a session token or a database password."""

auditors = Table(
    "auditors",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(NAME_COLUMN_CHARS), nullable=False),
    # The name folded for matching (case, spaces, Unicode form; accents kept, as two people
    # may differ by one: near misses are asked about, never merged by themselves).
    Column("name_key", String(NAME_COLUMN_CHARS), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),  # staff | agency
    Column("organisation", String(NAME_COLUMN_CHARS), nullable=False, default=""),
    Column("email", String(320), nullable=False, default=""),
    # The app user this auditor is, where there is one (an area manager auditing herself).
    Column("username", String(100), index=True),
    # Areas the auditor visits; empty means anywhere.
    Column("areas", JSON, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    # Set when merged into another auditor: the kept one, which now holds the audits.
    Column("merged_into", ForeignKey("auditors.id")),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)
"""The people who make visits (agency shoppers or staff), not necessarily users: chosen in
the form and the templates, matched on import by name, planned in visit plans."""

visit_plans = Table(
    "visit_plans",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("checklist_id", String(64), nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    # Which branches: {"regions": [...], "areas": [...], "branches": [codes]}; all empty = all.
    Column("scope", JSON, nullable=False),
    # How many visits each branch needs: [{"channel": "in_person", "visits": 2}, ...].
    Column("requirement", JSON, nullable=False),
    Column("lockout_days", Integer, nullable=False),
    Column("status", String(16), nullable=False, index=True),  # draft | published
    Column("created_at", DateTime, nullable=False),
    Column("created_by", String(200)),
    Column("updated_at", DateTime, nullable=False),
    Column("published_at", DateTime),
    Column("published_by", String(200)),
)
"""Per checklist and period, the visits each branch in scope needs (e.g. 3 mystery shops a
quarter: 2 in person, 1 by phone); drafted by the planner, adjusted, then published."""

planned_visits = Table(
    "planned_visits",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("plan_id", ForeignKey("visit_plans.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("branch_id", ForeignKey("branches.id"), nullable=False, index=True),
    Column("channel", String(32)),
    Column("planned_on", Date, nullable=False),
    # The last day the visit counts as on time; after it, not done is overdue.
    Column("due_by", Date, nullable=False),
    Column("auditor_id", ForeignKey("auditors.id"), index=True),
    # The submitted audit that filled this slot (by submission or import), if any.
    Column("audit_id", ForeignKey("audits.id"), unique=True),
    Column("filled_at", DateTime),
    Column("note", Text),
    # Why the planner left the slot without an auditor (domain.plans.PlanProblem), if so.
    Column("unassigned", String(32)),
    Index(None, "planned_on"),
)
"""One slot of a plan: a branch, a channel, a date and an auditor. Submitted visits and
imports fill open slots by themselves."""

sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("username", ForeignKey("users.username"), nullable=False, index=True),
    Column("method", String(32), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("last_seen_at", DateTime, nullable=False),
    Column("ended_at", DateTime),
    Column("ended_why", String(32)),
)
"""One row per log-in, keyed by the SHA-256 of its token: the token itself (the browser's
cookie) is never stored. Ended rows stay, with when and why, until they are pruned."""

log_in_throttle = Table(
    "log_in_throttle",
    metadata,
    Column("key_hash", String(64), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_failure_at", DateTime, nullable=False),
    Column("blocked_until", DateTime),
)
"""Failed log-ins counted per user name and per client address, kept in the database so
every server process shares them. Keys are hashed: people type passwords into the name box."""

media = Table(
    "media",
    metadata,
    Column("id", Integer, primary_key=True),
    # The SHA-256 of the stored (re-encoded) file, which is also its name in the media store.
    Column("sha256", String(64), nullable=False, unique=True),
    Column("content_type", String(64), nullable=False),
    Column("bytes", Integer, nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    # When the camera took it (EXIF DateTimeOriginal), kept as data; the rest of the
    # metadata (GPS, device) is stripped.
    Column("captured_at", DateTime),
    Column("original_name", String(255), nullable=False),
    Column("stored_at", DateTime, nullable=False),
    Column("stored_by", String(200)),
)
"""One row per photo kept in the media store (``AUDIT_MEDIA_DIR``): a photo is stored once
however many answers show it. The file is written before its row, so no row names a file
that was never written."""

answer_photos = Table(
    "answer_photos",
    metadata,
    Column("audit_id", ForeignKey("audits.id", ondelete="CASCADE"), primary_key=True),
    Column("item_id", String(64), primary_key=True),
    Column("position", Integer, primary_key=True, autoincrement=False),
    Column("sha256", String(64), nullable=False, index=True),
)
"""The photos an answer carries, in order (drafts keep theirs). A submitted audit's photo
hashes are part of its sealed revision; ``verify`` checks every file is there, unchanged."""

record_seals = Table(
    "record_seals",
    metadata,
    Column("sequence", Integer, primary_key=True, autoincrement=False),
    Column("table_name", String(64), nullable=False),
    Column("row_key", String(64), nullable=False),
    Column("sealed", JSON, nullable=False),
    Column("digest", String(64), nullable=False),
    Column("chain_hash", String(64), nullable=False),
    Column("sealed_at", DateTime, nullable=False),
    Index(None, "table_name", "row_key"),
)
"""The ledger: every version of every record a figure, a deadline or a permission rests on
(branches, users, checklist versions, submitted audits, their revisions, actions and their
events, appeals, the activity log, the import log), as it was written, each chained to the
one before by an HMAC under the trail key, which the database does not hold. ``audit-app
verify`` compares every record with its last sealed version."""

trail_state = Table(
    "trail_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("key_check", String(64), nullable=False),
)
"""One row: a fingerprint of the trail key the ledger was sealed with, so a server holding
another key refuses to start instead of sealing records no one else can check."""
