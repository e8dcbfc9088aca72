"""Scoring a file of answers without a database: the ``score`` command."""

from __future__ import annotations

import json
import math
from pathlib import Path

from audit_app.domain.answers import AnswerProblem, AnswersRejected, InvalidAnswer, parse_answer
from audit_app.domain.audit import Answer
from audit_app.domain.checklist import Checklist
from audit_app.domain.scoring import ScoreCard, score_audit
from audit_app.errors import AuditAppError
from audit_app.intake.source.limits import DEFAULT_LIMITS, Limits, RefusedFile, check_upload_size
from audit_app.intake.source.tabular import read_csv_bytes


class AnswersFileError(AuditAppError):
    pass


def read_answers(
    path: Path | str, checklist: Checklist, *, limits: Limits = DEFAULT_LIMITS
) -> list[Answer]:
    """Answers from a CSV (``item_id,value[,comment]``) or a JSON object ``{item_id: value}``.

    Every bad row is reported at once, each with its line or key. A file over the upload
    cap (``limits``, ``AUDIT_MAX_UPLOAD_MB``) is refused before it is read, JSON or CSV.
    """
    answers, problems = _read_answer_rows(path, checklist, limits)
    if problems:
        raise AnswersFileError(f"{path}: " + "; ".join(problems.values()))
    return answers


def _read_answer_rows(
    path: Path | str, checklist: Checklist, limits: Limits
) -> tuple[list[Answer], dict[str, str]]:
    """The answers that read well, and a message per item id (or row) that did not."""
    path = Path(path)
    data = _capped_bytes(path, limits)
    is_json = path.suffix.lower() == ".json"
    raw_rows = _json_rows(data, path) if is_json else _csv_rows(data, path, limits)
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


def _capped_bytes(path: Path, limits: Limits) -> bytes:
    """The file's bytes, refused unread when it is over the upload cap (and never more than
    the cap read, should it grow meanwhile)."""
    try:
        with path.open("rb") as file:
            check_upload_size(path.stat().st_size, limits)
            data = file.read(limits.upload_bytes + 1)
            check_upload_size(len(data), limits)
    except RefusedFile as error:
        raise AnswersFileError(f"{path}: {error}") from None
    except OSError as error:
        raise AnswersFileError(f"{path}: cannot be read ({error.strerror})") from None
    return data


def _json_rows(data: bytes, path: Path) -> list[tuple[str, str, object, str | None]]:
    try:
        obj = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise AnswersFileError(f"{path}: not valid JSON ({error})") from None
    if not isinstance(obj, dict):
        raise AnswersFileError(f'{path}: expected an object {{"item_id": value, ...}}')
    rows = []
    problems = []
    for key, value in obj.items():
        comment = None
        if isinstance(value, dict):
            comment = value.get("comment")
            value = value.get("value")
        where = f"key {key!r}"
        if isinstance(value, float) and not math.isfinite(value):
            problems.append(f"{where}: {_constant(value)} is not a number; write a number")
        elif isinstance(value, list | dict):
            problems.append(f"{where}: the value is a JSON {type(value).__name__}, not an answer")
        if comment is not None and not isinstance(comment, str):
            problems.append(f"{where}: the comment is not text")
            comment = None
        rows.append((where, str(key), value, comment))
    if problems:
        raise AnswersFileError(f"{path}: " + "; ".join(problems))
    return rows


def _constant(value: float) -> str:
    """How JSON spells a non-finite number, as the file wrote it."""
    return "NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity"


def _csv_rows(data: bytes, path: Path, limits: Limits) -> list[tuple[str, str, object, str | None]]:
    table = read_csv_bytes(data, str(path), limits=limits)
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


def score_answers_file(
    checklist: Checklist, path: Path | str, *, limits: Limits = DEFAULT_LIMITS
) -> ScoreCard:
    """Read and score; raises :class:`AnswersFileError` naming every problem at once:
    bad values and missing required answers together."""
    answers, problems = _read_answer_rows(path, checklist, limits)
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
