//! Heap per live registered entity, by live bytes (requested sizes, counted by
//! [`CountingAlloc`](crate::alloc::CountingAlloc) on this thread): `N` models registered in a
//! `Registry` against `N` `Arc<RwLock<Item>>`s with their entries in a
//! `HashMap<u64, Weak<..>>`, and what stays allocated once they are dropped.
//!
//! The vectors holding the handles are allocated before the first reading: they are the
//! caller's, the same on both sides. The registry has been used for `Item` once before (its
//! per-type set exists), so the figures are per entity.

use std::collections::HashMap;
use std::sync::{Arc, RwLock, Weak};

use reactive::prelude::*;

use crate::alloc;
use crate::probe::expect_eq;
use crate::subjects::Item;
use crate::table::{Row, Verdict};

/// Entities per measurement.
pub const N: u64 = 100_000;
/// Target: our bytes per entity at most this many times the floor's.
pub const TARGET: f64 = 3.0;

/// The measured figures.
#[derive(Clone, Copy, Debug)]
pub struct Heap {
    /// Bytes per registered model (model, registry entry, everything the registry keeps).
    pub ours_per_entity: f64,
    /// Bytes per `Arc<RwLock<Item>>` plus its `HashMap<u64, Weak>` entry.
    pub floor_per_entity: f64,
    /// Bytes per unregistered model (`Model::new`): what registering adds is the difference.
    pub ours_unregistered: f64,
    /// Bytes still allocated after dropping the `N` models, against before creating them.
    pub ours_retained: i64,
    /// Bytes still allocated after a second `N` created and dropped, against after the first.
    pub ours_retained_again: i64,
}

fn bytes_since(base: i64) -> i64 {
    alloc::live_bytes() - base
}

/// Measures both sides; `Err` when a side did not do its work (registry counts).
///
/// # Panics
///
/// When [`CountingAlloc`](crate::alloc::CountingAlloc) is not the global allocator.
pub fn measure() -> Result<Heap, String> {
    // Panics without the counting allocator: live bytes would read 0.
    alloc::count(|| ());
    let floor_per_entity = floor()?;
    let ours_unregistered = unregistered();

    let registry = Registry::new();
    drop(
        registry
            .create(Item::numbered(u64::MAX))
            .map_err(|e| e.to_string())?,
    );
    let mut held: Vec<Model<Item>> = Vec::with_capacity(N as usize);
    let fill = |held: &mut Vec<Model<Item>>| -> Result<(), String> {
        for id in 0..N {
            held.push(
                registry
                    .create(Item::numbered(id))
                    .map_err(|e| e.to_string())?,
            );
        }
        expect_eq("registered", registry.len::<Item>() as u64, N)
    };
    let base = alloc::live_bytes();
    fill(&mut held)?;
    let ours_per_entity = bytes_since(base) as f64 / N as f64;
    held.clear();
    expect_eq("registered after drop", registry.len::<Item>() as u64, 0)?;
    let ours_retained = bytes_since(base);

    let again = alloc::live_bytes();
    fill(&mut held)?;
    held.clear();
    expect_eq("registered after drop", registry.len::<Item>() as u64, 0)?;
    let ours_retained_again = bytes_since(again);
    Ok(Heap {
        ours_per_entity,
        floor_per_entity,
        ours_unregistered,
        ours_retained,
        ours_retained_again,
    })
}

/// Bytes per `Model::new`, kept in a vector allocated beforehand.
fn unregistered() -> f64 {
    let mut held: Vec<Model<Item>> = Vec::with_capacity(N as usize);
    let base = alloc::live_bytes();
    held.extend((0..N).map(|id| Model::new(Item::numbered(id))));
    bytes_since(base) as f64 / N as f64
}

/// Bytes per `Arc<RwLock<Item>>` and its identity-map entry.
fn floor() -> Result<f64, String> {
    let map: RwLock<HashMap<u64, Weak<RwLock<Item>>>> = RwLock::new(HashMap::new());
    let mut held = Vec::with_capacity(N as usize);
    let base = alloc::live_bytes();
    {
        let mut map = map.write().expect("lock");
        for id in 0..N {
            let item = Arc::new(RwLock::new(Item::numbered(id)));
            map.insert(id, Arc::downgrade(&item));
            held.push(item);
        }
    }
    let per_entity = bytes_since(base) as f64 / N as f64;
    expect_eq("floor entries", map.read().expect("lock").len() as u64, N)?;
    let live = held.iter().filter(|i| Arc::strong_count(i) == 1).count() as u64;
    expect_eq("floor items held", live, N)?;
    Ok(per_entity)
}

/// The report's rows: bytes per entity against the floor (<= [`TARGET`]), bytes retained
/// after the drop (== 0), and after a second round (shown).
pub fn rows(heap: &Heap) -> Vec<Row> {
    let ratio = heap.ours_per_entity / heap.floor_per_entity;
    let zero = |value: i64| {
        if value == 0 {
            Verdict::Ok
        } else {
            Verdict::Miss
        }
    };
    vec![
        Row {
            case: "heap bytes per live entity: registered Model / Arc<RwLock> + HashMap<u64, Weak> entry"
                .into(),
            ours: Some(heap.ours_per_entity),
            other: Some(heap.floor_per_entity),
            ratio: Some(ratio),
            target: format!("<= {TARGET:.2}"),
            verdict: if ratio <= TARGET {
                Verdict::Ok
            } else {
                Verdict::Miss
            },
        },
        Row {
            case: "heap bytes per unregistered Model (Model::new) / the same floor".into(),
            ours: Some(heap.ours_unregistered),
            other: Some(heap.floor_per_entity),
            ratio: Some(heap.ours_unregistered / heap.floor_per_entity),
            target: "info".into(),
            verdict: Verdict::Info,
        },
        Row {
            case: "heap bytes retained after dropping 100,000 registered models".into(),
            ours: Some(heap.ours_retained as f64),
            other: None,
            ratio: None,
            target: "== 0".into(),
            verdict: zero(heap.ours_retained),
        },
        Row {
            case: "heap bytes retained after a second 100,000 created and dropped".into(),
            ours: Some(heap.ours_retained_again as f64),
            other: None,
            ratio: None,
            target: "info".into(),
            verdict: Verdict::Info,
        },
    ]
}
