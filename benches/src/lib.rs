//! Benchmarks of the live model.
//!
//! Every [`cases::Case`] times our path next to a hand-written floor that does the same work
//! (the same struct, lock, comparison, payload and listener calls; for the SQL providers the
//! same thread hop, statements and identity map, in [`sql`]) and, where the issue names one,
//! next to peer libraries, all in the same process and run. The ratios are checked
//! against the targets by the `report` binary; the criterion harness in `benches/model.rs`
//! runs the same code and prints the same table. See the package README.

pub mod alloc;
pub mod cases;
pub mod entity;
pub mod floor;
pub mod heap;
pub mod instructions;
pub mod measure;
pub mod ours;
pub mod page;
pub mod peers;
pub mod probe;
pub mod rules;
pub mod sql;
pub mod subjects;
pub mod subscriptions;
pub mod table;
