"""Settings from ``AUDIT_*`` variables (README, Configuration): an empty variable is one not
set, and a value that cannot be used is refused naming its variable and what it should be,
never as a validation traceback; a secret's value is never shown."""

from __future__ import annotations

import pytest

from audit_app.config import SettingsError, load_settings
from audit_app.errors import AuditAppError


@pytest.mark.parametrize(
    "variable", ["AUDIT_DEBUG", "AUDIT_TRAIL_KEY", "AUDIT_SESSION_HOURS", "AUDIT_PORT"]
)
def test_an_empty_variable_is_its_default(monkeypatch: pytest.MonkeyPatch, variable: str) -> None:
    monkeypatch.delenv(variable, raising=False)
    unset = load_settings()
    monkeypatch.setenv(variable, "")
    empty = load_settings()
    field = variable.removeprefix("AUDIT_").lower()
    assert getattr(empty, field) == getattr(unset, field)
    if variable == "AUDIT_TRAIL_KEY":
        assert empty.trail_key is None  # never an empty key to seal with


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("AUDIT_SESSION_HOURS", "abc", "AUDIT_SESSION_HOURS='abc': Input should be a valid number"),
        ("AUDIT_SESSION_HOURS", "-1", "AUDIT_SESSION_HOURS='-1': Input should be greater than 0"),
        ("AUDIT_DEBUG", "maybe", "AUDIT_DEBUG='maybe': Input should be a valid boolean"),
        ("AUDIT_PORT", "http", "AUDIT_PORT='http': Input should be a valid integer"),
    ],
)
def test_a_value_that_cannot_be_used_is_refused_naming_its_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, said: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match="a setting cannot be used") as refused:
        load_settings()
    assert isinstance(refused.value, AuditAppError)  # one line for the user, no traceback
    assert said in str(refused.value)


def test_a_secret_that_cannot_be_used_is_not_shown() -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings(trail_key=918273645)
    assert "AUDIT_TRAIL_KEY=(hidden)" in str(refused.value)
    assert "918273645" not in str(refused.value)
