//! The synchronisation primitives of event delivery (`event::{hub, table, local}`), in one
//! place so that a model checker can stand in for them.
//!
//! Built normally, these are the standard atomics, `parking_lot`'s mutex, a plain
//! `UnsafeCell` and `std::thread_local!`. Built with `--cfg reactive_loom` (a crate-private
//! cfg: `--cfg loom` would also switch tokio's internals), they are loom's, so that
//! `loom/tests/loom_hub.rs` explores every interleaving of the production delivery code.

#[cfg(not(reactive_loom))]
pub(crate) use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicU64};

#[cfg(reactive_loom)]
pub(crate) use loom::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicU64};

/// A mutex whose `lock` cannot fail (a panic never happens while it is held).
pub(crate) struct Mutex<T>(
    #[cfg(not(reactive_loom))] parking_lot::Mutex<T>,
    #[cfg(reactive_loom)] loom::sync::Mutex<T>,
);

#[cfg(not(reactive_loom))]
pub(crate) type MutexGuard<'a, T> = parking_lot::MutexGuard<'a, T>;
#[cfg(reactive_loom)]
pub(crate) type MutexGuard<'a, T> = loom::sync::MutexGuard<'a, T>;

impl<T> Mutex<T> {
    pub(crate) fn new(value: T) -> Self {
        #[cfg(not(reactive_loom))]
        return Mutex(parking_lot::Mutex::new(value));
        #[cfg(reactive_loom)]
        return Mutex(loom::sync::Mutex::new(value));
    }

    #[inline]
    pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
        #[cfg(not(reactive_loom))]
        return self.0.lock();
        #[cfg(reactive_loom)]
        return self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
    }
}

/// An `UnsafeCell` whose accesses the model checker can see.
pub(crate) struct UnsafeCell<T>(
    #[cfg(not(reactive_loom))] std::cell::UnsafeCell<T>,
    #[cfg(reactive_loom)] loom::cell::UnsafeCell<T>,
);

impl<T> UnsafeCell<T> {
    pub(crate) fn new(value: T) -> Self {
        #[cfg(not(reactive_loom))]
        return UnsafeCell(std::cell::UnsafeCell::new(value));
        #[cfg(reactive_loom)]
        return UnsafeCell(loom::cell::UnsafeCell::new(value));
    }

    /// Exclusive access to the value, for as long as the guard lives.
    ///
    /// # Safety
    ///
    /// No other access to the value may happen while the guard lives (under loom, an
    /// overlapping access from another thread fails the model).
    #[inline(always)]
    pub(crate) unsafe fn get_mut(&self) -> CellGuard<'_, T> {
        #[cfg(not(reactive_loom))]
        // SAFETY: exclusive access is the caller's contract.
        return CellGuard(unsafe { &mut *self.0.get() });
        #[cfg(reactive_loom)]
        return CellGuard(self.0.get_mut(), std::marker::PhantomData);
    }
}

/// The exclusive access [`UnsafeCell::get_mut`] gives.
pub(crate) struct CellGuard<'a, T>(
    #[cfg(not(reactive_loom))] &'a mut T,
    #[cfg(reactive_loom)] loom::cell::MutPtr<T>,
    #[cfg(reactive_loom)] std::marker::PhantomData<&'a mut T>,
);

impl<T> std::ops::Deref for CellGuard<'_, T> {
    type Target = T;
    #[inline(always)]
    fn deref(&self) -> &T {
        #[cfg(not(reactive_loom))]
        return self.0;
        // SAFETY: the guard stands for the exclusive access `get_mut`'s caller vouched for.
        #[cfg(reactive_loom)]
        return unsafe { self.0.deref() };
    }
}

impl<T> std::ops::DerefMut for CellGuard<'_, T> {
    #[inline(always)]
    fn deref_mut(&mut self) -> &mut T {
        #[cfg(not(reactive_loom))]
        return self.0;
        // SAFETY: as for `deref`.
        #[cfg(reactive_loom)]
        return unsafe { self.0.deref() };
    }
}

/// One step of a bounded spin before yielding the thread (loom's yield under the model
/// checker, which must see a waiting thread give way).
#[inline]
pub(crate) fn spin(spins: &mut u32) {
    *spins += 1;
    #[cfg(not(reactive_loom))]
    if *spins < 64 {
        std::hint::spin_loop();
    } else {
        std::thread::yield_now();
    }
    #[cfg(reactive_loom)]
    loom::thread::yield_now();
}

/// `thread_local!` with `const` initialisers, which loom's version of the macro does not take
/// (under loom each thread of the model gets its own values).
macro_rules! thread_locals {
    ($($(#[$attr:meta])* static $name:ident: $ty:ty = const { $init:expr };)*) => {
        #[cfg(not(reactive_loom))]
        ::std::thread_local! {
            $($(#[$attr])* static $name: $ty = const { $init };)*
        }
        #[cfg(reactive_loom)]
        ::loom::thread_local! {
            $($(#[$attr])* static $name: $ty = $init;)*
        }
    };
}
pub(crate) use thread_locals;
