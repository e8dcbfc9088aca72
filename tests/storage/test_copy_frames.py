"""Frames read through ``COPY`` and Arrow's CSV reader (``storage.copy_frames``), on both
engines: any text (quotes, commas, line breaks, "NA", "NULL", "", backslashes), NULLs,
floats, booleans and times arrive exactly as stored and as the driver's own tuples give
them; a hostile value in the query's parameters is bound as a value, never run as SQL; and
the comparison's audit frame is the same frame whichever way it is read."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    Float,
    Integer,
    MetaData,
    Table,
    Text,
    delete,
    insert,
    inspect,
    literal_column,
    select,
    update,
)
from sqlalchemy.exc import DBAPIError

from audit_app.config import Settings
from audit_app.domain.filters import AuditFilter
from audit_app.storage import compare_queries, copy_frames, database
from audit_app.storage.tables import audits
from tests.storage.test_item_vectors import messy

__all__ = ["messy"]

_metadata = MetaData()
scratch = Table(
    "copy_frames_scratch",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("label", Text, nullable=True),
    Column("score", Float, nullable=True),
    Column("flag", Boolean, nullable=True),
    Column("seen_at", DateTime, nullable=True),
)
KINDS: dict[str, copy_frames.Kind] = {
    "id": "int",
    "label": "text",
    "score": "float",
    "flag": "bool",
    "seen_at": "timestamp",
}
HOSTILE = [
    "",
    " ",
    "NA",
    "N/A",
    "NULL",
    "null",
    "NaN",
    "\\N",
    '"',
    '""',
    "a,b",
    "line\nbreak",
    "carriage\r\nreturn",
    "t",
    "f",
    "'; DROP TABLE copy_frames_scratch; --",
    "Çağrı Ştefănescu · Núria",
    "=1+1",
]
texts = st.one_of(
    st.none(),
    st.sampled_from(HOSTILE),
    st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=12),
)
rows = st.lists(
    st.tuples(
        texts,
        st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False, width=64)),
        st.one_of(st.none(), st.booleans()),
        st.one_of(
            st.none(),
            st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1)),
        ),
    ),
    max_size=25,
)


@pytest.fixture
def engine(settings: Settings) -> Any:
    made = database.create_database_engine(settings.resolved_database_url)
    scratch.create(made)
    yield made
    made.dispose()


def _expected(stored: list[tuple[Any, ...]]) -> pd.DataFrame:
    """The frame :func:`copy_frames.typed_frame` promises, built from the rows in Python."""
    return pd.DataFrame(
        {
            "id": np.arange(1, len(stored) + 1, dtype=np.int64),
            "label": _objects_or_text([row[0] for row in stored]),
            "score": np.array([np.nan if r[1] is None else r[1] for r in stored], dtype=float),
            "flag": pd.Series([row[2] for row in stored], dtype=object),
            "seen_at": pd.Series(
                [pd.NaT if r[3] is None else r[3] for r in stored], dtype="datetime64[us]"
            ),
        }
    )


def _objects_or_text(values: list[str | None]) -> pd.Series:
    if any(value is None for value in values):
        return pd.Series(values, dtype=object)
    return pd.Series(values, dtype="str")


def _store(engine: Engine, stored: list[tuple[Any, ...]]) -> None:
    with engine.begin() as conn:
        conn.execute(delete(scratch))
        for number, (label, score, flag, seen_at) in enumerate(stored, start=1):
            conn.execute(
                insert(scratch).values(
                    id=number, label=label, score=score, flag=flag, seen_at=seen_at
                )
            )


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(stored=rows)
def test_any_rows_arrive_as_stored_and_as_the_driver_gives_them(
    engine: Engine, stored: list[tuple[Any, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    _store(engine, stored)
    query = select(*scratch.c).order_by(scratch.c.id)
    with engine.connect() as conn:
        read = copy_frames.typed_frame(conn, query, KINDS)
        with monkeypatch.context() as patched:  # the driver's own tuples, on any engine
            patched.setattr(
                copy_frames, "_copied", lambda c, q, kinds: copy_frames.tuple_frame(c, q, [*kinds])
            )
            tupled = copy_frames.typed_frame(conn, query, KINDS)
    pd.testing.assert_frame_equal(read, _expected(stored))
    pd.testing.assert_frame_equal(read, tupled)


def test_line_breaks_across_the_reader_s_blocks(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Arrow parses blocks on several threads: a quoted line break near a block's end is
    still inside its text (small blocks, so that many fall inside one)."""
    monkeypatch.setattr(copy_frames, "BLOCK_BYTES", 64)
    stored = [(f'row {n}\n,"{"x" * (n % 40)}\n', float(n), n % 2 == 0, None) for n in range(300)]
    _store(engine, stored)
    with engine.connect() as conn:
        read = copy_frames.typed_frame(conn, select(*scratch.c).order_by(scratch.c.id), KINDS)
    pd.testing.assert_frame_equal(read, _expected(stored))


SESSION_SETTINGS = [
    "SET datestyle = 'SQL, DMY'",
    "SET datestyle = 'German'",
    "SET datestyle = 'Postgres, MDY'",
    "SET client_encoding = 'LATIN1'",
]


@pytest.mark.parametrize("setting", SESSION_SETTINGS)
def test_a_session_writing_other_dates_or_encodings_reads_the_same(
    engine: Engine, setting: str
) -> None:
    """A site may set another date style or client encoding (``PGDATESTYLE``, ``ALTER
    DATABASE … SET``): COPY would write what Arrow cannot read, so such a session reads the
    driver's tuples, and the frame is the same."""
    if engine.dialect.name != "postgresql":
        pytest.skip("session settings of PostgreSQL")
    stored = [
        ("Café Élodie", 1.5, True, datetime(2024, 3, 15, 10, 0, 0, 250)),
        (None, None, None, datetime(1999, 12, 31, 23, 59, 59)),
        ("plain", -2.0, False, None),
    ]
    _store(engine, stored)
    query = select(*scratch.c).order_by(scratch.c.id)
    with engine.connect() as conn:
        assert copy_frames.copies_as_read(conn)
        conn.exec_driver_sql(setting)
        assert not copy_frames.copies_as_read(conn)
        read = copy_frames.typed_frame(conn, query, KINDS)
    pd.testing.assert_frame_equal(read, _expected(stored))


def test_one_column_keeps_its_null_rows(engine: Engine) -> None:
    """COPY writes a lone NULL as an empty line: a row, not a line to skip."""
    _store(engine, [("a", None, None, None), (None, None, None, None), ("b", None, None, None)])
    with engine.connect() as conn:
        read = copy_frames.typed_frame(
            conn, select(scratch.c.label).order_by(scratch.c.id), {"label": "text"}
        )
    assert read["label"].tolist() == ["a", None, "b"]


def test_an_error_while_copying_is_the_database_error_sqlalchemy_raises(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite divides by zero into NULL")
    _store(engine, [("a", 1.0, True, None)])
    broken = select((scratch.c.id / literal_column("0")).label("x"))
    with engine.connect() as conn, pytest.raises(DBAPIError, match="division by zero"):
        copy_frames.typed_frame(conn, broken, {"x": "float"})


def test_postgresql_reads_through_copy(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fast path is the one taken on PostgreSQL, and only there."""
    _store(engine, [("x", 1.0, True, None)])
    taken: list[str] = []
    copied = copy_frames._copied
    monkeypatch.setattr(copy_frames, "_copied", lambda *args: taken.append("copy") or copied(*args))
    with engine.connect() as conn:
        copy_frames.typed_frame(conn, select(*scratch.c), KINDS)
    assert taken == (["copy"] if engine.dialect.name == "postgresql" else [])


@pytest.mark.parametrize("hostile", HOSTILE)
def test_a_hostile_parameter_is_a_value_not_sql(engine: Engine, hostile: str) -> None:
    _store(engine, [(hostile, 1.0, True, None), ("other", 2.0, False, None)])
    query = select(*scratch.c).where(scratch.c.label.in_([hostile, "absent'"]))
    with engine.connect() as conn:
        read = copy_frames.typed_frame(conn, query, KINDS)
    assert read["label"].tolist() == [hostile]
    assert inspect(engine).has_table("copy_frames_scratch")


def test_no_rows_give_an_empty_frame_of_the_columns(engine: Engine) -> None:
    _store(engine, [])
    with engine.connect() as conn:
        read = copy_frames.typed_frame(conn, select(*scratch.c), KINDS)
    assert read.empty
    assert list(read.columns) == list(KINDS)


def test_the_audit_frame_is_the_same_frame_read_either_way(
    messy: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The messy world's audits (closed branches, N/A, two versions), given hostile visit
    references and auditors' names on some, through ``COPY`` and through the driver's
    tuples."""
    with messy.engine.begin() as conn:
        ids = conn.execute(select(audits.c.id).order_by(audits.c.id)).scalars().all()
        for number, audit_id in enumerate(ids[::3]):
            hostile = HOSTILE[number % len(HOSTILE)]
            changed = {"visit_reference": hostile}
            if number % 2:
                changed["auditor"] = hostile or "x"
            conn.execute(update(audits).where(audits.c.id == audit_id).values(**changed))
    with messy.engine.connect() as conn:
        read = compare_queries.audit_frame(conn, AuditFilter())
        monkeypatch.setattr(
            copy_frames, "_copied", lambda c, q, kinds: copy_frames.tuple_frame(c, q, [*kinds])
        )
        tupled = compare_queries.audit_frame(conn, AuditFilter())
    assert len(read) > 100
    assert read["visit_reference"].notna().any() and read["visit_reference"].isna().any()
    assert set(HOSTILE) <= set(read["visit_reference"].dropna())
    pd.testing.assert_frame_equal(read, tupled)
    in_order = read.sort_values(["visited_at", "audit_id"], ignore_index=True)
    pd.testing.assert_frame_equal(read, in_order)  # by visit, then id, as the comparisons expect
