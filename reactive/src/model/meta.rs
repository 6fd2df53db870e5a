//! The trait the derive implements, and the field table it generates.

use crate::event::erased::ErasedChange;
use crate::model::hooks::ModelHooks;
use crate::model::key::{ComputedField, Field};

use crate::event::field_set::FieldSet;

/// What a field is to the runtime.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// A plain field: written by the user, diffed, emits `<name>.changed`.
    Plain,
    /// A computed field: recomputed from its dependencies once per batch, read-only.
    Computed,
}

/// Builds a field's `Change` from the old and new states and hands it over type-erased:
/// implemented by the field keys, which the field table points to. Not for users.
#[doc(hidden)]
pub trait EmitChange<T>: Sync {
    /// Calls `f` with the `Change` of this field from `old` to `new`.
    fn emit(&self, old: &T, new: &T, f: &mut dyn FnMut(ErasedChange<'_>));
}

/// One row of a type's field table (`T::FIELDS`), in declaration order.
///
/// `#[reactive(skip)]` fields are not in the table: they are not reactive.
///
/// ```
/// use reactive::prelude::*;
/// use reactive::FieldKind;
///
/// #[derive(Reactive, Clone)]
/// struct Job {
///     done: u64,
///     total: u64,
///     #[reactive(computed = self.total - self.done)]
///     left: u64,
/// }
///
/// let left = &Job::FIELDS[2];
/// assert_eq!((left.name(), left.event()), ("left", "left.changed"));
/// assert_eq!(left.kind(), FieldKind::Computed);
/// assert!(Job::FIELDS[0].has_dependents() && !left.has_dependents());
/// ```
pub struct FieldInfo<T: 'static> {
    name: &'static str,
    event: &'static str,
    kind: FieldKind,
    dependents: bool,
    key: &'static dyn EmitChange<T>,
}

impl<T: 'static> FieldInfo<T> {
    /// The row of the plain field of `key`, whose event is named `event`.
    #[doc(hidden)]
    pub const fn plain<V: 'static>(key: &'static Field<T, V>, event: &'static str) -> Self
    where
        Field<T, V>: EmitChange<T>,
    {
        FieldInfo {
            name: key.name_const(),
            event,
            kind: FieldKind::Plain,
            dependents: false,
            key,
        }
    }

    /// The row of the computed field of `key`, whose event is named `event`.
    #[doc(hidden)]
    pub const fn computed<V: 'static>(
        key: &'static ComputedField<T, V>,
        event: &'static str,
    ) -> Self
    where
        ComputedField<T, V>: EmitChange<T>,
    {
        FieldInfo {
            name: key.name_const(),
            event,
            kind: FieldKind::Computed,
            dependents: false,
            key,
        }
    }

    /// The same row, for a field that computed fields depend on.
    #[doc(hidden)]
    pub const fn with_dependents(mut self) -> Self {
        self.dependents = true;
        self
    }

    /// The field's name (its `rename`, if any).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The field's event: `<name>.changed`.
    pub fn event(&self) -> &'static str {
        self.event
    }

    /// Plain or computed.
    pub fn kind(&self) -> FieldKind {
        self.kind
    }

    /// Whether computed fields depend on this one (a write must recompute them).
    pub fn has_dependents(&self) -> bool {
        self.dependents
    }

    pub(crate) fn emit(&self, old: &T, new: &T, f: &mut dyn FnMut(ErasedChange<'_>)) {
        self.key.emit(old, new, f)
    }
}

/// The name of field `index` of `T`, if there is one.
pub fn field_name<T: Reactive>(index: usize) -> Option<&'static str> {
    T::FIELDS.get(index).map(FieldInfo::name)
}

impl<T: 'static> std::fmt::Debug for FieldInfo<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FieldInfo")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .finish()
    }
}

/// What the type of a `#[reactive(skip)]` field must be: `Send + Sync` (the model is shared
/// across threads, its skipped fields with it). Implemented for every such type; the derive
/// asks for it at each skipped field's type, so that a type that is not reports there, once.
///
/// The parameter is the derive's concern, not the user's: the one impl a user meets is
/// `SkippedField` (that is, `SkippedField<()>`) for every `Send + Sync` type. A second impl,
/// for no type at all, makes the derive's check (`SkippedField<_>`) pick between two impls;
/// when neither applies rustc reports the unmet trait itself, one error, instead of each of
/// `Send` and `Sync` that the single impl would have left unmet.
///
/// ```
/// fn skippable<T: reactive::SkippedField + ?Sized>() {}
/// skippable::<std::sync::Mutex<Vec<u8>>>();
/// ```
#[diagnostic::on_unimplemented(
    message = "a `#[reactive(skip)]` field must still be `Send + Sync`: `{Self}` is not",
    label = "not `Send + Sync`",
    note = "the model is shared across threads and its skipped fields with it: use `Arc` for `Rc`, `Mutex` or `RwLock` for `RefCell`, atomics for `Cell`"
)]
pub trait SkippedField<Proof = ()> {
    #[doc(hidden)]
    /// Named by the derive's check at a skipped field's type.
    const __CHECK: () = ();
}

impl<T: ?Sized + Send + Sync> SkippedField for T {}

impl<T: ?Sized + unreachable::Uninhabited> SkippedField<unreachable::NoType> for T {}

/// The second impl's parts: a trait no type implements (sealed in a private module).
mod unreachable {
    /// Implemented by no type.
    pub trait Uninhabited {}
    /// The second impl's parameter.
    pub enum NoType {}
}

/// A struct that can live in a [`Model`](crate::Model): implemented by `#[derive(Reactive)]`.
///
/// Implement it with the derive, never by hand: the hidden items are the derive's contract with
/// the runtime and change between versions.
///
/// ```
/// use reactive::prelude::*;
///
/// #[derive(Reactive, Clone)]
/// struct Job { done: u64, total: u64 }
///
/// let names: Vec<_> = Job::FIELDS.iter().map(|f| f.name()).collect();
/// assert_eq!(names, ["done", "total"]);
/// ```
pub trait Reactive: ModelHooks + Clone + Send + Sync + Sized + 'static {
    /// The type's name in messages and traces.
    const TYPE_NAME: &'static str;
    /// The field table, in declaration order.
    const FIELDS: &'static [FieldInfo<Self>];
    #[doc(hidden)]
    /// Field indices in event order: plain fields in declaration order, then computed fields in
    /// dependency order.
    const __EVENT_ORDER: &'static [u16];
    #[doc(hidden)]
    /// Whether the type has `#[reactive(skip)]` fields.
    const __HAS_SKIPPED: bool = false;
    #[doc(hidden)]
    /// Whether the type opted into `ModelHooks` with `#[reactive(hooks)]`.
    const __HOOKS: bool = false;
    #[doc(hidden)]
    /// Whether the type opted into validation with `#[reactive(validate)]`.
    const __VALIDATE: bool = false;

    /// The generated handle `Model<Self>` derefs to (per-field getters, setters, listeners).
    type Handle: crate::model::handles::HandleOf<Self>;
    /// The generated handle `Batch<'_, Self>` derefs to (per-field setters).
    type BatchHandle<'a>: crate::model::handles::BatchOf<'a, Self>;

    #[doc(hidden)]
    /// The plain fields whose values differ between `self` and `other`.
    fn __diff(&self, other: &Self) -> FieldSet;
    #[doc(hidden)]
    /// Recomputes the computed fields whose dependencies are in `changed`, copies the others
    /// from `base`, and adds each computed field whose value differs from `base` to `changed`.
    fn __recompute(&mut self, base: &Self, changed: &mut FieldSet) {
        let _ = (base, changed);
    }
    #[doc(hidden)]
    /// Recomputes every computed field (used when a model is created).
    fn __recompute_all(&mut self) {}
    #[doc(hidden)]
    /// Validates the whole value (garde rules, with `#[reactive(validate)]`): errors keyed by
    /// field names. The default (no `validate`) accepts everything.
    fn __validate(&self) -> Result<(), crate::ValidationReport> {
        Ok(())
    }
    #[doc(hidden)]
    /// Copies the plain fields in `fields` from `from` (a provider applying an update).
    fn __copy_fields(&mut self, from: &Self, fields: FieldSet);
    #[doc(hidden)]
    /// Moves the `#[reactive(skip)]` fields of `self` into `to` (by swapping them).
    fn __copy_skipped(&mut self, to: &mut Self) {
        let _ = to;
    }
}

/// The JSON side of a reactive type: implemented by the derive when every field is
/// `Serialize`. Needed by string-keyed listeners and change streams only.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has a reactive field that is not `Serialize`",
    label = "string-keyed listeners and change streams need JSON",
    note = "derive or implement `Serialize` for every reactive field's type, or mark a field `#[reactive(skip)]`; typed listeners (`on`, `on_<field>`, `on_change`) need no `Serialize`"
)]
pub trait ReactiveJson: Reactive {
    #[doc(hidden)]
    /// The JSON payload `{ "value": .., "previous": .. }` of the `Change` of field `index`.
    fn __change_json(index: usize, change: &dyn std::any::Any) -> Option<serde_json::Value>;
}
