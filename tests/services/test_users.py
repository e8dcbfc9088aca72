"""Users: roles and areas, argon2 hashes only, log-ins that give nothing away."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from audit_app.domain.audit import Branch
from audit_app.domain.users import Role, User
from audit_app.errors import AuditAppError
from audit_app.services.branches import save_branches
from audit_app.services.context import AppContext
from audit_app.services.demo import DEMO_USERS, load_demo
from audit_app.services.users import (
    add_user,
    authenticate,
    disable_user,
    list_users,
    set_password,
)
from audit_app.storage.tables import users

REPO = Path(__file__).resolve().parents[2]
GRACIA = Branch(code="ES-01", name="Gràcia", region="Catalonia", area="Barcelona", country="ES")
REUS = Branch(code="ES-02", name="Reus", region="Catalonia", area="Tarragona", country="ES")


@pytest.fixture
def world(ctx: AppContext) -> AppContext:
    save_branches(ctx, [GRACIA, REUS])
    return ctx


def test_add_list_and_log_in(world: AppContext) -> None:
    add_user(world, "marta", "area_manager", "correct horse", areas=["barcelona"])
    add_user(world, "hq", "head_office", "battery staple")
    assert [u.username for u in list_users(world)] == ["hq", "marta"]
    marta = authenticate(world, "Marta", "correct horse")
    assert marta == User(username="marta", role=Role.AREA_MANAGER, areas=("Barcelona",))
    assert marta.sees(GRACIA) and not marta.sees(REUS)
    assert authenticate(world, "marta", "wrong password") is None
    assert authenticate(world, "nobody", "correct horse") is None


def test_only_an_argon2_hash_is_stored(world: AppContext) -> None:
    add_user(world, "hq", "head_office", "battery staple")
    with world.engine.connect() as conn:
        stored = conn.execute(select(users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and "battery" not in stored


def test_set_password_and_disable(world: AppContext) -> None:
    add_user(world, "guest", "viewer", "first password")
    set_password(world, "guest", "second password")
    assert authenticate(world, "guest", "first password") is None
    assert authenticate(world, "guest", "second password") is not None
    disable_user(world, "guest")
    assert authenticate(world, "guest", "second password") is None
    with pytest.raises(AuditAppError, match="no user named 'ghost'"):
        disable_user(world, "ghost")


@pytest.mark.parametrize(
    ("username", "role", "password", "areas", "message"),
    [
        ("hq", "boss", "long enough", [], "'boss' is not a valid Role"),
        ("m", "area_manager", "long enough", ["Barcelona"], "a user name needs 2 to 100"),
        ("b@d name", "viewer", "long enough", [], "use letters, digits and . _ @ - only"),
        ("-marta", "viewer", "long enough", [], "starting with a letter or digit"),
        ("marta", "area_manager", "long enough", [], "needs at least one area"),
        ("marta", "area_manager", "long enough", ["Girona"], "unknown area Girona"),
        ("hq", "head_office", "short", [], "at least 8 characters"),
        ("hq", "head_office", "long enough", ["Barcelona"], "only an area manager has areas"),
    ],
)
def test_bad_users_are_refused_plainly(
    world: AppContext, username: str, role: str, password: str, areas: list[str], message: str
) -> None:
    with pytest.raises(AuditAppError) as caught:
        add_user(world, username, role, password, areas=areas)
    assert message in str(caught.value)
    assert password not in str(caught.value)
    assert "should match pattern" not in str(caught.value)  # words, not a regular expression
    assert list_users(world) == []


def test_a_second_user_of_the_same_name_is_refused(world: AppContext) -> None:
    add_user(world, "hq", "head_office", "battery staple")
    with pytest.raises(AuditAppError, match="already exists"):
        add_user(world, "HQ", "viewer", "other password")


def test_the_demo_has_one_user_of_each_role(ctx: AppContext) -> None:
    first = load_demo(ctx)
    assert first.users_added == 3 and load_demo(ctx).users_added == 0
    assert {u.role for u in list_users(ctx)} == set(Role)
    for username, _, _, password in DEMO_USERS:
        assert authenticate(ctx, username, password) is not None


def test_the_users_commands_never_echo_the_password() -> None:
    def cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "audit_app", *args],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=REPO,
            env=dict(os.environ),
        )

    assert cli("demo").returncode == 0
    added = cli(
        "users",
        "add",
        "ana",
        "--role",
        "area_manager",
        "--area",
        "Ege",
        "--area",
        "Barcelona",
        "--password-stdin",
        stdin="s3cret-Pa55\n",
    )
    assert added.returncode == 0, added.stderr
    assert "s3cret" not in added.stdout + added.stderr
    listed = cli("users", "list")
    assert "ana" in listed.stdout and "Ege" in listed.stdout
    assert "s3cret" not in listed.stdout
    changed = cli("users", "set-password", "ana", "--password-stdin", stdin="n3w-Pa55word\n")
    assert changed.returncode == 0 and "n3w" not in changed.stdout + changed.stderr
    assert cli("users", "disable", "ana").returncode == 0
    refused = cli("users", "add", "bo", "--role", "viewer", "--password-stdin", stdin="short\n")
    assert refused.returncode == 1 and "at least 8 characters" in refused.stderr
