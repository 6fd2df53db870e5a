//! The statements of one row or a set of ids: select, insert, update, delete, and the probe a
//! write that touched no row reads.

use std::fmt::Write;

use super::{column_list, id_column, quote, version_column, Dialect, Statement};
use crate::error::Error;
use crate::event::field_set::FieldSet;
use crate::sql::column::SqlValue;
use crate::sql::record::{column_value, id_value, Record};

/// `SELECT <columns> FROM <table> WHERE <id> = ?1`.
pub fn select_by_id<T: Record>(dialect: Dialect, id: &T::Id) -> Result<Statement, Error> {
    let mut st = Statement::new();
    let _ = write!(
        st.sql,
        "SELECT {} FROM {} WHERE {} = ",
        column_list::<T>(),
        quote(T::ENTITY),
        quote(id_column::<T>().name)
    );
    st.bind(dialect, id_value::<T>(id)?);
    Ok(st)
}

/// `SELECT <columns> FROM <table> WHERE <id> IN (?1, ..)` for up to `ids.len()` ids
/// (`WHERE FALSE` for none).
pub fn select_in<T: Record>(dialect: Dialect, ids: &[T::Id]) -> Result<Statement, Error> {
    Ok(Statement {
        sql: select_in_sql::<T>(dialect, ids.len()),
        params: ids.iter().map(id_value::<T>).collect::<Result<_, _>>()?,
    })
}

/// The text of [`select_in`] for `n` ids: chunks of one size share it.
pub fn select_in_sql<T: Record>(dialect: Dialect, n: usize) -> String {
    let mut sql = String::new();
    if n == 0 {
        let _ = write!(
            sql,
            "SELECT {} FROM {} WHERE FALSE",
            column_list::<T>(),
            quote(T::ENTITY)
        );
        return sql;
    }
    let _ = write!(
        sql,
        "SELECT {} FROM {} WHERE {} IN (",
        column_list::<T>(),
        quote(T::ENTITY),
        quote(id_column::<T>().name)
    );
    for i in 1..=n {
        if i > 1 {
            sql.push_str(", ");
        }
        dialect.param(&mut sql, i);
    }
    sql.push(')');
    sql
}

/// `SELECT <version> FROM <table> WHERE <id> = ?1` (`SELECT 1` without a version): what a
/// write that touched no row uses to tell `NotFound` from `Conflict`.
pub fn probe<T: Record>(dialect: Dialect, id: &T::Id) -> Result<Statement, Error> {
    let mut st = Statement::new();
    let what = version_column::<T>().map_or_else(|| "1".to_string(), |c| quote(c.name));
    let _ = write!(
        st.sql,
        "SELECT {what} FROM {} WHERE {} = ",
        quote(T::ENTITY),
        quote(id_column::<T>().name)
    );
    st.bind(dialect, id_value::<T>(id)?);
    Ok(st)
}

/// `INSERT INTO <table> (..) VALUES (..) RETURNING <columns>`: every column of `value`; a
/// generated id without a value is left to the store; the version starts at 1.
pub fn insert<T: Record>(dialect: Dialect, value: &T) -> Result<Statement, Error> {
    let mut st = Statement::new();
    let mut names = String::new();
    let mut values = Vec::with_capacity(T::__COLUMNS.len());
    for (i, c) in T::__COLUMNS.iter().enumerate() {
        let v = if c.version {
            SqlValue::Int(1)
        } else {
            column_value(value, i)?
        };
        if c.generated && v == SqlValue::Null {
            continue;
        }
        if !names.is_empty() {
            names.push_str(", ");
        }
        names.push_str(&quote(c.name));
        values.push(v);
    }
    let _ = write!(
        st.sql,
        "INSERT INTO {} ({names}) VALUES (",
        quote(T::ENTITY)
    );
    for (i, v) in values.into_iter().enumerate() {
        if i > 0 {
            st.sql.push_str(", ");
        }
        st.bind(dialect, v);
    }
    let _ = write!(st.sql, ") RETURNING {}", column_list::<T>());
    Ok(st)
}

/// `UPDATE <table> SET <fields> [, version = version + 1] WHERE id = ? [AND version = ?]
/// RETURNING <columns>`: only the columns of `fields`, never the id or the version; the
/// version is checked in the same statement.
pub fn update<T: Record>(
    dialect: Dialect,
    id: &T::Id,
    value: &T,
    fields: &FieldSet,
    expected_version: Option<u64>,
) -> Result<Statement, Error> {
    let mut st = Statement::new();
    let _ = write!(st.sql, "UPDATE {} SET ", quote(T::ENTITY));
    let mut first = true;
    for (i, c) in T::__COLUMNS.iter().enumerate() {
        if c.id || c.version || !fields.contains(c.field) {
            continue;
        }
        if !first {
            st.sql.push_str(", ");
        }
        first = false;
        let _ = write!(st.sql, "{} = ", quote(c.name));
        st.bind(dialect, column_value(value, i)?);
    }
    let version = version_column::<T>();
    if let Some(v) = version {
        if !first {
            st.sql.push_str(", ");
        }
        first = false;
        let name = quote(v.name);
        let _ = write!(st.sql, "{name} = {name} + 1");
    }
    let id_name = quote(id_column::<T>().name);
    if first {
        // Nothing to write: a no-op that still says whether the row exists.
        let _ = write!(st.sql, "{id_name} = {id_name}");
    }
    let _ = write!(st.sql, " WHERE {id_name} = ");
    st.bind(dialect, id_value::<T>(id)?);
    if let Some(v) = version {
        let _ = write!(st.sql, " AND {} = ", quote(v.name));
        st.bind(dialect, version_param(expected_version)?);
    }
    let _ = write!(st.sql, " RETURNING {}", column_list::<T>());
    Ok(st)
}

/// `DELETE FROM <table> WHERE id = ? [AND version = ?]`: the version is checked only when
/// one is expected (like the memory provider).
pub fn delete<T: Record>(
    dialect: Dialect,
    id: &T::Id,
    expected_version: Option<u64>,
) -> Result<Statement, Error> {
    let mut st = Statement::new();
    let _ = write!(
        st.sql,
        "DELETE FROM {} WHERE {} = ",
        quote(T::ENTITY),
        quote(id_column::<T>().name)
    );
    st.bind(dialect, id_value::<T>(id)?);
    if let (Some(v), Some(expected)) = (version_column::<T>(), expected_version) {
        let _ = write!(st.sql, " AND {} = ", quote(v.name));
        st.bind(dialect, version_param(Some(expected))?);
    }
    Ok(st)
}

/// A version as a parameter: `None` (a versioned entity published without one) never
/// matches a stored version.
fn version_param(version: Option<u64>) -> Result<SqlValue, Error> {
    match version {
        None => Ok(SqlValue::Null),
        Some(v) => i64::try_from(v)
            .map(SqlValue::Int)
            .map_err(|_| Error::InvalidValue {
                field: "version".to_string(),
                reason: crate::query::ValueError::OutOfRange {
                    value: v.to_string(),
                },
            }),
    }
}
