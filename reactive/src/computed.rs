//! Computed fields.
//!
//! A field marked `#[reactive(computed = ..)]` is derived from other fields. It is recomputed
//! once per batch in which one of its dependencies changed (never when only unrelated fields
//! changed), after the plain fields and in dependency order, and emits `<name>.changed` only
//! when its value changed. It is computed when the model is created, so the first event
//! carries the right `previous` even if the field was never read.
//!
//! Its key is a [`ComputedField`](crate::ComputedField): `get` and `on` work, `set` does not
//! compile. A write to it inside `update` is overwritten by the recompute.
//!
//! Inside an open `update` or `batch`, computed fields keep their committed value: they are
//! recomputed once, when the batch commits (reading one there does not see the batch's own
//! writes to its dependencies). A compute function receives `&self` and should use only it.
//!
//! ```
//! use reactive::prelude::*;
//!
//! #[derive(Reactive, Clone)]
//! pub struct SyncJob {
//!     pub processed_items: u64,
//!     pub total_items: u64,
//!     #[reactive(computed = Self::progress_of, deps(processed_items, total_items))]
//!     pub progress: f64,
//!     #[reactive(computed = self.total_items - self.processed_items)]
//!     pub remaining: u64,
//! }
//!
//! impl SyncJob {
//!     fn progress_of(&self) -> f64 {
//!         if self.total_items == 0 { 0.0 } else { self.processed_items as f64 * 100.0 / self.total_items as f64 }
//!     }
//! }
//!
//! let job = Model::new(SyncJob { processed_items: 0, total_items: 4, progress: 0.0, remaining: 0 });
//! job.set_processed_items(1)?;
//! assert_eq!(job.progress(), 25.0);
//! assert_eq!(job.remaining(), 3);
//! # Ok::<(), reactive::Error>(())
//! ```
