//! Pages of the memory provider: a walk of an index by id for queries ordered by id, a scan
//! of every row for the other orders. Both give the reference semantics of
//! [`crate::query`]: the same rows, the same order, the same errors.

use std::cmp::Ordering;

use super::rows::Rows;
use crate::error::Error;
use crate::query::{Page, Plan, Queryable, Value};

/// The rows by their id's query value, as a database keeps its primary key: a query ordered
/// by id starts at the cursor and reads only as far as its page. Rebuilt by the first page
/// after a write.
#[derive(Default)]
pub(super) struct IdIndex {
    /// The generation of the rows this index describes (0: never built).
    generation: u64,
    /// Each row's id value and position, ascending by [`Value::total_cmp`] (empty, and
    /// unused, when some row's id has no query value).
    by_id: Vec<(Value, usize)>,
    /// Per field: whether every row's value is a query value, once a page asked.
    valid: Vec<Option<bool>>,
}

impl IdIndex {
    /// Brings the index up to the current generation of `rows`.
    fn refresh<T: Queryable>(&mut self, rows: &Rows<T>) {
        if self.generation == rows.generation() {
            return;
        }
        self.generation = rows.generation();
        self.valid.clear();
        self.valid
            .resize(T::__QUERY_KINDS.len().max(T::__ID_FIELD + 1), None);
        self.by_id.clear();
        self.by_id.reserve(rows.len());
        for (at, (_, row)) in rows.entries().iter().enumerate() {
            match row.__query_value(T::__ID_FIELD) {
                Ok(value) => self.by_id.push((value, at)),
                Err(_) => {
                    self.by_id.clear();
                    self.valid[T::__ID_FIELD] = Some(false);
                    return;
                }
            }
        }
        self.valid[T::__ID_FIELD] = Some(true);
        self.by_id.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    }

    /// Whether every row's value of each field `plan` reads is a query value: then no row
    /// left unread by a walk could have made the page an error.
    fn all_valid<T: Queryable>(&mut self, plan: &Plan<T>, rows: &Rows<T>) -> bool {
        let mut ok = true;
        plan.for_each_field(|field| {
            if !ok {
                return;
            }
            let Some(slot) = self.valid.get_mut(field) else {
                ok = false;
                return;
            };
            let valid =
                *slot.get_or_insert_with(|| rows.values().all(|r| r.__query_value(field).is_ok()));
            ok = valid;
        });
        ok
    }
}

/// One page of `plan` over `rows`; the index by id is brought up to date and kept for the
/// next page.
pub(super) fn page<T: Queryable>(plan: &Plan<T>, rows: &mut Rows<T>) -> Result<Page<T>, Error> {
    let Some(descending) = plan.id_order() else {
        return scan(plan, rows);
    };
    // Taken out while the rows are read (putting it back moves three words).
    let mut index = std::mem::take(&mut rows.index);
    index.refresh(rows);
    let page = if index.all_valid(plan, rows) {
        walk(plan, rows, &index.by_id, descending)
    } else {
        scan(plan, rows)
    };
    rows.index = index;
    page
}

/// A page ordered by id: the index from the cursor on (backwards when descending), the
/// rows the filter matches until `limit + 1` are found (the extra one says whether a next
/// page exists). Every field read is valid in every row (`all_valid`), so stopping early
/// hides no error.
fn walk<T: Queryable>(
    plan: &Plan<T>,
    rows: &Rows<T>,
    by_id: &[(Value, usize)],
    descending: bool,
) -> Result<Page<T>, Error> {
    let limit = plan.limit();
    let entries = rows.entries();
    let mut hits: Vec<&T> = Vec::with_capacity((limit + 1).min(entries.len()));
    let mut take = |at: usize| -> Result<bool, Error> {
        // The index is of this generation of the rows: every position is a row.
        let row = &entries[at].1;
        if plan.matches(row)? {
            hits.push(row);
        }
        Ok(hits.len() > limit)
    };
    let after = plan.after_id();
    if descending {
        // After the cursor, descending: ids below it.
        let end = after.map_or(by_id.len(), |c| {
            by_id.partition_point(|(v, _)| v.total_cmp(c) == Ordering::Less)
        });
        for &(_, at) in by_id[..end].iter().rev() {
            if take(at)? {
                break;
            }
        }
    } else {
        let start = after.map_or(0, |c| {
            by_id.partition_point(|(v, _)| v.total_cmp(c) != Ordering::Greater)
        });
        for &(_, at) in &by_id[start..] {
            if take(at)? {
                break;
            }
        }
    }
    let more = hits.len() > limit;
    hits.truncate(limit);
    let next = match hits.last() {
        Some(last) if more => Some(plan.cursor_after(&plan.sort_key(last)?)),
        _ => None,
    };
    let total = if !plan.wants_total() {
        None
    } else if plan.has_filter() {
        let mut total = 0u64;
        for row in rows.values() {
            total += u64::from(plan.matches(row)?);
        }
        Some(total)
    } else {
        Some(rows.len() as u64)
    };
    Ok(Page {
        items: hits.into_iter().cloned().collect(),
        next,
        total,
    })
}

/// A page in any order: every row matched (and counted), the first `limit + 1` after the
/// cursor selected without sorting the rest. A row is compared with the cursor and with the
/// page's current last row field by field; only one that enters the page gets its key built.
fn scan<T: Queryable>(plan: &Plan<T>, rows: &Rows<T>) -> Result<Page<T>, Error> {
    let limit = plan.limit();
    let after = plan.after();
    let mut total = 0u64;
    // Holds up to twice the page, then keeps the first `limit + 1`: `bound` is the key of
    // the last one kept, which a row must precede to enter.
    let mut hits: Vec<(Vec<Value>, &T)> = Vec::new();
    let mut bound: Option<Vec<Value>> = None;
    let by_key = |a: &(Vec<Value>, &T), b: &(Vec<Value>, &T)| plan.cmp_keys(&a.0, &b.0);
    for row in rows.values() {
        if !plan.matches(row)? {
            continue;
        }
        total += 1;
        let (vs_after, vs_bound) = plan.cmp_row(row, after, bound.as_deref())?;
        if after.is_some() && vs_after != Ordering::Greater {
            continue;
        }
        if bound.is_some() && vs_bound != Ordering::Less {
            continue;
        }
        hits.push((plan.sort_key(row)?, row));
        if hits.len() == 2 * (limit + 1) {
            hits.select_nth_unstable_by(limit, by_key);
            hits.truncate(limit + 1);
            bound = Some(hits[limit].0.clone());
        }
    }
    if hits.len() > limit + 1 {
        hits.select_nth_unstable_by(limit, by_key);
        hits.truncate(limit + 1);
    }
    hits.sort_unstable_by(by_key);
    let more = hits.len() > limit;
    hits.truncate(limit);
    let next = match hits.last() {
        Some((key, _)) if more => Some(plan.cursor_after(key)),
        _ => None,
    };
    Ok(Page {
        items: hits.into_iter().map(|(_, row)| row.clone()).collect(),
        next,
        total: plan.wants_total().then_some(total),
    })
}
