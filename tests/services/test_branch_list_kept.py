"""Every page asks for the branch list; it is read again only when a branch changed (#21:
building 5,000 branches took 45-100 ms of every page run on the ten-times set), and every
change shows at once: a new branch, a renamed one, a closed one, on both engines."""

from __future__ import annotations

from typing import Any

import pytest

from audit_app.domain.audit import Branch
from audit_app.domain.users import Role, User
from audit_app.services.branches import (
    list_branches,
    save_branches,
    set_branch_active,
    update_branches,
)
from audit_app.services.context import AppContext
from audit_app.storage import repository

MARTA = User(username="marta", role=Role.AREA_MANAGER, areas=("Barcelona",))


def _branch(code: str, area: str, name: str | None = None) -> Branch:
    return Branch(
        code=code, name=name or f"Shop {code}", region="Catalonia", area=area, country="ES"
    )


def test_the_list_is_read_once_until_a_branch_changes(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_branches(ctx, [_branch("ES-01", "Barcelona"), _branch("ES-02", "Girona")])
    reads: list[int] = []
    real = repository.list_branches

    def counted(*args: Any, **kwargs: Any) -> Any:
        reads.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(repository, "list_branches", counted)
    first = list_branches(ctx)
    assert [b.code for b in first] == ["ES-01", "ES-02"]
    assert list_branches(ctx) == first and len(reads) <= 1
    before = len(reads)
    assert [b.code for b in list_branches(ctx.as_user(MARTA))] == ["ES-01"]
    assert len(reads) == before  # her view is narrowed from the same list

    save_branches(ctx, [_branch("ES-03", "Barcelona")])
    assert [b.code for b in list_branches(ctx)] == ["ES-01", "ES-02", "ES-03"]
    assert [b.code for b in list_branches(ctx.as_user(MARTA))] == ["ES-01", "ES-03"]
    update_branches(ctx, {"ES-02": {"name": "Girona Centre", "area": "Barcelona"}})
    renamed = {b.code: b for b in list_branches(ctx)}
    assert renamed["ES-02"].name == "Girona Centre"
    assert [b.code for b in list_branches(ctx.as_user(MARTA))] == ["ES-01", "ES-02", "ES-03"]
    set_branch_active(ctx, "ES-01", False)
    assert {b.code: b.active for b in list_branches(ctx)}["ES-01"] is False
    assert len(reads) == before + 3
