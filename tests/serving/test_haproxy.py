"""The proxy's config and the refusals that come before any process starts."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from audit_app.serving import haproxy
from audit_app.serving.haproxy import bind_line, find_haproxy, haproxy_config
from audit_app.serving.refusal import ServingCode, ServingRefused
from audit_app.serving.supervisor import processes_wanted
from tests.serving.conftest import audit_app_script, require_haproxy, server_env


def test_the_config_balances_round_robin_sticky_by_cookie_and_checks_health() -> None:
    config = haproxy_config("127.0.0.1", 8501, [40001, 40002])
    lines = [line.strip() for line in config.splitlines()]
    assert "bind 127.0.0.1:8501" in lines
    assert "balance roundrobin" in lines
    assert 'cookie AUDIT_WORKER insert indirect nocache httponly attr "SameSite=Lax"' in lines
    assert "option httpchk GET /_stcore/health" in lines
    assert "timeout tunnel 1h" in lines
    assert "http-request set-header X-Audit-Client-Address %[src]" in lines
    servers = [line for line in lines if line.startswith("server ")]
    assert servers == [
        "server w1 127.0.0.1:40001 cookie w1",
        "server w2 127.0.0.1:40002 cookie w2",
    ]


def test_haproxy_accepts_the_config(tmp_path: Path) -> None:
    require_haproxy()
    config = haproxy.write_config(tmp_path, haproxy_config("", 8501, [40001, 40002, 40003]))
    assert config.stat().st_mode & 0o077 == 0
    haproxy.check_config(find_haproxy("haproxy"), config)  # raises on a complaint


@pytest.mark.parametrize(
    ("address", "bind"),
    [("localhost", "bind localhost:80"), ("::1", "bind ipv6@::1:80"), ("", "bind :80")],
)
def test_bind_lines(address: str, bind: str) -> None:
    assert bind_line(address, 80) == bind


def test_an_address_that_would_write_into_the_config_is_refused() -> None:
    with pytest.raises(ServingRefused) as refused:
        bind_line("127.0.0.1:80\n    server evil 10.0.0.1", 80)
    assert refused.value.code == ServingCode.BAD_ADDRESS


@pytest.mark.parametrize("given", ["0", "65", "two", ""])
def test_processes_outside_one_to_64_or_auto_are_refused(given: str) -> None:
    with pytest.raises(ServingRefused) as refused:
        processes_wanted(given)
    assert refused.value.code == ServingCode.BAD_PROCESSES


def test_processes_auto_is_one_per_core() -> None:
    assert processes_wanted("3") == 3
    assert 1 <= processes_wanted("auto") <= 64
    assert processes_wanted("auto") == processes_wanted("AUTO")


def test_haproxy_missing_from_path_and_sbin_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(haproxy, "SYSTEM_DIRS", str(tmp_path))
    with pytest.raises(ServingRefused) as refused:
        find_haproxy("haproxy")
    assert refused.value.code == ServingCode.NO_HAPROXY
    assert "apt-get install haproxy" in str(refused.value)
    assert "--processes 1" in str(refused.value)


def test_serve_without_haproxy_refuses_in_one_line_and_starts_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "no-haproxy-here"
    env = server_env(tmp_path / "data", AUDIT_HAPROXY=str(missing))
    served = subprocess.run(
        [audit_app_script(), "serve", "--processes", "2", "--port", "9"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert served.returncode == 1
    assert served.stdout == ""
    assert served.stderr == (
        f"error: Serving with several processes needs haproxy, and {missing} was not found: "
        "install it (apt-get install haproxy) or serve with --processes 1.\n"
    )


def test_serve_refuses_a_bad_processes_value_in_one_line(tmp_path: Path) -> None:
    served = subprocess.run(
        [audit_app_script(), "serve", "--processes", "many"],
        env=server_env(tmp_path / "data"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert served.returncode == 1
    assert served.stderr == (
        "error: --processes takes a number from 1 to 64 or auto, not 'many'.\n"
    )


@pytest.mark.parametrize(
    ("variables", "outcome"),
    [
        ({}, pytest.skip.Exception),
        ({"CI": "true"}, pytest.fail.Exception),
        ({"AUDIT_REQUIRE_HAPROXY": "1"}, pytest.fail.Exception),
    ],
    ids=["developer", "CI", ".ci/run"],
)
def test_without_haproxy_the_serving_tests_skip_only_outside_ci(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    variables: dict[str, str],
    outcome: type[BaseException],
) -> None:
    from tests.serving import conftest

    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(conftest, "SYSTEM_DIRS", str(tmp_path))
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("AUDIT_REQUIRE_HAPROXY", raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(outcome):
        require_haproxy()


def test_haproxy_is_found_in_sbin_when_path_lacks_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """README, Configuration: ``AUDIT_HAPROXY`` is looked up on PATH and in /usr/sbin, where
    Debian installs it and an ordinary user's PATH does not reach."""
    sbin = tmp_path / "sbin"
    sbin.mkdir()
    program = sbin / "haproxy"
    program.write_text("#!/bin/sh\n", encoding="utf-8")
    program.chmod(0o755)
    assert "/usr/sbin" in haproxy.SYSTEM_DIRS.split(":")  # where the real lookup goes
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    monkeypatch.setattr(haproxy, "SYSTEM_DIRS", str(sbin))
    assert find_haproxy("haproxy") == str(program)
