//! Everything a user of the live model needs, in one import.
//!
//! ```
//! use reactive::prelude::*;
//!
//! #[derive(Reactive, Clone, Serialize, Deserialize)]
//! struct Note { text: String }
//!
//! let note = Model::new(Note { text: "hi".into() });
//! note.set_text("hello")?;
//! # Ok::<(), Error>(())
//! ```

pub use crate::provider::Provider;
pub use crate::{
    async_trait, Batch, Change, ChangeStream, Changes, ComputedField, Entity, EntityHooks,
    EntityId, Error, Event, Field, IntoValue, Key, Lagged, Model, ModelHooks, Pending, Plugin,
    PluginCall, Reactive, ReactiveJson, Registry, RegistryEvent, Subscription, ValidationReport,
    WeakModel, WritableKey,
};
pub use crate::{Collection, CollectionEvent, Cursor, Filter, Page, Query, Queryable};
pub use serde::{Deserialize, Serialize};
