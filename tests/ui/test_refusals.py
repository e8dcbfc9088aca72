"""The pages' one way to show a refusal, and the one exception family it (and the CLI) shows."""

from __future__ import annotations

import pytest
import typer
from streamlit.testing.v1 import AppTest

from audit_app.cli.common import guarded
from audit_app.domain.actions import ActionRuleBroken, ActionStatus, check_move
from audit_app.domain.answers import AnswerProblem, AnswersRejected, InvalidAnswer
from audit_app.errors import AuditAppError


def _attempts() -> None:
    import streamlit as st

    from audit_app.errors import AuditAppError
    from audit_app.ui.components.refusals import attempt

    def refuse() -> int:
        raise AuditAppError("no branch [ES-01](http://evil.example) *here*")

    st.session_state["ok"] = attempt(lambda: 41 + 1)
    st.session_state["refused"] = attempt(refuse)
    st.session_state["empty"] = attempt(list)  # an empty result is a result
    st.session_state["beside"] = attempt(refuse, where=st.sidebar)
    st.write("after")


def test_attempt_returns_the_result_or_shows_the_refusal_and_returns_none() -> None:
    app = AppTest.from_function(_attempts).run()
    assert not app.exception
    assert app.session_state["ok"] == 42
    assert app.session_state["refused"] is None
    assert app.session_state["empty"] == []
    assert [box.icon for box in app.main.error] == [":material/error:"]
    # shown as typed, never as a link or emphasis
    assert app.main.error[0].value == (
        "no branch \\[ES-01\\](http:\u2060//evil.example) \\*here\\*"
    )
    assert [box.value for box in app.sidebar.error] == [app.main.error[0].value]
    assert [m.value for m in app.markdown] == ["after"]  # the page goes on


def _blocks() -> None:
    import streamlit as st

    from audit_app.errors import AuditAppError
    from audit_app.ui.components.refusals import refusal_shown

    with refusal_shown() as fine:
        st.write("inside")
    with refusal_shown() as refused:
        raise AuditAppError("refused")
        st.write("never")  # the block ends at the refusal
    st.session_state["seen"] = (bool(fine), bool(refused), str(refused.error))
    with refusal_shown():
        raise RuntimeError("a bug is not a refusal")


def test_refusal_shown_ends_the_block_says_so_and_lets_bugs_through() -> None:
    app = AppTest.from_function(_blocks).run()
    assert app.session_state["seen"] == (False, True, "refused")
    assert [m.value for m in app.markdown] == ["inside"]
    assert [box.value for box in app.error] == ["refused"]
    assert "a bug is not a refusal" in app.exception[0].message


def test_the_domain_refusals_are_of_the_one_family() -> None:
    problem = AnswerProblem("q1", "invalid", "'x' is not an answer to 'Q1'")
    for error in (AnswersRejected([problem]), InvalidAnswer(problem)):
        assert isinstance(error, AuditAppError) and not isinstance(error, ValueError)
    with pytest.raises(AuditAppError, match="a verified action is final"):
        check_move(ActionStatus.VERIFIED, ActionStatus.OPEN)
    assert not issubclass(ActionRuleBroken, ValueError)


def test_the_cli_shows_a_rejected_answer_in_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AUDIT_DEBUG", raising=False)

    @guarded
    def command() -> None:
        raise AnswersRejected([AnswerProblem("q1", "missing", "'Q1' needs an answer")])

    with pytest.raises(typer.Exit) as stopped:
        command()
    assert stopped.value.exit_code == 1
    assert capsys.readouterr().err == "error: 'Q1' needs an answer\n"
