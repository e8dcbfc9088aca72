"""The demo chain: deterministic, realistic in structure, and loaded only once."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest
from scipy import stats

from audit_app.checklists import Catalogue
from audit_app.demo import DemoData, generate
from audit_app.domain.scoring import score_audit
from audit_app.services.audits import list_scores
from audit_app.services.context import AppContext
from audit_app.services.demo import demo_hint, load_demo

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def data(catalogue: Catalogue) -> DemoData:
    return generate(catalogue.latest())


@pytest.fixture(scope="module")
def scored(data: DemoData, catalogue: Catalogue) -> pd.DataFrame:
    branches = {b.code: b for b in data.branches}
    rows = []
    for record in data.audits:
        visit = record.visit
        card = score_audit(
            catalogue.get(visit.checklist_id, visit.checklist_version), record.answers
        )
        rows.append(
            {
                "branch": visit.branch_code,
                "region": branches[visit.branch_code].region,
                "country": branches[visit.branch_code].country,
                "auditor": visit.auditor,
                "month": visit.visited_at.month,
                "visited_at": visit.visited_at,
                "checklist": visit.checklist_id,
                "overall": card.overall,
                "critical": card.critical_failure,
            }
        )
    return pd.DataFrame(rows)


def test_the_same_seed_gives_the_same_data(data: DemoData, catalogue: Catalogue) -> None:
    assert generate(catalogue.latest()) == data
    assert generate(catalogue.latest(), seed=1) != data


def test_the_chain_spans_three_countries_and_enough_regions(data: DemoData) -> None:
    assert len(data.branches) >= 40
    assert len({b.region for b in data.branches}) >= 4
    assert {b.country for b in data.branches} == {"ES", "RO", "TR"}
    assert len({b.code for b in data.branches}) == len(data.branches)


def test_a_year_of_visits_every_answer_valid(scored: pd.DataFrame) -> None:
    span = scored["visited_at"].max() - scored["visited_at"].min()
    assert span.days >= 330
    assert scored["visited_at"].dt.to_period("M").nunique() == 12
    assert scored["overall"].between(0, 100).all()  # score_audit accepted every audit


def test_branches_differ_for_real(scored: pd.DataFrame) -> None:
    groups = [g["overall"].to_numpy() for _, g in scored.groupby("branch") if len(g) >= 5]
    assert stats.f_oneway(*groups).pvalue < 1e-6


def test_one_auditor_is_lenient_and_summer_dips(scored: pd.DataFrame) -> None:
    istanbul = scored[scored["region"] == "Istanbul"]
    by_auditor = istanbul.groupby("auditor")["overall"].mean()
    assert by_auditor.idxmax() == "Mehmet Kaya"
    by_month = scored.groupby("month")["overall"].mean()
    assert by_month[8] < by_month.drop([8, 12, 1, 7]).mean()


def test_some_critical_failures_and_some_na(data: DemoData, scored: pd.DataFrame) -> None:
    assert 5 <= scored["critical"].sum() <= 0.08 * len(scored)
    assert any(answer.na for record in data.audits for answer in record.answers)


def test_demo_loads_once(ctx: AppContext, data: DemoData) -> None:
    first = load_demo(ctx)
    assert (first.branches_added, first.audits_added) == (len(data.branches), len(data.audits))
    second = load_demo(ctx)
    assert (second.branches_added, second.audits_added) == (0, 0)
    assert second.audits_already_present == len(data.audits)
    assert len(list_scores(ctx)) == len(data.audits)
    _every_audit_is_linked_to_a_person(ctx, data)
    _failed_in_person_answers_carry_photos(ctx)


def _failed_in_person_answers_carry_photos(ctx: AppContext) -> None:
    """Some of the latest in-person visits show a photo on a failed answer, as evidence does
    in real use; the photos are in the media store and verified."""
    from audit_app.demo_photos import MOST_PHOTOS
    from audit_app.services.audits import load_audit
    from audit_app.services.verify import verify

    report = verify(ctx)
    assert report.ok, report.problems
    assert report.photos == MOST_PHOTOS
    carrying = [
        (stored.record.visit.channel, answer.value)
        for audit_id in list_scores(ctx)["audit_id"]
        for stored in [load_audit(ctx, int(audit_id))]
        for answer in stored.record.answers
        if answer.photos
    ]
    assert len(carrying) == MOST_PHOTOS
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"carry a photo of it\n({MOST_PHOTOS} of them" in readme
    assert {(str(channel), value) for channel, value in carrying} <= {
        ("in_person", False),
        ("on_site", False),
    }


def _every_audit_is_linked_to_a_person(ctx: AppContext, data: DemoData) -> None:
    from sqlalchemy import func, select

    from audit_app.demo import AUDITOR_PEOPLE
    from audit_app.services.auditors import list_auditors
    from audit_app.storage.tables import audits

    people = {a.name: a for a in list_auditors(ctx)}
    assert {
        name: (people[name].kind.value, people[name].organisation, people[name].username)
        for name in people
    } == AUDITOR_PEOPLE
    assert all(a.areas for a in people.values())
    with ctx.engine.connect() as conn:
        unlinked = conn.execute(
            select(func.count()).select_from(audits).where(audits.c.auditor_id.is_(None))
        ).scalar_one()
        linked = {
            r.auditor: r.auditor_id
            for r in conn.execute(select(audits.c.auditor, audits.c.auditor_id).distinct())
        }
    assert unlinked == 0
    assert linked == {name: people[name].id for name in {r.visit.auditor for r in data.audits}}


def test_the_committed_sample_files_match_the_generator(tmp_path: Path, data: DemoData) -> None:
    spec = importlib.util.spec_from_file_location("generate", REPO / "sample_data" / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for written in module.write_demo_files(data, tmp_path):
        committed = REPO / "sample_data" / "demo" / written.name
        assert committed.read_bytes() == written.read_bytes(), (
            f"{committed} is stale: run `make sample-data`"
        )


# --------------------------------------------------------------------------- a real database


def _real_world(ctx: AppContext) -> None:
    from audit_app.domain.audit import Branch
    from audit_app.services.branches import save_branches
    from audit_app.services.users import add_user

    save_branches(
        ctx,
        [
            Branch(code=f"REAL-{n}", name=f"Real {n}", region="North", area="N", country="ES")
            for n in range(1, 13)
        ],
    )
    for name in ("ana", "bo", "cai"):
        add_user(ctx, name, "head_office", f"{name}'s own password")


def test_demo_refuses_a_database_in_real_use_naming_what_it_found(ctx: AppContext) -> None:
    from audit_app.services.demo import DemoRefused
    from audit_app.services.users import list_users

    _real_world(ctx)
    with pytest.raises(DemoRefused) as refused:
        load_demo(ctx)
    assert str(refused.value).startswith(
        "this database holds 3 users not in the demo (ana, bo, cai) and 12 branches not in "
        "the demo (REAL-1, REAL-10, REAL-11, …); audit-app demo only loads into an empty "
        "database or one that holds the demo alone"
    )
    assert "--force loads anyway" in str(refused.value)
    assert refused.value.survey.other_branch_count == 12
    assert list_scores(ctx).empty
    assert [u.username for u in list_users(ctx)] == ["ana", "bo", "cai"]


def test_a_demo_named_user_with_another_role_is_not_the_demo(ctx: AppContext) -> None:
    from audit_app.services.demo import DemoRefused
    from audit_app.services.users import add_user

    add_user(ctx, "guest", "head_office", "a real person's password")
    with pytest.raises(DemoRefused, match=r"1 user not in the demo \(guest\)"):
        load_demo(ctx)


def test_force_loads_anyway_and_the_published_passwords_are_then_a_warning(
    ctx: AppContext,
) -> None:
    from audit_app.services.demo import demo_hint, survey

    _real_world(ctx)
    loaded = load_demo(ctx, force=True)
    assert loaded.users_added == 3 and loaded.audits_added > 1000
    hint = demo_hint(ctx)
    assert hint.logins == () and hint.exposed == ("guest", "hq", "marta")
    assert not survey(ctx).demo_only


def test_the_login_hint_lists_demo_passwords_only_while_they_work(ctx: AppContext) -> None:
    from audit_app.services import demo as demo_service
    from audit_app.services.demo import demo_hint
    from audit_app.services.users import disable_user, set_password

    assert demo_hint(ctx) == demo_service.DemoHint()  # empty: nothing to offer
    load_demo(ctx)
    assert [name for name, _, _ in demo_hint(ctx).logins] == ["hq", "marta", "guest"]
    set_password(ctx, "marta", "marta's own new password")
    disable_user(ctx, "guest")
    assert [name for name, _, _ in demo_hint(ctx).logins] == ["hq"]
    assert demo_hint(ctx).exposed == ()


@pytest.fixture
def password_checks(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The demo loaded, the remembered checks forgotten, and every argon2 check counted."""
    from audit_app.services import demo as demo_service
    from audit_app.services import users

    load_demo(ctx)
    demo_service._checked.cache_clear()
    calls: list[str] = []
    real = users.hash_matches
    monkeypatch.setattr(users, "hash_matches", lambda h, p: calls.append(p) or real(h, p))
    return calls


def test_the_login_hint_checks_each_password_hash_once(
    ctx: AppContext, password_checks: list[str]
) -> None:
    for _ in range(5):
        demo_hint(ctx)
    assert len(password_checks) == 3  # one argon2 check per demo account, not per render


def test_log_in_forms_opened_at_once_check_each_password_hash_once(
    ctx: AppContext, password_checks: list[str]
) -> None:
    """Twenty sessions opening the log-in page together (#21) wait for one check each."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(8) as pool:
        hints = list(pool.map(lambda _: demo_hint(ctx), range(20)))
    assert len(password_checks) == 3
    assert {len(hint.logins) for hint in hints} == {3}


def test_demo_cli_refuses_then_force_warns(settings: object) -> None:
    from typer.testing import CliRunner

    from audit_app.cli import app
    from audit_app.services.context import open_context

    runner = CliRunner()
    first = runner.invoke(app, ["demo"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(app, ["demo"])  # make run does this every time
    assert again.exit_code == 0 and "0 audits added" in again.stdout
    ctx = open_context()
    try:
        from audit_app.services.users import add_user

        add_user(ctx, "ana", "head_office", "ana's own password")
    finally:
        ctx.engine.dispose()
    refused = runner.invoke(app, ["demo"])
    assert refused.exit_code == 1
    assert refused.stderr.startswith(
        "error: this database holds 1 user not in the demo (ana); audit-app demo only loads"
    )
    skipped = runner.invoke(app, ["demo", "--unless-in-use"])  # make run: still serves
    assert skipped.exit_code == 0, skipped.output
    assert skipped.stdout.startswith("The demo is not loaded: ")
    assert "holds 1 user not in the demo (ana)" in skipped.stdout
    forced = runner.invoke(app, ["demo", "--force"])
    assert forced.exit_code == 0
    assert "warning: --force: loading the demo into" in forced.stderr
    assert "still have the demo password published" in forced.stderr


def test_serve_warns_while_a_published_password_works_in_a_real_database(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from typer.testing import CliRunner

    from audit_app.cli import app

    _real_world(ctx)
    load_demo(ctx, force=True)
    started: list[list[str]] = []
    monkeypatch.setattr(os, "execv", lambda _path, command: started.append(command))
    served = CliRunner().invoke(app, ["serve", "--port", "8599"])
    assert served.exit_code == 0, served.output
    assert started and started[0][1:4] == ["-m", "audit_app.ui.server", "run"]
    assert "warning: the accounts guest, hq, marta still have the demo password" in (served.stderr)


def test_serve_turns_off_the_collection_after_every_script_run(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Streamlit's full collection after each run took a third of the server's CPU under
    load (#21); the served command turns it off."""
    import os

    from typer.testing import CliRunner

    from audit_app.cli import app

    started: list[list[str]] = []
    monkeypatch.setattr(os, "execv", lambda _path, command: started.append(command))
    served = CliRunner().invoke(app, ["serve", "--port", "8599"])
    assert served.exit_code == 0, served.output
    command = started[0]
    assert command[command.index("--runner.postScriptGC") + 1] == "false"


def test_demo_branch_codes_match_the_generator(data: DemoData) -> None:
    from audit_app.demo import branch_codes

    assert branch_codes() == {b.code for b in data.branches}


# --------------------------------------------------------------------------- the demo's plans


def test_the_demo_brings_a_past_quarter_and_a_plan_due_from_the_load_week(
    ctx: AppContext, data: DemoData
) -> None:
    """Through the real planner: the last quarter's slots are filled by the demo's own
    audits (as many as each branch made on each channel, up to the plan's need), and the
    plan that starts in the load week gives Marta a visit due that week with an auditor."""
    from collections import Counter
    from datetime import date

    from audit_app.services.home import area_home
    from audit_app.services.plans import list_plans, show_plan
    from audit_app.services.users import list_users

    load_day = date(2026, 12, 6)  # a Sunday: the week ends that day
    loaded = load_demo(ctx, today=load_day)
    assert loaded.plans_added == 2
    assert load_demo(ctx, today=date(2027, 1, 4)).plans_added == 0

    summaries = sorted(list_plans(ctx), key=lambda p: p.starts_on)
    assert [(p.checklist_id, p.starts_on, p.ends_on, p.status) for p in summaries] == [
        ("complaints", date(2026, 9, 1), date(2026, 11, 30), "published"),
        ("greeting_phone", date(2026, 11, 30), date(2027, 2, 28), "published"),
    ]
    past, ahead = (show_plan(ctx, p.id) for p in summaries)
    open_codes = {b.code for b in data.branches if b.active}
    assert {s.branch_code for s in past.slots} == open_codes
    made = Counter(
        (r.visit.branch_code, r.visit.channel)
        for r in data.audits
        if r.visit.checklist_id == "complaints"
        and date(2026, 9, 1) <= r.visit.visited_at.date() <= date(2026, 11, 30)
    )
    wanted = Counter((s.branch_code, s.channel) for s in past.slots)
    expected = sum(min(made[key], need) for key, need in wanted.items())
    filled = Counter((s.branch_code, s.channel) for s in past.slots if s.filled)
    assert filled == Counter({key: min(made[key], n) for key, n in wanted.items() if made[key]})
    assert summaries[0].filled == expected > 0
    assert any(s.overdue(load_day) for s in past.slots)
    assert summaries[1].filled == 0 and len(ahead.slots) == 3 * len(open_codes)

    marta = next(u for u in list_users(ctx) if u.username == "marta")
    home = area_home(ctx, marta, load_day)
    assert home.due_this_week
    assert all(v.auditor for v in home.due_this_week)  # nobody locked out of it
    assert {v.checklist_id for v in home.due_this_week} == {"greeting_phone"}
    assert home.overdue_visits  # the last quarter's missed ones
