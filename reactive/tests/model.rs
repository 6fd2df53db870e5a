//! The live model: computed fields, dirty state, events and listeners, hooks, skipped fields, change streams, threads, unsubscribing, validation.
//!
//! One test binary for the group (each file a module named for it), so that a build links
//! it once.

mod common;

#[path = "model/computed.rs"]
mod computed;
#[path = "model/dirty.rs"]
mod dirty;
#[path = "model/events.rs"]
mod events;
#[path = "model/hooks.rs"]
mod hooks;
#[path = "model/listeners.rs"]
mod listeners;
#[path = "model/skip.rs"]
mod skip;
#[path = "model/streams.rs"]
mod streams;
#[path = "model/threads.rs"]
mod threads;
#[path = "model/unsubscribe.rs"]
mod unsubscribe;
#[path = "model/validation.rs"]
mod validation;
