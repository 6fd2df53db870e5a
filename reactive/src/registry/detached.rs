//! A provider call driven by its caller's future, and finished in a task of its own if that
//! future is dropped first.
//!
//! A started call must run to its end (it applies its own result, so model and store never
//! disagree), but spawning every call costs two cross-thread wake-ups, more than an SQLite
//! load. So the caller polls the call itself; only a caller that gives up hands what is
//! left of it to the runtime.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::runtime::Handle;

/// `call`, polled in place; dropped unfinished, it is spawned on `runtime` and runs to its
/// end there.
pub(crate) struct Detached<F: Future<Output: Send> + Send + 'static> {
    call: Option<Pin<Box<F>>>,
    runtime: Handle,
}

impl<F: Future<Output: Send> + Send + 'static> Detached<F> {
    pub(crate) fn new(runtime: Handle, call: F) -> Self {
        Detached {
            call: Some(Box::pin(call)),
            runtime,
        }
    }
}

impl<F: Future<Output: Send> + Send + 'static> Future for Detached<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let Some(call) = self.call.as_mut() else {
            // Polled after completion: never done by `.await`.
            return Poll::Pending;
        };
        match call.as_mut().poll(cx) {
            Poll::Ready(out) => {
                self.call = None;
                Poll::Ready(out)
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl<F: Future<Output: Send> + Send + 'static> Drop for Detached<F> {
    fn drop(&mut self) {
        if let Some(call) = self.call.take() {
            self.runtime.spawn(async move {
                // The call applies its own result; nobody is left to read it.
                let _ = call.await;
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;

    use super::Detached;

    #[tokio::test]
    async fn a_dropped_call_runs_to_its_end_in_a_task() {
        let done = Arc::new(AtomicBool::new(false));
        let (release, wait) = tokio::sync::oneshot::channel::<()>();
        let flag = done.clone();
        let call = Detached::new(tokio::runtime::Handle::current(), async move {
            let _ = wait.await;
            flag.store(true, Ordering::SeqCst);
        });
        // Started, then abandoned by its caller.
        let abandoned = tokio::time::timeout(std::time::Duration::from_millis(10), call).await;
        assert!(abandoned.is_err());
        release.send(()).unwrap();
        for _ in 0..1000 {
            if done.load(Ordering::SeqCst) {
                return;
            }
            tokio::task::yield_now().await;
        }
        panic!("the abandoned call did not finish");
    }

    #[tokio::test]
    async fn a_call_awaited_to_its_end_is_not_spawned() {
        let out = Detached::new(tokio::runtime::Handle::current(), async { 7 }).await;
        assert_eq!(out, 7);
    }
}
