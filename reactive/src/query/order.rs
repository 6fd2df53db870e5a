//! Sort keys: `User::NAME.asc()`, `User::AGE.desc()`.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A sort direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Smallest first; null last.
    Asc,
    /// Largest first; null first.
    Desc,
}

/// One sort key of a query: a field and a direction. Rows equal on every key are ordered by
/// id, so the order is total and pages never overlap.
pub struct Order<T> {
    field: Cow<'static, str>,
    direction: Direction,
    _marker: PhantomData<fn() -> T>,
}

impl<T> Order<T> {
    pub(crate) fn new(field: &'static str, descending: bool) -> Self {
        Order::named(
            Cow::Borrowed(field),
            if descending {
                Direction::Desc
            } else {
                Direction::Asc
            },
        )
    }

    /// A sort key on a field given by name (checked when the query runs).
    pub fn named(field: impl Into<Cow<'static, str>>, direction: Direction) -> Self {
        Order {
            field: field.into(),
            direction,
            _marker: PhantomData,
        }
    }

    /// The field's name.
    pub fn field(&self) -> &str {
        &self.field
    }

    /// The direction.
    pub fn direction(&self) -> Direction {
        self.direction
    }

    /// Whether the direction is descending.
    pub fn is_desc(&self) -> bool {
        self.direction == Direction::Desc
    }
}

impl<T> Clone for Order<T> {
    fn clone(&self) -> Self {
        Order::named(self.field.clone(), self.direction)
    }
}

impl<T> PartialEq for Order<T> {
    fn eq(&self, other: &Self) -> bool {
        self.field == other.field && self.direction == other.direction
    }
}

impl<T> fmt::Debug for Order<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {:?}", self.field, self.direction)
    }
}

#[derive(Serialize, Deserialize)]
struct Wire<'a> {
    field: Cow<'a, str>,
    direction: Direction,
}

impl<T> Serialize for Order<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Wire {
            field: Cow::Borrowed(&self.field),
            direction: self.direction,
        }
        .serialize(serializer)
    }
}

impl<'de, T> Deserialize<'de> for Order<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = Wire::deserialize(deserializer)?;
        Ok(Order::named(wire.field.into_owned(), wire.direction))
    }
}
