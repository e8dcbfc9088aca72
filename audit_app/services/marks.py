"""The data a kept selection was read at (:class:`Mark`): what says whether a later snapshot
only adds to it, so that the selection is brought up to date from the branches written
since instead of read whole (``services.selections``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from audit_app.domain.filters import AuditFilter
from audit_app.storage import period_changes, selection_marks


@dataclass(frozen=True)
class Mark:
    """The data a selection was read at, taken in its snapshot: the newest audit id and
    scoring time, the trail's head, and digests of the branches and auditors
    (``storage.selection_marks``). No count: submitted audits are never deleted, and a
    restore goes only into an empty database, whose trail, if it is this chain's, is the
    same history up to the head (an older one's head is lower: it went back), and whose
    branches, if it is another chain's, differ."""

    newest_id: int | None
    newest_scoring: Any
    head: int
    branches: str
    people: str
    last_person: int

    @classmethod
    def read(cls, conn: Connection) -> Mark:
        newest_id, newest_scoring = selection_marks.newest(conn)
        people, last_person = selection_marks.people_digest(conn)
        return cls(
            newest_id,
            newest_scoring,
            period_changes.trail_head(conn),
            selection_marks.branch_digest(conn),
            people,
            last_person,
        )

    def followed_by(self, later: Mark, conn: Connection) -> bool:
        """Whether ``later`` only adds to this mark: audits added, scored or sealed since,
        auditors added (their names can only be on the audits written since), no branch
        changed and nothing went back (a restore)."""
        if self.newest_id is None or self.newest_scoring is None:
            return False
        if later.newest_id is None or later.newest_scoring is None:
            return False
        if later.branches != self.branches or later.last_person < self.last_person:
            return False
        if not (
            later.newest_id >= self.newest_id
            and later.newest_scoring >= self.newest_scoring
            and later.head >= self.head
        ):
            return False
        if later.people == self.people:
            return True
        earlier_people, _last = selection_marks.people_digest(conn, upto=self.last_person)
        return earlier_people == self.people

    def written_since(
        self, conn: Connection, most: int, within: AuditFilter | None = None
    ) -> tuple[Mark, tuple[str, ...]] | None:
        """``conn``'s snapshot's mark and the branches (of ``within``'s branch conditions)
        with an audit written since this mark; None when what was read at this mark cannot
        be brought up to date: something else moved, or more than ``most`` branches were
        written."""
        now = Mark.read(conn)
        if not self.followed_by(now, conn):
            return None
        assert self.newest_id is not None  # followed_by checked
        written = period_changes.written_branches(
            conn, self.newest_id, self.newest_scoring, self.head, most, within
        )
        return None if written is None else (now, written)


__all__ = ["Mark"]
