//! Peer libraries doing the same work: futures-signals 0.3 and leptos' reactive_graph 0.2.
//!
//! futures-signals delivers through futures, so each operation drains the executor (or polls
//! the listener future by hand) so that the listener has run before the next operation.
//! reactive_graph runs an `ImmediateEffect` synchronously inside `set`, and a `Memo`
//! recomputes when read.

use std::future::{ready, Future};
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use futures::executor::LocalPool;
use futures::task::LocalSpawnExt;
use futures_signals::map_ref;
use futures_signals::signal::{Mutable, Signal, SignalExt};
use reactive_graph::computed::Memo;
use reactive_graph::effect::ImmediateEffect;
use reactive_graph::owner::Owner;
use reactive_graph::prelude::*;
use reactive_graph::signal::RwSignal;

use crate::measure::Bench;
use crate::probe::{expect_eq, expected_sum, Probe};
use crate::subjects::SUMMED_B;

/// Sets up reactive_graph as its documentation does: an executor for async effects (unused
/// by `ImmediateEffect` and `Memo`, harmless) and a fresh `Owner` set as the current one,
/// returned so the caller keeps it (and so its signals) alive. A root: made while another
/// bench's owner is current, it would be that owner's child, and disposed with it when that
/// bench is dropped (as a process that samples one case drops the others).
fn reactive_graph_owner() -> Owner {
    // Fails once initialised already, which is fine.
    let _ = any_spawner::Executor::init_futures_executor();
    if let Some(current) = Owner::current() {
        // Only stops being the thread's current owner; its holder keeps it.
        current.unset();
    }
    let owner = Owner::new();
    owner.set();
    owner
}

fn poll_once<F: Future<Output = ()>>(future: Pin<&mut F>) -> Poll<()> {
    future.poll(&mut Context::from_waker(Waker::noop()))
}

/// futures-signals: `Mutable::set` + one `for_each` listener spawned on a `LocalPool`,
/// drained with `run_until_stalled` after each set.
pub fn signals_set_pool() -> Bench {
    let probe = Probe::new();
    let listener = probe.clone();
    let mutable = Mutable::new(0u64);
    let mut pool = LocalPool::new();
    pool.spawner()
        .spawn_local(mutable.signal().for_each(move |v| {
            listener.saw(v);
            ready(())
        }))
        .expect("spawn");
    pool.run_until_stalled();
    Bench::new(
        "futures-signals",
        "futures-signals: Mutable::set + for_each, LocalPool drained",
        (mutable, pool, 0u64),
        |(mutable, pool, value)| {
            *value += 1;
            mutable.set(*value);
            pool.run_until_stalled();
        },
        // The initial value is delivered once too.
        move |_, ops| probe.expect(ops + 1, ops),
    )
}

/// futures-signals without an executor: the `for_each` future polled by hand after each set
/// (its best case).
pub fn signals_set_poll() -> Bench {
    let probe = Probe::new();
    let listener = probe.clone();
    let mutable = Mutable::new(0u64);
    let mut future = Box::pin(mutable.signal().for_each(move |v| {
        listener.saw(v);
        ready(())
    }));
    assert!(poll_once(future.as_mut()).is_pending());
    Bench::new(
        "futures-signals-poll",
        "futures-signals: Mutable::set + for_each, polled by hand",
        (mutable, future, 0u64),
        |(mutable, future, value)| {
            *value += 1;
            mutable.set(*value);
            assert!(poll_once(future.as_mut()).is_pending());
        },
        move |_, ops| probe.expect(ops + 1, ops),
    )
}

/// reactive_graph: `RwSignal::set` + one `ImmediateEffect` reading it.
pub fn graph_set() -> Bench {
    let owner = reactive_graph_owner();
    let probe = Probe::new();
    let listener = probe.clone();
    let signal = RwSignal::new(0u64);
    let effect = ImmediateEffect::new(move || listener.saw(signal.get()));
    Bench::new(
        "reactive_graph",
        "reactive_graph: RwSignal::set + ImmediateEffect",
        (owner, signal, effect, 0u64),
        |(_, signal, _, value)| {
            *value += 1;
            signal.set(*value);
        },
        // The effect runs once when created.
        move |_, ops| probe.expect(ops + 1, ops),
    )
}

/// futures-signals `map_ref!` over two `Mutable`s, driven by a `for_each` on a `LocalPool`:
/// set one input, drain, read the derived value the listener stored.
pub fn signals_map_ref_pool() -> Bench {
    let probe = Probe::new();
    let listener = probe.clone();
    let a = Mutable::new(0u64);
    let b = Mutable::new(SUMMED_B);
    let sum = map_ref! {
        let a = a.signal(),
        let b = b.signal() => *a + *b
    };
    let mut pool = LocalPool::new();
    pool.spawner()
        .spawn_local(sum.for_each(move |v| {
            listener.saw(v);
            ready(())
        }))
        .expect("spawn");
    pool.run_until_stalled();
    let reader = probe.clone();
    Bench::new(
        "futures-signals",
        "futures-signals: map_ref! + for_each, LocalPool drained",
        (a, b, pool, 0u64, 0u64),
        move |(a, _, pool, value, acc)| {
            *value += 1;
            a.set(*value);
            pool.run_until_stalled();
            *acc = acc.wrapping_add(reader.last());
        },
        move |(_, _, _, _, acc), ops| {
            probe.expect(ops + 1, ops + SUMMED_B)?;
            expect_eq("sum of reads", *acc, expected_sum(ops, SUMMED_B))
        },
    )
}

/// futures-signals `map_ref!` polled by hand after each set (its best case).
pub fn signals_map_ref_poll() -> Bench {
    let a = Mutable::new(0u64);
    let b = Mutable::new(SUMMED_B);
    let mut sum = Box::pin(map_ref! {
        let a = a.signal(),
        let b = b.signal() => *a + *b
    });
    let first = sum
        .as_mut()
        .poll_change(&mut Context::from_waker(Waker::noop()));
    assert_eq!(first, Poll::Ready(Some(SUMMED_B)));
    Bench::new(
        "futures-signals-poll",
        "futures-signals: map_ref! polled by hand",
        (a, b, sum, 0u64, 0u64),
        |(a, _, sum, value, acc)| {
            *value += 1;
            a.set(*value);
            match sum
                .as_mut()
                .poll_change(&mut Context::from_waker(Waker::noop()))
            {
                Poll::Ready(Some(v)) => *acc = acc.wrapping_add(v),
                other => panic!("map_ref! did not update: {other:?}"),
            }
        },
        |(_, _, _, _, acc), ops| expect_eq("sum of reads", *acc, expected_sum(ops, SUMMED_B)),
    )
}

/// reactive_graph `Memo` over two `RwSignal`s: set one, read the memo.
pub fn graph_memo() -> Bench {
    let owner = reactive_graph_owner();
    let a = RwSignal::new(0u64);
    let b = RwSignal::new(SUMMED_B);
    let sum = Memo::new(move |_| a.get() + b.get());
    assert_eq!(sum.get(), SUMMED_B);
    Bench::new(
        "reactive_graph",
        "reactive_graph: RwSignal::set + Memo::get",
        (owner, a, b, sum, 0u64, 0u64),
        |(_, a, _, sum, value, acc)| {
            *value += 1;
            a.set(*value);
            *acc = acc.wrapping_add(sum.get());
        },
        |(_, _, _, _, _, acc), ops| expect_eq("sum of reads", *acc, expected_sum(ops, SUMMED_B)),
    )
}
