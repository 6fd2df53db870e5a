//! Between the SQL core and rusqlite: parameters, rows and errors.

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{ffi, ToSql};

use crate::error::{Error, StorageErrorKind};
use crate::sql::{ColumnDef, ColumnSource, SqlType, SqlValue};

pub(super) const BACKEND: &str = "sqlite";

/// A parameter as SQLite stores it: booleans and timestamps as integers, a UUID as its
/// hyphenated text (which orders like its bytes, and like its query value).
pub(super) struct Param<'a>(pub(super) &'a SqlValue);

impl ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self.0 {
            SqlValue::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            SqlValue::Bool(b) => ToSqlOutput::Borrowed(ValueRef::Integer(i64::from(*b))),
            SqlValue::Int(i) | SqlValue::Timestamp(i) => {
                ToSqlOutput::Borrowed(ValueRef::Integer(*i))
            }
            SqlValue::Float(x) => ToSqlOutput::Borrowed(ValueRef::Real(*x)),
            SqlValue::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            SqlValue::Uuid(bytes) => {
                let mut buf = [0u8; 36];
                let text = uuid_text(bytes, &mut buf);
                ToSqlOutput::Owned(rusqlite::types::Value::Text(text.to_string()))
            }
            // `SqlValue` is non-exhaustive for users, not for us.
            #[allow(unreachable_patterns)]
            _ => ToSqlOutput::Borrowed(ValueRef::Null),
        })
    }
}

/// The hyphenated lower-case text of a UUID's bytes.
fn uuid_text<'b>(bytes: &[u8; 16], buf: &'b mut [u8; 36]) -> &'b str {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut at = 0;
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            buf[at] = b'-';
            at += 1;
        }
        buf[at] = HEX[usize::from(b >> 4)];
        buf[at + 1] = HEX[usize::from(b & 0xf)];
        at += 2;
    }
    std::str::from_utf8(buf).unwrap_or_default()
}

/// The columns of one result row, read in `Record::__COLUMNS` order.
pub(super) struct RowColumns<'r, 's> {
    pub(super) row: &'r rusqlite::Row<'s>,
    pub(super) at: usize,
    pub(super) entity: &'static str,
}

impl ColumnSource for RowColumns<'_, '_> {
    fn next(&mut self, column: &ColumnDef) -> Result<SqlValue, Error> {
        let at = self.at;
        self.at += 1;
        let value = self.row.get_ref(at).map_err(storage)?;
        let decode = |reason: String| Error::Decode {
            entity: self.entity,
            column: column.name.to_string(),
            reason,
        };
        Ok(match value {
            ValueRef::Null => SqlValue::Null,
            ValueRef::Integer(i) => match column.ty {
                SqlType::Timestamp => SqlValue::Timestamp(i),
                _ => SqlValue::Int(i),
            },
            ValueRef::Real(x) => SqlValue::Float(x),
            ValueRef::Text(bytes) => SqlValue::Text(
                std::str::from_utf8(bytes)
                    .map_err(|e| decode(format!("the text is not UTF-8: {e}")))?
                    .to_owned(),
            ),
            ValueRef::Blob(_) => return Err(decode("found a BLOB".to_string())),
        })
    }
}

/// A rusqlite error as a typed error.
pub(super) fn storage(err: rusqlite::Error) -> Error {
    let kind = match &err {
        rusqlite::Error::SqliteFailure(e, _) => match e.code {
            ffi::ErrorCode::ReadOnly => StorageErrorKind::ReadOnly,
            ffi::ErrorCode::DatabaseBusy | ffi::ErrorCode::DatabaseLocked => StorageErrorKind::Busy,
            ffi::ErrorCode::CannotOpen | ffi::ErrorCode::PermissionDenied => {
                StorageErrorKind::CannotOpen
            }
            ffi::ErrorCode::ConstraintViolation => StorageErrorKind::Constraint,
            _ => StorageErrorKind::Other,
        },
        _ => StorageErrorKind::Other,
    };
    Error::Storage {
        backend: BACKEND,
        kind,
        message: err.to_string(),
    }
}

/// Whether `err` is a primary key or unique constraint failure (an insert of a stored id).
pub(super) fn is_duplicate(err: &rusqlite::Error) -> bool {
    matches!(
        err,
        rusqlite::Error::SqliteFailure(e, _)
            if e.extended_code == ffi::SQLITE_CONSTRAINT_PRIMARYKEY
                || e.extended_code == ffi::SQLITE_CONSTRAINT_UNIQUE
    )
}

#[cfg(test)]
mod tests {
    use super::uuid_text;

    #[test]
    fn uuid_text_is_hyphenated_lower_case() {
        let bytes = [
            0x67, 0xe5, 0x50, 0x44, 0x10, 0xb1, 0x42, 0x6f, 0x92, 0x47, 0xbb, 0x68, 0x0e, 0x5f,
            0xe0, 0xc8,
        ];
        let mut buf = [0; 36];
        assert_eq!(
            uuid_text(&bytes, &mut buf),
            "67e55044-10b1-426f-9247-bb680e5fe0c8"
        );
    }
}
