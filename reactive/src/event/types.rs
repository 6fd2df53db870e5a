//! The values listeners receive.

use std::borrow::Cow;

use serde::Serialize;
use serde_json::Value;

use crate::event::field_set::FieldSet;

/// One field's change, as typed listeners receive it.
///
/// ```
/// use reactive::prelude::*;
/// use std::sync::{Arc, Mutex};
///
/// #[derive(Reactive, Clone)]
/// struct Counter { n: u64 }
///
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let counter = Model::new(Counter { n: 1 });
/// let log = seen.clone();
/// let _sub = counter.on(Counter::N, move |c: &Change<u64>| log.lock().unwrap().push((c.previous, c.value)));
/// counter.set(Counter::N, 2)?;
/// assert_eq!(*seen.lock().unwrap(), vec![(1, 2)]);
/// # Ok::<(), reactive::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change<V> {
    /// The value after the batch.
    pub value: V,
    /// The value before the batch.
    pub previous: V,
}

/// The fields a batch changed, as `on_change` listeners receive them (names, not values: a
/// listener reads the values it needs through the handle).
///
/// ```
/// use reactive::prelude::*;
///
/// #[derive(Reactive, Clone)]
/// struct Point { x: i64, y: i64 }
///
/// let p = Model::new(Point { x: 0, y: 0 });
/// p.on_change(|_m: &Model<Point>, changes: &Changes| {
///     assert!(changes.contains(Point::X) && !changes.contains(Point::Y));
///     assert_eq!(changes.names().collect::<Vec<_>>(), ["x"]);
/// })
/// .detach();
/// p.set(Point::X, 3)?;
/// # Ok::<(), reactive::Error>(())
/// ```
#[derive(Clone)]
pub struct Changes {
    set: FieldSet,
    /// The model type's field names, by index.
    name_of: fn(usize) -> Option<&'static str>,
}

impl Changes {
    pub(crate) fn new(set: FieldSet, name_of: fn(usize) -> Option<&'static str>) -> Self {
        Changes { set, name_of }
    }

    /// The changed fields, by field-table index (`Changes::contains` reads it with a key).
    pub(crate) fn field_set(&self) -> FieldSet {
        self.set
    }

    /// Whether the batch changed the field named `name`.
    pub fn contains_name(&self, name: &str) -> bool {
        self.names().any(|n| n == name)
    }

    /// The changed fields' names, in field-table order.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.set.iter().filter_map(self.name_of)
    }

    /// How many fields changed (computed fields included).
    pub fn len(&self) -> usize {
        self.set.len()
    }

    /// Whether no field changed (a batch that only carried triggers).
    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }

    /// The changed fields as a set of field-table indices.
    pub fn fields(&self) -> FieldSet {
        self.set
    }
}

impl std::fmt::Debug for Changes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.names()).finish()
    }
}

/// A named event with a JSON payload, as string-keyed listeners and streams receive it.
///
/// Field events are named `<field>.changed` with `{ "value": .., "previous": .. }`; the batch
/// event is `change` with the changed field names; custom events carry what
/// [`Model::trigger`](crate::Model::trigger) was given.
///
/// ```
/// use reactive::Event;
/// let e = Event::new("event:created", serde_json::json!({ "id": 1 }));
/// assert_eq!(e.name(), "event:created");
/// assert_eq!(e.value()["id"], 1);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Event {
    name: Cow<'static, str>,
    value: Value,
}

impl Event {
    /// An event named `name` carrying `value`.
    pub fn new(name: impl Into<Cow<'static, str>>, value: Value) -> Self {
        Event {
            name: name.into(),
            value,
        }
    }

    /// The event's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The event's payload.
    pub fn value(&self) -> &Value {
        &self.value
    }

    /// Takes the payload out of the event.
    pub fn into_value(self) -> Value {
        self.value
    }
}
