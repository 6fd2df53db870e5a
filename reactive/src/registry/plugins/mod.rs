//! Entity hooks and plugins: code a registry runs around every provider call of an entity.
//!
//! Policy (ADR 0005): `before_*` hooks and plugins run before the provider is called, in
//! order (the entity's [`EntityHooks`] first, then the plugins by priority, highest first); the
//! first error (or panic) aborts the operation with [`Error::Aborted`], and then the provider is
//! not called, nothing is written and the model is as it was. `after_*` hooks observe a call
//! that succeeded: the store is written already, so they cannot fail it (a panic in one is
//! logged and the others still run).

mod chain;
mod hooks;
mod plugin;
mod registration;

use std::fmt;

pub(crate) use chain::prepare_publish;
pub use hooks::EntityHooks;
pub use plugin::{Plugin, PluginCall};
pub(crate) use registration::Plugins;

/// What a provider call does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operation {
    /// Load an entity (`Model::load`, `Registry::get_or_load`, `Registry::load_many`).
    Load,
    /// Insert or update an entity (`Model::publish`).
    Publish,
    /// Delete an entity (`Model::delete`).
    Delete,
}

impl Operation {
    /// `"load"`, `"publish"` or `"delete"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Load => "load",
            Operation::Publish => "publish",
            Operation::Delete => "delete",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
