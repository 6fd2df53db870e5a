//! Counting allocations, and live heap bytes, on the current thread.
//!
//! A binary that wants counts installs [`CountingAlloc`] as its global allocator. Counts are
//! per thread, so a test harness running other tests in parallel does not disturb them. Live
//! bytes are what this thread allocated minus what it freed: exact for work that allocates and
//! frees on one thread (the heap figures run on the main thread, without a runtime's workers).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

thread_local! {
    // Const-initialised and without a destructor: safe to touch from inside the allocator.
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
    // Requested bytes allocated minus freed on this thread (negative when it frees others').
    static LIVE_BYTES: Cell<i64> = const { Cell::new(0) };
}

/// The system allocator, counting `alloc`, `alloc_zeroed` and `realloc` calls and the live
/// requested bytes per thread.
pub struct CountingAlloc;

#[inline]
fn bump() {
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
}

#[inline]
fn live(delta: i64) {
    let _ = LIVE_BYTES.try_with(|c| c.set(c.get() + delta));
}

// SAFETY: every call is forwarded unchanged to `System`; counting touches no allocation.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        bump();
        live(layout.size() as i64);
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        bump();
        live(layout.size() as i64);
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        bump();
        live(new_size as i64 - layout.size() as i64);
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        live(-(layout.size() as i64));
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// Allocations made so far on this thread.
pub fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

/// Requested heap bytes allocated minus freed on this thread so far. Meaningful as the
/// difference of two readings, with [`CountingAlloc`] installed (else always 0).
pub fn live_bytes() -> i64 {
    LIVE_BYTES.with(Cell::get)
}

/// How many allocations `f` makes on this thread.
///
/// # Panics
///
/// When [`CountingAlloc`] is not the global allocator (a count of 0 would then be a lie).
pub fn count(f: impl FnOnce()) -> u64 {
    let probe = allocations();
    drop(std::hint::black_box(Box::new(0u64)));
    assert!(
        allocations() > probe,
        "CountingAlloc is not the global allocator of this binary"
    );
    let before = allocations();
    f();
    allocations() - before
}
