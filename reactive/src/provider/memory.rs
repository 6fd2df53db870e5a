//! The in-memory provider: the reference semantics every provider must match.

mod page;
mod rows;

use async_trait::async_trait;
use parking_lot::Mutex;

use crate::entity::Entity;
use crate::error::Error;
use crate::provider::{Provider, Publish};
use crate::query::{Page, Query, Queryable};

use rows::Rows;

type IdGenerator<Id> = Box<dyn Fn() -> Id + Send + Sync>;

/// Entities kept in a map, in this process. Versioned entities get version 1 on insert and
/// one more on each update; a stale expected version is [`Error::Conflict`].
///
/// A page ordered by id walks an index of the ids from the cursor and stops after the page,
/// like a database's primary key (the index is rebuilt by the first page after a write);
/// a page in another order scans every row.
///
/// ```
/// use reactive::prelude::*;
/// use reactive::provider::{MemoryProvider, Provider, Publish};
///
/// #[derive(Reactive, Clone, Debug)]
/// #[entity("notes")]
/// struct Note { #[reactive(id, generated)] id: Option<u64>, text: String }
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let next = std::sync::atomic::AtomicU64::new(1);
/// let store = MemoryProvider::<Note>::new()
///     .with_ids(move || next.fetch_add(1, std::sync::atomic::Ordering::SeqCst));
/// let stored = store.publish(Publish::Insert(Note { id: None, text: "hi".into() })).await?;
/// assert_eq!(stored.id, Some(1));
/// assert_eq!(store.len(), 1);
/// # Ok::<(), reactive::Error>(()) }).unwrap();
/// ```
pub struct MemoryProvider<T: Entity> {
    rows: Mutex<Rows<T>>,
    ids: Option<IdGenerator<T::Id>>,
}

impl<T: Entity> Default for MemoryProvider<T> {
    fn default() -> Self {
        MemoryProvider {
            rows: Mutex::new(Rows::default()),
            ids: None,
        }
    }
}

impl<T: Entity> MemoryProvider<T> {
    /// An empty store.
    pub fn new() -> Self {
        MemoryProvider::default()
    }

    /// Assigns generated ids (`#[reactive(id, generated)]`) with `next`.
    pub fn with_ids(mut self, next: impl Fn() -> T::Id + Send + Sync + 'static) -> Self {
        self.ids = Some(Box::new(next));
        self
    }

    /// Stores `value` directly (test fixtures, seeding); replaces a stored value of its id.
    /// A value without an id is ignored.
    pub fn insert(&self, value: T) {
        if let Some(id) = value.id() {
            self.rows.lock().insert(id, value);
        }
    }

    /// A clone of the stored value of `id`.
    pub fn get(&self, id: &T::Id) -> Option<T> {
        self.rows.lock().get(id).cloned()
    }

    /// How many entities are stored.
    pub fn len(&self) -> usize {
        self.rows.lock().len()
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.rows.lock().is_empty()
    }

    /// Clones of every stored value, in no particular order.
    pub fn values(&self) -> Vec<T> {
        self.rows.lock().values().cloned().collect()
    }

    fn conflict(id: &T::Id, expected: Option<u64>, actual: Option<u64>) -> Error {
        Error::Conflict {
            entity: T::ENTITY,
            id: format!("{id:?}"),
            expected,
            actual,
        }
    }

    fn not_found(id: &T::Id) -> Error {
        Error::NotFound {
            entity: T::ENTITY,
            id: format!("{id:?}"),
        }
    }
}

#[async_trait]
impl<T: Entity> Provider<T> for MemoryProvider<T> {
    async fn load(&self, id: &T::Id) -> Result<Option<T>, Error> {
        // An id no store can hold (a NUL character) is refused, as SQL providers refuse to
        // bind it.
        T::__check_id(id)?;
        Ok(self.get(id))
    }

    async fn load_many(&self, ids: &[T::Id]) -> Result<Vec<T>, Error> {
        for id in ids {
            T::__check_id(id)?;
        }
        let rows = self.rows.lock();
        let mut found = Vec::with_capacity(ids.len());
        found.extend(ids.iter().filter_map(|id| rows.get(id).cloned()));
        Ok(found)
    }

    async fn publish(&self, request: Publish<T>) -> Result<T, Error> {
        match request {
            Publish::Insert(mut value) => {
                // What no store holds alike is refused first, as SQL providers refuse it
                // while binding the statement.
                value.__check_values(None)?;
                let id = match value.id() {
                    Some(id) => id,
                    None => {
                        let next = self
                            .ids
                            .as_ref()
                            .ok_or(Error::MissingId { entity: T::ENTITY })?;
                        let id = next();
                        value.__set_id(id.clone());
                        id
                    }
                };
                let mut rows = self.rows.lock();
                if rows.contains_key(&id) {
                    return Err(Error::AlreadyStored {
                        entity: T::ENTITY,
                        id: format!("{id:?}"),
                    });
                }
                if T::VERSIONED {
                    value.__set_version(1);
                }
                // The stored computed fields are those of the stored value, as a load from
                // any store recomputes them.
                value.__recompute_all();
                rows.insert(id, value.clone());
                Ok(value)
            }
            Publish::Update {
                id,
                value,
                fields,
                expected_version,
            } => {
                value.__check_values(Some(&fields))?;
                let mut rows = self.rows.lock();
                let stored = rows.get_mut(&id).ok_or_else(|| Self::not_found(&id))?;
                if T::VERSIONED && stored.version() != expected_version {
                    return Err(Self::conflict(&id, expected_version, stored.version()));
                }
                stored.__copy_fields(&value, fields);
                if T::VERSIONED {
                    let next = stored.version().unwrap_or(0) + 1;
                    stored.__set_version(next);
                }
                stored.__recompute_all();
                Ok(stored.clone())
            }
        }
    }

    async fn delete(&self, id: &T::Id, expected_version: Option<u64>) -> Result<(), Error> {
        T::__check_id(id)?;
        let mut rows = self.rows.lock();
        let stored = rows.get(id).ok_or_else(|| Self::not_found(id))?;
        if T::VERSIONED && expected_version.is_some() && stored.version() != expected_version {
            return Err(Self::conflict(id, expected_version, stored.version()));
        }
        rows.remove(id);
        Ok(())
    }

    async fn list(&self, query: &Query<T>) -> Result<Page<T>, Error>
    where
        T: Queryable,
    {
        let plan = query.plan()?;
        page::page(&plan, &mut self.rows.lock())
    }
}

impl<T: Entity> std::fmt::Debug for MemoryProvider<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryProvider")
            .field("entity", &T::ENTITY)
            .field("len", &self.len())
            .finish()
    }
}
