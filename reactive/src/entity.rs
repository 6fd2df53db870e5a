//! Persisted entities: `#[entity("users")]` gives a reactive type an entity name, an id and
//! optionally a version.

use std::fmt::Debug;
use std::hash::Hash;

use crate::model::meta::Reactive;

/// A reactive type stored by providers and kept live in a [`Registry`](crate::Registry):
/// implemented by `#[derive(Reactive)]` with `#[entity("name")]`.
///
/// The id is the field named `id`, or the field marked `#[reactive(id)]`; with
/// `#[reactive(id, generated)]` the field is an `Option<Id>` that the store fills on the first
/// publish. `#[reactive(version)]` marks a `u64` field used for optimistic concurrency.
///
/// ```
/// use reactive::prelude::*;
///
/// #[derive(Reactive, Clone, Debug)]
/// #[entity("users")]
/// struct User { id: String, name: String }
///
/// assert_eq!(User::ENTITY, "users");
/// let user = User { id: "u1".into(), name: "Ada".into() };
/// assert_eq!(user.id(), Some("u1".to_string()));
/// ```
pub trait Entity: Reactive {
    /// The id's type (for a generated id, the type inside the `Option`).
    type Id: Clone + Eq + Hash + Debug + Send + Sync + 'static;
    /// The entity's name: the table, the route, the registry's key.
    const ENTITY: &'static str;
    /// Whether the store assigns ids (`#[reactive(id, generated)]`).
    const ID_GENERATED: bool;
    /// Whether the type has a `#[reactive(version)]` field.
    const VERSIONED: bool;
    #[doc(hidden)]
    /// The id's position in the field table.
    const __ID_FIELD: usize;

    /// The id: `None` only for a generated id before the first publish.
    fn id(&self) -> Option<Self::Id>;
    #[doc(hidden)]
    /// Sets the id (a generated id assigned by the store).
    fn __set_id(&mut self, id: Self::Id);
    /// The version (`None` without a `#[reactive(version)]` field).
    fn version(&self) -> Option<u64>;
    #[doc(hidden)]
    /// Sets the version (no-op without a version field).
    fn __set_version(&mut self, version: u64);

    #[doc(hidden)]
    /// Checks the stored fields (those in `fields`, or all) the way every store must refuse
    /// alike: NUL in a string, a NaN or infinite float, an integer outside `i64` are
    /// [`Error::InvalidValue`](crate::Error::InvalidValue). A field whose type has no query
    /// value is not checked.
    fn __check_values(&self, fields: Option<&crate::FieldSet>) -> Result<(), crate::Error> {
        let _ = fields;
        Ok(())
    }

    #[doc(hidden)]
    /// Checks an id the same way (an id with a NUL character is refused by every store).
    fn __check_id(id: &Self::Id) -> Result<(), crate::Error> {
        let _ = id;
        Ok(())
    }
}

/// What an id type needs, as one trait: implemented for every
/// `Clone + Eq + Hash + Debug + Send + Sync + 'static` type. `#[entity]` requires it of the id
/// field's type, so a type that falls short is reported at that type.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an entity's id",
    label = "an id must be `Eq + Hash + Clone + Send + Sync + Debug + 'static`",
    note = "the registry keys live models by id: use an integer, a `String`, a `Uuid`, or a type deriving `Clone, PartialEq, Eq, Hash, Debug`"
)]
pub trait EntityId: Clone + Eq + Hash + Debug + Send + Sync + 'static {}

impl<T> EntityId for T where T: Clone + Eq + Hash + Debug + Send + Sync + 'static {}

/// The type of an id field (or the type inside a generated id's `Option`). Not a public API:
/// `#[entity]` reads and writes a concretely typed id through it, so that a type that is not an
/// [`EntityId`] is reported once, at that type, with this message.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an entity's id",
    label = "an id must be `Eq + Hash + Clone + Send + Sync + Debug + 'static`",
    note = "the registry keys live models by id: use an integer, a `String`, a `Uuid`, or a type deriving `Clone, PartialEq, Eq, Hash, Debug`"
)]
pub trait IdField {
    /// The id: `Self`.
    type Id: EntityId;
    /// The id of a field's value.
    fn __id(&self) -> Self::Id;
    /// The field's value of an id.
    fn __from_id(id: Self::Id) -> Self;
}

impl<T: EntityId> IdField for T {
    type Id = T;

    #[inline]
    fn __id(&self) -> T {
        self.clone()
    }

    #[inline]
    fn __from_id(id: T) -> T {
        id
    }
}

/// The type of a `#[reactive(version)]` field: `u64`. Not a public API: the derive reads and
/// writes the field through it, so a field of another type is reported at its type.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "a `#[reactive(version)]` field must be a `u64`, not `{Self}`",
    label = "the version is a `u64`",
    note = "the store sets the version on every publish and compares it on the next: declare the field `u64`"
)]
pub trait VersionField {
    /// The version.
    fn __get(&self) -> u64;
    /// Sets the version.
    fn __set(&mut self, version: u64);
}

impl VersionField for u64 {
    #[inline]
    fn __get(&self) -> u64 {
        *self
    }

    #[inline]
    fn __set(&mut self, version: u64) {
        *self = version;
    }
}
