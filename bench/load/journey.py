"""What one simulated user does, as an area manager or head office at month end: log in,
look at the main pages, change a filter, and enter one visit.

Each step's time is kept under its name. The visit is a telephone greeting at the user's
first branch with a visit reference of its own (``load-RUN-USER``), so that the runner can
check every submission was stored exactly once.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from bench.load.session import LoadError, Render, Tab

PAGES = ("compare", "branch", "audit", "actions", "coverage")
"""Visited after the log-in lands on the Overview (an area manager's home)."""
CHECKLIST = "greeting_phone"
NUMBERS = {"answer.rings": 3.0, "voicemail.return_hours": 2.0}


def _submitted() -> re.Pattern[str]:
    """ "Audit #N for BRANCH submitted." in each of the app's languages (marta reads Catalan)."""
    from audit_app.i18n import LANGUAGES, _, use_language

    patterns = []
    for language in LANGUAGES:
        with use_language(language):
            sentence = _("Audit #{id} for {branch} submitted.")
        patterns.append(
            re.escape(sentence)
            .replace(re.escape("{id}"), rf"(?P<id{len(patterns)}>\d+)")
            .replace(re.escape("{branch}"), ".*")
        )
    return re.compile("|".join(patterns))


SUBMITTED = _submitted()


@dataclass(frozen=True)
class Account:
    username: str
    password: str


@dataclass
class Outcome:
    user: str
    reference: str
    timings: list[tuple[str, float]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    audit_id: int | None = None

    def step(self, name: str, render: Render) -> Render:
        self.timings.append((name, render.seconds))
        for error in render.errors:
            self.errors.append(f"{name}: {error[:200]}")
        return render


async def journey(url: str, account: Account, reference: str, minute: int) -> Outcome:
    """One user's session from the log-in form to a submitted visit; a failure is kept in
    ``errors``, never raised, so one user's trouble does not stop the others."""
    outcome = Outcome(account.username, reference)
    tab = Tab(url)
    started = time.perf_counter()
    try:
        form = outcome.step("log-in form", await tab.open())
        outcome.step("log in", await log_in(tab, form, account))
        for page in PAGES:
            render = outcome.step(page, await tab.go(page))
            if page == "compare":
                await _change_a_filter(tab, render, outcome)
        outcome.audit_id = await _enter_a_visit(tab, outcome, reference, minute)
    except (LoadError, OSError, websockets_errors()) as error:
        outcome.errors.append(f"{type(error).__name__}: {error}")
    finally:
        outcome.timings.append(("whole session", time.perf_counter() - started))
        await tab.close()
    return outcome


async def log_in(tab: Tab, form: Render, account: Account) -> Render:
    """Fill the log-in ``form`` and press Log in; the page that follows."""
    home = await tab.request(
        values={
            form.widget(label="User name").id: {"string_value": account.username},
            form.widget(label="Password").id: {"string_value": account.password},
        },
        trigger=form.widget(label="Log in").id,
    )
    if at_log_in_form(home):
        raise LoadError("still at the log-in form after logging in")
    return home


def at_log_in_form(render: Render) -> bool:
    return any(e.label == "Log in" for e in render.elements)


def websockets_errors() -> type[Exception]:
    from websockets.exceptions import WebSocketException

    return WebSocketException


async def _change_a_filter(tab: Tab, page: Render, outcome: Outcome) -> None:
    """The first selectbox of the page set to its second option (a checklist, a region)."""
    boxes = [e for e in page.elements if e.kind == "selectbox" and len(e.options) > 1]
    boxes = [b for b in boxes if not b.keyed("language_picker")]
    if not boxes:
        raise LoadError("the Compare page has no filter to change")
    outcome.step("filter change", await tab.set(boxes[0], string_value=boxes[0].options[1]))


async def _enter_a_visit(tab: Tab, outcome: Outcome, reference: str, minute: int) -> int:
    # The home page's "Enter visit" link: the checklist chosen by the address, as the
    # selectbox shows titles in the user's language.
    form = outcome.step("new visit", await tab.go("new-visit", query=f"checklist={CHECKLIST}"))
    values: dict[str, dict[str, object]] = {
        form.widget(key="nv_reference").id: {"string_value": reference},
        form.widget(key="nv_time").id: {
            "string_value": f"{8 + minute // 60:02d}:{minute % 60:02d}"
        },
    }
    for element in form.widgets("nv.greeting_phone@"):
        item = element.id.split("nv.greeting_phone@1.", 1)[-1]
        if element.kind == "radio" and element.options:
            values[element.id] = {"string_value": element.options[0]}
        elif element.kind == "number_input" and item in NUMBERS:
            values[element.id] = {"double_value": NUMBERS[item]}
    done = outcome.step(
        "submit", await tab.request(values=values, trigger=form.widget(key="nv_submit").id)
    )
    found = SUBMITTED.search(done.text())
    if found is None:
        raise LoadError("the visit was not submitted: " + done.text()[:300].replace("\n", " "))
    return int(next(value for value in found.groupdict().values() if value))
