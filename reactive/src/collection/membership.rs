//! Keeping a loaded collection's membership current from the registry's events.

use std::cmp::Ordering;
use std::sync::Arc;

use crate::entity::Entity;
use crate::model::Model;
use crate::query::{Queryable, Value};
use crate::registry::RegistryEvent;

use super::{Collection, CollectionEvent, Inner};

pub(crate) use crate::registry::Listeners as EventListeners;

/// A collection's listeners.
pub(crate) type Listeners<T> = EventListeners<CollectionEvent<T>>;

impl<T: Entity + Queryable> Collection<T> {
    /// Subscribes to the registry's events of `T` (once).
    pub(super) fn watch(&self) {
        let mut live = self.inner.live.lock();
        if live.is_some() {
            return;
        }
        let weak = Arc::downgrade(&self.inner);
        *live = Some(
            self.inner
                .registry
                .on_event(move |event: &RegistryEvent<T>| {
                    if let Some(inner) = weak.upgrade() {
                        inner.on_registry_event(event);
                    }
                }),
        );
    }
}

impl<T: Entity + Queryable> Inner<T> {
    fn on_registry_event(&self, event: &RegistryEvent<T>) {
        let events = match event {
            RegistryEvent::Created(model) | RegistryEvent::Updated(model, _) => {
                self.reconsider(model)
            }
            RegistryEvent::Deleted(id) => self.remove_id(id),
        };
        for event in &events {
            self.listeners.emit(event);
        }
    }

    /// A model changed or joined the registry: it joins, moves or leaves.
    fn reconsider(&self, model: &Model<T>) -> Vec<CollectionEvent<T>> {
        let mut guard = self.state.lock();
        let state = &mut *guard;
        let Some(plan) = state.plan.clone() else {
            return Vec::new();
        };
        let (id, matches, key) = model.with(|v| {
            (
                v.id(),
                plan.matches(v).unwrap_or(false),
                plan.sort_key(v).unwrap_or_default(),
            )
        });
        let mut events = Vec::new();
        let more = state.next.is_some();
        let at_now = state.items.iter().position(|m| m.ptr_eq(model));
        if let Some(index) = at_now {
            let removed = state.items.remove(index);
            state.keys.remove(index);
            if !matches {
                if let Some(total) = state.total.as_mut() {
                    *total = total.saturating_sub(1);
                }
                events.push(CollectionEvent::Removed {
                    model: removed,
                    index,
                });
                return events;
            }
            // Still matches: it may have moved.
            let to = position_of(&state.keys, &plan, &key);
            if more && to >= state.items.len() {
                // Past the loaded window: it comes back with a later page, in its place
                // (kept here, it would stand out of order before that page's rows).
                state.beyond.extend(id);
                events.push(CollectionEvent::Removed {
                    model: removed,
                    index,
                });
                return events;
            }
            state.items.insert(to, removed);
            state.keys.insert(to, key);
            if to != index {
                events.push(CollectionEvent::Removed {
                    model: model.clone(),
                    index,
                });
                events.push(CollectionEvent::Added {
                    model: model.clone(),
                    index: to,
                });
            }
            return events;
        }
        // Counted already if it left the window (or joined past it) earlier.
        let counted = id.as_ref().is_some_and(|id| state.beyond.remove(id));
        if !matches {
            if counted {
                if let Some(total) = state.total.as_mut() {
                    *total = total.saturating_sub(1);
                }
            }
            return events;
        }
        let to = position_of(&state.keys, &plan, &key);
        if !counted {
            if let Some(total) = state.total.as_mut() {
                *total += 1;
            }
        }
        if more && to >= state.items.len() {
            // Beyond the loaded window: it will come with a later page.
            state.beyond.extend(id);
            return events;
        }
        state.items.insert(to, model.clone());
        state.keys.insert(to, key);
        events.push(CollectionEvent::Added {
            model: model.clone(),
            index: to,
        });
        // Keep the window: a full window pushes its last item to the next page.
        let window = state.window.max(1);
        if state.items.len() > window {
            if let Some(last) = state.items.pop() {
                state.keys.pop();
                let index = state.items.len();
                state.beyond.extend(last.with(|v| v.id()));
                if let Some(new_last) = state.keys.last() {
                    state.next = Some(plan.cursor_after(new_last));
                }
                events.push(CollectionEvent::Removed { model: last, index });
            }
        }
        events
    }

    fn remove_id(&self, id: &T::Id) -> Vec<CollectionEvent<T>> {
        let mut state = self.state.lock();
        let Some(index) = state
            .items
            .iter()
            .position(|m| m.with(|v| v.id()).as_ref() == Some(id))
        else {
            if state.beyond.remove(id) {
                if let Some(total) = state.total.as_mut() {
                    *total = total.saturating_sub(1);
                }
            }
            return Vec::new();
        };
        let model = state.items.remove(index);
        state.keys.remove(index);
        if let Some(total) = state.total.as_mut() {
            *total = total.saturating_sub(1);
        }
        vec![CollectionEvent::Removed { model, index }]
    }
}

/// Where a row of sort key `key` goes among the items of sort keys `keys` (after equal keys).
fn position_of<T: Queryable>(
    keys: &[Vec<Value>],
    plan: &crate::query::Plan<T>,
    key: &[Value],
) -> usize {
    keys.partition_point(|other| plan.cmp_keys(other, key) != Ordering::Greater)
}
