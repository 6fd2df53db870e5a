//! The query builders on the typed keys: `User::NAME.eq("Ada")`, `User::AGE.desc()`.
//!
//! They are inherent methods of [`Field`] and [`ComputedField`], so nothing needs importing.

use std::borrow::Cow;

use serde::Serialize;

use super::filter::{CompareOp, Expr, Filter};
use super::order::Order;
use super::serialize::to_value;
use super::value::Value;
use crate::error::ValueError;
use crate::model::key::{ComputedField, Field, Key};

/// A value a field of type `V` can be compared with: `V` itself, `&str` for a `String` field,
/// and for an `Option<V>` field both `Option<V>` and `V` (`User::NICKNAME.eq("Ada")`).
///
/// The operand becomes a query value through its serde form, the conversion
/// [`QueryValue`](super::QueryValue) also follows, so an enum field marked
/// `#[reactive(text)]` is compared with its variant: `User::ROLE.eq(Role::Admin)`.
#[diagnostic::on_unimplemented(
    message = "a `{Self}` cannot be compared with a field of type `{V}`",
    label = "expected a `{V}` (or, for an `Option` field, the type inside)"
)]
pub trait Operand<V> {
    /// The query value.
    fn to_operand(&self) -> Result<Value, ValueError>;
}

impl<V: Serialize> Operand<V> for V {
    #[inline]
    fn to_operand(&self) -> Result<Value, ValueError> {
        to_value(self)
    }
}

impl<V: Serialize> Operand<Option<V>> for V {
    #[inline]
    fn to_operand(&self) -> Result<Value, ValueError> {
        to_value(self)
    }
}

impl Operand<String> for &str {
    #[inline]
    fn to_operand(&self) -> Result<Value, ValueError> {
        Value::text(*self)
    }
}

impl Operand<String> for &String {
    #[inline]
    fn to_operand(&self) -> Result<Value, ValueError> {
        Value::text(self.as_str())
    }
}

impl Operand<Option<String>> for &str {
    #[inline]
    fn to_operand(&self) -> Result<Value, ValueError> {
        Value::text(*self)
    }
}

/// A field type the string operators apply to: `String` and `Option<String>`.
#[diagnostic::on_unimplemented(
    message = "`contains`, `starts_with` and `ends_with` apply to string fields, not `{Self}`",
    label = "not a `String` or `Option<String>` field"
)]
pub trait TextField {}
impl TextField for String {}
impl TextField for Option<String> {}
impl TextField for Box<str> {}
impl TextField for Option<Box<str>> {}

fn leaf<T>(field: &'static str, op: CompareOp, value: Result<Value, ValueError>) -> Filter<T> {
    let expr = value.map(|value| Expr::Compare {
        field: Cow::Borrowed(field),
        op,
        value,
    });
    // With an invalid operand the tree keeps the leaf's shape; the query reports the error.
    Filter::leaf(field, expr, || Expr::Compare {
        field: Cow::Borrowed(field),
        op,
        value: Value::Null,
    })
}

fn list<T, V, A: Operand<V>>(
    field: &'static str,
    values: impl IntoIterator<Item = A>,
    negated: bool,
) -> Filter<T> {
    let values: Result<Vec<Value>, ValueError> =
        values.into_iter().map(|v| v.to_operand()).collect();
    let build = move |values: Vec<Value>| {
        let field = Cow::Borrowed(field);
        if negated {
            Expr::NotIn { field, values }
        } else {
            Expr::In { field, values }
        }
    };
    let expr = values.map(build);
    Filter::leaf(field, expr, || build(Vec::new()))
}

fn text<T>(field: &'static str, op: CompareOp, needle: &str) -> Filter<T> {
    leaf(field, op, Value::text(needle))
}

macro_rules! query_methods {
    ($key:ident) => {
        impl<T: 'static, V: PartialEq + Clone + Send + Sync + 'static> $key<T, V> {
            /// The field equals `value` (for an `Option` field, `None` matches only null).
            pub fn eq(self, value: impl Operand<V>) -> Filter<T> {
                leaf(self.name(), CompareOp::Equals, value.to_operand())
            }

            /// The field does not equal `value`; a null field matches any non-null value.
            pub fn ne(self, value: impl Operand<V>) -> Filter<T> {
                leaf(self.name(), CompareOp::NotEquals, value.to_operand())
            }

            /// The field is greater than `value` (a null field never matches).
            pub fn gt(self, value: impl Operand<V>) -> Filter<T> {
                leaf(self.name(), CompareOp::Gt, value.to_operand())
            }

            /// The field is greater than or equal to `value` (a null field never matches).
            pub fn ge(self, value: impl Operand<V>) -> Filter<T> {
                leaf(self.name(), CompareOp::Ge, value.to_operand())
            }

            /// The field is less than `value` (a null field never matches).
            pub fn lt(self, value: impl Operand<V>) -> Filter<T> {
                leaf(self.name(), CompareOp::Lt, value.to_operand())
            }

            /// The field is less than or equal to `value` (a null field never matches).
            pub fn le(self, value: impl Operand<V>) -> Filter<T> {
                leaf(self.name(), CompareOp::Le, value.to_operand())
            }

            /// The field equals one of `values`; an empty list matches nothing.
            pub fn in_<A: Operand<V>>(self, values: impl IntoIterator<Item = A>) -> Filter<T> {
                list::<T, V, A>(self.name(), values, false)
            }

            /// The field equals none of `values`; a null field matches unless `None` is listed.
            pub fn not_in<A: Operand<V>>(self, values: impl IntoIterator<Item = A>) -> Filter<T> {
                list::<T, V, A>(self.name(), values, true)
            }

            /// Order by this field, ascending (null last).
            pub fn asc(self) -> Order<T> {
                Order::new(self.name(), false)
            }

            /// Order by this field, descending (null first).
            pub fn desc(self) -> Order<T> {
                Order::new(self.name(), true)
            }
        }

        impl<T: 'static, V: TextField + PartialEq + Clone + Send + Sync + 'static> $key<T, V> {
            /// The string field contains `needle` (bytes, case-sensitive).
            pub fn contains(self, needle: impl AsRef<str>) -> Filter<T> {
                text(self.name(), CompareOp::Contains, needle.as_ref())
            }

            /// The string field starts with `prefix` (bytes, case-sensitive).
            pub fn starts_with(self, prefix: impl AsRef<str>) -> Filter<T> {
                text(self.name(), CompareOp::StartsWith, prefix.as_ref())
            }

            /// The string field ends with `suffix` (bytes, case-sensitive).
            pub fn ends_with(self, suffix: impl AsRef<str>) -> Filter<T> {
                text(self.name(), CompareOp::EndsWith, suffix.as_ref())
            }
        }

        impl<T: 'static, V: PartialEq + Clone + Send + Sync + 'static> $key<T, Option<V>> {
            /// The field is `None`.
            pub fn is_null(self) -> Filter<T> {
                Filter::from_expr(Expr::IsNull {
                    field: Cow::Borrowed(self.name()),
                })
            }
        }
    };
}

query_methods!(Field);
query_methods!(ComputedField);

/// Timestamps (feature `time`): an `OffsetDateTime`'s serde form is not a scalar, so its
/// fields are compared through these methods, by the instant (microseconds since the epoch,
/// the timestamp's query value).
#[cfg(feature = "time")]
macro_rules! time_methods {
    ($key:ident, $ty:ty) => {
        impl<T: 'static> $key<T, $ty> {
            /// The field is the instant `at`.
            pub fn at(self, at: time::OffsetDateTime) -> Filter<T> {
                leaf(
                    self.name(),
                    CompareOp::Equals,
                    super::QueryValue::to_query_value(&at),
                )
            }

            /// The field is before `at` (a null field never matches).
            pub fn before(self, at: time::OffsetDateTime) -> Filter<T> {
                leaf(
                    self.name(),
                    CompareOp::Lt,
                    super::QueryValue::to_query_value(&at),
                )
            }

            /// The field is `at` or before it (a null field never matches).
            pub fn at_or_before(self, at: time::OffsetDateTime) -> Filter<T> {
                leaf(
                    self.name(),
                    CompareOp::Le,
                    super::QueryValue::to_query_value(&at),
                )
            }

            /// The field is after `at` (a null field never matches).
            pub fn after(self, at: time::OffsetDateTime) -> Filter<T> {
                leaf(
                    self.name(),
                    CompareOp::Gt,
                    super::QueryValue::to_query_value(&at),
                )
            }

            /// The field is `at` or after it (a null field never matches).
            pub fn at_or_after(self, at: time::OffsetDateTime) -> Filter<T> {
                leaf(
                    self.name(),
                    CompareOp::Ge,
                    super::QueryValue::to_query_value(&at),
                )
            }
        }
    };
}

#[cfg(feature = "time")]
time_methods!(Field, time::OffsetDateTime);
#[cfg(feature = "time")]
time_methods!(Field, Option<time::OffsetDateTime>);
#[cfg(feature = "time")]
time_methods!(ComputedField, time::OffsetDateTime);
#[cfg(feature = "time")]
time_methods!(ComputedField, Option<time::OffsetDateTime>);
