//! The registry and its provider calls: identity map, loading, live operations, plugins, conflicts, collections, concurrent calls, and the backend guide's use cases.
//!
//! One test binary for the group (each file a module named for it), so that a build links
//! it once.

mod common;

#[path = "registry/collection.rs"]
mod collection;
#[path = "registry/concurrent_calls.rs"]
mod concurrent_calls;
#[path = "registry/conflicts.rs"]
mod conflicts;
#[path = "registry/live.rs"]
mod live;
#[path = "registry/loading.rs"]
mod loading;
#[path = "registry/plugins.rs"]
mod plugins;
#[path = "registry/registry.rs"]
mod registry;
#[path = "registry/registry_load_many.rs"]
mod registry_load_many;
#[path = "registry/seed_backend.rs"]
mod seed_backend;
