//! `impl Provider<T> for Postgres`: one entity's rows through the statements of the SQL core.
//! The statement runners here serve the pool's connections and a unit of work's alike.

use std::future::Future;

use async_trait::async_trait;
use deadpool_postgres::ClientWrapper;
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;
use tracing::Instrument;

use super::values::{int_at, is_duplicate_id, storage, Bind, RowColumns, BACKEND};
use super::Postgres;
use crate::entity::Entity;
use crate::error::Error;
use crate::provider::{Provider, Publish};
use crate::query::{Page, Query, Queryable};
use crate::sql::shared::{finish_page, missing_row, CallSpan};
use crate::sql::statements::{self, Statement};
use crate::sql::{Dialect, Record};

const DIALECT: Dialect = Dialect::Postgres;
/// The most ids in one `IN (..)` list. Lists are padded to a power of two (repeating an
/// id), so a handful of prepared statements serve every length.
const CHUNK: usize = 1024;

/// Runs `st` on `client` with its statement prepared once per connection.
async fn rows(client: &ClientWrapper, st: &Statement) -> Result<Vec<Row>, tokio_postgres::Error> {
    let prepared = client.prepare_cached(&st.sql).await?;
    let binds: Vec<Bind<'_>> = st.params.iter().map(Bind).collect();
    let params: Vec<&(dyn ToSql + Sync)> = binds.iter().map(|b| b as _).collect();
    client.query(&prepared, &params).await
}

/// Runs `st` (a statement without rows); the number of rows it touched.
async fn execute(client: &ClientWrapper, st: &Statement) -> Result<u64, Error> {
    let prepared = client.prepare_cached(&st.sql).await.map_err(storage)?;
    let binds: Vec<Bind<'_>> = st.params.iter().map(Bind).collect();
    let params: Vec<&(dyn ToSql + Sync)> = binds.iter().map(|b| b as _).collect();
    client.execute(&prepared, &params).await.map_err(storage)
}

fn decode<T: Record>(rows: &[Row]) -> Result<Vec<T>, Error> {
    rows.iter()
        .map(|row| T::__from_columns(&mut RowColumns::new(row, T::ENTITY)))
        .collect()
}

/// Runs `st` and reads every row into a `T`.
async fn select<T: Record>(client: &ClientWrapper, st: &Statement) -> Result<Vec<T>, Error> {
    decode(&rows(client, st).await.map_err(storage)?)
}

/// The stored version of `id` (`Some(None)` for an unversioned entity), `None` if absent.
async fn probe<T: Record>(
    client: &ClientWrapper,
    id: &T::Id,
) -> Result<Option<Option<u64>>, Error> {
    let st = statements::probe::<T>(DIALECT, id)?;
    let found = rows(client, &st).await.map_err(storage)?;
    match found.first() {
        None => Ok(None),
        Some(_) if !T::VERSIONED => Ok(Some(None)),
        Some(row) => Ok(Some(int_at(row, 0)?.and_then(|v| u64::try_from(v).ok()))),
    }
}

/// Stores `request` on `client`: an insert of the whole value (a duplicate id is
/// [`Error::AlreadyStored`]), or an update of the dirty fields with the version checked in
/// the same statement (no row: [`Error::NotFound`] or [`Error::Conflict`]).
pub(super) async fn publish_on<T: Record>(
    client: &ClientWrapper,
    request: Publish<T>,
) -> Result<T, Error> {
    match request {
        Publish::Insert(value) => {
            let st = statements::insert::<T>(DIALECT, &value)?;
            match rows(client, &st).await {
                Ok(found) => decode::<T>(&found)?
                    .pop()
                    .ok_or_else(|| Error::msg("INSERT .. RETURNING returned no row")),
                Err(err) if is_duplicate_id(&err, T::ENTITY, statements::id_column::<T>().name) => {
                    Err(Error::AlreadyStored {
                        entity: T::ENTITY,
                        id: value
                            .id()
                            .map_or_else(|| "?".to_string(), |id| format!("{id:?}")),
                    })
                }
                Err(err) => Err(storage(err)),
            }
        }
        Publish::Update {
            id,
            value,
            fields,
            expected_version,
        } => {
            let st = statements::update::<T>(DIALECT, &id, &value, &fields, expected_version)?;
            match select::<T>(client, &st).await?.pop() {
                Some(stored) => Ok(stored),
                None => {
                    let stored = probe::<T>(client, &id).await?;
                    Err(missing_row::<T>(&id, expected_version, stored))
                }
            }
        }
    }
}

/// Deletes `id` on `client`, if its stored version is `expected_version` (when given).
pub(super) async fn delete_on<T: Record>(
    client: &ClientWrapper,
    id: &T::Id,
    expected_version: Option<u64>,
) -> Result<(), Error> {
    let st = statements::delete::<T>(DIALECT, id, expected_version)?;
    if execute(client, &st).await? > 0 {
        return Ok(());
    }
    let stored = probe::<T>(client, id).await?;
    Err(missing_row::<T>(id, expected_version, stored))
}

/// The span of a publish: `insert` or `update`, with the id when there is one.
pub(super) fn publish_span<T: Entity>(request: &Publish<T>) -> CallSpan {
    match request {
        Publish::Insert(value) => CallSpan::new::<T>(BACKEND, "insert", value.id().as_ref()),
        Publish::Update { id, .. } => CallSpan::new::<T>(BACKEND, "update", Some(id)),
    }
}

/// Runs `work` inside `call`'s span and records the rows it read or wrote (none on error)
/// and its duration.
pub(super) async fn traced<R>(
    call: CallSpan,
    work: impl Future<Output = Result<R, Error>>,
    count: impl FnOnce(&R) -> usize,
) -> Result<R, Error> {
    let out = work.instrument(call.span().clone()).await;
    call.finish(out.as_ref().map_or(0, count));
    out
}

#[async_trait]
impl<T: Record> Provider<T> for Postgres {
    async fn load(&self, id: &T::Id) -> Result<Option<T>, Error> {
        let call = CallSpan::new::<T>(BACKEND, "load", Some(id));
        let work = async {
            let st = statements::select_by_id::<T>(DIALECT, id)?;
            let client = self.client().await?;
            Ok(select::<T>(&client, &st).await?.pop())
        };
        traced(call, work, |found| usize::from(found.is_some())).await
    }

    /// The stored values of `ids`, each stored id once, in any order.
    async fn load_many(&self, ids: &[T::Id]) -> Result<Vec<T>, Error> {
        let call = CallSpan::new::<T>(BACKEND, "load_many", None);
        let work = async {
            let mut found = Vec::new();
            if ids.is_empty() {
                return Ok(found);
            }
            let client = self.client().await?;
            for chunk in ids.chunks(CHUNK) {
                let size = chunk.len().next_power_of_two();
                let st = if size == chunk.len() {
                    statements::select_in::<T>(DIALECT, chunk)?
                } else {
                    let mut padded = chunk.to_vec();
                    padded.resize(size, chunk[chunk.len() - 1].clone());
                    statements::select_in::<T>(DIALECT, &padded)?
                };
                found.extend(select::<T>(&client, &st).await?);
            }
            Ok(found)
        };
        traced(call, work, Vec::len).await
    }

    async fn publish(&self, request: Publish<T>) -> Result<T, Error> {
        let call = publish_span(&request);
        let work = async {
            let client = self.client().await?;
            publish_on(&client, request).await
        };
        traced(call, work, |_| 1).await
    }

    async fn delete(&self, id: &T::Id, expected_version: Option<u64>) -> Result<(), Error> {
        let call = CallSpan::new::<T>(BACKEND, "delete", Some(id));
        let work = async {
            let client = self.client().await?;
            delete_on::<T>(&client, id, expected_version).await
        };
        traced(call, work, |_| 1).await
    }

    async fn list(&self, query: &Query<T>) -> Result<Page<T>, Error>
    where
        T: Queryable,
    {
        let call = CallSpan::new::<T>(BACKEND, "list", None);
        let work = async {
            let page = statements::page::<T>(DIALECT, query)?;
            let client = self.client().await?;
            let total = match &page.count {
                Some(st) => {
                    let found = rows(&client, st).await.map_err(storage)?;
                    let n = match found.first() {
                        Some(row) => int_at(row, 0)?.unwrap_or(0),
                        None => 0,
                    };
                    Some(u64::try_from(n).unwrap_or(0))
                }
                None => None,
            };
            let found = select::<T>(&client, &page.select).await?;
            finish_page(&page.plan, found, total)
        };
        traced(call, work, |page| page.items.len()).await
    }
}
