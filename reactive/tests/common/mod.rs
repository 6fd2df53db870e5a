//! Shared helpers for the integration tests.
#![allow(dead_code)]

pub mod spans;

use std::sync::mpsc;

use reactive::{Model, ReactiveJson, Subscription};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Runs `f` on its own thread and fails the test with a message if it does not finish within
/// `seconds` (a deadlock must fail CI, not hang it).
pub fn watchdog<R: Send + 'static>(
    seconds: u64,
    what: &str,
    f: impl FnOnce() -> R + Send + 'static,
) -> R {
    let (tx, rx) = mpsc::channel();
    let handle = std::thread::Builder::new()
        .name(format!("watched: {what}"))
        .spawn(move || {
            let out = f();
            let _ = tx.send(());
            out
        })
        .expect("spawn the watched thread");
    match rx.recv_timeout(Duration::from_secs(seconds)) {
        Ok(()) => handle.join().expect("the watched thread panicked"),
        Err(mpsc::RecvTimeoutError::Disconnected) => match handle.join() {
            Ok(out) => out,
            Err(panic) => std::panic::resume_unwind(panic),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("watchdog: `{what}` did not finish within {seconds} s (deadlock or hang)")
        }
    }
}

/// A shared, ordered log of what listeners saw.
#[derive(Clone, Default)]
pub struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    pub fn push(&self, entry: impl Into<String>) {
        self.0.lock().unwrap().push(entry.into());
    }

    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }

    pub fn len(&self) -> usize {
        self.0.lock().unwrap().len()
    }
}

/// Records, in delivery order, every `<field>.changed` of `m` as `"<event> <previous>-><value>"`
/// (JSON), each `change` as `"change [names]"`, and each custom event in `custom` as
/// `"<name> <payload>"`.
pub fn record_events<T: ReactiveJson>(
    m: &Model<T>,
    log: &Log,
    custom: &[&str],
) -> Vec<Subscription> {
    let mut subs = Vec::new();
    for name in T::FIELDS.iter().map(|f| f.name()) {
        let l = log.clone();
        subs.push(m.on_event(&format!("{name}.changed"), move |e| {
            l.push(format!(
                "{} {}->{}",
                e.name(),
                e.value()["previous"],
                e.value()["value"]
            ))
        }));
    }
    let l = log.clone();
    subs.push(
        m.on_change(move |_, c| l.push(format!("change {:?}", c.names().collect::<Vec<_>>()))),
    );
    for name in custom {
        let l = log.clone();
        subs.push(m.on_event(name, move |e| l.push(format!("{} {}", e.name(), e.value()))));
    }
    subs
}
