//! The SQL statements of an entity, built from the derive's metadata for one dialect.
//!
//! Every value is a bound parameter: the SQL text depends only on the entity, on the shape
//! of the query (which operators, how many values in an `in_`, whether a cursor value is
//! null) and on the dialect, never on a value. Identifiers are quoted (`"type"`, `"order"`).
//!
//! Filters keep the reference semantics of [`crate::query`]: each leaf is written so that it
//! is never `NULL` (SQL's third truth value), so `not` is plain negation and `ne`/`not_in`
//! match a null field.
//!
//! ```
//! use reactive::prelude::*;
//! use reactive::sql::{statements, Dialect};
//!
//! #[derive(Reactive, Clone, Debug)]
//! #[entity("users")]
//! struct User { id: u64, name: String }
//!
//! let page = statements::page(Dialect::Sqlite, &Query::<User>::new().filter(User::NAME.contains("'; --")))?;
//! assert_eq!(
//!     page.select.sql,
//!     r#"SELECT "id", "name" FROM "users" WHERE (instr("name", ?1) > 0 AND "name" IS NOT NULL) ORDER BY "id" ASC LIMIT ?2"#
//! );
//! # Ok::<(), reactive::Error>(())
//! ```

use std::fmt::Write;

use super::column::{SqlType, SqlValue};
use super::record::{column_value, id_value, ColumnDef, Record};
use crate::error::Error;
use crate::event::field_set::FieldSet;
use crate::query::{CompareOp, Expr, Plan, Query, Queryable, Value};

/// The SQL dialect a statement is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Dialect {
    /// SQLite: `?1` parameters, BINARY collation, `instr`/`substr` for string operators.
    Sqlite,
    /// PostgreSQL: `$1` parameters, `COLLATE "C"` where strings are ordered.
    Postgres,
}

impl Dialect {
    /// The SQL type of a column of type `ty`.
    pub fn column_type(self, ty: SqlType) -> &'static str {
        match (self, ty) {
            (Dialect::Sqlite, SqlType::Bool | SqlType::Int | SqlType::Timestamp) => "INTEGER",
            (Dialect::Sqlite, SqlType::Float) => "REAL",
            (Dialect::Sqlite, SqlType::Text | SqlType::Json | SqlType::Uuid) => "TEXT",
            (Dialect::Postgres, SqlType::Bool) => "BOOLEAN",
            (Dialect::Postgres, SqlType::Int) => "BIGINT",
            (Dialect::Postgres, SqlType::Float) => "DOUBLE PRECISION",
            (Dialect::Postgres, SqlType::Text | SqlType::Json) => "TEXT",
            (Dialect::Postgres, SqlType::Uuid) => "UUID",
            (Dialect::Postgres, SqlType::Timestamp) => "TIMESTAMPTZ",
        }
    }

    /// The `n`th parameter (from 1).
    fn param(self, out: &mut String, n: usize) {
        let _ = match self {
            Dialect::Sqlite => write!(out, "?{n}"),
            Dialect::Postgres => write!(out, "${n}"),
        };
    }
}

/// A quoted identifier: `"name"`, with inner quotes doubled.
pub fn quote(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    out.push('"');
    for c in name.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// SQL text and its parameters, in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    /// The SQL text.
    pub sql: String,
    /// The parameters (`?1`/`$1` first).
    pub params: Vec<SqlValue>,
}

impl Statement {
    fn new() -> Self {
        Statement {
            sql: String::new(),
            params: Vec::new(),
        }
    }

    /// Binds `value` as the next parameter and writes its placeholder.
    fn bind(&mut self, dialect: Dialect, value: SqlValue) -> usize {
        self.params.push(value);
        let n = self.params.len();
        dialect.param(&mut self.sql, n);
        n
    }

    /// Writes the placeholder of parameter `n` again.
    fn again(&mut self, dialect: Dialect, n: usize) {
        dialect.param(&mut self.sql, n);
    }
}

/// `"a", "b", ..`: the entity's quoted column names, built once per type (every statement
/// reads them, and quoting them again per call cost more than the rest of a one-row load).
fn column_list<T: Record>() -> &'static str {
    use std::any::TypeId;
    use std::collections::HashMap;
    use std::sync::{OnceLock, RwLock};

    static LISTS: OnceLock<RwLock<HashMap<TypeId, &'static str>>> = OnceLock::new();
    let lists = LISTS.get_or_init(Default::default);
    let key = TypeId::of::<T>();
    if let Some(list) = lists.read().ok().and_then(|l| l.get(&key).copied()) {
        return list;
    }
    let mut out = String::new();
    for (i, c) in T::__COLUMNS.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&quote(c.name));
    }
    // One string per entity type for the life of the process.
    let list: &'static str = Box::leak(out.into_boxed_str());
    if let Ok(mut lists) = lists.write() {
        return lists.entry(key).or_insert(list);
    }
    list
}

/// The id column.
pub fn id_column<T: Record>() -> &'static ColumnDef {
    T::__COLUMNS
        .iter()
        .find(|c| c.id)
        .expect("an entity's columns include its id")
}

/// The version column, for a versioned entity.
pub fn version_column<T: Record>() -> Option<&'static ColumnDef> {
    T::__COLUMNS.iter().find(|c| c.version)
}

/// `CREATE TABLE IF NOT EXISTS`, then one `CREATE INDEX IF NOT EXISTS` per indexed column.
pub fn create_table<T: Record>(dialect: Dialect) -> Vec<String> {
    let table = T::ENTITY;
    let mut create = format!("CREATE TABLE IF NOT EXISTS {} (", quote(table));
    for (i, c) in T::__COLUMNS.iter().enumerate() {
        if i > 0 {
            create.push_str(", ");
        }
        create.push_str(&quote(c.name));
        create.push(' ');
        match (dialect, c.generated) {
            (Dialect::Sqlite, true) => create.push_str("INTEGER PRIMARY KEY"),
            (Dialect::Postgres, true) => {
                create.push_str("BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY")
            }
            _ => {
                create.push_str(dialect.column_type(c.ty));
                if c.id {
                    create.push_str(" PRIMARY KEY");
                } else if !c.nullable {
                    create.push_str(" NOT NULL");
                }
            }
        }
    }
    create.push(')');
    let mut out = vec![create];
    for c in T::__COLUMNS.iter().filter(|c| c.indexed && !c.id) {
        out.push(format!(
            "CREATE INDEX IF NOT EXISTS {} ON {} ({})",
            quote(&format!("{table}_{}_idx", c.name)),
            quote(table),
            quote(c.name)
        ));
    }
    out
}

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

/// The statements of one page of a query.
pub struct PageStatements<T> {
    /// The page's rows: at most `limit + 1` (the extra one says a next page exists).
    pub select: Statement,
    /// `SELECT COUNT(*)` over the filter, when the total is asked for.
    pub count: Option<Statement>,
    /// The query's plan (its limit, and the cursor of the page's last row).
    pub plan: Plan<T>,
}

/// The statements of one page of `query`: checked like the memory provider checks it (an
/// invalid query or cursor is the same typed error), then translated.
pub fn page<T: Record + Queryable>(
    dialect: Dialect,
    query: &Query<T>,
) -> Result<PageStatements<T>, Error> {
    let plan = query.plan()?;
    let table = quote(T::ENTITY);
    let columns = column_list::<T>();
    let mut where_sql = Statement::new();
    if let Some(filter) = query.filter_ref() {
        write_expr::<T>(dialect, &mut where_sql, filter.expr())?;
    }
    let count = if plan.wants_total() {
        let mut count = Statement {
            sql: format!("SELECT COUNT(*) FROM {table}"),
            params: where_sql.params.clone(),
        };
        if !where_sql.sql.is_empty() {
            let _ = write!(count.sql, " WHERE {}", where_sql.sql);
        }
        Some(count)
    } else {
        None
    };

    // Sort keys: the query's, then the id.
    let mut keys: Vec<(&ColumnDef, bool)> = Vec::with_capacity(query.orders().len() + 1);
    for order in query.orders() {
        keys.push((column_of::<T>(order.field())?, order.is_desc()));
    }
    keys.push((id_column::<T>(), false));

    let mut select = where_sql;
    let mut conditions = !select.sql.is_empty();
    if let Some(after) = plan.after() {
        if conditions {
            select.sql.push_str(" AND ");
        }
        conditions = true;
        write_after(dialect, &mut select, &keys, after);
    }
    let body = std::mem::take(&mut select.sql);
    let _ = write!(select.sql, "SELECT {columns} FROM {table}");
    if conditions {
        let _ = write!(select.sql, " WHERE {body}");
    }
    select.sql.push_str(" ORDER BY ");
    for (i, (c, desc)) in keys.iter().enumerate() {
        if i > 0 {
            select.sql.push_str(", ");
        }
        select.sql.push_str(&ordered(dialect, c));
        select.sql.push_str(match (desc, dialect) {
            (false, Dialect::Sqlite) if c.nullable => " ASC NULLS LAST",
            (true, Dialect::Sqlite) if c.nullable => " DESC NULLS FIRST",
            (false, _) => " ASC",
            (true, _) => " DESC",
        });
    }
    select.sql.push_str(" LIMIT ");
    let limit = i64::try_from(plan.limit() + 1).unwrap_or(i64::MAX);
    select.bind(dialect, SqlValue::Int(limit));
    Ok(PageStatements {
        select,
        count,
        plan,
    })
}

/// The column of field `name`. A computed field is not stored (its value would go stale
/// when another writer changes what it depends on), so a query on one is
/// [`Error::Unsupported`]; the plan has already refused names that are no field.
fn column_of<T: Record>(name: &str) -> Result<&'static ColumnDef, Error> {
    T::__COLUMNS
        .iter()
        .find(|c| c.name == name)
        .ok_or_else(|| Error::Unsupported {
            entity: T::ENTITY,
            what: format!("queries on the computed field `{name}`, which is not stored"),
        })
}

/// The column as an ordered value: strings by their bytes (PostgreSQL: `COLLATE "C"`, and a
/// UUID as its text, which orders like its bytes).
fn ordered(dialect: Dialect, c: &ColumnDef) -> String {
    let name = quote(c.name);
    match (dialect, c.ty) {
        (Dialect::Postgres, SqlType::Text | SqlType::Json) => format!("{name} COLLATE \"C\""),
        (Dialect::Postgres, SqlType::Uuid) => format!("({name}::text) COLLATE \"C\""),
        _ => name,
    }
}

/// The column as a compared value: in PostgreSQL a UUID is compared as its text (the query
/// value of a UUID field is its text).
fn compared(dialect: Dialect, c: &ColumnDef) -> String {
    match (dialect, c.ty) {
        (Dialect::Postgres, SqlType::Uuid) => format!("({}::text)", quote(c.name)),
        _ => quote(c.name),
    }
}

/// The parameter type a query value is bound as for column `c`.
fn param_of(c: &ColumnDef, value: &Value) -> SqlValue {
    let ty = match c.ty {
        // Compared as text, so bound as text.
        SqlType::Uuid => SqlType::Text,
        ty => ty,
    };
    SqlValue::from_query(value, ty)
}

/// The keyset condition: rows strictly after `after` (sort values then id) in the order of
/// `keys`, with null last ascending and first descending. Written nested:
/// `k1 after c1 OR (k1 = c1 AND (k2 after c2 OR (...)))`.
fn write_after(dialect: Dialect, st: &mut Statement, keys: &[(&ColumnDef, bool)], after: &[Value]) {
    // A bound on the first key alone, which the nested form implies: with it an index on
    // that key starts at the cursor instead of filtering every row before it.
    if let (Some(&(c, desc)), Some(value), true) = (keys.first(), after.first(), keys.len() > 1) {
        let col = ordered(dialect, c);
        let name = quote(c.name);
        match (value.is_null(), desc) {
            (true, false) => {
                let _ = write!(st.sql, "{name} IS NULL AND ");
            }
            (true, true) => {}
            (false, false) if c.nullable => {
                let _ = write!(st.sql, "({col} >= ");
                st.bind(dialect, param_of(c, value));
                let _ = write!(st.sql, " OR {name} IS NULL) AND ");
            }
            (false, false) => {
                let _ = write!(st.sql, "{col} >= ");
                st.bind(dialect, param_of(c, value));
                st.sql.push_str(" AND ");
            }
            (false, true) => {
                let _ = write!(st.sql, "{col} <= ");
                st.bind(dialect, param_of(c, value));
                st.sql.push_str(" AND ");
            }
        }
    }
    let mut closing = 0;
    for (i, ((c, desc), value)) in keys.iter().zip(after).enumerate() {
        let last = i + 1 == keys.len();
        let col = ordered(dialect, c);
        st.sql.push('(');
        closing += 1;
        // Strictly after the cursor's value on this key.
        match (value.is_null(), desc) {
            // Null is last ascending: nothing is after it.
            (true, false) => st.sql.push_str("FALSE"),
            // Null is first descending: every non-null value is after it.
            (true, true) => {
                let _ = write!(st.sql, "{} IS NOT NULL", quote(c.name));
            }
            (false, false) if c.nullable => {
                let _ = write!(st.sql, "({col} > ");
                st.bind(dialect, param_of(c, value));
                let _ = write!(st.sql, " OR {} IS NULL)", quote(c.name));
            }
            (false, false) => {
                let _ = write!(st.sql, "{col} > ");
                st.bind(dialect, param_of(c, value));
            }
            (false, true) => {
                let _ = write!(st.sql, "{col} < ");
                st.bind(dialect, param_of(c, value));
            }
        }
        if last {
            break;
        }
        st.sql.push_str(" OR (");
        closing += 1;
        if value.is_null() {
            let _ = write!(st.sql, "{} IS NULL", quote(c.name));
        } else {
            let _ = write!(st.sql, "{col} = ");
            st.bind(dialect, param_of(c, value));
        }
        st.sql.push_str(" AND ");
    }
    for _ in 0..closing {
        st.sql.push(')');
    }
}

/// A filter node, never `NULL`.
fn write_expr<T: Record>(dialect: Dialect, st: &mut Statement, expr: &Expr) -> Result<(), Error> {
    match expr {
        Expr::And(items) | Expr::Or(items) => {
            let and = matches!(expr, Expr::And(_));
            if items.is_empty() {
                st.sql.push_str(if and { "TRUE" } else { "FALSE" });
                return Ok(());
            }
            st.sql.push('(');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    st.sql.push_str(if and { " AND " } else { " OR " });
                }
                write_expr::<T>(dialect, st, item)?;
            }
            st.sql.push(')');
        }
        Expr::Not(inner) => {
            st.sql.push_str("NOT ");
            write_expr::<T>(dialect, st, inner)?;
        }
        Expr::IsNull { field } => {
            let c = column_of::<T>(field)?;
            let _ = write!(st.sql, "{} IS NULL", quote(c.name));
        }
        Expr::In { field, values } | Expr::NotIn { field, values } => {
            let c = column_of::<T>(field)?;
            if matches!(expr, Expr::NotIn { .. }) {
                st.sql.push_str("NOT ");
            }
            write_in(dialect, st, c, values);
        }
        Expr::Compare { field, op, value } => {
            let c = column_of::<T>(field)?;
            write_compare(dialect, st, c, *op, value);
        }
    }
    Ok(())
}

fn write_in(dialect: Dialect, st: &mut Statement, c: &ColumnDef, values: &[Value]) {
    let null = values.iter().any(Value::is_null);
    let present: Vec<&Value> = values.iter().filter(|v| !v.is_null()).collect();
    let name = quote(c.name);
    match (present.is_empty(), null) {
        (true, false) => st.sql.push_str("FALSE"),
        (true, true) => {
            let _ = write!(st.sql, "{name} IS NULL");
        }
        (false, _) => {
            let _ = write!(st.sql, "(({} IN (", compared(dialect, c));
            for (i, v) in present.into_iter().enumerate() {
                if i > 0 {
                    st.sql.push_str(", ");
                }
                st.bind(dialect, param_of(c, v));
            }
            let _ = write!(st.sql, ") AND {name} IS NOT NULL)");
            if null {
                let _ = write!(st.sql, " OR {name} IS NULL");
            }
            st.sql.push(')');
        }
    }
}

fn write_compare(
    dialect: Dialect,
    st: &mut Statement,
    c: &ColumnDef,
    op: CompareOp,
    value: &Value,
) {
    let name = quote(c.name);
    if value.is_null() {
        // Only `eq`/`ne` take null (the plan refused the others).
        let not = if op == CompareOp::NotEquals {
            "NOT "
        } else {
            ""
        };
        let _ = write!(st.sql, "{name} IS {not}NULL");
        return;
    }
    let col = compared(dialect, c);
    let sym = match op {
        CompareOp::Equals => "=",
        CompareOp::NotEquals => "<>",
        CompareOp::Gt => ">",
        CompareOp::Ge => ">=",
        CompareOp::Lt => "<",
        CompareOp::Le => "<=",
        CompareOp::Contains | CompareOp::StartsWith | CompareOp::EndsWith => {
            return write_text_op(dialect, st, &name, &col, op, value, c)
        }
    };
    let col = if op.is_range() {
        ordered(dialect, c)
    } else {
        col
    };
    if op == CompareOp::NotEquals {
        let _ = write!(st.sql, "({col} <> ");
        st.bind(dialect, param_of(c, value));
        let _ = write!(st.sql, " OR {name} IS NULL)");
    } else {
        let _ = write!(st.sql, "({col} {sym} ");
        st.bind(dialect, param_of(c, value));
        let _ = write!(st.sql, " AND {name} IS NOT NULL)");
    }
}

/// `contains`, `starts_with`, `ends_with` without `LIKE` (whose `%` and `_` are wildcards,
/// and which ignores case in SQLite): by position and length, case-sensitive.
fn write_text_op(
    dialect: Dialect,
    st: &mut Statement,
    name: &str,
    col: &str,
    op: CompareOp,
    value: &Value,
    c: &ColumnDef,
) {
    st.sql.push('(');
    match (dialect, op) {
        (Dialect::Sqlite, CompareOp::Contains) => {
            let _ = write!(st.sql, "instr({col}, ");
            st.bind(dialect, param_of(c, value));
            st.sql.push_str(") > 0");
        }
        (Dialect::Postgres, CompareOp::Contains) => {
            let _ = write!(st.sql, "strpos({col}, ");
            st.bind(dialect, param_of(c, value));
            st.sql.push_str(") > 0");
        }
        (Dialect::Sqlite, CompareOp::StartsWith) => {
            let _ = write!(st.sql, "substr({col}, 1, length(");
            let n = st.bind(dialect, param_of(c, value));
            st.sql.push_str(")) = ");
            st.again(dialect, n);
        }
        (Dialect::Postgres, CompareOp::StartsWith) => {
            let _ = write!(st.sql, "starts_with({col}, ");
            st.bind(dialect, param_of(c, value));
            st.sql.push(')');
        }
        (Dialect::Sqlite, _) => {
            // `substr(x, -0)` is not the empty suffix: test the empty needle apart.
            st.sql.push_str("(length(");
            let n = st.bind(dialect, param_of(c, value));
            let _ = write!(st.sql, ") = 0 OR substr({col}, -length(");
            st.again(dialect, n);
            st.sql.push_str(")) = ");
            st.again(dialect, n);
            st.sql.push(')');
        }
        (Dialect::Postgres, _) => {
            let _ = write!(st.sql, "right({col}, length(");
            let n = st.bind(dialect, param_of(c, value));
            st.sql.push_str(")) = ");
            st.again(dialect, n);
        }
    }
    let _ = write!(st.sql, " AND {name} IS NOT NULL)");
}
