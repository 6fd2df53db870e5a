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
use crate::sql::{Dialect, Record};

const DIALECT: Dialect = Dialect::Sqlite;
/// Ids per `IN (..)` list (SQLite allows 32,766 parameters).
const CHUNK: usize = 500;

/// Runs `st` and reads every row into a `T`.
fn query_rows<T: Record>(conn: &Connection, st: &Statement) -> Result<Vec<T>, Error> {
    let mut stmt = conn.prepare_cached(&st.sql).map_err(storage)?;
    let mut rows = stmt
        .query(params_from_iter(st.params.iter().map(Param)))
        .map_err(storage)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(storage)? {
        out.push(T::__from_columns(&mut RowColumns {
            row,
            at: 0,
            entity: T::ENTITY,
        })?);
    }
    Ok(out)
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

fn one<T>(mut rows: Vec<T>) -> Option<T> {
    rows.pop()
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
        let chunks = ids
            .chunks(CHUNK)
            .map(|chunk| statements::select_in::<T>(DIALECT, chunk))
            .collect::<Result<Vec<_>, _>>()?;
        let found = self
            .run(move |conn| {
                let mut out = Vec::new();
                for st in &chunks {
                    out.extend(query_rows::<T>(conn, st)?);
                }
                Ok(out)
            })
            .instrument(call.span().clone())
            .await?;
        call.finish(found.len());
        Ok(found)
    }

    async fn publish(&self, request: Publish<T>) -> Result<T, Error> {
        match request {
            Publish::Insert(value) => {
                let id = value.id();
                let call = CallSpan::new::<T>(BACKEND, "insert", id.as_ref());
                let st = statements::insert::<T>(DIALECT, &value)?;
                let stored = self
                    .run(move |conn| insert_row::<T>(conn, &st))
                    .instrument(call.span().clone())
                    .await?;
                let Some(stored) = stored else {
                    call.finish(0);
                    return Err(Error::AlreadyStored {
                        entity: T::ENTITY,
                        id: id.map_or_else(|| "?".to_string(), |id| format!("{id:?}")),
                    });
                };
                call.finish(1);
                Ok(stored)
            }
            Publish::Update {
                id,
                value,
                fields,
                expected_version,
            } => {
                let call = CallSpan::new::<T>(BACKEND, "update", Some(&id));
                let st = statements::update::<T>(DIALECT, &id, &value, &fields, expected_version)?;
                let check = statements::probe::<T>(DIALECT, &id)?;
                let outcome = self
                    .run(move |conn| {
                        // The update and, when it touched no row, the probe that says why,
                        // see one state of the row.
                        let tx = conn
                            .transaction_with_behavior(TransactionBehavior::Immediate)
                            .map_err(storage)?;
                        let updated = one(query_rows::<T>(&tx, &st)?);
                        let outcome = match updated {
                            Some(row) => Ok(row),
                            None => Err(probe::<T>(&tx, &check)?),
                        };
                        tx.commit().map_err(storage)?;
                        Ok(outcome)
                    })
                    .instrument(call.span().clone())
                    .await?;
                match outcome {
                    Ok(row) => {
                        call.finish(1);
                        Ok(row)
                    }
                    Err(stored) => {
                        call.finish(0);
                        Err(missing_row::<T>(&id, expected_version, stored))
                    }
                }
            }
        }
    }

    async fn delete(&self, id: &T::Id, expected_version: Option<u64>) -> Result<(), Error> {
        let call = CallSpan::new::<T>(BACKEND, "delete", Some(id));
        let st = statements::delete::<T>(DIALECT, id, expected_version)?;
        let check = statements::probe::<T>(DIALECT, id)?;
        let outcome = self
            .run(move |conn| {
                let tx = conn
                    .transaction_with_behavior(TransactionBehavior::Immediate)
                    .map_err(storage)?;
                let deleted = {
                    let mut stmt = tx.prepare_cached(&st.sql).map_err(storage)?;
                    stmt.execute(params_from_iter(st.params.iter().map(Param)))
                        .map_err(storage)?
                };
                let outcome = if deleted > 0 {
                    Ok(())
                } else {
                    Err(probe::<T>(&tx, &check)?)
                };
                tx.commit().map_err(storage)?;
                Ok(outcome)
            })
            .instrument(call.span().clone())
            .await?;
        call.finish(usize::from(outcome.is_ok()));
        outcome.map_err(|stored| missing_row::<T>(id, expected_version, stored))
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
