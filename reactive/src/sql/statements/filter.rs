//! A query's filter as SQL: each leaf written so that it is never `NULL`.

use std::fmt::Write;

use super::{quote, Dialect, Statement};
use crate::error::Error;
use crate::query::{CompareOp, Expr, Value};
use crate::sql::column::{SqlType, SqlValue};
use crate::sql::record::{ColumnDef, Record};

/// The column of field `name`. A computed field is not stored (its value would go stale
/// when another writer changes what it depends on), so a query on one is
/// [`Error::Unsupported`]; the plan has already refused names that are no field.
pub(super) fn column_of<T: Record>(name: &str) -> Result<&'static ColumnDef, Error> {
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
pub(super) fn ordered(dialect: Dialect, c: &ColumnDef) -> String {
    let name = quote(c.name);
    match (dialect, c.ty) {
        (Dialect::Postgres, SqlType::Text | SqlType::Json) => format!("{name} COLLATE \"C\""),
        (Dialect::Postgres, SqlType::Uuid) => format!("({name}::text) COLLATE \"C\""),
        _ => name,
    }
}

/// The column as a compared value: in PostgreSQL a UUID is compared as its text (the query
/// value of a UUID field is its text).
pub(super) fn compared(dialect: Dialect, c: &ColumnDef) -> String {
    match (dialect, c.ty) {
        (Dialect::Postgres, SqlType::Uuid) => format!("({}::text)", quote(c.name)),
        _ => quote(c.name),
    }
}

/// The parameter type a query value is bound as for column `c`.
pub(super) fn param_of(c: &ColumnDef, value: &Value) -> SqlValue {
    let ty = match c.ty {
        // Compared as text, so bound as text.
        SqlType::Uuid => SqlType::Text,
        ty => ty,
    };
    SqlValue::from_query(value, ty)
}

/// A filter node, never `NULL`.
pub(super) fn write_expr<T: Record>(
    dialect: Dialect,
    st: &mut Statement,
    expr: &Expr,
) -> Result<(), Error> {
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
