//! Providers: where entities are stored. Async traits, one implementation per backend.
//!
//! [`MemoryProvider`] is the reference implementation (and the semantics every other provider
//! must match).

mod memory;
#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(feature = "sqlite")]
pub mod sqlite;
// Test doubles for applications' tests.
#[cfg(feature = "test-util")]
pub mod testing;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod transaction;

use std::sync::Arc;

use async_trait::async_trait;

use crate::entity::Entity;
use crate::error::Error;
use crate::event::field_set::FieldSet;
use crate::query::{Page, Query, Queryable};

pub use memory::MemoryProvider;

/// What a publish asks the store to do.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Publish<T: Entity> {
    /// Store a new entity (a draft's whole value). A generated id is `None` and assigned by the
    /// store.
    Insert(T),
    /// Update an existing entity: only `fields` (the dirty fields) are written, and only if
    /// the stored version is `expected_version` (for a versioned entity).
    Update {
        /// The entity's id.
        id: T::Id,
        /// The model's value; only `fields` of it are written.
        value: T,
        /// The fields to write (plain fields, by field-table index).
        fields: FieldSet,
        /// The version the update was made against.
        expected_version: Option<u64>,
    },
}

impl<T: Entity> Publish<T> {
    /// The names of the fields written: every field for an insert.
    pub fn field_names(&self) -> Vec<&'static str> {
        match self {
            Publish::Insert(_) => T::FIELDS.iter().map(crate::FieldInfo::name).collect(),
            Publish::Update { fields, .. } => fields
                .iter()
                .filter_map(crate::model::meta::field_name::<T>)
                .collect(),
        }
    }

    /// The value being published.
    pub fn value(&self) -> &T {
        match self {
            Publish::Insert(value) | Publish::Update { value, .. } => value,
        }
    }

    /// The value being published, to rewrite it (in a before-publish hook).
    pub fn value_mut(&mut self) -> &mut T {
        match self {
            Publish::Insert(value) | Publish::Update { value, .. } => value,
        }
    }
}

/// A store of entities of type `T`.
///
/// Every provider returns the same typed errors for the same situations:
/// [`Error::Conflict`] for a version mismatch, [`Error::NotFound`] for an update or delete of
/// an id it does not have, and `Ok(None)` from [`load`](Provider::load) for an unknown id.
///
/// ```
/// use reactive::prelude::*;
/// use reactive::provider::{MemoryProvider, Provider};
///
/// #[derive(Reactive, Clone, Debug)]
/// #[entity("users")]
/// struct User { id: String, name: String }
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let store = MemoryProvider::<User>::new();
/// store.insert(User { id: "u1".into(), name: "Ada".into() });
/// let found = store.load(&"u1".to_string()).await?;
/// assert_eq!(found.map(|u| u.name), Some("Ada".to_string()));
/// # Ok::<(), reactive::Error>(()) }).unwrap();
/// ```
#[async_trait]
pub trait Provider<T: Entity>: Send + Sync + 'static {
    /// The stored value of `id`, or `None`.
    async fn load(&self, id: &T::Id) -> Result<Option<T>, Error>;

    /// Stores `request`; returns the stored value (with its new version, generated id and any
    /// defaults the store applied).
    async fn publish(&self, request: Publish<T>) -> Result<T, Error>;

    /// Deletes `id`, if its stored version is `expected_version` (for a versioned entity).
    async fn delete(&self, id: &T::Id, expected_version: Option<u64>) -> Result<(), Error>;

    /// The stored values of `ids` that exist, in any order. The default loads them one by one.
    async fn load_many(&self, ids: &[T::Id]) -> Result<Vec<T>, Error> {
        let mut found = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(value) = self.load(id).await? {
                found.push(value);
            }
        }
        Ok(found)
    }

    /// One page of the entities `query` selects, with the semantics of [`crate::query`]
    /// ([`MemoryProvider`] is the reference). A provider that cannot serve part of a query
    /// returns [`Error::Unsupported`] (see [`Query::require`]); the default supports nothing.
    async fn list(&self, query: &Query<T>) -> Result<Page<T>, Error>
    where
        T: Queryable,
    {
        let _ = query;
        Err(Error::Unsupported {
            entity: T::ENTITY,
            what: "listing (`list`)".to_string(),
        })
    }
}

/// A shared provider is a provider (several registries over one store).
#[async_trait]
impl<T: Entity, P: Provider<T>> Provider<T> for Arc<P> {
    async fn load(&self, id: &T::Id) -> Result<Option<T>, Error> {
        (**self).load(id).await
    }
    async fn publish(&self, request: Publish<T>) -> Result<T, Error> {
        (**self).publish(request).await
    }
    async fn delete(&self, id: &T::Id, expected_version: Option<u64>) -> Result<(), Error> {
        (**self).delete(id, expected_version).await
    }
    async fn load_many(&self, ids: &[T::Id]) -> Result<Vec<T>, Error> {
        (**self).load_many(ids).await
    }
    async fn list(&self, query: &Query<T>) -> Result<Page<T>, Error>
    where
        T: Queryable,
    {
        (**self).list(query).await
    }
}
