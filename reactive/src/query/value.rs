//! Query values: the one representation every provider compares.
//!
//! A field's value and a filter's operand both become a [`Value`]: null, a boolean, an `i64`,
//! a finite `f64` or a string. The conversion is [`QueryValue`] for std types and serde for
//! `#[reactive(text)]` fields (an enum is its serde string), so the memory provider and an SQL
//! provider compare the same thing.

use std::cmp::Ordering;
use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::ValueError;

/// A value in a query, or a field's value as queries see it.
///
/// Built through [`QueryValue`] (or the typed key methods), which reject what no store can
/// hold alike: NaN and infinite floats, NUL characters in strings, integers outside `i64`.
/// `-0.0` is stored as `0.0`.
///
/// Values of one field are compared by their natural order: `false < true`, numbers
/// numerically (an integer and a float compare exactly), strings by their UTF-8 bytes
/// (case-sensitive: `"B" < "a"`, `"z" < "é"`). Null sorts after everything.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// No value (`None`).
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer (every std integer that fits in `i64`).
    Int(i64),
    /// A finite float, never `-0.0`.
    Float(f64),
    /// A string without NUL characters.
    Text(String),
}

/// What kind of value a field holds, known from its type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ValueKind {
    /// `bool`.
    Bool,
    /// Std integers.
    Int,
    /// `f32`, `f64`.
    Float,
    /// Strings, `char`, and `#[reactive(text)]` fields (their serde string).
    Text,
    /// `#[reactive(json)]` fields: stored as JSON; in queries only `is_null` applies.
    Json,
}

impl ValueKind {
    /// The kind's name in messages.
    pub fn name(self) -> &'static str {
        match self {
            ValueKind::Bool => "a boolean",
            ValueKind::Int => "an integer",
            ValueKind::Float => "a float",
            ValueKind::Text => "a string",
            ValueKind::Json => "JSON",
        }
    }
}

impl Value {
    /// A float value: NaN and infinities are refused, `-0.0` becomes `0.0`.
    ///
    /// ```
    /// use reactive::query::{Value, ValueError};
    /// assert_eq!(Value::float(-0.0), Ok(Value::Float(0.0)));
    /// assert_eq!(Value::float(f64::NAN), Err(ValueError::NaN));
    /// ```
    pub fn float(x: f64) -> Result<Value, ValueError> {
        if x.is_nan() {
            Err(ValueError::NaN)
        } else if x.is_infinite() {
            Err(ValueError::Infinite)
        } else if x == 0.0 {
            Ok(Value::Float(0.0))
        } else {
            Ok(Value::Float(x))
        }
    }

    /// A string value: one with a NUL character is refused.
    pub fn text(s: impl Into<String>) -> Result<Value, ValueError> {
        let s = s.into();
        if s.contains('\0') {
            Err(ValueError::Nul)
        } else {
            Ok(Value::Text(s))
        }
    }

    /// An integer value from anything that converts to `i128` (every std integer).
    pub fn int(x: impl Into<i128>) -> Result<Value, ValueError> {
        let x: i128 = x.into();
        i64::try_from(x)
            .map(Value::Int)
            .map_err(|_| ValueError::OutOfRange {
                value: x.to_string(),
            })
    }

    /// Whether this is [`Value::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The string, for a [`Value::Text`].
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The kind of a non-null value.
    pub fn kind(&self) -> Option<ValueKind> {
        match self {
            Value::Null => None,
            Value::Bool(_) => Some(ValueKind::Bool),
            Value::Int(_) => Some(ValueKind::Int),
            Value::Float(_) => Some(ValueKind::Float),
            Value::Text(_) => Some(ValueKind::Text),
        }
    }

    /// Checks the invariants (a value built directly may break them).
    pub(crate) fn checked(self) -> Result<Value, ValueError> {
        match self {
            Value::Float(x) => Value::float(x),
            Value::Text(s) if s.contains('\0') => Err(ValueError::Nul),
            other => Ok(other),
        }
    }

    /// The total order of values: by kind (`bool`, numbers, strings), then by value; null
    /// last. Values of one field are of one kind (or null), so across kinds this only has to
    /// be consistent.
    pub fn total_cmp(&self, other: &Value) -> Ordering {
        fn rank(v: &Value) -> u8 {
            match v {
                Value::Bool(_) => 0,
                Value::Int(_) | Value::Float(_) => 1,
                Value::Text(_) => 2,
                Value::Null => 3,
            }
        }
        match (self, other) {
            (Value::Bool(a), Value::Bool(b)) => a.cmp(b),
            (Value::Int(a), Value::Int(b)) => a.cmp(b),
            (Value::Float(a), Value::Float(b)) => a.total_cmp(b),
            (Value::Int(a), Value::Float(b)) => int_float_cmp(*a, *b),
            (Value::Float(a), Value::Int(b)) => int_float_cmp(*b, *a).reverse(),
            (Value::Text(a), Value::Text(b)) => a.as_bytes().cmp(b.as_bytes()),
            (a, b) => rank(a).cmp(&rank(b)),
        }
    }

    /// Equality as filters see it: numbers numerically, null equal to null.
    pub fn query_eq(&self, other: &Value) -> bool {
        self.total_cmp(other) == Ordering::Equal
    }
}

/// Compares an integer with a finite float exactly (no rounding of large integers).
fn int_float_cmp(i: i64, f: f64) -> Ordering {
    // Every i64 lies in [-2^63, 2^63); floats outside that range order trivially.
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if f >= TWO_63 {
        return Ordering::Less;
    }
    if f < -TWO_63 {
        return Ordering::Greater;
    }
    let truncated = f.trunc();
    // In range, the truncated float is an exact i64.
    let whole = truncated as i64;
    match i.cmp(&whole) {
        Ordering::Equal => {
            let fraction = f - truncated;
            if fraction > 0.0 {
                Ordering::Less
            } else if fraction < 0.0 {
                Ordering::Greater
            } else {
                Ordering::Equal
            }
        }
        other => other,
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => serializer.serialize_none(),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::Int(i) => serializer.serialize_i64(*i),
            Value::Float(x) => serializer.serialize_f64(*x),
            Value::Text(s) => serializer.serialize_str(s),
        }
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("null, a boolean, a number or a string")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E: de::Error>(self, i: i64) -> Result<Value, E> {
        Ok(Value::Int(i))
    }

    fn visit_u64<E: de::Error>(self, u: u64) -> Result<Value, E> {
        Value::int(u).map_err(E::custom)
    }

    fn visit_i128<E: de::Error>(self, i: i128) -> Result<Value, E> {
        Value::int(i).map_err(E::custom)
    }

    fn visit_u128<E: de::Error>(self, u: u128) -> Result<Value, E> {
        i128::try_from(u)
            .map_err(|_| ValueError::OutOfRange {
                value: u.to_string(),
            })
            .and_then(Value::int)
            .map_err(E::custom)
    }

    fn visit_f64<E: de::Error>(self, x: f64) -> Result<Value, E> {
        Value::float(x).map_err(E::custom)
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<Value, E> {
        Value::text(s).map_err(E::custom)
    }

    fn visit_string<E: de::Error>(self, s: String) -> Result<Value, E> {
        Value::text(s).map_err(E::custom)
    }
}

/// A type whose values are query values: the fields a query can filter and order on.
///
/// Implemented for `bool`, every std integer (an out-of-range `u64`, `u128`, `i128` or
/// `usize` is [`ValueError::OutOfRange`]), `f32`/`f64` (NaN and infinities refused),
/// `char`, `String`, `&str`, `Box<str>`, and `Option<V>` (null for `None`).
///
/// For a type of your own, state its kind and keep the default conversion, which reads the
/// value's serde form (a newtype is its inner value, a unit enum variant its name):
///
/// ```
/// use reactive::query::{QueryValue, Value, ValueKind};
///
/// #[derive(serde::Serialize)]
/// struct Email(String);
///
/// impl QueryValue for Email {
///     const KIND: ValueKind = ValueKind::Text;
/// }
///
/// assert_eq!(Email("a@b.c".into()).to_query_value(), Ok(Value::Text("a@b.c".into())));
/// ```
///
/// An enum field is marked `#[reactive(text)]` instead: its value is its serde string.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no query value",
    label = "queries compare null, booleans, integers, floats and strings",
    note = "mark an enum field `#[reactive(text)]` (its serde string) and a structured one `#[reactive(json)]`, or implement `reactive::query::QueryValue` for the type"
)]
pub trait QueryValue: Serialize {
    /// The kind of the (non-null) values.
    const KIND: ValueKind;

    /// The value as queries see it. The default reads the serde form; an implementation must
    /// return the same value as the default.
    fn to_query_value(&self) -> Result<Value, ValueError> {
        super::serialize::to_value(self)
    }
}

macro_rules! int_value {
    ($($ty:ty),*) => {$(
        impl QueryValue for $ty {
            const KIND: ValueKind = ValueKind::Int;
            #[inline]
            fn to_query_value(&self) -> Result<Value, ValueError> {
                Value::int(*self as i128)
            }
        }
    )*};
}
int_value!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

impl QueryValue for i128 {
    const KIND: ValueKind = ValueKind::Int;
    fn to_query_value(&self) -> Result<Value, ValueError> {
        Value::int(*self)
    }
}

impl QueryValue for u128 {
    const KIND: ValueKind = ValueKind::Int;
    fn to_query_value(&self) -> Result<Value, ValueError> {
        i128::try_from(*self)
            .map_err(|_| ValueError::OutOfRange {
                value: self.to_string(),
            })
            .and_then(Value::int)
    }
}

impl QueryValue for f64 {
    const KIND: ValueKind = ValueKind::Float;
    #[inline]
    fn to_query_value(&self) -> Result<Value, ValueError> {
        Value::float(*self)
    }
}

impl QueryValue for f32 {
    const KIND: ValueKind = ValueKind::Float;
    #[inline]
    fn to_query_value(&self) -> Result<Value, ValueError> {
        Value::float(f64::from(*self))
    }
}

impl QueryValue for bool {
    const KIND: ValueKind = ValueKind::Bool;
    #[inline]
    fn to_query_value(&self) -> Result<Value, ValueError> {
        Ok(Value::Bool(*self))
    }
}

impl QueryValue for char {
    const KIND: ValueKind = ValueKind::Text;
    fn to_query_value(&self) -> Result<Value, ValueError> {
        Value::text(self.to_string())
    }
}

impl QueryValue for String {
    const KIND: ValueKind = ValueKind::Text;
    #[inline]
    fn to_query_value(&self) -> Result<Value, ValueError> {
        Value::text(self.as_str())
    }
}

impl QueryValue for str {
    const KIND: ValueKind = ValueKind::Text;
    #[inline]
    fn to_query_value(&self) -> Result<Value, ValueError> {
        Value::text(self)
    }
}

impl QueryValue for Box<str> {
    const KIND: ValueKind = ValueKind::Text;
    fn to_query_value(&self) -> Result<Value, ValueError> {
        Value::text(&**self)
    }
}

impl<V: QueryValue + ?Sized> QueryValue for &V {
    const KIND: ValueKind = V::KIND;
    #[inline]
    fn to_query_value(&self) -> Result<Value, ValueError> {
        (**self).to_query_value()
    }
}

impl<V: QueryValue> QueryValue for Option<V> {
    const KIND: ValueKind = V::KIND;
    #[inline]
    fn to_query_value(&self) -> Result<Value, ValueError> {
        match self {
            None => Ok(Value::Null),
            Some(v) => v.to_query_value(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::serialize::to_value;

    /// The typed conversion and the serde one (operands, user types) give the same value.
    fn agree<V: QueryValue>(values: &[V]) {
        for v in values {
            assert_eq!(v.to_query_value(), to_value(v));
        }
    }

    #[test]
    fn std_conversions_agree_with_serde() {
        agree(&[i8::MIN, -1, 0, i8::MAX]);
        agree(&[i64::MIN, 0, i64::MAX]);
        agree(&[0u64, i64::MAX as u64, i64::MAX as u64 + 1, u64::MAX]);
        agree(&[0usize, usize::MAX]);
        agree(&[i128::MIN, -1, i128::from(i64::MAX) + 1]);
        agree(&[0u128, u128::MAX]);
        agree(&[
            0.0f64,
            -0.0,
            1.5,
            f64::NAN,
            f64::INFINITY,
            f64::MIN_POSITIVE,
        ]);
        agree(&[-0.0f32, 1.1, f32::NAN, f32::NEG_INFINITY]);
        agree(&[true, false]);
        agree(&['a', 'é', '\0']);
        agree(&["".to_string(), "a\0b".to_string(), "é".to_string()]);
        agree(&[Some(3u8), None]);
        agree(&[Some("x".to_string()), None]);
        agree::<Box<str>>(&["boxed".into()]);
        agree(&["str"]);
    }

    #[test]
    fn integers_and_floats_compare_exactly() {
        let big = Value::Int(i64::MAX);
        // i64::MAX as f64 rounds up to 2^63: the integer is smaller.
        assert_eq!(
            big.total_cmp(&Value::Float(i64::MAX as f64)),
            Ordering::Less
        );
        assert_eq!(Value::Int(2).total_cmp(&Value::Float(2.0)), Ordering::Equal);
        assert_eq!(Value::Int(2).total_cmp(&Value::Float(2.5)), Ordering::Less);
        assert_eq!(
            Value::Int(-2).total_cmp(&Value::Float(-2.5)),
            Ordering::Greater
        );
        assert_eq!(
            Value::Float(-1e300).total_cmp(&Value::Int(i64::MIN)),
            Ordering::Less
        );
        assert!(Value::Null.total_cmp(&Value::Text(String::new())).is_gt());
    }
}
