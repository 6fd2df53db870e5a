//! What the SQL providers' units of work share: a batch of publishes in one transaction.

use std::future::Future;

use crate::error::Error;
use crate::provider::Publish;
use crate::sql::Record;

/// A SQL provider's unit of work, as the batch below uses it.
pub(crate) trait Transaction: Sized + Send {
    /// Stores one request in the transaction; the stored value.
    fn publish<T: Record>(
        &mut self,
        request: Publish<T>,
    ) -> impl Future<Output = Result<T, Error>> + Send;
    /// Makes the transaction's writes durable.
    fn commit(self) -> impl Future<Output = Result<(), Error>> + Send;
}

/// Every request of `requests` in `unit`, then its commit: all of them, or (on the first
/// error, which is returned, and the unit dropped, which rolls it back) none. The stored
/// values, in the order of `requests`.
pub(crate) async fn publish_all<U: Transaction, T: Record>(
    mut unit: U,
    requests: Vec<Publish<T>>,
) -> Result<Vec<T>, Error> {
    let mut stored = Vec::with_capacity(requests.len());
    for request in requests {
        stored.push(unit.publish(request).await?);
    }
    unit.commit().await?;
    Ok(stored)
}
