"""The layer rule: the domain imports no framework; pages and the CLI go through services."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def lint_imports(config: Path | None = None) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).with_name("lint-imports"))]
    if config is not None:
        command += ["--config", str(config)]
    return subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=120)


def test_the_import_contracts_hold() -> None:
    result = lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 6 kept, 0 broken" in result.stdout


def lint_a_copy_with(tmp_path: Path, module: str, source: str) -> subprocess.CompletedProcess[str]:
    """lint-imports on a copy of the package with ``module`` (a path under audit_app/)
    planted: a contract that can never fail would pass it."""
    copy = tmp_path / "repo"
    shutil.copytree(REPO / "audit_app", copy / "audit_app")
    shutil.copy(REPO / "pyproject.toml", copy / "pyproject.toml")
    (copy / "audit_app" / module).write_text(source, encoding="utf-8")
    return subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports"))],
        capture_output=True,
        text=True,
        cwd=copy,
        timeout=120,
        env={"PYTHONPATH": str(copy), "PATH": ""},
    )


def test_the_contracts_catch_a_domain_module_importing_a_framework(tmp_path: Path) -> None:
    result = lint_a_copy_with(tmp_path, "domain/leak.py", "import sqlalchemy\n")
    assert result.returncode != 0
    assert "audit_app.domain.leak -> sqlalchemy" in result.stdout


def test_the_contracts_catch_the_words_depending_on_a_layer(tmp_path: Path) -> None:
    """``audit_app.i18n`` is below every layer (the domain translates with it): a module of
    it importing the domain is caught."""
    result = lint_a_copy_with(tmp_path, "i18n/leak.py", "import audit_app.domain.labels\n")
    assert result.returncode != 0
    assert "audit_app.i18n.leak -> audit_app.domain.labels" in result.stdout
