//! Units of work: several publishes and deletes, of any entities, in one transaction.

use deadpool_postgres::{ClientWrapper, Object};

use super::provider::{delete_on, publish_on, publish_span, traced};
use super::values::{storage, BACKEND};
use super::Postgres;
use crate::error::{Error, StorageErrorKind};
use crate::provider::Publish;
use crate::sql::shared::CallSpan;
use crate::sql::Record;

/// Publishes and deletes that are stored all together or not at all: one transaction on one
/// connection, from [`Postgres::unit_of_work`].
///
/// Each call answers like the provider's (the stored value with its new version,
/// [`Error::Conflict`], [`Error::NotFound`], [`Error::AlreadyStored`]), but nothing is
/// visible to others before [`commit`](UnitOfWork::commit). The first error rolls the whole
/// unit back: every later call, and `commit`, fail. A unit dropped before `commit` is rolled
/// back too (its connection is closed rather than returned to the pool).
///
/// Live models are not changed by a unit of work: reload them (or publish them through
/// the registry) once it is committed.
///
/// ```no_run
/// use reactive::prelude::*;
/// use reactive::provider::{postgres::Postgres, Publish};
///
/// #[derive(Reactive, Clone, Debug)]
/// #[entity("accounts")]
/// struct Account { id: u64, balance: i64, #[reactive(version)] version: u64 }
///
/// # async fn run(db: Postgres, from: Account, to: Account) -> Result<(), reactive::Error> {
/// let mut unit = db.unit_of_work().await?;
/// unit.publish(Publish::Update {
///     id: from.id,
///     value: Account { balance: from.balance - 10, ..from.clone() },
///     fields: reactive::FieldSet::single(Account::BALANCE.index()),
///     expected_version: Some(from.version),
/// }).await?;
/// unit.publish(Publish::Update {
///     id: to.id,
///     value: Account { balance: to.balance + 10, ..to.clone() },
///     fields: reactive::FieldSet::single(Account::BALANCE.index()),
///     expected_version: Some(to.version),
/// }).await?;
/// unit.commit().await?; // both balances, or (on any error above) neither
/// # Ok(()) }
/// ```
pub struct UnitOfWork {
    /// The connection inside the transaction; `None` once committed or rolled back.
    client: Option<Object>,
}

impl Postgres {
    /// Starts a [`UnitOfWork`]: a transaction on a connection of its own, in this handle's
    /// schema.
    pub async fn unit_of_work(&self) -> Result<UnitOfWork, Error> {
        // Made first: dropped while `BEGIN` is in flight, it closes the connection rather than
        // return it to the pool inside a transaction.
        let mut unit = UnitOfWork {
            client: Some(self.client().await?),
        };
        if let Err(err) = unit.client()?.batch_execute("BEGIN").await {
            unit.abort().await;
            return Err(storage(err));
        }
        Ok(unit)
    }

    /// Stores every request of `requests` in one transaction: all of them, or (on the first
    /// error, which is returned) none. The stored values, in the order of `requests`.
    ///
    /// ```no_run
    /// use reactive::prelude::*;
    /// use reactive::provider::{postgres::Postgres, Publish};
    ///
    /// #[derive(Reactive, Clone, Debug)]
    /// #[entity("lines")]
    /// struct Line { id: u64, order: u64, sku: String }
    ///
    /// # async fn run(db: Postgres) -> Result<(), reactive::Error> {
    /// let lines = vec![
    ///     Publish::Insert(Line { id: 1, order: 7, sku: "A-1".into() }),
    ///     Publish::Insert(Line { id: 2, order: 7, sku: "B-2".into() }),
    /// ];
    /// let stored = db.publish_all(lines).await?;
    /// assert_eq!(stored.len(), 2);
    /// # Ok(()) }
    /// ```
    pub async fn publish_all<T: Record>(&self, requests: Vec<Publish<T>>) -> Result<Vec<T>, Error> {
        crate::provider::transaction::publish_all(self.unit_of_work().await?, requests).await
    }
}

impl UnitOfWork {
    fn client(&self) -> Result<&ClientWrapper, Error> {
        self.client.as_deref().ok_or_else(|| Error::Storage {
            backend: BACKEND,
            kind: StorageErrorKind::Other,
            message: "the unit of work was rolled back after an error".to_string(),
        })
    }

    /// Stores `request` inside the unit (see [`Provider::publish`](crate::provider::Provider::publish)).
    pub async fn publish<T: Record>(&mut self, request: Publish<T>) -> Result<T, Error> {
        let call = publish_span(&request);
        let client = self.client()?;
        let out = traced(call, publish_on(client, request), |_| 1).await;
        if out.is_err() {
            self.abort().await;
        }
        out
    }

    /// Deletes `id` inside the unit (see [`Provider::delete`](crate::provider::Provider::delete)).
    pub async fn delete<T: Record>(
        &mut self,
        id: &T::Id,
        expected_version: Option<u64>,
    ) -> Result<(), Error> {
        let call = CallSpan::new::<T>(BACKEND, "delete", Some(id));
        let client = self.client()?;
        let out = traced(call, delete_on::<T>(client, id, expected_version), |_| 1).await;
        if out.is_err() {
            self.abort().await;
        }
        out
    }

    /// Stores everything the unit did, at once.
    pub async fn commit(mut self) -> Result<(), Error> {
        self.client()?;
        let client = self.client.take().expect("checked above");
        // A failed COMMIT ends the transaction (rolled back); a lost connection is replaced
        // by the pool.
        client.batch_execute("COMMIT").await.map_err(storage)
    }

    /// Forgets everything the unit did.
    pub async fn rollback(mut self) -> Result<(), Error> {
        self.client()?;
        let client = self.client.take().expect("checked above");
        match client.batch_execute("ROLLBACK").await {
            Ok(()) => Ok(()),
            Err(err) => {
                drop(Object::take(client));
                Err(storage(err))
            }
        }
    }

    /// Rolls back after an error; a connection that cannot is closed (which rolls back).
    async fn abort(&mut self) {
        if let Some(client) = self.client.take() {
            if client.batch_execute("ROLLBACK").await.is_err() {
                drop(Object::take(client));
            }
        }
    }
}

impl Drop for UnitOfWork {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            // Still inside the transaction: closing the connection rolls it back.
            drop(Object::take(client));
        }
    }
}

impl std::fmt::Debug for UnitOfWork {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnitOfWork")
            .field("open", &self.client.is_some())
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
