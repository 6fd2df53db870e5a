//! State changes that are not local writes: a provider's answer (a load, an acknowledged
//! publish) or, later, a change that arrived from elsewhere. Each is one commit through the
//! model, delivered in commit order with the model's other batches: the arrived fields are
//! applied with their events and computed fields recomputed, and the saved baseline moves, so
//! no arrived field is left dirty. Whether and what to apply is the caller's policy (the
//! registry's, for provider answers).

use crate::event::delivery::EventList;
use crate::event::field_set::FieldSet;
use crate::event::types::Event;
use crate::model::meta::Reactive;
use crate::model::raw::{RawModel, Slot};

/// The events of one commit, built only when the model has listeners (an answer applied to a
/// model nobody listens to builds no JSON).
pub(crate) struct Events {
    list: Vec<Event>,
    on: bool,
}

impl Events {
    /// Adds an event, built only if someone can receive it.
    pub(crate) fn push(&mut self, event: impl FnOnce() -> Event) {
        if self.on {
            self.list.push(event());
        }
    }

    /// Whether events are being built.
    pub(crate) fn is_on(&self) -> bool {
        self.on
    }
}

/// A value that arrived, and what the model takes from it.
pub(crate) enum Arrival<T> {
    /// The store holds `stored`: the fields in `take` take its values, and the saved baseline
    /// becomes `stored` (a fresh load or publish).
    Whole { stored: T, take: FieldSet },
    /// Only the fields in `fields` of the baseline become `stored`'s (the rest of the
    /// baseline stays), and the fields in `take` take its values.
    Fields {
        stored: T,
        fields: FieldSet,
        take: FieldSet,
    },
}

impl<T: Reactive> Slot<T> {
    /// Applies `arrival` to the baseline and returns the model's next value (to commit).
    pub(crate) fn arrive(&mut self, arrival: Arrival<T>) -> T {
        let mut next = self.value.clone();
        match arrival {
            Arrival::Whole { stored, take } => {
                next.__copy_fields(&stored, take);
                self.saved = Some(stored);
            }
            Arrival::Fields {
                stored,
                fields,
                take,
            } => {
                let mut saved = self.saved.take().unwrap_or_else(|| self.value.clone());
                saved.__copy_fields(&stored, fields);
                next.__copy_fields(&stored, take);
                self.saved = Some(saved);
            }
        }
        next
    }
}

impl<T: Reactive> RawModel<T> {
    /// Runs `update` on the slot under the write lock as one commit: it may push events and
    /// return the model's next value. The fields that change (computed fields recomputed) are
    /// delivered with the events, in commit order with every other batch of the model.
    pub(crate) fn commit_slot(&self, update: impl FnOnce(&mut Slot<T>, &mut Events) -> Option<T>) {
        let mut state = self.0.state.write();
        let hub = &self.0.hub;
        let mut events = Events {
            list: Vec::new(),
            on: hub.has_listeners(),
        };
        let next = update(&mut state, &mut events);
        let events = events.list;
        let mut changed = FieldSet::EMPTY;
        let mut old = None;
        if let Some(mut next) = next {
            changed = state.value.__diff(&next);
            next.__recompute(&state.value, &mut changed);
            if !changed.is_empty() {
                old = Some(std::mem::replace(&mut state.value, next));
            }
        }
        if !hub.has_listeners() || (changed.is_empty() && events.is_empty()) {
            return;
        }
        self.hand_over(state, old, changed, EventList::new(events));
    }
}
