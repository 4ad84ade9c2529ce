"""The per-turn hot path below SQLAlchemy's Connection: prepared statements and short DBAPI transactions.

For the few statements of a chat turn, `Connection.execute` and the Connection/Transaction objects cost
several times the SQL itself. Here that work is done once per engine instead: SQLAlchemy's compiler gives
the SQL text and parameter order, the column types' own bind and result processors convert values, and
errors are wrapped into SQLAlchemy's exceptions (invalidating the pooled connection on a disconnect) as
a Connection would. Connections still come from the engine's pool (with its pre-ping and reset).

Not supported, hence refused at construction: statements needing Python-side column defaults or
expanding/literal-execute parameters. Engine events (statement, transaction, handle_error) and echo
logging do not fire on this path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, NoReturn

from sqlalchemy import Dialect, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ReturnsRows

Processor = Callable[[Any], Any] | None


@contextmanager
def dbapi_transaction(engine: Engine, begin: str | None) -> Iterator[PoolProxiedConnection]:
    """A pooled DBAPI connection in a transaction: COMMIT on exit, ROLLBACK on error.

    `begin` is the statement opening the transaction (None: the driver opens it with the first statement,
    as psycopg does, and as SQLAlchemy relies on for PostgreSQL).
    """
    dialect = engine.dialect
    try:
        raw = engine.raw_connection()
    except dialect.loaded_dbapi.Error as error:
        raise_wrapped(dialect, None, error)
    try:
        if begin is not None:
            _call(dialect, raw, lambda: _execute(raw, begin), begin)
        try:
            yield raw
        except BaseException:
            if raw.is_valid:  # not when the error was a disconnect, which invalidated it
                try:
                    dialect.do_rollback(raw)
                except Exception:
                    raw.invalidate()  # its state is unknown: never reuse it; the original error matters more
            raise
        _call(dialect, raw, lambda: dialect.do_commit(raw), None)
    finally:
        raw.close()


def _execute(raw: PoolProxiedConnection, sql: str) -> None:
    cursor = raw.cursor()
    try:
        cursor.execute(sql)
    finally:
        cursor.close()


def _call(dialect: Dialect, raw: PoolProxiedConnection, fn: Callable[[], Any], statement: str | None) -> None:
    try:
        fn()
    except dialect.loaded_dbapi.Error as error:
        raise_wrapped(dialect, raw, error, statement=statement)


def raise_wrapped(
    dialect: Dialect,
    raw: PoolProxiedConnection | None,
    error: Exception,
    *,
    statement: str | None = None,
    params: Any = None,
    cursor: Any = None,
    many: bool = False,
) -> NoReturn:
    """Raise `error` as a Connection would: as SQLAlchemy's exception, invalidating `raw` on a disconnect."""
    invalidated = False
    if isinstance(error, dialect.loaded_dbapi.Error):
        dbapi_connection = None if raw is None else raw.dbapi_connection
        invalidated = dialect.is_disconnect(error, dbapi_connection, cursor)
        if invalidated and raw is not None:
            raw.invalidate(error)
    raise DBAPIError.instance(
        statement,
        params,
        error,
        dialect.loaded_dbapi.Error,
        connection_invalidated=invalidated,
        dialect=dialect,
        ismulti=many,
    ) from error


class Prepared:
    """`statement` compiled for `dialect`; every execution supplies exactly the parameters `names`.

    `names` also picks the columns an INSERT or UPDATE sets (the compiler's `column_keys`), as the keys
    of the parameters passed to `Connection.execute` would.
    """

    def __init__(self, statement: ReturnsRows, dialect: Dialect, names: Iterable[str]) -> None:
        keys = list(names)
        compiled = statement.compile(dialect=dialect, column_keys=keys)
        if not isinstance(compiled, SQLCompiler):
            raise TypeError(f"not a SQL statement: {statement!r}")
        if set(compiled.params) != set(keys) or compiled.post_compile_params:
            raise ValueError(f"statement takes parameters {sorted(compiled.params)}, not {sorted(keys)}: {compiled}")
        escaped = compiled.escaped_bind_names
        order = compiled.positiontup if compiled.positional else list(compiled.params)
        assert order is not None
        self.sql = compiled.string
        self.columns = list(statement.exported_columns.keys())
        self._dialect = dialect
        self._positional = compiled.positional
        # (parameter name, its name in the SQL text, bind processor) in the order the DBAPI takes them
        self._binds = [
            (name, escaped.get(name, name), compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect))
            for name in order
        ]
        self._result_types = [column.type.dialect_impl(dialect) for column in statement.exported_columns]
        self._result_processors: list[Processor] | None = None  # on first use: they take the DBAPI type codes

    def first(self, raw: PoolProxiedConnection, values: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """Execute with `values`; the first result row converted by the column types, or None."""
        rows = self._run(raw, [values], many=False)
        return rows[0] if rows else None

    def scalar(self, raw: PoolProxiedConnection, values: Mapping[str, Any]) -> Any:
        """The first column of the first row, or None."""
        row = self.first(raw, values)
        return None if row is None else row[0]

    def executemany(self, raw: PoolProxiedConnection, values: Sequence[Mapping[str, Any]]) -> None:
        """Execute once per item of `values` (no result rows)."""
        self._run(raw, values, many=True)

    def params(self, values: Mapping[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        """`values` converted by the bind processors, in the DBAPI's form (a tuple for positional styles)."""
        if self._positional:
            return tuple(values[n] if p is None else p(values[n]) for n, _, p in self._binds)
        return {key: values[n] if p is None else p(values[n]) for n, key, p in self._binds}

    def _run(
        self, raw: PoolProxiedConnection, values: Sequence[Mapping[str, Any]], *, many: bool
    ) -> list[tuple[Any, ...]]:
        params: Any = None
        cursor = raw.cursor()
        try:
            try:
                if many:
                    params = [self.params(v) for v in values]
                    cursor.executemany(self.sql, params)
                    return []
                params = self.params(values[0])
                cursor.execute(self.sql, params)
                rows = [] if cursor.description is None else cursor.fetchall()
            except Exception as error:  # DBAPI errors, and bind processors' errors (StatementError)
                raise_wrapped(self._dialect, raw, error, statement=self.sql, params=params, cursor=cursor, many=many)
            processors = self._processors(cursor.description) if rows else []
        finally:
            cursor.close()
        return [tuple(v if p is None else p(v) for v, p in zip(row, processors, strict=True)) for row in rows]

    def _processors(self, description: Sequence[Sequence[Any]]) -> list[Processor]:
        if self._result_processors is None:
            self._result_processors = [
                t.result_processor(self._dialect, column[1])
                for t, column in zip(self._result_types, description, strict=True)
            ]
        return self._result_processors
