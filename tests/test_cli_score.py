"""The real ``audit-app score`` command, run as a subprocess, against hand-computed answers.

Every ``tests/fixtures/scoring/<prefix>_caseN.(csv|json)`` is scored against
``examples_<prefix>.v1.yaml`` and its ``--json`` answer is compared whole with
``<prefix>_caseN.expected.json`` (the arithmetic is in that folder's README.md).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCORING = REPO / "tests" / "fixtures" / "scoring"

_DATA_DIR = Path(tempfile.gettempdir()) / "audit-app-test-cli-score" / "data"

CASES = sorted(
    path
    for path in SCORING.iterdir()
    if path.suffix in {".csv", ".json"} and not path.name.endswith(".expected.json")
)


def _command() -> list[str]:
    script = Path(sys.executable).with_name("audit-app")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "audit_app"]


def run_cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    # No database is involved, but never let the command near the user's real one either.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"AUDIT_DEBUG", "AUDIT_DATABASE_URL", "AUDIT_CHECKLISTS_DIR"}
    }
    env["AUDIT_DATA_DIR"] = str(_DATA_DIR)
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run(
        [*_command(), *map(str, args)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )


def checklist_for(answers: Path) -> Path:
    prefix = answers.name.split("_case")[0]
    return SCORING / f"examples_{prefix}.v1.yaml"


def score(checklist: str | Path, answers: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_cli("score", "--checklist", checklist, answers, *extra)


def assert_one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert result.stdout.strip() == ""
    return lines[0]


def test_every_case_has_a_checklist_and_an_expected_answer() -> None:
    assert len(CASES) >= 8
    for case in CASES:
        assert checklist_for(case).is_file(), case
        assert case.with_name(f"{case.stem}.expected.json").is_file(), case


@pytest.fixture(scope="module")
def json_runs() -> dict[Path, subprocess.CompletedProcess[str]]:
    """``score --json`` for every case, run side by side (each start costs ~0.5 s)."""

    def run(answers: Path) -> subprocess.CompletedProcess[str]:
        checklist = checklist_for(answers).relative_to(REPO)
        return score(checklist, answers.relative_to(REPO), "--json")

    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 2)) as pool:
        return dict(zip(CASES, pool.map(run, CASES), strict=True))


@pytest.mark.parametrize("answers", CASES, ids=lambda p: p.name)
def test_score_json_matches_the_hand_computed_card(
    answers: Path, json_runs: dict[Path, subprocess.CompletedProcess[str]]
) -> None:
    result = json_runs[answers]

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    expected = json.loads(answers.with_name(f"{answers.stem}.expected.json").read_text("utf-8"))
    assert json.loads(result.stdout) == expected


def test_pooled_and_weighted_sections_give_different_overalls_for_the_same_answers(
    json_runs: dict[Path, subprocess.CompletedProcess[str]],
) -> None:
    pooled = json.loads(json_runs[SCORING / "pooled_case1.csv"].stdout)
    weighted = json.loads(json_runs[SCORING / "weighted_case1.csv"].stdout)

    assert pooled["sections"] == weighted["sections"]
    assert pooled["overall"] == 86.0  # 12.9 / 15 points
    assert weighted["overall"] == 85.7  # (3*95 + 90 + 2*62.5 + 100) / 7


def test_human_output_names_the_overall_score_and_grade() -> None:
    result = score(SCORING / "examples_pooled.v1.yaml", SCORING / "pooled_case1.csv")

    assert result.returncode == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert "examples_pooled v1" in first
    assert "86.0" in first
    assert "Good" in first
    assert "passed" in first
    for title, shown in [("Service", "95.0"), ("Timing", "90.0"), ("Sourcing", "62.5")]:
        assert any(title in line and shown in line for line in result.stdout.splitlines())


def test_human_output_states_the_critical_failure() -> None:
    result = score(SCORING / "examples_cap.v1.yaml", SCORING / "cap_case1.csv")

    assert result.returncode == 0, result.stderr
    first, second = result.stdout.splitlines()[:2]
    assert "59.0" in first  # raw 66.7 capped at 59
    assert " C" in first
    assert "failed" in first
    assert "critical failure" in second
    assert "reply.named" in second


def test_missing_required_answer_fails_with_one_line_naming_the_item(tmp_path: Path) -> None:
    answers = tmp_path / "answers.csv"
    lines = (SCORING / "pooled_case1.csv").read_text("utf-8").splitlines()
    answers.write_text(
        "\n".join(line for line in lines if not line.startswith("timing.rings,")) + "\n",
        encoding="utf-8",
    )

    result = score(SCORING / "examples_pooled.v1.yaml", answers, "--json")

    message = assert_one_line_error(result)
    assert message.startswith("error:")
    assert "timing.rings" in message
    assert "Rings before the call was answered" in message
    assert "missing" in message


def test_bad_value_names_the_csv_line_and_quotes_the_question(tmp_path: Path) -> None:
    answers = tmp_path / "answers.csv"
    answers.write_text(
        "item_id,value,comment\n"
        "hygiene.hands,yes,\n"
        "hygiene.floor,eleven,\n"  # line 3: not a number from 1 to 5
        "hygiene.fridge_temp,4,\n"
        "display.labels,maybe,\n"  # line 5: not yes or no
        "display.organic,90,\n",
        encoding="utf-8",
    )

    result = score(SCORING / "examples_zero.v1.yaml", answers, "--json")

    message = assert_one_line_error(result)
    assert "line 3" in message
    assert "'eleven'" in message
    assert "'Cleanliness of the floor'" in message
    # every bad row is reported at once, not only the first
    assert "line 5" in message
    assert "'Organic products are labelled on the shelf'" in message


def test_bad_json_value_names_the_key(tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(
        json.dumps({"reply.hours": 12, "reply.named": "perhaps", "tone.polite": 3}),
        encoding="utf-8",
    )

    message = assert_one_line_error(score(SCORING / "examples_cap.v1.yaml", answers))

    assert "'reply.named'" in message
    assert "'The reply was signed with a name'" in message


def test_csv_with_bom_and_semicolons_scores_like_the_plain_csv(tmp_path: Path) -> None:
    # The same answers as pooled_case1.csv, as Excel writes "CSV UTF-8" in a comma-decimal
    # locale: a byte-order mark, ';' between cells, a decimal comma (4,0 rings) and 75 %.
    answers = tmp_path / "answers.csv"
    rows = [
        "item_id;value;comment",
        "service.greeting;yes;Said hello, then the name",
        "service.tone;8;",
        "service.hold;never;",
        "service.notes;Asked about the opening hours;",
        "timing.rings;4,0;",
        "timing.reply_hours;20;",
        "timing.minutes_held;12;",
        "sourcing.organic;75%;",
        "sourcing.local;60;",
        "extras.voicemail;Yes;",
        "extras.parking;YES;",
    ]
    answers.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(rows).encode("utf-8") + b"\r\n")

    result = score(SCORING / "examples_pooled.v1.yaml", answers, "--json")

    assert result.returncode == 0, result.stderr
    expected = json.loads((SCORING / "pooled_case1.expected.json").read_text("utf-8"))
    assert json.loads(result.stdout) == expected


def test_unknown_checklist_id_gives_a_clear_error() -> None:
    result = score("no_such_checklist", SCORING / "pooled_case1.csv", "--json")

    message = assert_one_line_error(result)
    assert "no_such_checklist" in message
    assert "no checklist" in message


def test_missing_checklist_file_gives_a_clear_error() -> None:
    result = score(SCORING / "no_such_file.v1.yaml", SCORING / "pooled_case1.csv", "--json")

    message = assert_one_line_error(result)
    assert "no_such_file.v1.yaml" in message


def test_unknown_item_in_the_answers_is_named(tmp_path: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"reply.hours": 12, "reply.nmaed": "yes"}), encoding="utf-8")

    message = assert_one_line_error(score(SCORING / "examples_cap.v1.yaml", answers))

    assert "reply.nmaed" in message
    assert "examples_cap" in message


def test_nan_in_a_json_answers_file_fails_naming_the_item_and_the_file(tmp_path: Path) -> None:
    """Python's and JavaScript's encoders write a bare NaN; it is not "unanswered"."""
    from tests.helpers import PHONE_ANSWERS

    answers = tmp_path / "answers.json"
    answers.write_text(
        json.dumps({**PHONE_ANSWERS, "answer.rings": 0.5}).replace("0.5", "NaN"),
        encoding="utf-8",
    )
    line = assert_one_line_error(score("greeting_phone", answers))
    assert "answers.json" in line and "key 'answer.rings': NaN is not a number" in line


def test_a_json_answers_file_over_the_upload_cap_fails_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text('{"answer.rings": 4, "pad": "' + "p" * (2 * 2**20) + '"}', encoding="utf-8")
    monkeypatch.setenv("AUDIT_MAX_UPLOAD_MB", "1")
    line = assert_one_line_error(score("greeting_phone", answers))
    assert "larger than the 1 MB upload limit" in line
