"""Sessions on the server and log-in throttling: log-out, disabling a user and a new password
end every session; expiry follows AUDIT_SESSION_HOURS as set now; failed log-ins wait longer
and longer, in the database; unknown, disabled and wrong-password attempts cost the same."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, select

from audit_app.domain.audit import Branch
from audit_app.domain.throttle import FREE_FAILURES, MAX_DELAY, delay_after, wait_words
from audit_app.domain.users import Role, User
from audit_app.services import users as users_service
from audit_app.services.activity import list_activity
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from audit_app.services.sessions import (
    end_session,
    session_user,
    start_session,
    token_hash,
)
from audit_app.services.throttling import LogInThrottled
from audit_app.services.users import (
    add_user,
    authenticate,
    disable_user,
    enable_user,
    set_password,
    trusted_user,
)
from audit_app.storage.repository import utcnow
from audit_app.storage.tables import log_in_throttle, sessions
from tests.helpers import database_snapshot

HQ = User(username="hq", role=Role.HEAD_OFFICE)
PASSWORD = "correct horse"


@pytest.fixture
def marta(ctx: AppContext) -> User:
    save_branches(
        ctx,
        [Branch(code="ES-01", name="Gràcia", region="Catalonia", area="Barcelona", country="ES")],
    )
    return add_user(ctx, "marta", "area_manager", PASSWORD, areas=["Barcelona"])


def _row(ctx: AppContext, token: str) -> Any:
    with ctx.engine.connect() as conn:
        return conn.execute(
            select(sessions).where(sessions.c.token_hash == token_hash(ctx, token))
        ).one()


# --- sessions ---------------------------------------------------------------------------


def test_only_a_hash_of_the_token_is_stored(ctx: AppContext, marta: User) -> None:
    token = start_session(ctx, marta, "password")
    assert session_user(ctx, token) == marta
    row = _row(ctx, token)
    assert row.username == "marta" and row.method == "password" and row.ended_at is None
    assert row.expires_at - row.created_at == timedelta(hours=ctx.settings.session_hours)
    assert token not in repr(database_snapshot(ctx))
    for forged in ("", "garbage", token[:-1], token + "x", token_hash(ctx, token)):
        assert session_user(ctx, forged) is None, forged


def test_log_out_ends_the_session_and_its_copied_cookie(ctx: AppContext, marta: User) -> None:
    token = start_session(ctx, marta, "password")
    other_tab = start_session(ctx, marta, "password")
    end_session(ctx, token)
    assert session_user(ctx, token) is None
    assert session_user(ctx, other_tab) == marta  # log-out ends this session, not others
    row = _row(ctx, token)
    assert row.ended_at is not None and row.ended_why == "logged out"


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda ctx: disable_user(ctx, "marta"), "user disabled"),
        (lambda ctx: set_password(ctx, "marta", "a brand new password"), "password changed"),
    ],
    ids=["disabled", "new-password"],
)
def test_disabling_or_a_new_password_ends_every_session(
    ctx: AppContext, marta: User, change: Any, why: str
) -> None:
    tokens = [start_session(ctx, marta, method) for method in ("password", "single sign-on")]
    change(ctx)
    enable_user(ctx, "marta")  # enabling again does not bring old sessions back
    for token in tokens:
        assert session_user(ctx, token) is None
        assert _row(ctx, token).ended_why == why
    entry = list_activity(ctx.as_user(HQ), actions=("user",))[1]
    assert entry.detail["sessions_ended"] == 2


def test_a_session_of_a_disabled_user_is_refused_even_if_not_ended(
    ctx: AppContext, marta: User
) -> None:
    token = start_session(ctx, marta, "password")
    with ctx.engine.begin() as conn:  # the flag flipped behind the services' back
        from audit_app.storage.tables import users

        conn.execute(users.update().where(users.c.username == "marta").values(active=False))
    assert session_user(ctx, token) is None


def test_a_session_expires_and_session_hours_apply_to_open_sessions(
    ctx: AppContext, marta: User
) -> None:
    token = start_session(ctx, marta, "password")
    hours = ctx.settings.session_hours
    now = utcnow()
    assert session_user(ctx, token, now=now + timedelta(hours=hours) - timedelta(minutes=1))
    assert session_user(ctx, token, now=now + timedelta(hours=hours, seconds=1)) is None
    shorter = replace(ctx, settings=ctx.settings.model_copy(update={"session_hours": 1}))
    assert session_user(shorter, token, now=now + timedelta(minutes=59)) == marta
    assert session_user(shorter, token, now=now + timedelta(minutes=61)) is None


def test_a_session_check_is_one_lookup_and_no_password_hash(
    ctx: AppContext, marta: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = start_session(ctx, marta, "password")
    verifies = _count_verifies(monkeypatch)
    with _statements(ctx) as seen:
        assert session_user(ctx, token) == marta
    queries = [q for q in seen if not q.strip().upper().startswith(("BEGIN", "COMMIT"))]
    assert verifies == [] and len(queries) == 1
    assert "FROM sessions JOIN users" in queries[0] and "WHERE sessions.token_hash" in queries[0]


# --- single sign-on -------------------------------------------------------------------


def test_single_sign_on_takes_exact_names_only(ctx: AppContext, marta: User) -> None:
    assert trusted_user(ctx, ["marta"]) == marta
    for near in ("Marta", "MARTA", " marta", "marta ", "marta\t", "mart_", "%"):
        assert trusted_user(ctx, [near]) is None, near
    disable_user(ctx, "marta")
    assert trusted_user(ctx, ["marta"]) is None


def test_a_single_sign_on_header_sent_twice_is_refused(ctx: AppContext, marta: User) -> None:
    add_user(ctx, "hq", "head_office", "battery staple")
    for copies in (["hq", "marta"], ["marta", "hq"], ["marta", "marta"]):
        assert trusted_user(ctx, copies) is None
    assert trusted_user(ctx, []) is None
    refused = list_activity(ctx.as_user(HQ), actions=("log-in refused",))
    assert [e.detail["why"] for e in refused] == ["header sent more than once"] * 3


# --- throttling -------------------------------------------------------------------------


def test_the_waits_double_from_the_sixth_attempt_and_are_capped() -> None:
    assert [delay_after(n) for n in range(FREE_FAILURES)] == [0.0] * FREE_FAILURES
    assert [delay_after(n) for n in range(5, 10)] == [1.0, 2.0, 4.0, 8.0, 16.0]
    assert delay_after(60) == MAX_DELAY
    assert [wait_words(s) for s in (0.2, 1, 2, 59.5, 61, 300)] == [
        "1 second",
        "1 second",
        "2 seconds",
        "1 minute",
        "2 minutes",
        "5 minutes",
    ]


def _fail(ctx: AppContext, name: str = "marta", address: str | None = None) -> None:
    assert authenticate(ctx, name, "wrong guess", address=address) is None


def _waited(ctx: AppContext, seconds: float) -> None:
    """Move every throttle back by ``seconds``, as if that much time had passed."""
    with ctx.engine.begin() as conn:
        for row in conn.execute(select(log_in_throttle)).all():
            conn.execute(
                log_in_throttle.update()
                .where(log_in_throttle.c.key_hash == row.key_hash)
                .values(
                    last_failure_at=row.last_failure_at - timedelta(seconds=seconds),
                    blocked_until=row.blocked_until - timedelta(seconds=seconds)
                    if row.blocked_until
                    else None,
                )
            )


def test_failures_make_the_next_attempt_wait_longer_and_longer(
    ctx: AppContext, marta: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    for _ in range(FREE_FAILURES):
        _fail(ctx)
    verifies = _count_verifies(monkeypatch)
    with pytest.raises(LogInThrottled) as first:  # the right password, refused unchecked
        authenticate(ctx, "marta", PASSWORD)
    assert verifies == [] and 0 < first.value.wait_seconds <= 1
    assert "Wait 1 second, then try again." in str(first.value)
    waits = []
    for _ in range(4):
        _waited(ctx, MAX_DELAY)
        _fail(ctx)
        with pytest.raises(LogInThrottled) as caught:
            authenticate(ctx, "marta", PASSWORD)
        waits.append(round(caught.value.wait_seconds))
    assert waits == [2, 4, 8, 16]
    assert len(verifies) == 4  # one per attempt let through, none for the refused ones
    refused = list_activity(ctx.as_user(HQ), actions=("log-in refused",))
    assert sum(e.detail["why"] == "throttled" for e in refused) == 5
    assert {e.subject for e in refused} == {"marta"}


def test_the_name_is_throttled_whatever_its_case_and_from_any_address(
    ctx: AppContext, marta: User
) -> None:
    for n in range(FREE_FAILURES):
        _fail(ctx, ["marta", "Marta", " MARTA "][n % 3], address=f"10.0.0.{n}")
    with pytest.raises(LogInThrottled):
        authenticate(ctx, "marta", PASSWORD, address="10.9.9.9")


def test_an_address_is_throttled_across_names(ctx: AppContext, marta: User) -> None:
    for n in range(FREE_FAILURES):
        _fail(ctx, f"guess{n}", address="203.0.113.7")
    with pytest.raises(LogInThrottled):
        authenticate(ctx, "marta", PASSWORD, address="203.0.113.7")
    assert authenticate(ctx, "marta", PASSWORD, address="198.51.100.1") == marta


def test_a_success_resets_the_names_count(ctx: AppContext, marta: User) -> None:
    for _ in range(FREE_FAILURES - 1):
        _fail(ctx)
    assert authenticate(ctx, "marta", PASSWORD) == marta
    for _ in range(FREE_FAILURES - 1):
        _fail(ctx)
    assert authenticate(ctx, "marta", PASSWORD) == marta  # not throttled: counted afresh


def test_old_failures_are_forgotten(ctx: AppContext, marta: User) -> None:
    for _ in range(FREE_FAILURES):
        _fail(ctx)
    _waited(ctx, 2 * 3600)
    _fail(ctx)  # counts as the first failure again: no wait follows
    assert authenticate(ctx, "marta", PASSWORD) == marta


def test_the_throttle_is_shared_through_the_database(ctx: AppContext, marta: User) -> None:
    from audit_app.services.context import open_context

    other_process = open_context(ctx.settings)  # its own engine, as another server would
    try:
        for _ in range(FREE_FAILURES):
            _fail(other_process)
        with pytest.raises(LogInThrottled):
            authenticate(ctx, "marta", PASSWORD)
    finally:
        other_process.engine.dispose()
    with ctx.engine.connect() as conn:
        keys = conn.execute(select(log_in_throttle.c.key_hash)).scalars().all()
    assert keys and all(len(k) == 64 and "marta" not in k for k in keys)


# --- equal work -------------------------------------------------------------------------


class _CountingHasher:
    """The real argon2 hasher, with every verify call noted."""

    def __init__(self, real: Any, calls: list[str]) -> None:
        self.real, self.calls = real, calls

    def verify(self, password_hash: str, password: str) -> bool:
        self.calls.append(password_hash)
        return bool(self.real.verify(password_hash, password))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def _count_verifies(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    monkeypatch.setattr(users_service, "_hasher", _CountingHasher(users_service._hasher, calls))
    return calls


class _statements:
    """The SQL statements run on ``ctx.engine`` inside the block."""

    def __init__(self, ctx: AppContext) -> None:
        self.engine = ctx.engine
        self.seen: list[str] = []

    def _record(self, *args: Any) -> None:
        self.seen.append(str(args[2]))

    def __enter__(self) -> list[str]:
        event.listen(self.engine, "before_cursor_execute", self._record)
        return self.seen

    def __exit__(self, *_: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._record)


def _shape(statements: list[str]) -> list[str]:
    """Each statement's kind and table, values left out: what the database was asked."""
    return [" ".join(s.split()[:4]) for s in statements]


def test_unknown_disabled_and_wrong_password_cost_the_same(
    ctx: AppContext, marta: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_user(ctx, "olga", "viewer", "olga's password")
    disable_user(ctx, "olga")
    verifies = _count_verifies(monkeypatch)
    work = {}
    for label, name, password in (
        ("unknown", "nobody", "whatever it is"),
        ("disabled", "olga", "olga's password"),  # even the right password
        ("wrong", "marta", "not her password"),
    ):
        before = len(verifies)
        with _statements(ctx) as seen:
            assert authenticate(ctx, name, password, address="192.0.2.1") is None
        work[label] = (len(verifies) - before, _shape(seen))
    assert work["unknown"] == work["disabled"] == work["wrong"]
    assert work["unknown"][0] == 1  # exactly one argon2 verify each
    assert any("log_in_throttle" in s for s in work["unknown"][1])
    assert any("activity_log" in s for s in work["unknown"][1])


def test_a_session_row_written_into_the_database_for_a_chosen_token_does_not_log_in(
    ctx: AppContext, marta: User
) -> None:
    """Write access to the database is not a log-in: the row keeps an HMAC of the token
    under the trail key, which the database does not hold."""
    import hashlib
    from datetime import datetime

    from sqlalchemy import insert

    chosen = "a token the attacker chose"
    now = datetime.now()
    with ctx.engine.begin() as conn:
        for stored in (hashlib.sha256(chosen.encode()).hexdigest(), chosen):
            conn.execute(
                insert(sessions).values(
                    token_hash=stored,
                    username="marta",
                    method="password",
                    created_at=now,
                    expires_at=now + timedelta(hours=1),
                    last_seen_at=now,
                )
            )
    assert session_user(ctx, chosen) is None
