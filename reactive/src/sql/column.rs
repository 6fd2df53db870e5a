//! Column values: how a field's value is written to and read from an SQL column.

use std::fmt;

use crate::query::{Value, ValueError};

/// A column's storage type; each backend picks its SQL type from it.
///
/// | type        | SQLite    | PostgreSQL         |
/// |-------------|-----------|--------------------|
/// | `Bool`      | `INTEGER` | `BOOLEAN`          |
/// | `Int`       | `INTEGER` | `BIGINT`           |
/// | `Float`     | `REAL`    | `DOUBLE PRECISION` |
/// | `Text`      | `TEXT`    | `TEXT`             |
/// | `Json`      | `TEXT`    | `TEXT`             |
/// | `Uuid`      | `TEXT`    | `UUID`             |
/// | `Timestamp` | `INTEGER` | `TIMESTAMPTZ`      |
///
/// JSON is kept as text in PostgreSQL too: `jsonb` reorders keys and refuses `\u0000`, so
/// the same value would not round-trip alike in every store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SqlType {
    /// `bool`.
    Bool,
    /// Std integers that fit in `i64`.
    Int,
    /// `f32`, `f64`.
    Float,
    /// Strings, `char`, `#[reactive(text)]` fields.
    Text,
    /// `#[reactive(json)]` fields.
    Json,
    /// `uuid::Uuid` (feature `uuid`).
    Uuid,
    /// `time::OffsetDateTime` (feature `time`), in microseconds since the Unix epoch, UTC.
    Timestamp,
}

impl SqlType {
    /// The type's name in messages.
    pub fn name(self) -> &'static str {
        match self {
            SqlType::Bool => "a boolean",
            SqlType::Int => "an integer",
            SqlType::Float => "a float",
            SqlType::Text => "a string",
            SqlType::Json => "JSON text",
            SqlType::Uuid => "a UUID",
            SqlType::Timestamp => "a timestamp",
        }
    }
}

/// A value on its way to or from a column.
///
/// Built by [`Column::to_sql`], which refuses what no store holds alike (NUL in strings,
/// NaN and infinite floats, integers outside `i64`); `-0.0` is written as `0.0`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum SqlValue {
    /// `NULL`.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A finite float.
    Float(f64),
    /// A string without NUL (also JSON text).
    Text(String),
    /// A UUID's 16 bytes.
    Uuid([u8; 16]),
    /// Microseconds since the Unix epoch, UTC.
    Timestamp(i64),
}

impl SqlValue {
    /// The value's kind in messages.
    pub fn describe(&self) -> &'static str {
        match self {
            SqlValue::Null => "null",
            SqlValue::Bool(_) => "a boolean",
            SqlValue::Int(_) => "an integer",
            SqlValue::Float(_) => "a float",
            SqlValue::Text(_) => "a string",
            SqlValue::Uuid(_) => "a UUID",
            SqlValue::Timestamp(_) => "a timestamp",
        }
    }

    /// The column value of a query value compared with a column of type `ty`: a UUID column is
    /// compared as text and a timestamp column as microseconds, like the query values of
    /// their fields.
    pub fn from_query(value: &Value, ty: SqlType) -> SqlValue {
        match (value, ty) {
            (Value::Null, _) => SqlValue::Null,
            (Value::Bool(b), _) => SqlValue::Bool(*b),
            (Value::Int(i), SqlType::Timestamp) => SqlValue::Timestamp(*i),
            (Value::Int(i), SqlType::Float) => SqlValue::Float(*i as f64),
            (Value::Int(i), _) => SqlValue::Int(*i),
            (Value::Float(x), _) => SqlValue::Float(*x),
            (Value::Text(s), _) => SqlValue::Text(s.clone()),
        }
    }
}

/// Why a column's value could not be read back into its field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnError {
    expected: SqlType,
    found: &'static str,
    detail: Option<String>,
}

impl ColumnError {
    /// The column held a value of another type.
    pub fn mismatch(expected: SqlType, found: &SqlValue) -> Self {
        ColumnError {
            expected,
            found: found.describe(),
            detail: None,
        }
    }

    /// The column held a value of the right type that the field cannot take.
    pub fn invalid(expected: SqlType, detail: impl fmt::Display) -> Self {
        ColumnError {
            expected,
            found: "a value the field cannot hold",
            detail: Some(detail.to_string()),
        }
    }
}

impl fmt::Display for ColumnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "expected {}, found {}", self.expected.name(), self.found)?;
        if let Some(detail) = &self.detail {
            write!(f, " ({detail})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ColumnError {}

/// A field type that maps to one SQL column: implemented for `bool`, every std integer
/// (values outside `i64` are refused), `f32`/`f64`, `char`, `String`, `Box<str>`,
/// `Option<C>` (nullable), `uuid::Uuid` (feature `uuid`) and `time::OffsetDateTime`
/// (feature `time`). A user type is stored through `#[reactive(text)]` (its serde string)
/// or `#[reactive(json)]`, or by implementing this trait.
///
/// ```
/// use reactive::sql::{Column, SqlType, SqlValue};
///
/// assert_eq!(<Option<i32> as Column>::TYPE, SqlType::Int);
/// assert_eq!(Some(7i32).to_sql(), Ok(SqlValue::Int(7)));
/// assert_eq!(<Option<i32>>::from_sql(SqlValue::Null), Ok(None));
/// assert!(u64::MAX.to_sql().is_err());
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no SQL column mapping",
    label = "this field's type cannot be stored in a column",
    note = "store an enum with `#[reactive(text)]`, a structured value with `#[reactive(json)]`, skip it with `#[reactive(skip)]`, or implement `reactive::sql::Column` for the type"
)]
pub trait Column: Sized {
    /// The column's type.
    const TYPE: SqlType;
    /// Whether the column takes `NULL` (`Option` fields).
    const NULLABLE: bool = false;

    /// The column value of the field's value.
    fn to_sql(&self) -> Result<SqlValue, ValueError>;

    /// The field's value of a column value.
    fn from_sql(value: SqlValue) -> Result<Self, ColumnError>;
}

macro_rules! int_column {
    ($($ty:ty),*) => {$(
        impl Column for $ty {
            const TYPE: SqlType = SqlType::Int;

            #[inline]
            fn to_sql(&self) -> Result<SqlValue, ValueError> {
                #[allow(irrefutable_let_patterns, clippy::unnecessary_fallible_conversions)]
                match i64::try_from(*self) {
                    Ok(i) => Ok(SqlValue::Int(i)),
                    Err(_) => Err(ValueError::OutOfRange { value: self.to_string() }),
                }
            }

            #[inline]
            fn from_sql(value: SqlValue) -> Result<Self, ColumnError> {
                match value {
                    SqlValue::Int(i) => <$ty>::try_from(i).map_err(|_| {
                        ColumnError::invalid(SqlType::Int, format_args!(
                            "{i} is out of range for `{}`", stringify!($ty)
                        ))
                    }),
                    other => Err(ColumnError::mismatch(SqlType::Int, &other)),
                }
            }
        }
    )*};
}
int_column!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize, i128, u128);

macro_rules! float_column {
    ($($ty:ty),*) => {$(
        impl Column for $ty {
            const TYPE: SqlType = SqlType::Float;

            #[inline]
            fn to_sql(&self) -> Result<SqlValue, ValueError> {
                match Value::float(f64::from(*self))? {
                    Value::Float(x) => Ok(SqlValue::Float(x)),
                    _ => unreachable!("Value::float returns a float"),
                }
            }

            #[inline]
            #[allow(clippy::cast_possible_truncation)]
            fn from_sql(value: SqlValue) -> Result<Self, ColumnError> {
                match value {
                    SqlValue::Float(x) => Ok(x as $ty),
                    // SQLite keeps a float without a fraction as an integer in a REAL column
                    // only when asked to; read one anyway.
                    SqlValue::Int(i) => Ok(i as $ty),
                    other => Err(ColumnError::mismatch(SqlType::Float, &other)),
                }
            }
        }
    )*};
}
float_column!(f32, f64);

impl Column for bool {
    const TYPE: SqlType = SqlType::Bool;

    #[inline]
    fn to_sql(&self) -> Result<SqlValue, ValueError> {
        Ok(SqlValue::Bool(*self))
    }

    #[inline]
    fn from_sql(value: SqlValue) -> Result<Self, ColumnError> {
        match value {
            SqlValue::Bool(b) => Ok(b),
            SqlValue::Int(0) => Ok(false),
            SqlValue::Int(1) => Ok(true),
            other => Err(ColumnError::mismatch(SqlType::Bool, &other)),
        }
    }
}

fn text(s: &str) -> Result<SqlValue, ValueError> {
    if s.contains('\0') {
        Err(ValueError::Nul)
    } else {
        Ok(SqlValue::Text(s.to_owned()))
    }
}

impl Column for String {
    const TYPE: SqlType = SqlType::Text;

    #[inline]
    fn to_sql(&self) -> Result<SqlValue, ValueError> {
        text(self)
    }

    #[inline]
    fn from_sql(value: SqlValue) -> Result<Self, ColumnError> {
        match value {
            SqlValue::Text(s) => Ok(s),
            other => Err(ColumnError::mismatch(SqlType::Text, &other)),
        }
    }
}

impl Column for Box<str> {
    const TYPE: SqlType = SqlType::Text;

    fn to_sql(&self) -> Result<SqlValue, ValueError> {
        text(self)
    }

    fn from_sql(value: SqlValue) -> Result<Self, ColumnError> {
        String::from_sql(value).map(String::into_boxed_str)
    }
}

impl Column for char {
    const TYPE: SqlType = SqlType::Text;

    fn to_sql(&self) -> Result<SqlValue, ValueError> {
        text(self.encode_utf8(&mut [0; 4]))
    }

    fn from_sql(value: SqlValue) -> Result<Self, ColumnError> {
        let s = String::from_sql(value)?;
        let mut chars = s.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => Ok(c),
            _ => Err(ColumnError::invalid(
                SqlType::Text,
                format_args!("{s:?} is not one character"),
            )),
        }
    }
}

impl<C: Column> Column for Option<C> {
    const TYPE: SqlType = C::TYPE;
    const NULLABLE: bool = true;

    #[inline]
    fn to_sql(&self) -> Result<SqlValue, ValueError> {
        match self {
            Some(value) => value.to_sql(),
            None => Ok(SqlValue::Null),
        }
    }

    #[inline]
    fn from_sql(value: SqlValue) -> Result<Self, ColumnError> {
        match value {
            SqlValue::Null => Ok(None),
            value => C::from_sql(value).map(Some),
        }
    }
}

#[cfg(feature = "uuid")]
mod uuid_column {
    use super::*;
    use crate::query::{QueryValue, ValueKind};

    impl Column for uuid::Uuid {
        const TYPE: SqlType = SqlType::Uuid;

        fn to_sql(&self) -> Result<SqlValue, ValueError> {
            Ok(SqlValue::Uuid(*self.as_bytes()))
        }

        fn from_sql(value: SqlValue) -> Result<Self, ColumnError> {
            match value {
                SqlValue::Uuid(bytes) => Ok(uuid::Uuid::from_bytes(bytes)),
                SqlValue::Text(s) => {
                    uuid::Uuid::parse_str(&s).map_err(|e| ColumnError::invalid(SqlType::Uuid, e))
                }
                other => Err(ColumnError::mismatch(SqlType::Uuid, &other)),
            }
        }
    }

    /// A UUID is compared as its hyphenated lower-case text, which orders like its bytes.
    impl QueryValue for uuid::Uuid {
        const KIND: ValueKind = ValueKind::Text;

        fn to_query_value(&self) -> Result<Value, ValueError> {
            Ok(Value::Text(self.hyphenated().to_string()))
        }
    }
}

#[cfg(feature = "time")]
mod time_column {
    use super::*;
    use crate::query::{QueryValue, ValueKind};

    /// Microseconds since the Unix epoch; `None` outside `i64`.
    pub(crate) fn micros(t: &time::OffsetDateTime) -> Option<i64> {
        i64::try_from(t.unix_timestamp_nanos().div_euclid(1000)).ok()
    }

    impl Column for time::OffsetDateTime {
        const TYPE: SqlType = SqlType::Timestamp;

        /// Stored to the microsecond, in UTC (what PostgreSQL keeps); a finer value is
        /// truncated and the store's response carries the stored one.
        fn to_sql(&self) -> Result<SqlValue, ValueError> {
            micros(self)
                .map(SqlValue::Timestamp)
                .ok_or_else(|| ValueError::OutOfRange {
                    value: self.to_string(),
                })
        }

        fn from_sql(value: SqlValue) -> Result<Self, ColumnError> {
            match value {
                SqlValue::Timestamp(us) | SqlValue::Int(us) => {
                    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1000)
                        .map_err(|e| ColumnError::invalid(SqlType::Timestamp, e))
                }
                other => Err(ColumnError::mismatch(SqlType::Timestamp, &other)),
            }
        }
    }

    /// A timestamp is compared as microseconds since the Unix epoch.
    impl QueryValue for time::OffsetDateTime {
        const KIND: ValueKind = ValueKind::Int;

        fn to_query_value(&self) -> Result<Value, ValueError> {
            micros(self)
                .map(Value::Int)
                .ok_or_else(|| ValueError::OutOfRange {
                    value: self.to_string(),
                })
        }
    }
}

/// The column value of a `#[reactive(text)]` field: its serde string (or null).
#[doc(hidden)]
pub fn text_to_sql<V: serde::Serialize>(value: &V) -> Result<SqlValue, ValueError> {
    match crate::query::__text_value(value)? {
        Value::Text(s) => Ok(SqlValue::Text(s)),
        _ => Ok(SqlValue::Null),
    }
}

/// The field value of a `#[reactive(text)]` column.
#[doc(hidden)]
pub fn text_from_sql<V: serde::de::DeserializeOwned>(value: SqlValue) -> Result<V, ColumnError> {
    let json = match value {
        SqlValue::Null => serde_json::Value::Null,
        SqlValue::Text(s) => serde_json::Value::String(s),
        other => return Err(ColumnError::mismatch(SqlType::Text, &other)),
    };
    serde_json::from_value(json).map_err(|e| ColumnError::invalid(SqlType::Text, e))
}

/// The column value of a `#[reactive(json)]` field: its JSON text (or null for JSON `null`).
#[doc(hidden)]
pub fn json_to_sql<V: serde::Serialize>(value: &V) -> Result<SqlValue, ValueError> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::Null) => Ok(SqlValue::Null),
        Ok(json) => Ok(SqlValue::Text(json.to_string())),
        Err(err) => Err(ValueError::Custom(err.to_string())),
    }
}

/// The field value of a `#[reactive(json)]` column.
#[doc(hidden)]
pub fn json_from_sql<V: serde::de::DeserializeOwned>(value: SqlValue) -> Result<V, ColumnError> {
    match value {
        SqlValue::Null => serde_json::from_value(serde_json::Value::Null),
        SqlValue::Text(s) => serde_json::from_str(&s),
        other => return Err(ColumnError::mismatch(SqlType::Json, &other)),
    }
    .map_err(|e| ColumnError::invalid(SqlType::Json, e))
}
