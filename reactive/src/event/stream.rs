//! Change events as an async `Stream`.

use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use tokio::sync::broadcast;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;
use tokio_stream::wrappers::BroadcastStream;

use std::sync::Weak;

use crate::event::subscription::Unsubscribe;
use crate::event::types::Event;

/// The subscriber fell behind and `n` events were dropped for it; newer events follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the change stream lagged: {0} events were skipped")]
pub struct Lagged(pub u64);

/// A model's events as a `Stream` of `Result<Event, Lagged>`; see
/// [`Model::changes`](crate::Model::changes).
///
/// ```
/// # use reactive::prelude::*;
/// # #[derive(Reactive, Clone, Serialize)] struct Counter { n: u64 }
/// use futures::StreamExt;
/// let counter = Model::new(Counter { n: 0 });
/// let mut stream = counter.changes_with_capacity(2);
/// for n in 1..=5 { counter.set_n(n)?; }          // 10 events into a buffer of 2
/// let first = futures::executor::block_on(stream.next()).unwrap();
/// assert!(matches!(first, Err(Lagged(_))));
/// # Ok::<(), reactive::Error>(())
/// ```
pub struct ChangeStream {
    inner: BroadcastStream<Event>,
    owner: Weak<dyn Unsubscribe>,
}

impl ChangeStream {
    pub(crate) fn new(receiver: broadcast::Receiver<Event>, owner: Weak<dyn Unsubscribe>) -> Self {
        ChangeStream {
            inner: BroadcastStream::new(receiver),
            owner,
        }
    }
}

impl Drop for ChangeStream {
    fn drop(&mut self) {
        // Writers stop building events for streams once the last one is gone.
        if let Some(owner) = self.owner.upgrade() {
            owner.stream_closed();
        }
    }
}

impl Stream for ChangeStream {
    type Item = Result<Event, Lagged>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.inner)
            .poll_next(cx)
            .map(|item| item.map(|r| r.map_err(|BroadcastStreamRecvError::Lagged(n)| Lagged(n))))
    }
}

impl std::fmt::Debug for ChangeStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChangeStream")
    }
}
