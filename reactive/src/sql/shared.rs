//! What every SQL provider does the same way once its driver has answered: pages and their
//! cursors, a write that touched no row, a table checked against its entity, the span of a
//! provider call.

use std::time::Instant;

use super::column::SqlType;
use super::record::Record;
use super::statements::Dialect;
use crate::entity::Entity;
use crate::error::Error;
use crate::query::{Page, Plan, Queryable};

/// The page of `rows` (at most `limit + 1`, in the query's order): the extra row says a next
/// page exists, and the cursor is the last kept row's sort key.
pub fn finish_page<T: Record + Queryable>(
    plan: &Plan<T>,
    mut rows: Vec<T>,
    total: Option<u64>,
) -> Result<Page<T>, Error> {
    let more = rows.len() > plan.limit();
    rows.truncate(plan.limit());
    let next = match rows.last() {
        Some(last) if more => Some(plan.cursor_after(&plan.sort_key(last)?)),
        _ => None,
    };
    Ok(Page {
        items: rows,
        next,
        total,
    })
}

/// The error of an update or delete that touched no row, from a probe of the row made after
/// it: `None` when the row does not exist ([`Error::NotFound`]), else the stored version
/// ([`Error::Conflict`] with both versions).
pub fn missing_row<T: Entity>(
    id: &T::Id,
    expected_version: Option<u64>,
    stored: Option<Option<u64>>,
) -> Error {
    match stored {
        None => Error::NotFound {
            entity: T::ENTITY,
            id: format!("{id:?}"),
        },
        Some(actual) => Error::Conflict {
            entity: T::ENTITY,
            id: format!("{id:?}"),
            expected: expected_version,
            actual,
        },
    }
}

/// A column of a table as the database describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundColumn {
    /// The column's name.
    pub name: String,
    /// Its declared type, as the database spells it (`INTEGER`, `bigint`, `text`).
    pub declared: String,
}

/// Checks the columns of `T`'s table against the entity: each of `T`'s columns must exist
/// with a type of its kind; extra columns are the user's business.
pub fn check_columns<T: Record>(dialect: Dialect, found: &[FoundColumn]) -> Result<(), Error> {
    for c in T::__COLUMNS {
        let problem = match found.iter().find(|f| f.name == c.name) {
            None => Some("is missing".to_string()),
            Some(f) if !type_matches(dialect, c.ty, &f.declared) => Some(format!(
                "is {}, expected {}",
                f.declared,
                dialect.column_type(c.ty)
            )),
            Some(_) => None,
        };
        if let Some(problem) = problem {
            return Err(Error::Schema {
                entity: T::ENTITY,
                column: c.name.to_string(),
                problem,
            });
        }
    }
    Ok(())
}

/// Whether a declared type stores a column of type `ty`.
fn type_matches(dialect: Dialect, ty: SqlType, declared: &str) -> bool {
    let declared = declared.trim().to_ascii_uppercase();
    match dialect {
        // SQLite's type affinity rules, by the substrings of the declared type.
        Dialect::Sqlite => match ty {
            SqlType::Bool | SqlType::Int | SqlType::Timestamp => declared.contains("INT"),
            SqlType::Float => ["REAL", "FLOA", "DOUB"]
                .iter()
                .any(|t| declared.contains(t)),
            SqlType::Text | SqlType::Json | SqlType::Uuid => ["CHAR", "CLOB", "TEXT"]
                .iter()
                .any(|t| declared.contains(t)),
        },
        Dialect::Postgres => {
            let ok: &[&str] = match ty {
                SqlType::Bool => &["BOOLEAN"],
                SqlType::Int => &["BIGINT", "INTEGER", "SMALLINT"],
                SqlType::Float => &["DOUBLE PRECISION", "REAL"],
                // Strings are ordered and searched (`COLLATE "C"`, `strpos`): JSON types take
                // neither, so only a JSON field may be stored in one.
                SqlType::Text => &["TEXT", "CHARACTER VARYING"],
                SqlType::Json => &["TEXT", "CHARACTER VARYING", "JSON", "JSONB"],
                SqlType::Uuid => &["UUID"],
                SqlType::Timestamp => &["TIMESTAMP WITH TIME ZONE"],
            };
            ok.contains(&declared.as_str())
        }
    }
}

/// A provider call's span (entity, id, operation) and the time it started; `finish` records
/// the rows and the duration.
pub struct CallSpan {
    span: tracing::Span,
    started: Instant,
}

impl CallSpan {
    /// Opens the span of `operation` on `T` in `backend`; `id` is the id for one-entity calls.
    pub fn new<T: Entity>(
        backend: &'static str,
        operation: &'static str,
        id: Option<&T::Id>,
    ) -> Self {
        let span = tracing::debug_span!(
            "reactive.provider",
            backend,
            entity = T::ENTITY,
            operation,
            id = id.map(tracing::field::debug),
            rows = tracing::field::Empty,
            duration_us = tracing::field::Empty,
        );
        CallSpan {
            span,
            started: Instant::now(),
        }
    }

    /// The span, to instrument the call's future with.
    pub fn span(&self) -> &tracing::Span {
        &self.span
    }

    /// Records the rows read or written and the call's duration.
    pub fn finish(&self, rows: usize) {
        self.span.record("rows", rows);
        let us = u64::try_from(self.started.elapsed().as_micros()).unwrap_or(u64::MAX);
        self.span.record("duration_us", us);
    }
}
