//! Values in and out of tokio-postgres, and its errors as the crate's.
//!
//! Parameters are bound in PostgreSQL's binary format by the type the server gave each one
//! when the statement was prepared, so a value is never SQL text; columns are read by the
//! type the server sends.

use std::error::Error as StdError;

use bytes::{BufMut, BytesMut};
use deadpool_postgres::PoolError;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::{FromSql, IsNull, ToSql, Type};
use tokio_postgres::Row;

use crate::error::{Error, StorageErrorKind};
use crate::sql::statements::quote;
use crate::sql::{ColumnDef, ColumnSource, SqlValue};

/// The backend's name in errors and spans.
pub(super) const BACKEND: &str = "postgres";

/// Microseconds from the Unix epoch to PostgreSQL's (2000-01-01 UTC).
const PG_EPOCH_US: i64 = 946_684_800_000_000;

type BoxError = Box<dyn StdError + Sync + Send>;

/// A value bound as a parameter, encoded for the parameter's type.
#[derive(Debug)]
pub(super) struct Bind<'a>(pub(super) &'a SqlValue);

fn cannot_bind(value: &SqlValue, ty: &Type) -> BoxError {
    format!(
        "cannot bind {} as a parameter of type {ty}",
        value.describe()
    )
    .into()
}

impl ToSql for Bind<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        let value = self.0;
        match value {
            // NULL is typed by the parameter.
            SqlValue::Null => return Ok(IsNull::Yes),
            SqlValue::Bool(b) if *ty == Type::BOOL => out.put_u8(u8::from(*b)),
            SqlValue::Int(i) => match *ty {
                Type::INT8 => out.put_i64(*i),
                Type::INT4 => out.put_i32(i32::try_from(*i)?),
                Type::INT2 => out.put_i16(i16::try_from(*i)?),
                Type::FLOAT8 => out.put_f64(*i as f64),
                _ => return Err(cannot_bind(value, ty)),
            },
            SqlValue::Float(x) => match *ty {
                Type::FLOAT8 => out.put_f64(*x),
                #[allow(clippy::cast_possible_truncation)]
                Type::FLOAT4 => out.put_f32(*x as f32),
                _ => return Err(cannot_bind(value, ty)),
            },
            SqlValue::Text(s) => match *ty {
                Type::JSONB => {
                    // jsonb's binary format: a version byte, then the text.
                    out.put_u8(1);
                    out.put_slice(s.as_bytes());
                }
                _ if is_text(ty) => out.put_slice(s.as_bytes()),
                _ => return Err(cannot_bind(value, ty)),
            },
            SqlValue::Uuid(bytes) => match *ty {
                Type::UUID => out.put_slice(bytes),
                _ if is_text(ty) => out.put_slice(hyphenated(bytes).as_bytes()),
                _ => return Err(cannot_bind(value, ty)),
            },
            SqlValue::Timestamp(us) => match *ty {
                Type::TIMESTAMPTZ | Type::TIMESTAMP => out.put_i64(
                    us.checked_sub(PG_EPOCH_US)
                        .ok_or("the timestamp is out of PostgreSQL's range")?,
                ),
                Type::INT8 => out.put_i64(*us),
                _ => return Err(cannot_bind(value, ty)),
            },
            _ => return Err(cannot_bind(value, ty)),
        }
        Ok(IsNull::No)
    }

    fn accepts(_: &Type) -> bool {
        // `to_sql` checks the pairing of value and type itself, with a message naming both.
        true
    }

    tokio_postgres::types::to_sql_checked!();
}

/// Types whose binary format is UTF-8 text.
fn is_text(ty: &Type) -> bool {
    matches!(
        *ty,
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::JSON | Type::UNKNOWN
    )
}

/// A UUID's lower-case hyphenated text.
fn hyphenated(bytes: &[u8; 16]) -> String {
    let mut out = String::with_capacity(36);
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0'));
        out.push(char::from_digit(u32::from(b & 0xf), 16).unwrap_or('0'));
    }
    out
}

/// A column's value as the server sent it.
struct Cell(SqlValue);

fn fixed<const N: usize>(raw: &[u8]) -> Result<[u8; N], BoxError> {
    raw.try_into()
        .map_err(|_| format!("expected {N} bytes, got {}", raw.len()).into())
}

impl<'a> FromSql<'a> for Cell {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        let value = match *ty {
            Type::BOOL => SqlValue::Bool(fixed::<1>(raw)?[0] != 0),
            Type::INT2 => SqlValue::Int(i16::from_be_bytes(fixed(raw)?).into()),
            Type::INT4 => SqlValue::Int(i32::from_be_bytes(fixed(raw)?).into()),
            Type::INT8 => SqlValue::Int(i64::from_be_bytes(fixed(raw)?)),
            Type::FLOAT4 => SqlValue::Float(f32::from_be_bytes(fixed(raw)?).into()),
            Type::FLOAT8 => SqlValue::Float(f64::from_be_bytes(fixed(raw)?)),
            Type::UUID => SqlValue::Uuid(fixed(raw)?),
            Type::TIMESTAMPTZ | Type::TIMESTAMP => {
                let pg = i64::from_be_bytes(fixed(raw)?);
                if pg == i64::MAX || pg == i64::MIN {
                    return Err("an infinite timestamp has no field value".into());
                }
                SqlValue::Timestamp(
                    pg.checked_add(PG_EPOCH_US)
                        .ok_or("the timestamp is out of range")?,
                )
            }
            Type::JSONB => match raw.split_first() {
                Some((1, text)) => SqlValue::Text(std::str::from_utf8(text)?.to_owned()),
                _ => return Err("unknown jsonb format version".into()),
            },
            _ if is_text(ty) => SqlValue::Text(std::str::from_utf8(raw)?.to_owned()),
            _ => return Err(format!("columns of type {ty} are not supported").into()),
        };
        Ok(Cell(value))
    }

    fn from_sql_null(_: &Type) -> Result<Self, BoxError> {
        Ok(Cell(SqlValue::Null))
    }

    fn accepts(_: &Type) -> bool {
        // `from_sql` refuses the types it does not read, with a message naming them.
        true
    }
}

/// A row's columns, read in order.
pub(super) struct RowColumns<'a> {
    pub(super) row: &'a Row,
    pub(super) at: usize,
    pub(super) entity: &'static str,
}

impl<'a> RowColumns<'a> {
    pub(super) fn new(row: &'a Row, entity: &'static str) -> Self {
        RowColumns { row, at: 0, entity }
    }
}

impl ColumnSource for RowColumns<'_> {
    fn next(&mut self, column: &ColumnDef) -> Result<SqlValue, Error> {
        let at = self.at;
        self.at += 1;
        match self.row.try_get::<_, Cell>(at) {
            Ok(Cell(value)) => Ok(value),
            Err(err) => Err(Error::Decode {
                entity: self.entity,
                column: column.name.to_string(),
                reason: err
                    .source()
                    .map_or_else(|| err.to_string(), ToString::to_string),
            }),
        }
    }
}

/// The integer in the first column of `row` (a count, a version).
pub(super) fn int_at(row: &Row, at: usize) -> Result<Option<i64>, Error> {
    match row.try_get::<_, Cell>(at).map_err(storage)?.0 {
        SqlValue::Int(i) => Ok(Some(i)),
        SqlValue::Null => Ok(None),
        other => Err(Error::msg(format!(
            "expected an integer, the server sent {}",
            other.describe()
        ))),
    }
}

/// A driver error as [`Error::Storage`], its kind from the SQLSTATE (or the failure to reach
/// the server).
pub(super) fn storage(err: tokio_postgres::Error) -> Error {
    let (kind, message) = match err.as_db_error() {
        Some(db) => (kind_of(db.code()), db.to_string()),
        None => {
            let text = match err.source() {
                Some(source) => format!("{err}: {source}"),
                None => err.to_string(),
            };
            (kind_of_driver(&err), text)
        }
    };
    Error::Storage {
        backend: BACKEND,
        kind,
        message,
    }
}

/// A failure that is not the server's answer: lost or refused connections are
/// `Unavailable`, a bad connection string or failed authentication `CannotOpen`.
fn kind_of_driver(err: &tokio_postgres::Error) -> StorageErrorKind {
    let text = err.to_string();
    let io = err
        .source()
        .is_some_and(|s| s.downcast_ref::<std::io::Error>().is_some());
    if err.is_closed()
        || io
        || text.starts_with("error connecting")
        || text.starts_with("timeout")
        || text.starts_with("error communicating")
    {
        StorageErrorKind::Unavailable
    } else if text.starts_with("authentication")
        || text.starts_with("invalid connection string")
        || text.starts_with("invalid configuration")
    {
        StorageErrorKind::CannotOpen
    } else {
        StorageErrorKind::Other
    }
}

/// The kind of a server error, by its SQLSTATE.
fn kind_of(code: &SqlState) -> StorageErrorKind {
    let class = &code.code()[..2];
    if *code == SqlState::READ_ONLY_SQL_TRANSACTION {
        StorageErrorKind::ReadOnly
    } else if *code == SqlState::RAISE_EXCEPTION || class == "23" {
        // Integrity constraints (check, not null, unique, foreign key, exclusion) and a
        // trigger's `RAISE EXCEPTION`.
        StorageErrorKind::Constraint
    } else if class == "08"
        || *code == SqlState::ADMIN_SHUTDOWN
        || *code == SqlState::CRASH_SHUTDOWN
        || *code == SqlState::CANNOT_CONNECT_NOW
    {
        StorageErrorKind::Unavailable
    } else if class == "40" || *code == SqlState::LOCK_NOT_AVAILABLE {
        // Serialization failures, deadlocks, `NOWAIT` locks.
        StorageErrorKind::Busy
    } else if class == "28" || class == "3D" || *code == SqlState::TOO_MANY_CONNECTIONS {
        // No such database, failed authorization, no free connection slot.
        StorageErrorKind::CannotOpen
    } else {
        StorageErrorKind::Other
    }
}

/// A pool failure: the driver's error, or no connection to be had.
pub(super) fn pool_error(err: PoolError) -> Error {
    match err {
        PoolError::Backend(err) => storage(err),
        PoolError::Timeout(_) | PoolError::Closed => Error::Storage {
            backend: BACKEND,
            kind: StorageErrorKind::Unavailable,
            message: format!("no connection from the pool: {err}"),
        },
        other => Error::Storage {
            backend: BACKEND,
            kind: StorageErrorKind::Other,
            message: other.to_string(),
        },
    }
}

/// Whether `err` is a duplicate of the primary key of `table` (whose id column is `id`):
/// the default name of the key's constraint, or the key's columns in the error's detail.
pub(super) fn is_duplicate_id(err: &tokio_postgres::Error, table: &str, id: &str) -> bool {
    let Some(db) = err.as_db_error() else {
        return false;
    };
    if *db.code() != SqlState::UNIQUE_VIOLATION {
        return false;
    }
    if db.constraint() == Some(format!("{table}_pkey").as_str()) {
        return true;
    }
    db.detail().is_some_and(|detail| {
        detail.starts_with(&format!("Key ({id})="))
            || detail.starts_with(&format!("Key ({})=", quote(id)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bound(value: SqlValue, ty: &Type) -> Result<Vec<u8>, String> {
        let mut out = BytesMut::new();
        match Bind(&value).to_sql(ty, &mut out) {
            Ok(IsNull::Yes) => Ok(Vec::new()),
            Ok(IsNull::No) => Ok(out.to_vec()),
            Err(err) => Err(err.to_string()),
        }
    }

    fn read(ty: &Type, raw: &[u8]) -> SqlValue {
        Cell::from_sql(ty, raw).expect("a readable value").0
    }

    #[test]
    fn values_round_trip_through_their_binary_formats() {
        let cases = [
            (SqlValue::Bool(true), Type::BOOL),
            (SqlValue::Int(-7), Type::INT8),
            (SqlValue::Int(40_000), Type::INT4),
            (SqlValue::Float(-2.5), Type::FLOAT8),
            (SqlValue::Text("'; DROP TABLE users; --".into()), Type::TEXT),
            (SqlValue::Text("{\"a\":1}".into()), Type::JSONB),
            (SqlValue::Uuid([7; 16]), Type::UUID),
            (
                SqlValue::Timestamp(1_700_000_000_123_456),
                Type::TIMESTAMPTZ,
            ),
            (SqlValue::Timestamp(-1), Type::TIMESTAMPTZ),
        ];
        for (value, ty) in cases {
            let raw = bound(value.clone(), &ty).unwrap();
            assert_eq!(read(&ty, &raw), value, "{ty}");
        }
    }

    #[test]
    fn a_uuid_compared_as_text_is_bound_as_its_hyphenated_text() {
        let bytes = *b"\x67\xe5\x50\x44\x10\xb1\x42\x6f\x92\x47\xbb\x68\x0e\x5f\xe0\xc8";
        let raw = bound(SqlValue::Uuid(bytes), &Type::TEXT).unwrap();
        assert_eq!(raw, b"67e55044-10b1-426f-9247-bb680e5fe0c8");
    }

    #[test]
    fn a_value_that_does_not_fit_its_parameter_is_refused_by_name() {
        let err = bound(SqlValue::Text("x".into()), &Type::INT8).unwrap_err();
        assert_eq!(err, "cannot bind a string as a parameter of type int8");
        assert!(bound(SqlValue::Int(1 << 40), &Type::INT4).is_err());
        assert_eq!(bound(SqlValue::Null, &Type::UUID), Ok(Vec::new()));
        assert!(Cell::from_sql(&Type::INT8, &[0; 4]).is_err());
        assert!(Cell::from_sql(&Type::INTERVAL, &[0; 16]).is_err());
    }

    #[test]
    fn server_errors_have_kinds_by_sqlstate() {
        assert_eq!(
            kind_of(&SqlState::CHECK_VIOLATION),
            StorageErrorKind::Constraint
        );
        assert_eq!(
            kind_of(&SqlState::RAISE_EXCEPTION),
            StorageErrorKind::Constraint
        );
        assert_eq!(
            kind_of(&SqlState::READ_ONLY_SQL_TRANSACTION),
            StorageErrorKind::ReadOnly
        );
        assert_eq!(
            kind_of(&SqlState::ADMIN_SHUTDOWN),
            StorageErrorKind::Unavailable
        );
        assert_eq!(
            kind_of(&SqlState::CONNECTION_FAILURE),
            StorageErrorKind::Unavailable
        );
        assert_eq!(
            kind_of(&SqlState::T_R_DEADLOCK_DETECTED),
            StorageErrorKind::Busy
        );
        assert_eq!(
            kind_of(&SqlState::INVALID_CATALOG_NAME),
            StorageErrorKind::CannotOpen
        );
        assert_eq!(kind_of(&SqlState::UNDEFINED_TABLE), StorageErrorKind::Other);
    }
}
