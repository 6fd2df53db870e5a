//! The provider-call state of an entity model, kept with its value under one lock.

use serde::Serialize;

/// Provider-call state of an entity model. Each change emits `<flag>.changed` with
/// `{ "value", "previous" }` (never `change`).
///
/// ```
/// use reactive::Flags;
/// let flags = Flags::default();
/// assert_eq!(flags.fetching, 0);
/// assert!(!flags.fetched && !flags.found && !flags.processing && !flags.deleted);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Flags {
    /// Loads in flight.
    pub fetching: u32,
    /// A load has completed.
    pub fetched: bool,
    /// The last completed load found the entity.
    pub found: bool,
    /// A publish or delete is in flight (or waiting for its turn behind another one of this
    /// model): true until the last of them ends.
    pub processing: bool,
    /// The entity was deleted.
    pub deleted: bool,
}
