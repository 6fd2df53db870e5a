//! The contract between the runtime and the handle types the derive generates (`UserHandle`,
//! `UserBatch`): how a handle is made from the model's storage and reads it back. Reached by
//! generated code as `__private::{HandleOf, BatchOf}`.

use crate::model::batch::RawBatch;
use crate::model::meta::Reactive;
use crate::model::raw::RawModel;

/// The generated handle type behind `Model<T>`'s `Deref`.
pub trait HandleOf<T: Reactive>: Send + Sync + 'static {
    /// The handle of a model's storage.
    fn __from_raw(raw: RawModel<T>) -> Self;
    /// The storage behind the handle.
    fn __raw(&self) -> &RawModel<T>;
}

/// The generated handle type behind `Batch<'a, T>`'s `Deref`.
pub trait BatchOf<'a, T: Reactive> {
    /// The handle of an open batch.
    fn __from_raw(raw: RawBatch<'a, T>) -> Self;
    /// The batch behind the handle.
    fn __raw(&self) -> &RawBatch<'a, T>;
    /// The batch behind the handle, to write.
    fn __raw_mut(&mut self) -> &mut RawBatch<'a, T>;
}
