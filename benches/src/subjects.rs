//! The benchmarked structs: six `u64` fields each.

use reactive::prelude::*;

/// Six plain `u64` fields: the struct of every set, batch and creation figure.
#[derive(Reactive, Clone, Debug, Default, PartialEq, Serialize)]
pub struct Six {
    /// Written by the set cases and the batch case.
    pub a: u64,
    /// Written by the batch case.
    pub b: u64,
    /// Written by the batch case.
    pub c: u64,
    /// Never written.
    pub d: u64,
    /// Never written.
    pub e: u64,
    /// Never written.
    pub f: u64,
}

impl Six {
    /// A value whose fields all differ, starting at `a`.
    pub fn starting_at(a: u64) -> Six {
        Six {
            a,
            b: a + 1,
            c: a + 2,
            d: a + 3,
            e: a + 4,
            f: a + 5,
        }
    }
}

/// [`Six`] with `#[reactive(hooks)]` and an empty [`ModelHooks`] impl: what opting into set
/// hooks costs when they do nothing.
#[derive(Reactive, Clone, Debug, Default, PartialEq, Serialize)]
#[reactive(hooks)]
pub struct Hooked {
    /// Written by the hooked set.
    pub a: u64,
    /// Never written.
    pub b: u64,
    /// Never written.
    pub c: u64,
    /// Never written.
    pub d: u64,
    /// Never written.
    pub e: u64,
    /// Never written.
    pub f: u64,
}

// Empty on purpose: the defaults, reached through the hooked set path.
impl ModelHooks for Hooked {}

/// Six `u64` fields, the last computed from two others: the struct of the computed figure.
#[derive(Reactive, Clone, Debug, Default, PartialEq)]
pub struct Summed {
    /// The dependency the computed case writes.
    pub a: u64,
    /// The other dependency, never written.
    pub b: u64,
    /// Unrelated.
    pub c: u64,
    /// Unrelated.
    pub d: u64,
    /// Unrelated.
    pub e: u64,
    /// `a + b`.
    #[reactive(computed = self.a + self.b)]
    pub sum: u64,
}

/// The value of `Summed::b` in every computed benchmark.
pub const SUMMED_B: u64 = 7;

impl Summed {
    /// The starting value of the computed benchmarks (`sum` already right).
    pub fn start() -> Summed {
        Summed {
            a: 0,
            b: SUMMED_B,
            c: 0,
            d: 0,
            e: 0,
            sum: SUMMED_B,
        }
    }
}

/// [`Six`] made an entity: an `id: u64` and the same six `u64` fields. The struct of the
/// registry, loading and heap figures.
#[derive(Reactive, Clone, Debug, Default, PartialEq)]
#[entity("items")]
pub struct Item {
    /// The entity's id.
    pub id: u64,
    /// `id * 3`, summed by the loading benches' checks.
    pub a: u64,
    /// Never written.
    pub b: u64,
    /// Never written.
    pub c: u64,
    /// Never written.
    pub d: u64,
    /// Never written.
    pub e: u64,
    /// Never written.
    pub f: u64,
}

impl Item {
    /// The stored value of `id` (fields all differ; `a` is `id * 3`).
    pub fn numbered(id: u64) -> Item {
        Item {
            id,
            a: id * 3,
            b: id + 1,
            c: id + 2,
            d: id + 3,
            e: id + 4,
            f: id + 5,
        }
    }

    /// The sum of `a` over the items numbered `0..n`.
    pub fn sum_of_a(n: u64) -> u64 {
        3 * (n * n.saturating_sub(1) / 2)
    }
}
