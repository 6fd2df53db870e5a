//! What delivery needs of the model, so that the delivery layer does not depend on it:
//! [`Source`], a model type's names and fields (implemented for every reactive type), and
//! [`Host`], the live model a batch is delivered for (implemented by the model's storage).

use crate::event::erased::{Erased, ErasedChange};
use crate::event::hub::Hub;

/// A model type as its events see it.
pub(crate) trait Source: Sized + Send + Sync + 'static {
    /// The type's name, in reports.
    const TYPE_NAME: &'static str;
    /// The name of field `index`, if there is one.
    fn field_name(index: usize) -> Option<&'static str>;
    /// Field-table indices in the order their events are emitted.
    const EVENT_ORDER: &'static [u16];
    /// The number of fields in the table.
    const FIELD_COUNT: usize;

    /// The event name of field `index` (`<name>.changed`; empty when out of range).
    fn event_name(index: usize) -> &'static str;

    /// Calls `f` with field `index`'s `Change` from `old` to `new`.
    fn emit_field(index: usize, old: &Self, new: &Self, f: &mut dyn FnMut(ErasedChange<'_>));
}

/// The live model a batch is delivered for: its hub, and its handle for `change` listeners.
pub(crate) trait Host<T: Source>: Clone + Send + 'static {
    /// The model's hub.
    fn hub(&self) -> &Hub<T>;

    /// Runs `f` with the model's handle as `change` listeners receive it (an erased
    /// `&Model<T>`), without touching its reference count.
    fn with_handle<R>(&self, f: impl FnOnce(Erased<'_>) -> R) -> R;
}
