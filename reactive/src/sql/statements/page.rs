//! One page of a query: the filter, the keyset condition after a cursor, the order and the
//! limit, and the count when the total is asked for.

use std::fmt::Write;

use super::filter::{column_of, ordered, param_of, write_expr};
use super::{column_list, id_column, quote, Dialect, Statement};
use crate::error::Error;
use crate::query::{Plan, Query, Queryable, Value};
use crate::sql::column::SqlValue;
use crate::sql::record::{ColumnDef, Record};

/// The statements of one page of a query.
pub struct PageStatements<T> {
    /// The page's rows: at most `limit + 1` (the extra one says a next page exists).
    pub select: Statement,
    /// `SELECT COUNT(*)` over the filter, when the total is asked for.
    pub count: Option<Statement>,
    /// The query's plan (its limit, and the cursor of the page's last row).
    pub plan: std::sync::Arc<Plan<T>>,
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
