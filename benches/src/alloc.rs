//! Counting allocations on the current thread.
//!
//! A binary that wants counts installs [`CountingAlloc`] as its global allocator. Counts are
//! per thread, so a test harness running other tests in parallel does not disturb them.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

thread_local! {
    // Const-initialised and without a destructor: safe to touch from inside the allocator.
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

/// The system allocator, counting `alloc`, `alloc_zeroed` and `realloc` calls per thread.
pub struct CountingAlloc;

#[inline]
fn bump() {
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
}

// SAFETY: every call is forwarded unchanged to `System`; counting touches no allocation.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        bump();
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        bump();
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        bump();
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// Allocations made so far on this thread.
pub fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
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
