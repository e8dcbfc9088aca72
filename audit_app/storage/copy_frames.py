"""A query's rows as a pandas frame, on PostgreSQL through ``COPY … TO STDOUT`` and Arrow's
CSV reader (#21).

Building a frame from the driver's row tuples costs more than the query on large reads:
a ten-times history's 390,000 audits took 1.5 s to arrive as a frame that way, of which
1 s was pandas turning Python objects into columns. The same rows as CSV from ``COPY``,
parsed by Arrow in C++, take 0.65 s. The ``COPY`` runs on the caller's connection, so it
reads in the caller's transaction and snapshot.

``COPY`` takes no bound parameters: the query's values are written into it by psycopg's
client-side binding (``ClientCursor.mogrify``), which quotes each with the connection's
own rules, never by formatting text here.

Other engines (SQLite) and drivers read the rows as before (:func:`tuple_frame`). Each
column's type is declared by the caller, so both ways give the same frame: the tests
compare them on hostile text.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any, Literal

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

Kind = Literal["int", "float", "text", "bool", "timestamp"]
"""A column's type as the frame holds it. ``int`` columns hold no NULL; ``text`` and
``bool`` columns may (as None); ``timestamp`` is a naive date and time, in microseconds."""

BLOCK_BYTES = 1 << 20
"""The CSV is parsed in blocks of this size on several threads (Arrow's default)."""

_ARROW: dict[Kind, pa.DataType] = {
    "int": pa.int64(),
    "float": pa.float64(),
    "text": pa.string(),
    "bool": pa.bool_(),
    "timestamp": pa.timestamp("us"),
}


def typed_frame(conn: Connection, query: Any, columns: Mapping[str, Kind]) -> pd.DataFrame:
    """The rows of ``query`` (its selected columns in ``columns``' order) as a frame of
    those types: int64, float64, text and booleans as objects with None for NULL,
    datetime64[us]."""
    if copies_as_read(conn):
        frame = _copied(conn, query, columns)
    else:
        frame = tuple_frame(conn, query, list(columns))
    return _typed(frame, columns)


def copies_as_read(conn: Connection) -> bool:
    """PostgreSQL through psycopg, with the session writing what Arrow reads: dates in ISO
    style and text in UTF-8 (the defaults). A site that set another ``DateStyle`` or client
    encoding (``PGDATESTYLE``, ``ALTER DATABASE … SET``) reads the driver's tuples, which
    psycopg decodes for any of them."""
    if conn.dialect.name != "postgresql" or conn.dialect.driver != "psycopg":
        return False
    info = conn.connection.dbapi_connection.info  # type: ignore[union-attr]
    date_style = info.parameter_status("DateStyle") or ""
    return date_style.upper().startswith("ISO") and info.encoding == "utf-8"


def tuple_frame(conn: Connection, query: Any, columns: list[str]) -> pd.DataFrame:
    """The rows from the driver's DBAPI cursor, built column by column: SQLAlchemy's
    per-row work (a Row object and type conversion for every value) takes longer than
    SQLite's query itself on 300,000 rows, and ``from_records`` builds the columns in C,
    three times faster than ``zip(*rows)``."""
    result = conn.execute(query)
    try:
        rows = result.cursor.fetchall()
    finally:
        result.close()
    if not rows:
        return pd.DataFrame({column: [] for column in columns})
    return pd.DataFrame.from_records(rows, columns=columns, coerce_float=False)


def _copied(conn: Connection, query: Any, columns: Mapping[str, Kind]) -> pd.DataFrame:
    import psycopg  # the driver this path is taken for

    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    driver: Any = conn.connection.dbapi_connection
    with psycopg.ClientCursor(driver) as quoting:
        statement = quoting.mogrify(str(compiled), compiled.params)
    data = io.BytesIO()
    copy_out = f"COPY ({statement}) TO STDOUT WITH (FORMAT csv)"
    try:
        with driver.cursor() as cursor, cursor.copy(copy_out) as copy:
            for chunk in copy:
                data.write(chunk)
    except psycopg.Error as error:
        # As SQLAlchemy raises it for any other statement, so that callers catch one
        # family of errors whichever way the rows were read.
        raise DBAPIError.instance(
            copy_out, None, error, psycopg.Error, dialect=conn.dialect
        ) from error
    if not data.tell():
        return pd.DataFrame({column: [] for column in columns})
    data.seek(0)
    table = pa_csv.read_csv(
        data,
        read_options=pa_csv.ReadOptions(column_names=list(columns), block_size=BLOCK_BYTES),
        # a text's line break inside quotes must not end a block's row, and an empty line
        # is a row (one column's NULL)
        parse_options=pa_csv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
        convert_options=pa_csv.ConvertOptions(
            column_types={name: _ARROW[kind] for name, kind in columns.items()},
            # COPY writes NULL as an unquoted empty field and an empty text as "": only
            # the first is NULL (Arrow's default would also read "NA", "null" … as NULL).
            null_values=[""],
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
            true_values=["t"],
            false_values=["f"],
        ),
    )
    return table.to_pandas()


def _typed(frame: pd.DataFrame, columns: Mapping[str, Kind]) -> pd.DataFrame:
    """Each column in its declared type, whichever way it was read."""
    out: dict[str, Any] = {}
    for name, kind in columns.items():
        values = frame[name]
        if kind == "int":
            out[name] = values.astype("int64")
        elif kind == "float":
            out[name] = values.astype("float64")
        elif kind == "timestamp":
            out[name] = pd.to_datetime(values, format="ISO8601").astype("datetime64[us]")
        elif kind == "bool":
            out[name] = _nullable(values, bool)
        elif values.isna().any():
            out[name] = _nullable(values, None)
        else:
            out[name] = values.astype("str")
    return pd.DataFrame(out, index=pd.RangeIndex(len(frame)))


def retyped(frame: pd.DataFrame) -> pd.DataFrame:
    """Some rows of a read frame typed as a read of those rows alone would type them: a
    text column held as objects for its NULLs is pandas text where none of them is left."""
    out = frame
    for name in frame.columns:
        values = frame[name]
        if values.dtype != object or values.isna().any():
            continue
        if len(values) and isinstance(values.iloc[0], str):
            if out is frame:
                out = frame.copy(deep=False)
            out[name] = values.astype("str")
    return out


def _nullable(values: pd.Series, convert: type | None) -> pd.Series:
    """Objects, with None for NULL (as the driver gives them); ``convert`` each value
    unless None (SQLite's booleans arrive as 0 and 1)."""
    present = values.notna().to_numpy()
    cells = values.astype(object).to_numpy(copy=True)
    if convert is not None:
        cells[present] = [convert(v) for v in cells[present]]
    cells[~present] = None
    return pd.Series(cells, dtype=object)
