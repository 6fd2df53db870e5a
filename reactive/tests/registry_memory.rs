//! A long-running server does not grow: live heap bytes after 500,000 and 1,000,000
//! load-and-drop cycles equal the level after warm-up, and the registry ends empty.
//!
//! Its own test binary (`harness = false`): the counting allocator sees only this test.

use std::alloc::{GlobalAlloc, Layout, System};
use std::process::ExitCode;
use std::sync::atomic::{AtomicIsize, Ordering};

use reactive::prelude::*;
use reactive::provider::MemoryProvider;

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: defers to the system allocator; only counts the bytes it hands out and takes back.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: the caller's contract is passed on unchanged.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: `ptr` came from `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        // SAFETY: as for `dealloc`, with the new size from the caller.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

#[derive(Reactive, Clone, Debug)]
#[entity("sessions")]
struct Session {
    id: u64,
    user: String,
    hits: u64,
}

const IDS: u64 = 64;

async fn cycles(registry: &Registry, from: u64, to: u64) {
    for n in from..to {
        let id = n % IDS;
        let session = registry
            .get_or_load::<Session>(&id)
            .await
            .expect("the session is stored");
        assert_eq!(session.id(), id);
        drop(session);
    }
}

fn main() -> ExitCode {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a current-thread runtime");
    let failures = runtime.block_on(async {
        let store = MemoryProvider::new();
        for id in 0..IDS {
            store.insert(Session {
                id,
                user: format!("user-{id}"),
                hits: 0,
            });
        }
        let registry = Registry::new();
        registry.provide(store);
        cycles(&registry, 0, 20_000).await;
        let warm = LIVE.load(Ordering::Relaxed);
        cycles(&registry, 20_000, 500_000).await;
        let half = LIVE.load(Ordering::Relaxed);
        cycles(&registry, 500_000, 1_000_000).await;
        let full = LIVE.load(Ordering::Relaxed);
        let live_models = registry.len::<Session>();
        println!(
            "live heap bytes: warm-up {warm}, after 500,000 cycles {half}, after 1,000,000 {full}"
        );
        println!("registered sessions at the end: {live_models}");
        let mut failures = Vec::new();
        if half != warm || full != warm {
            failures.push(format!("the heap grew: {warm} -> {half} -> {full} bytes"));
        }
        if live_models != 0 {
            failures.push(format!("{live_models} sessions are still registered"));
        }
        failures
    });
    for failure in &failures {
        eprintln!("FAILED: {failure}");
    }
    let failed = usize::from(!failures.is_empty());
    println!("registry_memory: {} passed, {failed} failed", 1 - failed);
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
