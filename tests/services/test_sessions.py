"""Signed session tokens: a log-in that survives a reload, and nothing a browser could forge."""

from __future__ import annotations

import time

import pytest

from audit_app.domain.audit import Branch
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from audit_app.services.sessions import KEY_FILE, issue_token, user_from_token
from audit_app.services.users import add_user, disable_user, set_password


@pytest.fixture
def marta(ctx: AppContext):  # type: ignore[no-untyped-def]
    save_branches(
        ctx,
        [Branch(code="ES-01", name="Gràcia", region="Catalonia", area="Barcelona", country="ES")],
    )
    return add_user(ctx, "marta", "area_manager", "correct horse", areas=["Barcelona"])


def test_a_token_names_its_user_until_it_expires(ctx: AppContext, marta) -> None:  # type: ignore[no-untyped-def]
    now = time.time()
    token = issue_token(ctx, marta, now=now)
    assert user_from_token(ctx, token, now=now + 60) == marta
    assert user_from_token(ctx, token, now=now + ctx.settings.session_hours * 3600 + 1) is None
    key = ctx.settings.data_dir / KEY_FILE
    assert key.stat().st_mode & 0o777 == 0o600 and len(key.read_bytes()) == 32


def test_a_forged_or_damaged_token_is_refused(ctx: AppContext, marta) -> None:  # type: ignore[no-untyped-def]
    add_user(ctx, "hq", "head_office", "battery staple")
    token = issue_token(ctx, marta)
    payload, signature = token.split(".")
    import base64

    as_hq = (
        base64.urlsafe_b64encode(base64.urlsafe_b64decode(payload + "==").replace(b"marta", b"hq"))
        .decode()
        .rstrip("=")
    )
    for forged in (f"{as_hq}.{signature}", f"{payload}.{signature[:-2]}xx", "garbage", "", "a.b"):
        assert user_from_token(ctx, forged) is None, forged


def test_a_new_password_or_a_disabled_account_ends_every_session(ctx: AppContext, marta) -> None:  # type: ignore[no-untyped-def]
    token = issue_token(ctx, marta)
    set_password(ctx, "marta", "a brand new password")
    assert user_from_token(ctx, token) is None
    token = issue_token(ctx, marta)
    assert user_from_token(ctx, token) == marta
    disable_user(ctx, "marta")
    assert user_from_token(ctx, token) is None


def test_a_shared_secret_key_is_used_when_set(ctx: AppContext, marta) -> None:  # type: ignore[no-untyped-def]
    from dataclasses import replace

    shared = replace(ctx, settings=ctx.settings.model_copy(update={"secret_key": "s" * 40}))
    token = issue_token(shared, marta)
    assert user_from_token(shared, token) == marta
    assert user_from_token(ctx, token) is None  # signed with another key
