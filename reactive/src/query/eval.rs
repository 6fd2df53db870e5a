//! A query checked against its entity and resolved for evaluation: the reference semantics.

use std::cmp::Ordering;
use std::marker::PhantomData;

use super::cursor::{self, Cursor};
use super::filter::{CompareOp, Expr};
use super::queryable::{field_index, Queryable};
use super::value::{Value, ValueKind};
use super::{Query, DEFAULT_LIMIT, MAX_LIMIT};
use crate::error::Error;

/// A query resolved against `T`: field names are indices, operands are checked against the
/// fields' kinds, the cursor is decoded. Built by [`Query::plan`]; what a provider evaluating
/// in memory (or building a cursor for its last row) uses.
pub struct Plan<T> {
    filter: Option<Node>,
    /// Sort keys: field index and whether descending.
    order: Vec<(usize, bool)>,
    limit: usize,
    total: bool,
    /// The sort values then the id of the row the page starts after.
    after: Option<Vec<Value>>,
    fingerprint: u64,
    _marker: PhantomData<fn() -> T>,
}

/// A resolved filter node.
enum Node {
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    Compare {
        index: usize,
        op: CompareOp,
        value: Value,
    },
    In {
        index: usize,
        values: Vec<Value>,
        negated: bool,
    },
    IsNull {
        index: usize,
    },
}

impl<T: Queryable> Plan<T> {
    pub(crate) fn new(query: &Query<T>) -> Result<Self, Error> {
        let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
        if limit == 0 || limit > MAX_LIMIT {
            return Err(invalid::<T>(format!(
                "the limit must be between 1 and {MAX_LIMIT}, not {limit}"
            )));
        }
        let filter = match &query.filter {
            None => None,
            Some(filter) => {
                if let Some((field, reason)) = filter.invalid_value() {
                    return Err(Error::InvalidValue {
                        field: field.to_string(),
                        reason: reason.clone(),
                    });
                }
                Some(resolve::<T>(filter.expr())?)
            }
        };
        let mut order = Vec::with_capacity(query.order.len());
        for key in &query.order {
            let index = field_index::<T>(key.field())?;
            if kind::<T>(index) == ValueKind::Json {
                return Err(invalid::<T>(format!(
                    "`{}` is stored as JSON and cannot be ordered by",
                    key.field()
                )));
            }
            order.push((index, key.is_desc()));
        }
        let fingerprint = cursor::fingerprint(
            T::ENTITY,
            query.filter.as_ref().map(|f| f.expr()),
            query.order.iter().map(|o| (o.field(), o.is_desc())),
        );
        let after = match &query.after {
            Some(c) => Some(cursor::decode(c, fingerprint, order.len() + 1)?),
            None => None,
        };
        Ok(Plan {
            filter,
            order,
            limit,
            total: query.total,
            after,
            fingerprint,
            _marker: PhantomData,
        })
    }

    /// The page size.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Whether the total is asked for.
    pub fn wants_total(&self) -> bool {
        self.total
    }

    /// The sort values, then the id, of the row the page starts after.
    pub fn after(&self) -> Option<&[Value]> {
        self.after.as_deref()
    }

    /// Whether `row` matches the filter.
    pub fn matches(&self, row: &T) -> Result<bool, Error> {
        match &self.filter {
            None => Ok(true),
            Some(node) => eval(node, row),
        }
    }

    /// The sort values of `row`, then its id: compare them with [`Plan::cmp_keys`].
    pub fn sort_key(&self, row: &T) -> Result<Vec<Value>, Error> {
        let mut key = Vec::with_capacity(self.order.len() + 1);
        for &(index, _) in &self.order {
            key.push(value_of(row, index)?);
        }
        key.push(value_of(row, T::__ID_FIELD)?);
        Ok(key)
    }

    /// The query's order of two sort keys: each key in its direction (null last ascending,
    /// first descending), then the id ascending.
    pub fn cmp_keys(&self, a: &[Value], b: &[Value]) -> Ordering {
        let directions = self.order.iter().map(|&(_, desc)| desc).chain([false]);
        for ((x, y), desc) in a.iter().zip(b).zip(directions) {
            let ord = x.total_cmp(y);
            let ord = if desc { ord.reverse() } else { ord };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        Ordering::Equal
    }

    /// Whether a row of sort key `key` comes after the cursor (every row, without one).
    pub fn is_after_cursor(&self, key: &[Value]) -> bool {
        match &self.after {
            None => true,
            Some(after) => self.cmp_keys(key, after) == Ordering::Greater,
        }
    }

    /// The cursor of the page after a row of sort key `key` (the last row of a page).
    pub fn cursor_after(&self, key: &[Value]) -> Cursor {
        cursor::encode(self.fingerprint, key)
    }

    /// Whether the query has a filter.
    pub(crate) fn has_filter(&self) -> bool {
        self.filter.is_some()
    }

    /// `Some(descending)` when the query is ordered by the id alone (no sort key, or only
    /// the id's): the order of an index of the rows by id. Later keys on the id never break
    /// a tie the first one left, so the first key's direction is the order.
    pub(crate) fn id_order(&self) -> Option<bool> {
        if self.order.iter().all(|&(index, _)| index == T::__ID_FIELD) {
            Some(self.order.first().is_some_and(|&(_, desc)| desc))
        } else {
            None
        }
    }

    /// The id of the row the page starts after (the last value of the cursor's key).
    pub(crate) fn after_id(&self) -> Option<&Value> {
        self.after.as_ref().and_then(|key| key.last())
    }

    /// Visits the index of every field the query reads (filter, sort keys, id), with
    /// repeats.
    pub(crate) fn for_each_field(&self, mut visit: impl FnMut(usize)) {
        if let Some(node) = &self.filter {
            node.for_each_field(&mut visit);
        }
        for &(index, _) in &self.order {
            visit(index);
        }
        visit(T::__ID_FIELD);
    }

    /// How `row` compares, in the query's order, with the sort keys `a` and `b` (`Equal`
    /// for an absent one), without building the row's key. Every sort value of the row is
    /// read even once both are decided, so a value that is not a query value is the same
    /// error as from [`Plan::sort_key`].
    pub(crate) fn cmp_row(
        &self,
        row: &T,
        a: Option<&[Value]>,
        b: Option<&[Value]>,
    ) -> Result<(Ordering, Ordering), Error> {
        let mut vs_a = Ordering::Equal;
        let mut vs_b = Ordering::Equal;
        let keys = self.order.iter().copied().chain([(T::__ID_FIELD, false)]);
        for (at, (index, desc)) in keys.enumerate() {
            let value = value_of(row, index)?;
            let against = |key: Option<&[Value]>, ord: &mut Ordering| {
                if let (Ordering::Equal, Some(other)) = (*ord, key.and_then(|k| k.get(at))) {
                    let cmp = value.total_cmp(other);
                    *ord = if desc { cmp.reverse() } else { cmp };
                }
            };
            against(a, &mut vs_a);
            against(b, &mut vs_b);
        }
        Ok((vs_a, vs_b))
    }
}

impl Node {
    fn for_each_field(&self, visit: &mut impl FnMut(usize)) {
        match self {
            Node::And(items) | Node::Or(items) => {
                for item in items {
                    item.for_each_field(visit);
                }
            }
            Node::Not(inner) => inner.for_each_field(visit),
            Node::Compare { index, .. } | Node::In { index, .. } | Node::IsNull { index } => {
                visit(*index)
            }
        }
    }
}

fn invalid<T: Queryable>(reason: String) -> Error {
    Error::InvalidQuery {
        entity: T::ENTITY,
        reason,
    }
}

fn kind<T: Queryable>(index: usize) -> ValueKind {
    T::__QUERY_KINDS
        .get(index)
        .copied()
        .unwrap_or(ValueKind::Json)
}

fn value_of<T: Queryable>(row: &T, index: usize) -> Result<Value, Error> {
    row.__query_value(index)
        .map_err(|reason| Error::InvalidValue {
            field: crate::model::meta::field_name::<T>(index)
                .unwrap_or("?")
                .to_string(),
            reason,
        })
}

/// Checks an operand against the field's kind; an integer for a float field becomes a float.
fn operand<T: Queryable>(field: &str, kind: ValueKind, value: &Value) -> Result<Value, Error> {
    let value = value
        .clone()
        .checked()
        .map_err(|reason| Error::InvalidValue {
            field: field.to_string(),
            reason,
        })?;
    match (kind, &value) {
        (_, Value::Null) => Ok(value),
        (ValueKind::Float, Value::Int(i)) => Ok(Value::Float(*i as f64)),
        (k, v) if v.kind() == Some(k) => Ok(value),
        (k, v) => Err(invalid::<T>(format!(
            "`{field}` holds {}, compared with {}",
            k.name(),
            v.kind().map_or("null", ValueKind::name)
        ))),
    }
}

fn resolve<T: Queryable>(expr: &Expr) -> Result<Node, Error> {
    let leaf = |field: &str| -> Result<(usize, ValueKind), Error> {
        let index = field_index::<T>(field)?;
        Ok((index, kind::<T>(index)))
    };
    let not_json = |field: &str, kind: ValueKind, op: &str| {
        if kind == ValueKind::Json {
            Err(invalid::<T>(format!(
                "`{field}` is stored as JSON: only `is_null` applies, not `{op}`"
            )))
        } else {
            Ok(())
        }
    };
    Ok(match expr {
        Expr::And(items) => Node::And(items.iter().map(resolve::<T>).collect::<Result<_, _>>()?),
        Expr::Or(items) => Node::Or(items.iter().map(resolve::<T>).collect::<Result<_, _>>()?),
        Expr::Not(inner) => Node::Not(Box::new(resolve::<T>(inner)?)),
        Expr::IsNull { field } => Node::IsNull {
            index: leaf(field)?.0,
        },
        Expr::Compare { field, op, value } => {
            let (index, kind) = leaf(field)?;
            not_json(field, kind, op.operator().name())?;
            let value = operand::<T>(field, kind, value)?;
            if value.is_null() && (op.is_range() || op.is_text()) {
                return Err(invalid::<T>(format!(
                    "`{}` on `{field}` needs a value, not null",
                    op.operator()
                )));
            }
            if op.is_text() && kind != ValueKind::Text {
                return Err(invalid::<T>(format!(
                    "`{}` applies to strings; `{field}` holds {}",
                    op.operator(),
                    kind.name()
                )));
            }
            Node::Compare {
                index,
                op: *op,
                value,
            }
        }
        Expr::In { field, values } | Expr::NotIn { field, values } => {
            let negated = matches!(expr, Expr::NotIn { .. });
            let (index, kind) = leaf(field)?;
            not_json(field, kind, if negated { "not_in" } else { "in_" })?;
            let values = values
                .iter()
                .map(|v| operand::<T>(field, kind, v))
                .collect::<Result<_, _>>()?;
            Node::In {
                index,
                values,
                negated,
            }
        }
    })
}

fn eval<T: Queryable>(node: &Node, row: &T) -> Result<bool, Error> {
    Ok(match node {
        Node::And(items) => {
            for item in items {
                if !eval(item, row)? {
                    return Ok(false);
                }
            }
            true
        }
        Node::Or(items) => {
            for item in items {
                if eval(item, row)? {
                    return Ok(true);
                }
            }
            false
        }
        Node::Not(inner) => !eval(inner, row)?,
        Node::IsNull { index } => value_of(row, *index)?.is_null(),
        Node::In {
            index,
            values,
            negated,
        } => {
            let field = value_of(row, *index)?;
            values.iter().any(|v| field.query_eq(v)) != *negated
        }
        Node::Compare { index, op, value } => compare(&value_of(row, *index)?, *op, value),
    })
}

/// One comparison; `field` may be null, `value` is null only for `eq`/`ne`.
fn compare(field: &Value, op: CompareOp, value: &Value) -> bool {
    match op {
        CompareOp::Equals => field.query_eq(value),
        CompareOp::NotEquals => !field.query_eq(value),
        _ if field.is_null() => false,
        CompareOp::Gt => field.total_cmp(value) == Ordering::Greater,
        CompareOp::Ge => field.total_cmp(value) != Ordering::Less,
        CompareOp::Lt => field.total_cmp(value) == Ordering::Less,
        CompareOp::Le => field.total_cmp(value) != Ordering::Greater,
        CompareOp::Contains | CompareOp::StartsWith | CompareOp::EndsWith => {
            match (field.as_str(), value.as_str()) {
                (Some(haystack), Some(needle)) => match op {
                    CompareOp::Contains => haystack.contains(needle),
                    CompareOp::StartsWith => haystack.starts_with(needle),
                    _ => haystack.ends_with(needle),
                },
                _ => false,
            }
        }
    }
}
