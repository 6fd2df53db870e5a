//! The write paths: a single set, a batch, and what every write goes through (hooks,
//! computed fields, validation, the saved baseline, delivery).
//!
//! A single set of a field nothing depends on, on a type without hooks or validation, on a
//! thread that is neither delivering nor inside a batch, is the fast path: lock, compare,
//! write, deliver from the stack. Everything else builds the next value on a copy, so a
//! refused or panicking write changes nothing.

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

use parking_lot::{RwLockUpgradableReadGuard, RwLockWriteGuard};

use crate::error::Error;
use crate::event::delivery::{Committed, EventList, Notice, SingleChange};
use crate::event::field_set::FieldSet;
use crate::event::local::{self, BatchFrame};
use crate::event::types::{Change, Changes};
use crate::model::hooks::Pending;
use crate::model::key::WritableKey;
use crate::model::meta::{field_name, Reactive};
use crate::model::raw::{RawModel, Slot};
use crate::validate::ValidationReport;

fn feedback_error<T: Reactive>(field: &'static str) -> Error {
    tracing::warn!(
        model = T::TYPE_NAME,
        field,
        limit = crate::FEEDBACK_LIMIT,
        "feedback loop cut: listeners kept writing"
    );
    Error::FeedbackLoop {
        model: T::TYPE_NAME,
        field,
        limit: crate::FEEDBACK_LIMIT,
    }
}

fn reentrant<T: Reactive>() -> Error {
    Error::Reentrant {
        model: T::TYPE_NAME,
    }
}

/// Whether a write is validated.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Check {
    Validate,
    Unchecked,
}

/// Runs the rules on the next value: hooks (which may rewrite or refuse), the recompute of
/// computed fields, and validation. `changed` holds the plain fields that differ from `base`
/// and gains the computed fields whose value changed.
fn apply_rules<T: Reactive>(
    base: &T,
    next: &mut T,
    changed: &mut FieldSet,
    check: Check,
) -> Result<(), Error> {
    if T::__HOOKS {
        let mut pending = Pending::new(base, next, *changed);
        base.before_set(&mut pending).map_err(name_rejection::<T>)?;
        *changed = pending.into_changed();
    }
    apply_rules_after_hooks(base, next, changed, check)
}

/// [`apply_rules`] once `before_set` has run: the recompute and validation.
fn apply_rules_after_hooks<T: Reactive>(
    base: &T,
    next: &mut T,
    changed: &mut FieldSet,
    check: Check,
) -> Result<(), Error> {
    let written = *changed;
    next.__recompute(base, changed);
    if T::__VALIDATE && check == Check::Validate && !written.is_empty() {
        check_batch(base, next, written)?;
    }
    Ok(())
}

/// A hook's refusal names the model it refused for.
fn name_rejection<T: Reactive>(err: Error) -> Error {
    match err {
        Error::Rejected { model: "", reason } => Error::Rejected {
            model: T::TYPE_NAME,
            reason,
        },
        other => other,
    }
}

/// Refuses a batch whose result has errors on the fields it wrote, or errors the committed
/// value did not have (a rule involving a written field): so a value that starts invalid can
/// still be fixed field by field.
fn check_batch<T: Reactive>(base: &T, next: &T, written: FieldSet) -> Result<(), Error> {
    let Err(mut report) = next.__validate() else {
        return Ok(());
    };
    let before = base.__validate().err().unwrap_or_default();
    let written: Vec<&str> = written.iter().filter_map(field_name::<T>).collect();
    report.retain(|e| written.contains(&e.field.as_str()) || !before.iter().any(|b| b == e));
    if report.is_empty() {
        Ok(())
    } else {
        Err(Error::Validation(report))
    }
}

/// Keeps the saved baseline: on the first write since the last save, the value before the
/// write becomes it. Gives `old` back when the caller still needs it.
#[inline]
fn rebase<T: Clone>(slot: &mut Slot<T>, old: T, keep_old: bool) -> Option<T> {
    if slot.saved.is_some() {
        return keep_old.then_some(old);
    }
    if keep_old {
        slot.saved = Some(old.clone());
        Some(old)
    } else {
        slot.saved = Some(old);
        None
    }
}

impl<T: Reactive> RawModel<T> {
    /// Sets one field (validated if the type validates).
    #[inline]
    pub fn set<K: WritableKey<T>>(&self, key: K, value: K::Value) -> Result<(), Error> {
        self.set_with(key, value, Check::Validate)
    }

    #[inline(always)]
    pub(crate) fn set_with<K: WritableKey<T>>(
        &self,
        key: K,
        value: K::Value,
        check: Check,
    ) -> Result<(), Error> {
        let quiet = local::is_quiet();
        if !quiet && local::is_batching(self.addr()) {
            return Err(reentrant::<T>());
        }
        let index = key.index();
        if T::__VALIDATE || T::FIELDS.get(index).is_some_and(|f| f.has_dependents()) {
            return self.set_ruled(key, value, check, quiet);
        }
        let mut state = self.0.state.write();
        let slot = &mut *state;
        if *key.get(&slot.value) == value {
            return Ok(());
        }
        if !quiet && !local::count_write() {
            drop(state);
            return Err(feedback_error::<T>(key.name()));
        }
        // With hooks: `before_set` sees the next value; unless it rewrote something, only this
        // field changes and the fast path goes on with the hook's verdict.
        if T::__HOOKS {
            let mut next = slot.value.clone();
            *key.get_mut(&mut next) = value.clone();
            let mut pending = Pending::new(&slot.value, &mut next, FieldSet::single(index));
            slot.value
                .before_set(&mut pending)
                .map_err(name_rejection::<T>)?;
            if pending.rewritten() {
                // The hook ran once for this set: go on with its batch on the ruled path.
                let mut changed = pending.into_changed();
                apply_rules_after_hooks(&slot.value, &mut next, &mut changed, check)?;
                return self.commit_ruled(state, key, next, changed);
            }
        }
        if slot.saved.is_none() {
            save_baseline(slot);
        }
        let field = key.get_mut(&mut slot.value);
        let hub = &self.0.hub;
        if !hub.has_listeners() {
            *field = value;
            if T::__HOOKS {
                slot.value
                    .after_set(&Changes::new(FieldSet::single(index), field_name::<T>));
            }
            return Ok(());
        }
        let previous = std::mem::replace(field, value);
        let change = Change {
            value: field.clone(),
            previous,
        };
        if T::__HOOKS {
            slot.value
                .after_set(&Changes::new(FieldSet::single(index), field_name::<T>));
        }
        let pending = SingleChange { index, change };
        if quiet {
            hub.commit_quiet(self, state, pending);
        } else {
            hub.commit(self, state, pending);
        }
        Ok(())
    }

    /// A single set through the rules (hooks, computed dependents, validation): the next value
    /// is built on a copy under the write lock (hooks, compute functions and validators get
    /// values, never a handle, so they cannot re-enter).
    fn set_ruled<K: WritableKey<T>>(
        &self,
        key: K,
        value: K::Value,
        check: Check,
        quiet: bool,
    ) -> Result<(), Error> {
        let state = self.0.state.write();
        if *key.get(&state.value) == value {
            return Ok(());
        }
        if !quiet && !local::count_write() {
            drop(state);
            return Err(feedback_error::<T>(key.name()));
        }
        let index = key.index();
        let mut next = state.value.clone();
        *key.get_mut(&mut next) = value;
        let mut changed = FieldSet::EMPTY;
        changed.insert(index);
        apply_rules(&state.value, &mut next, &mut changed, check)?;
        self.commit_ruled(state, key, next, changed)
    }

    /// Commits the next value of a single set that went through the rules (`changed`: the
    /// fields it changes, computed ones included) and delivers it.
    fn commit_ruled<K: WritableKey<T>>(
        &self,
        mut state: RwLockWriteGuard<'_, Slot<T>>,
        key: K,
        next: T,
        changed: FieldSet,
    ) -> Result<(), Error> {
        if changed.is_empty() {
            return Ok(());
        }
        let index = key.index();
        let single = changed == FieldSet::single(index);
        let hub = &self.0.hub;
        let slot = &mut *state;
        let old = std::mem::replace(&mut slot.value, next);
        if T::__HOOKS {
            slot.value
                .after_set(&Changes::new(changed, field_name::<T>));
        }
        if !hub.has_listeners() {
            rebase(slot, old, false);
            return Ok(());
        }
        if single {
            let change = Change {
                value: key.get(&slot.value).clone(),
                previous: key.get(&old).clone(),
            };
            rebase(slot, old, false);
            hub.commit(self, state, SingleChange { index, change });
        } else {
            self.deliver_batch(state, old, changed, EventList::empty(), |_| {});
        }
        Ok(())
    }

    /// Delivers a committed multi-field batch (`old` is the value it replaced): keeps the
    /// saved baseline, runs `finish` on the slot (after the baseline, so a revert can clear
    /// it), then hands the batch to the hub.
    pub(crate) fn deliver_batch(
        &self,
        mut state: RwLockWriteGuard<'_, Slot<T>>,
        old: T,
        changed: FieldSet,
        events: EventList,
        finish: impl FnOnce(&mut Slot<T>),
    ) {
        let hub = &self.0.hub;
        let slot = &mut *state;
        if hub.has_listeners() && hub.needs_values() {
            let old = rebase(slot, old, true);
            finish(slot);
            self.hand_over(state, old, changed, events);
        } else {
            // No listener, or only `change` listeners: no field values to keep.
            rebase(slot, old, false);
            finish(slot);
            if hub.has_listeners() {
                hub.commit(self, state, Notice { changed, events });
            }
        }
    }

    /// Hands a committed change to the hub, the state lock still held: with the values before
    /// (`old`) and after when a field listener or a stream needs them, else the changed fields
    /// and events alone.
    pub(crate) fn hand_over(
        &self,
        state: RwLockWriteGuard<'_, Slot<T>>,
        old: Option<T>,
        changed: FieldSet,
        events: EventList,
    ) {
        let hub = &self.0.hub;
        match old {
            Some(old) if hub.needs_values() => {
                let committed = Committed {
                    old,
                    new: state.value.clone(),
                    changed,
                    events,
                };
                hub.commit(self, state, committed);
            }
            _ => hub.commit(self, state, Notice { changed, events }),
        }
    }

    /// Runs `f` on a copy of the value and commits the difference as one batch.
    pub(crate) fn transact<R, E: From<Error>>(
        &self,
        check: Check,
        f: impl FnOnce(&mut T) -> Result<R, E>,
    ) -> Result<R, E> {
        self.transact_then(check, f, |_| {})
    }

    /// [`transact`](RawModel::transact), then `finish` on the slot under the lock (whether or
    /// not anything changed), before delivery.
    pub(crate) fn transact_then<R, E: From<Error>>(
        &self,
        check: Check,
        f: impl FnOnce(&mut T) -> Result<R, E>,
        finish: impl FnOnce(&mut Slot<T>),
    ) -> Result<R, E> {
        let addr = self.addr();
        if local::is_batching(addr) {
            return Err(reentrant::<T>().into());
        }
        let base = self.0.state.upgradable_read();
        let mut working = base.value.clone();
        let frame = BatchFrame::enter(addr);
        let outcome = catch_unwind(AssertUnwindSafe(|| f(&mut working)));
        let events = EventList::new(frame.finish());
        let value = match outcome {
            Ok(Ok(value)) => value,
            Ok(Err(err)) => {
                self.keep_skipped(base, &mut working, |_| {});
                return Err(err);
            }
            Err(panic) => {
                self.keep_skipped(base, &mut working, |_| {});
                resume_unwind(panic);
            }
        };
        let mut changed = base.value.__diff(&working);
        if let Err(err) = apply_rules(&base.value, &mut working, &mut changed, check) {
            self.keep_skipped(base, &mut working, |_| {});
            return Err(err.into());
        }
        if changed.is_empty() && events.is_empty() {
            self.keep_skipped(base, &mut working, finish);
            return Ok(value);
        }
        if !local::count_write() {
            self.keep_skipped(base, &mut working, |_| {});
            return Err(feedback_error::<T>("*").into());
        }
        let mut state = RwLockUpgradableReadGuard::upgrade(base);
        if changed.is_empty() {
            // Custom events only.
            working.__copy_skipped(&mut state.value);
            finish(&mut state);
            if self.0.hub.has_listeners() {
                self.0.hub.commit(self, state, Notice { changed, events });
            }
            return Ok(value);
        }
        let old = std::mem::replace(&mut state.value, working);
        if T::__HOOKS {
            state
                .value
                .after_set(&Changes::new(changed, field_name::<T>));
        }
        self.deliver_batch(state, old, changed, events, finish);
        Ok(value)
    }

    /// After a failed or empty batch: the `#[reactive(skip)]` fields keep what the closure
    /// wrote (they are never rolled back); then `finish`.
    fn keep_skipped(
        &self,
        base: RwLockUpgradableReadGuard<'_, Slot<T>>,
        working: &mut T,
        finish: impl FnOnce(&mut Slot<T>),
    ) {
        let mut state = RwLockUpgradableReadGuard::upgrade(base);
        if T::__HAS_SKIPPED {
            working.__copy_skipped(&mut state.value);
        }
        finish(&mut state);
    }

    /// Restores the saved value (computed fields recomputed, skipped fields kept) as one
    /// batch with the usual events, and ends the dirty state. Hooks run; validation does not
    /// (the saved value was accepted once).
    pub(crate) fn revert(&self) -> Result<(), Error> {
        let saved = self.0.state.read_recursive().saved.clone();
        let Some(saved) = saved else {
            return Ok(());
        };
        self.transact_then(
            Check::Unchecked,
            move |value: &mut T| {
                let mut restored = saved;
                value.__copy_skipped(&mut restored);
                *value = restored;
                Ok::<(), Error>(())
            },
            |slot| slot.saved = None,
        )
    }

    /// Validates the committed value against the type's rules.
    pub(crate) fn validate(&self) -> Result<(), ValidationReport> {
        self.with(|value| value.__validate())
    }
}

/// Keeps the value before the first write since the last save (cold: once per save).
#[cold]
#[inline(never)]
fn save_baseline<T: Clone>(slot: &mut Slot<T>) {
    slot.saved = Some(slot.value.clone());
}
