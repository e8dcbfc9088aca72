"""Scoring a file of answers without a database: the ``score`` command."""

from __future__ import annotations

import json
from pathlib import Path

from audit_app.domain.answers import AnswerProblem, AnswersRejected, InvalidAnswer, parse_answer
from audit_app.domain.audit import Answer
from audit_app.domain.checklist import Checklist
from audit_app.domain.scoring import ScoreCard, score_audit
from audit_app.errors import AuditAppError
from audit_app.intake.source.tabular import read_csv_bytes


class AnswersFileError(AuditAppError):
    pass


def read_answers(path: Path | str, checklist: Checklist) -> list[Answer]:
    """Answers from a CSV (``item_id,value[,comment]``) or a JSON object ``{item_id: value}``.

    Every bad row is reported at once, each with its line or key.
    """
    answers, problems = _read_answer_rows(path, checklist)
    if problems:
        raise AnswersFileError(f"{path}: " + "; ".join(problems.values()))
    return answers


def _read_answer_rows(
    path: Path | str, checklist: Checklist
) -> tuple[list[Answer], dict[str, str]]:
    """The answers that read well, and a message per item id (or row) that did not."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise AnswersFileError(f"{path}: cannot be read ({error.strerror})") from None
    is_json = path.suffix.lower() == ".json"
    raw_rows = _json_rows(data, path) if is_json else _csv_rows(data, path)
    answers: list[Answer] = []
    problems: dict[str, str] = {}
    items = checklist.items_by_id
    for where, item_id, value, comment in raw_rows:
        item = items.get(item_id)
        if item is None:
            problems[f"{where}:{item_id}"] = (
                f"{where}: item {item_id!r} is not in checklist {checklist.id} v{checklist.version}"
            )
            continue
        try:
            answers.append(parse_answer(item, value, comment=comment))
        except InvalidAnswer as error:
            problems[item_id] = f"{where}: {error.problem.message}"
    return answers, problems


def _json_rows(data: bytes, path: Path) -> list[tuple[str, str, object, str | None]]:
    try:
        obj = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise AnswersFileError(f"{path}: not valid JSON ({error})") from None
    if not isinstance(obj, dict):
        raise AnswersFileError(f'{path}: expected an object {{"item_id": value, ...}}')
    rows = []
    for key, value in obj.items():
        comment = None
        if isinstance(value, dict):
            comment = value.get("comment")
            value = value.get("value")
        rows.append((f"key {key!r}", str(key), value, comment))
    return rows


def _csv_rows(data: bytes, path: Path) -> list[tuple[str, str, object, str | None]]:
    table = read_csv_bytes(data, str(path))
    header = [name.strip().lower() for name in table.header]
    if header[:2] != ["item_id", "value"]:
        raise AnswersFileError(
            f"{path}: line 1 must be the header item_id,value (optionally ,comment); "
            f"found {','.join(table.header)}"
        )
    rows = []
    for line, cells in table.records():
        comment = cells.get("comment")
        rows.append(
            (f"line {line}", str(cells.get("item_id") or "").strip(), cells.get("value"), comment)
        )
    return rows


def score_answers_file(checklist: Checklist, path: Path | str) -> ScoreCard:
    """Read and score; raises :class:`AnswersFileError` naming every problem at once:
    bad values and missing required answers together."""
    answers, problems = _read_answer_rows(path, checklist)
    try:
        card = score_audit(checklist, answers)
    except AnswersRejected as error:
        given = {answer.item_id for answer in answers} | set(problems)
        missing = [p for p in error.problems if not (p.kind == "missing" and p.item_id in given)]
        messages = [*problems.values(), *_messages(tuple(missing))]
        raise AnswersFileError(f"{path}: " + "; ".join(messages)) from None
    if problems:
        raise AnswersFileError(f"{path}: " + "; ".join(problems.values()))
    return card


def _messages(problems: tuple[AnswerProblem, ...]) -> list[str]:
    return [problem.message for problem in problems]
