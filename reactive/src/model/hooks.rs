//! Set hooks: rules that see every batch before it commits.
//!
//! Opt in with `#[reactive(hooks)]` and implement [`ModelHooks`]; without the attribute the
//! type gets the default hooks ([`WithoutHooksAttribute`]) and the write path skips them
//! entirely.

use crate::error::Error;
use crate::event::field_set::FieldSet;
use crate::event::types::Changes;
use crate::model::key::{Key, WritableKey};
use crate::model::meta::Reactive;
use crate::model::value::IntoValue;

/// Hooks a reactive type runs around its batches. They receive values, never a handle, so
/// they cannot re-enter the model. They do not run when a provider's response is applied.
///
/// ```
/// use reactive::prelude::*;
///
/// #[derive(Reactive, Clone, Debug)]
/// #[reactive(hooks)]
/// struct Account { owner: String, balance: i64 }
///
/// impl ModelHooks for Account {
///     fn before_set(&self, pending: &mut Pending<'_, Self>) -> Result<(), Error> {
///         // Names are stored trimmed; balances never go negative.
///         let owner = pending.get(Account::OWNER).trim().to_string();
///         pending.set(Account::OWNER, owner)?;
///         if *pending.get(Account::BALANCE) < 0 {
///             return Err(Error::rejected("the balance cannot go negative"));
///         }
///         Ok(())
///     }
/// }
///
/// let account = Model::new(Account { owner: "ada".into(), balance: 10 });
/// account.set_owner("  grace ")?;
/// assert_eq!(account.owner(), "grace");
/// assert!(account.set_balance(-5).is_err());
/// assert_eq!(account.balance(), 10);
/// # Ok::<(), reactive::Error>(())
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` has `#[reactive(hooks)]` but does not implement `ModelHooks`",
    note = "implement it: `impl ModelHooks for {Self} {{}}` (both methods have defaults), or remove `hooks`"
)]
pub trait ModelHooks: Sized {
    /// Sees the pending batch (`self` is the committed value) and may rewrite its values or
    /// refuse it with an error: then nothing changes and nothing is emitted.
    fn before_set(&self, pending: &mut Pending<'_, Self>) -> Result<(), Error> {
        let _ = pending;
        Ok(())
    }

    /// Observes the committed batch (`self` is the new value) before any listener runs.
    fn after_set(&self, changes: &Changes) {
        let _ = changes;
    }
}

/// Implemented by `#[derive(Reactive)]` for a type declared without `#[reactive(hooks)]`: such a
/// type has the default [`ModelHooks`] (which do nothing), and its writes skip them. To
/// implement `ModelHooks` yourself, add `#[reactive(hooks)]` to the struct; an impl without it
/// conflicts with the one this trait gives.
///
/// ```
/// use reactive::prelude::*;
///
/// #[derive(Reactive, Clone)]
/// struct Plain { n: u64 }
///
/// fn defaults<T: reactive::hooks::WithoutHooksAttribute>() {}
/// defaults::<Plain>();
/// ```
pub trait WithoutHooksAttribute {}

// Not suggested when `ModelHooks` is missing: the fix is the user's impl, not this marker.
#[diagnostic::do_not_recommend]
impl<T: WithoutHooksAttribute> ModelHooks for T {}

/// A batch about to commit, as [`ModelHooks::before_set`] sees it.
pub struct Pending<'a, T> {
    base: &'a T,
    next: &'a mut T,
    changed: FieldSet,
    rewritten: bool,
}

impl<'a, T: Reactive> Pending<'a, T> {
    pub(crate) fn new(base: &'a T, next: &'a mut T, changed: FieldSet) -> Self {
        Pending {
            base,
            next,
            changed,
            rewritten: false,
        }
    }

    /// Whether the hook rewrote a value (the batch is no longer what was written).
    #[inline(always)]
    pub(crate) fn rewritten(&self) -> bool {
        self.rewritten
    }

    /// The plain fields the batch changes (recomputed after the hook if it rewrote values).
    pub(crate) fn into_changed(self) -> FieldSet {
        self.changed
    }

    /// Whether the batch changes the field of `key`.
    pub fn contains<K: Key<T>>(&self, key: K) -> bool {
        self.changed.contains(key.index())
    }

    /// The names of the fields the batch changes, in field-table order.
    pub fn changed(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.changed
            .iter()
            .filter_map(crate::model::meta::field_name::<T>)
    }

    /// A field's value after the batch.
    pub fn get<K: Key<T>>(&self, key: K) -> &K::Value {
        key.get(self.next)
    }

    /// A field's committed value (before the batch).
    pub fn previous<K: Key<T>>(&self, key: K) -> &K::Value {
        key.get(self.base)
    }

    /// The whole value after the batch.
    pub fn value(&self) -> &T {
        self.next
    }

    /// The committed value.
    pub fn committed(&self) -> &T {
        self.base
    }

    /// Rewrites a field's value in the batch. Setting it back to its committed value drops it
    /// from the batch.
    pub fn set<K: WritableKey<T>>(
        &mut self,
        key: K,
        value: impl IntoValue<K::Value>,
    ) -> Result<(), Error> {
        let value = value.into_value();
        let index = key.index();
        self.rewritten = true;
        if *key.get(self.base) == value {
            self.changed.remove(index);
        } else {
            self.changed.insert(index);
        }
        *key.get_mut(self.next) = value;
        Ok(())
    }
}

impl<T: Reactive + std::fmt::Debug> std::fmt::Debug for Pending<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending")
            .field("changed", &self.changed().collect::<Vec<_>>())
            .field("value", self.next)
            .finish()
    }
}
