//! The memory provider's storage: a map's interface over rows kept side by side, so that an
//! index can name a row by its position.

use std::collections::HashMap;

use super::page::IdIndex;
use crate::entity::Entity;

/// The stored values by id. Reads and writes look like a `HashMap`'s; every write makes
/// [`Rows::index`] stale (a generation counter), so it is rebuilt before a page uses it.
pub(super) struct Rows<T: Entity> {
    /// Where each id's row is in `entries`.
    positions: HashMap<T::Id, usize>,
    /// The rows with their ids, in no particular order (a removal moves the last one into
    /// the gap).
    entries: Vec<(T::Id, T)>,
    /// Bumped by every write.
    generation: u64,
    /// The index by id of some generation of these rows, kept by the pages.
    pub(super) index: IdIndex,
}

impl<T: Entity> Default for Rows<T> {
    fn default() -> Self {
        Rows {
            positions: HashMap::new(),
            entries: Vec::new(),
            // An index starts at generation 0: stale.
            generation: 1,
            index: IdIndex::default(),
        }
    }
}

impl<T: Entity> Rows<T> {
    /// The generation of the rows: it changes with every write.
    pub(super) fn generation(&self) -> u64 {
        self.generation
    }

    /// The rows with their ids; positions are stable until the next write.
    pub(super) fn entries(&self) -> &[(T::Id, T)] {
        &self.entries
    }

    pub(super) fn get(&self, id: &T::Id) -> Option<&T> {
        self.positions.get(id).map(|&at| &self.entries[at].1)
    }

    pub(super) fn contains_key(&self, id: &T::Id) -> bool {
        self.positions.contains_key(id)
    }

    pub(super) fn len(&self) -> usize {
        self.entries.len()
    }

    pub(super) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub(super) fn values(&self) -> impl Iterator<Item = &T> {
        self.entries.iter().map(|(_, row)| row)
    }

    /// A write: the row may change in any way, its id field included.
    pub(super) fn get_mut(&mut self, id: &T::Id) -> Option<&mut T> {
        self.generation += 1;
        let at = *self.positions.get(id)?;
        Some(&mut self.entries[at].1)
    }

    /// Stores `value` as the row of `id`; the row it replaces, if any.
    pub(super) fn insert(&mut self, id: T::Id, value: T) -> Option<T> {
        self.generation += 1;
        match self.positions.get(&id) {
            Some(&at) => Some(std::mem::replace(&mut self.entries[at].1, value)),
            None => {
                self.positions.insert(id.clone(), self.entries.len());
                self.entries.push((id, value));
                None
            }
        }
    }

    /// Removes the row of `id`, if any.
    pub(super) fn remove(&mut self, id: &T::Id) -> Option<T> {
        self.generation += 1;
        let at = self.positions.remove(id)?;
        let (_, row) = self.entries.swap_remove(at);
        if let Some((moved, _)) = self.entries.get(at) {
            if let Some(position) = self.positions.get_mut(moved) {
                *position = at;
            }
        }
        Some(row)
    }
}
