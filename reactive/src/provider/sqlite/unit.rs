//! Units of work: several publishes and deletes, of any entities, in one transaction.

use rusqlite::Connection;
use tokio::sync::OwnedSemaphorePermit;
use tracing::Instrument;

use super::provider::Write;
use super::values::{storage, BACKEND};
use super::Sqlite;
use crate::error::{Error, StorageErrorKind};
use crate::provider::Publish;
use crate::sql::Record;

/// Publishes and deletes stored all together or not at all: one transaction on one
/// connection, from [`Sqlite::unit_of_work`].
///
/// Each call answers like the provider's (the stored value with its new version,
/// [`Error::Conflict`], [`Error::NotFound`], [`Error::AlreadyStored`]), but nothing is
/// visible to other connections before [`commit`](UnitOfWork::commit). The first error rolls
/// the whole unit back: every later call, and `commit`, fail. A unit dropped before `commit`
/// is rolled back. The unit holds SQLite's write lock until it ends.
///
/// Live models are not changed by a unit of work: reload them once it is committed.
///
/// ```
/// use reactive::prelude::*;
/// use reactive::provider::{sqlite::Sqlite, Provider, Publish};
///
/// #[derive(Reactive, Clone, Debug)]
/// #[entity("lines")]
/// struct Line { id: u64, sku: String }
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// # let dir = std::env::temp_dir().join(format!("reactive-doc-uow-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir).unwrap();
/// let db = Sqlite::open(dir.join("app.db")).await?;
/// db.ensure_schema::<Line>().await?;
/// let mut unit = db.unit_of_work().await?;
/// unit.publish(Publish::Insert(Line { id: 1, sku: "A-1".into() })).await?;
/// // The same id again: refused, and the whole unit is rolled back.
/// let err = unit.publish(Publish::Insert(Line { id: 1, sku: "B-2".into() })).await;
/// assert!(matches!(err, Err(Error::AlreadyStored { .. })));
/// assert!(unit.commit().await.is_err());
/// assert!(Provider::<Line>::load(&db, &1).await?.is_none());
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), reactive::Error>(()) }).unwrap();
/// ```
pub struct UnitOfWork {
    db: Sqlite,
    /// The connection inside the transaction; `None` once ended (or after an error).
    conn: Option<Connection>,
    _permit: OwnedSemaphorePermit,
}

impl Sqlite {
    /// Starts a [`UnitOfWork`]: a transaction (`BEGIN IMMEDIATE`) on a connection of its own.
    pub async fn unit_of_work(&self) -> Result<UnitOfWork, Error> {
        let permit = self.permit().await?;
        let conn =
            self.take_connection(|conn| conn.execute_batch("BEGIN IMMEDIATE").map_err(storage));
        Ok(UnitOfWork {
            db: self.clone(),
            conn: Some(conn.await?),
            _permit: permit,
        })
    }

    /// Stores every request of `requests` in one transaction: all of them, or (on the first
    /// error, which is returned) none. The stored values, in the order of `requests`.
    pub async fn publish_all<T: Record>(&self, requests: Vec<Publish<T>>) -> Result<Vec<T>, Error> {
        crate::provider::transaction::publish_all(self.unit_of_work().await?, requests).await
    }
}

impl UnitOfWork {
    fn ended() -> Error {
        Error::Storage {
            backend: BACKEND,
            kind: StorageErrorKind::Other,
            message: "the unit of work was rolled back after an error".to_string(),
        }
    }

    /// Runs `work` on the unit's connection on a blocking thread; any error ends the unit
    /// (the connection is closed, which rolls the transaction back).
    async fn step<R: Send + 'static>(
        &mut self,
        work: impl FnOnce(&Connection) -> Result<Result<R, Error>, Error> + Send + 'static,
    ) -> Result<R, Error> {
        let conn = self.conn.take().ok_or_else(Self::ended)?;
        let (conn, outcome) = tokio::task::spawn_blocking(move || {
            let outcome = work(&conn);
            (conn, outcome)
        })
        .await
        .map_err(|err| Error::Panicked {
            during: "an SQLite unit of work",
            message: err.to_string(),
        })?;
        match outcome {
            Ok(Ok(value)) => {
                self.conn = Some(conn);
                Ok(value)
            }
            Ok(Err(err)) | Err(err) => {
                close(conn);
                Err(err)
            }
        }
    }

    /// Stores `request` inside the unit (see [`Provider::publish`](crate::provider::Provider::publish)).
    pub async fn publish<T: Record>(&mut self, request: Publish<T>) -> Result<T, Error> {
        let write = Write::publish(request)?;
        let call = write.span();
        let span = call.span().clone();
        let stored = self
            .step(move |conn| write.run(conn))
            .instrument(span)
            .await;
        call.finish(usize::from(stored.is_ok()));
        stored?.ok_or_else(|| Error::msg("a publish stored nothing"))
    }

    /// Deletes `id` inside the unit (see [`Provider::delete`](crate::provider::Provider::delete)).
    pub async fn delete<T: Record>(
        &mut self,
        id: &T::Id,
        expected_version: Option<u64>,
    ) -> Result<(), Error> {
        let write = Write::<T>::delete(id, expected_version)?;
        let call = write.span();
        let span = call.span().clone();
        let deleted = self
            .step(move |conn| write.run(conn))
            .instrument(span)
            .await;
        call.finish(usize::from(deleted.is_ok()));
        deleted.map(drop)
    }

    /// Stores everything the unit did, at once.
    pub async fn commit(mut self) -> Result<(), Error> {
        self.step(|conn| Ok(conn.execute_batch("COMMIT").map_err(storage)))
            .await?;
        if let Some(conn) = self.conn.take() {
            self.db.give_back(conn);
        }
        Ok(())
    }

    /// Forgets everything the unit did.
    pub async fn rollback(mut self) -> Result<(), Error> {
        self.step(|conn| Ok(conn.execute_batch("ROLLBACK").map_err(storage)))
            .await?;
        if let Some(conn) = self.conn.take() {
            self.db.give_back(conn);
        }
        Ok(())
    }
}

impl Drop for UnitOfWork {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            close(conn);
        }
    }
}

/// Closes a connection that may be inside a transaction: SQLite rolls it back. Closing
/// touches the file, so it happens on a blocking thread when a runtime is there.
fn close(conn: Connection) {
    match tokio::runtime::Handle::try_current() {
        Ok(handle) => {
            handle.spawn_blocking(move || drop(conn));
        }
        Err(_) => drop(conn),
    }
}

impl std::fmt::Debug for UnitOfWork {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnitOfWork")
            .field("open", &self.conn.is_some())
            .finish()
    }
}

impl crate::provider::transaction::Transaction for UnitOfWork {
    fn publish<T: Record>(
        &mut self,
        request: Publish<T>,
    ) -> impl std::future::Future<Output = Result<T, Error>> + Send {
        UnitOfWork::publish(self, request)
    }

    fn commit(self) -> impl std::future::Future<Output = Result<(), Error>> + Send {
        UnitOfWork::commit(self)
    }
}
