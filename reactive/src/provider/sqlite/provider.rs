//! `impl Provider<T> for Sqlite`: one entity's rows through the statements of the SQL core.

use async_trait::async_trait;
use rusqlite::{params_from_iter, Connection, TransactionBehavior};
use tracing::Instrument;

use super::values::{is_duplicate, storage, Param, RowColumns, BACKEND};
use super::Sqlite;
use crate::error::Error;
use crate::provider::{Provider, Publish};
use crate::query::{Page, Query, Queryable};
use crate::sql::shared::{finish_page, missing_row, CallSpan};
use crate::sql::statements::{self, Statement};
use crate::sql::{id_value, Dialect, Record, SqlValue};

const DIALECT: Dialect = Dialect::Sqlite;
/// Ids per `IN (..)` list (SQLite allows 32,766 parameters).
const CHUNK: usize = 500;

/// Runs `st` and reads every row into a `T`.
fn query_rows<T: Record>(conn: &Connection, st: &Statement) -> Result<Vec<T>, Error> {
    let mut out = Vec::new();
    read_rows(conn, &st.sql, &st.params, &mut out)?;
    Ok(out)
}

/// Runs `sql` with `params` and appends every row, as a `T`, to `out`.
fn read_rows<T: Record>(
    conn: &Connection,
    sql: &str,
    params: &[SqlValue],
    out: &mut Vec<T>,
) -> Result<(), Error> {
    let mut stmt = conn.prepare_cached(sql).map_err(storage)?;
    let mut rows = stmt
        .query(params_from_iter(params.iter().map(Param)))
        .map_err(storage)?;
    while let Some(row) = rows.next().map_err(storage)? {
        out.push(T::__from_columns(&mut RowColumns {
            row,
            at: 0,
            entity: T::ENTITY,
        })?);
    }
    Ok(())
}

/// The stored version of a row (`Some(None)` for an unversioned one), `None` if absent.
fn probe<T: Record>(conn: &Connection, st: &Statement) -> Result<Option<Option<u64>>, Error> {
    let mut stmt = conn.prepare_cached(&st.sql).map_err(storage)?;
    let mut rows = stmt
        .query(params_from_iter(st.params.iter().map(Param)))
        .map_err(storage)?;
    match rows.next().map_err(storage)? {
        None => Ok(None),
        Some(_) if !T::VERSIONED => Ok(Some(None)),
        Some(row) => {
            let v: Option<i64> = row.get(0).map_err(storage)?;
            Ok(Some(v.and_then(|v| u64::try_from(v).ok())))
        }
    }
}

/// Runs an `INSERT .. RETURNING`: the stored row, or `None` if the id is already stored.
fn insert_row<T: Record>(conn: &Connection, st: &Statement) -> Result<Option<T>, Error> {
    let mut stmt = conn.prepare_cached(&st.sql).map_err(storage)?;
    let mut rows = stmt
        .query(params_from_iter(st.params.iter().map(Param)))
        .map_err(storage)?;
    match rows.next() {
        Ok(Some(row)) => T::__from_columns(&mut RowColumns {
            row,
            at: 0,
            entity: T::ENTITY,
        })
        .map(Some),
        Ok(None) => Err(Error::msg("INSERT .. RETURNING returned no row")),
        Err(err) if is_duplicate(&err) => Ok(None),
        Err(err) => Err(storage(err)),
    }
}

/// A publish or delete with its statements built (on the caller's side), run on a
/// connection inside a transaction (the provider's own, or a unit of work's).
pub(super) struct Write<T: Record> {
    kind: WriteKind,
    id: Option<T::Id>,
    expected_version: Option<u64>,
    statement: Statement,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum WriteKind {
    Insert,
    Update,
    Delete,
}

impl<T: Record> Write<T> {
    pub(super) fn publish(request: Publish<T>) -> Result<Self, Error> {
        match request {
            Publish::Insert(value) => Ok(Write {
                kind: WriteKind::Insert,
                statement: statements::insert::<T>(DIALECT, &value)?,
                id: value.id(),
                expected_version: None,
            }),
            Publish::Update {
                id,
                value,
                fields,
                expected_version,
            } => Ok(Write {
                kind: WriteKind::Update,
                statement: statements::update::<T>(
                    DIALECT,
                    &id,
                    &value,
                    &fields,
                    expected_version,
                )?,
                id: Some(id),
                expected_version,
            }),
        }
    }

    pub(super) fn delete(id: &T::Id, expected_version: Option<u64>) -> Result<Self, Error> {
        Ok(Write {
            kind: WriteKind::Delete,
            statement: statements::delete::<T>(DIALECT, id, expected_version)?,
            id: Some(id.clone()),
            expected_version,
        })
    }

    /// The span of the call.
    pub(super) fn span(&self) -> CallSpan {
        let operation = match self.kind {
            WriteKind::Insert => "insert",
            WriteKind::Update => "update",
            WriteKind::Delete => "delete",
        };
        CallSpan::new::<T>(BACKEND, operation, self.id.as_ref())
    }

    /// Runs the write: `Ok(Ok(Some(stored)))` for a publish, `Ok(Ok(None))` for a delete,
    /// `Ok(Err(..))` for what the store refused (a stored id, a conflict, a missing row),
    /// `Err(..)` for a failure of the database.
    #[allow(clippy::type_complexity)]
    pub(super) fn run(&self, conn: &Connection) -> Result<Result<Option<T>, Error>, Error> {
        let st = &self.statement;
        let written = match self.kind {
            WriteKind::Insert => {
                return Ok(match insert_row::<T>(conn, st)? {
                    Some(row) => Ok(Some(row)),
                    None => Err(Error::AlreadyStored {
                        entity: T::ENTITY,
                        id: self
                            .id
                            .as_ref()
                            .map_or_else(|| "?".to_string(), |id| format!("{id:?}")),
                    }),
                })
            }
            WriteKind::Update => match one(query_rows::<T>(conn, st)?) {
                Some(row) => return Ok(Ok(Some(row))),
                None => false,
            },
            WriteKind::Delete => {
                let mut stmt = conn.prepare_cached(&st.sql).map_err(storage)?;
                stmt.execute(params_from_iter(st.params.iter().map(Param)))
                    .map_err(storage)?
                    > 0
            }
        };
        if written {
            return Ok(Ok(None));
        }
        // Why no row was touched: built only now, as it is rarely needed.
        let Some(id) = &self.id else {
            return Ok(Err(Error::MissingId { entity: T::ENTITY }));
        };
        let stored = probe::<T>(conn, &statements::probe::<T>(DIALECT, id)?)?;
        Ok(Err(missing_row::<T>(id, self.expected_version, stored)))
    }
}

fn one<T>(mut rows: Vec<T>) -> Option<T> {
    rows.pop()
}

impl Sqlite {
    /// Runs a publish or delete in a transaction of its own, so the write and, when it touched
    /// no row, the probe that says why, see one state of the row; in its call span.
    async fn write<T: Record>(&self, write: Write<T>) -> Result<Option<T>, Error> {
        let call = write.span();
        let outcome = self
            .run(move |conn| {
                let tx = conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)
                    .map_err(storage)?;
                let outcome = write.run(&tx)?;
                tx.commit().map_err(storage)?;
                Ok(outcome)
            })
            .instrument(call.span().clone())
            .await?;
        call.finish(usize::from(outcome.is_ok()));
        outcome
    }
}

#[async_trait]
impl<T: Record> Provider<T> for Sqlite {
    async fn load(&self, id: &T::Id) -> Result<Option<T>, Error> {
        let call = CallSpan::new::<T>(BACKEND, "load", Some(id));
        let st = statements::select_by_id::<T>(DIALECT, id)?;
        let found = self
            .run(move |conn| query_rows::<T>(conn, &st).map(one))
            .instrument(call.span().clone())
            .await?;
        call.finish(usize::from(found.is_some()));
        Ok(found)
    }

    async fn load_many(&self, ids: &[T::Id]) -> Result<Vec<T>, Error> {
        let call = CallSpan::new::<T>(BACKEND, "load_many", None);
        // The ids as parameters; the text is built once per chunk size (two at most).
        let params = ids
            .iter()
            .map(id_value::<T>)
            .collect::<Result<Vec<_>, _>>()?;
        let found = self
            .run(move |conn| {
                let mut out = Vec::with_capacity(params.len());
                let mut text = (0, String::new());
                for chunk in params.chunks(CHUNK) {
                    if text.0 != chunk.len() {
                        text = (
                            chunk.len(),
                            statements::select_in_sql::<T>(DIALECT, chunk.len()),
                        );
                    }
                    read_rows::<T>(conn, &text.1, chunk, &mut out)?;
                }
                Ok(out)
            })
            .instrument(call.span().clone())
            .await?;
        call.finish(found.len());
        Ok(found)
    }

    async fn publish(&self, request: Publish<T>) -> Result<T, Error> {
        let stored = self.write(Write::publish(request)?).await?;
        stored.ok_or_else(|| Error::msg("a publish stored nothing"))
    }

    async fn delete(&self, id: &T::Id, expected_version: Option<u64>) -> Result<(), Error> {
        self.write(Write::<T>::delete(id, expected_version)?)
            .await
            .map(drop)
    }

    async fn list(&self, query: &Query<T>) -> Result<Page<T>, Error>
    where
        T: Queryable,
    {
        let call = CallSpan::new::<T>(BACKEND, "list", None);
        let page = statements::page::<T>(DIALECT, query)?;
        let (select, count) = (page.select, page.count);
        let (rows, total) = self
            .run(move |conn| {
                let total = match &count {
                    Some(st) => {
                        let mut stmt = conn.prepare_cached(&st.sql).map_err(storage)?;
                        let n: i64 = stmt
                            .query_row(params_from_iter(st.params.iter().map(Param)), |r| r.get(0))
                            .map_err(storage)?;
                        Some(u64::try_from(n).unwrap_or(0))
                    }
                    None => None,
                };
                Ok((query_rows::<T>(conn, &select)?, total))
            })
            .instrument(call.span().clone())
            .await?;
        call.finish(rows.len());
        finish_page(&page.plan, rows, total)
    }
}
