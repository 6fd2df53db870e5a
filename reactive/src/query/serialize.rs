//! A value's serde form as a query [`Value`]: the conversion of `#[reactive(text)]` fields,
//! of operands, and the default of [`QueryValue`](super::QueryValue).
//!
//! Scalars map to themselves, `None` and `()` to null, a newtype to its inner value, a unit
//! enum variant to its (serde) name; anything with structure is [`ValueError::NotScalar`].

use std::fmt;

use serde::ser::{self, Impossible, Serialize};

use super::value::Value;
use crate::error::ValueError;

/// The query value of `value`'s serde form.
pub(crate) fn to_value<V: Serialize + ?Sized>(value: &V) -> Result<Value, ValueError> {
    value.serialize(ValueSerializer).map_err(|e| e.0)
}

/// The query value of a `#[reactive(text)]` field: its serde string (or null).
pub fn to_text<V: Serialize + ?Sized>(value: &V) -> Result<Value, ValueError> {
    match to_value(value)? {
        v @ (Value::Text(_) | Value::Null) => Ok(v),
        _ => Err(ValueError::NotText),
    }
}

/// The query value of a `#[reactive(json)]` field: null, or its JSON text.
pub fn to_json<V: Serialize + ?Sized>(value: &V) -> Result<Value, ValueError> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::Null) => Ok(Value::Null),
        Ok(json) => Value::text(json.to_string()),
        Err(err) => Err(ValueError::Custom(err.to_string())),
    }
}

#[derive(Debug)]
pub(crate) struct SerError(pub(crate) ValueError);

impl fmt::Display for SerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for SerError {}

impl ser::Error for SerError {
    fn custom<M: fmt::Display>(msg: M) -> Self {
        SerError(ValueError::Custom(msg.to_string()))
    }
}

fn not_scalar<T>(found: &'static str) -> Result<T, SerError> {
    Err(SerError(ValueError::NotScalar { found }))
}

struct ValueSerializer;

type Done = Result<Value, SerError>;

impl ser::Serializer for ValueSerializer {
    type Ok = Value;
    type Error = SerError;
    type SerializeSeq = Impossible<Value, SerError>;
    type SerializeTuple = Impossible<Value, SerError>;
    type SerializeTupleStruct = Impossible<Value, SerError>;
    type SerializeTupleVariant = Impossible<Value, SerError>;
    type SerializeMap = Impossible<Value, SerError>;
    type SerializeStruct = Impossible<Value, SerError>;
    type SerializeStructVariant = Impossible<Value, SerError>;

    fn serialize_bool(self, v: bool) -> Done {
        Ok(Value::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Done {
        Ok(Value::Int(v.into()))
    }
    fn serialize_i16(self, v: i16) -> Done {
        Ok(Value::Int(v.into()))
    }
    fn serialize_i32(self, v: i32) -> Done {
        Ok(Value::Int(v.into()))
    }
    fn serialize_i64(self, v: i64) -> Done {
        Ok(Value::Int(v))
    }
    fn serialize_i128(self, v: i128) -> Done {
        Value::int(v).map_err(SerError)
    }
    fn serialize_u8(self, v: u8) -> Done {
        Ok(Value::Int(v.into()))
    }
    fn serialize_u16(self, v: u16) -> Done {
        Ok(Value::Int(v.into()))
    }
    fn serialize_u32(self, v: u32) -> Done {
        Ok(Value::Int(v.into()))
    }
    fn serialize_u64(self, v: u64) -> Done {
        Value::int(v).map_err(SerError)
    }
    fn serialize_u128(self, v: u128) -> Done {
        i128::try_from(v)
            .map_err(|_| ValueError::OutOfRange {
                value: v.to_string(),
            })
            .and_then(Value::int)
            .map_err(SerError)
    }
    fn serialize_f32(self, v: f32) -> Done {
        Value::float(f64::from(v)).map_err(SerError)
    }
    fn serialize_f64(self, v: f64) -> Done {
        Value::float(v).map_err(SerError)
    }
    fn serialize_char(self, v: char) -> Done {
        Value::text(v.to_string()).map_err(SerError)
    }
    fn serialize_str(self, v: &str) -> Done {
        Value::text(v).map_err(SerError)
    }
    fn serialize_bytes(self, _: &[u8]) -> Done {
        not_scalar("bytes")
    }
    fn serialize_none(self) -> Done {
        Ok(Value::Null)
    }
    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Done {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Done {
        Ok(Value::Null)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Done {
        Ok(Value::Null)
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Done {
        Value::text(variant).map_err(SerError)
    }
    fn serialize_newtype_struct<T: ?Sized + Serialize>(self, _: &'static str, value: &T) -> Done {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Done {
        not_scalar("an enum variant with data")
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, SerError> {
        not_scalar("a sequence")
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, SerError> {
        not_scalar("a tuple")
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, SerError> {
        not_scalar("a tuple struct")
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, SerError> {
        not_scalar("an enum variant with data")
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, SerError> {
        not_scalar("a map")
    }
    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, SerError> {
        not_scalar("a struct")
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, SerError> {
        not_scalar("an enum variant with data")
    }
}
