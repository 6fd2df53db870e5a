//! Typed queries: filters from the field keys, multi-key order, limit and opaque cursors.
//!
//! ```
//! use reactive::prelude::*;
//! use reactive::provider::{MemoryProvider, Provider};
//!
//! #[derive(Reactive, Clone, Debug)]
//! #[entity("users")]
//! struct User { id: String, name: String, age: u32 }
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let store = MemoryProvider::<User>::new();
//! for (id, name, age) in [("1", "Ada", 36), ("2", "Alan", 41), ("3", "Grace", 85)] {
//!     store.insert(User { id: id.into(), name: name.into(), age });
//! }
//! let query = Query::new()
//!     .filter(User::NAME.starts_with("A").and(User::AGE.ge(30)))
//!     .order_by(User::AGE.desc())
//!     .limit(1)
//!     .with_total();
//! let page = store.list(&query).await?;
//! assert_eq!(page.items[0].name, "Alan");
//! assert_eq!(page.total, Some(2));
//! let rest = store.list(&query.clone().after(page.next)).await?;
//! assert_eq!(rest.items[0].name, "Ada");
//! assert!(rest.next.is_none());
//! # Ok::<(), reactive::Error>(()) }).unwrap();
//! ```
//!
//! The semantics, which every provider matches (the memory provider is the reference):
//! - Values are compared as [`Value`]s: strings by their bytes, case-sensitive; an enum
//!   marked `#[reactive(text)]` by its serde string; NaN, infinities, NUL characters and
//!   integers outside `i64` are [`Error::InvalidValue`]; `-0.0` is `0.0`.
//! - `eq(None)` matches null; `ne` and `not_in` match null (unless null is listed); `gt`,
//!   `ge`, `lt`, `le`, `contains`, `starts_with`, `ends_with` never match null; `in_([])`
//!   matches nothing; `not` is plain negation.
//! - Null sorts last ascending and first descending; rows equal on every key are ordered by
//!   id, so pages neither overlap nor skip rows that stay in place.
//! - `limit` defaults to [`DEFAULT_LIMIT`]; 0 or more than [`MAX_LIMIT`] is
//!   [`Error::InvalidQuery`], like a field name that does not exist or an operator that
//!   does not apply to the field.
//! - Cursors ([`Cursor`]) are bound to their query's entity, filter and order; another's is
//!   [`Error::InvalidCursor`]. `total` is counted only when asked ([`Query::with_total`]).
//! - A provider that cannot serve an operator returns [`Error::Unsupported`]
//!   ([`Query::require`]).

mod checks;
mod cursor;
mod eval;
mod filter;
mod keys;
mod order;
mod page;
mod queryable;
mod serialize;
mod value;

use serde::{Deserialize, Serialize};

use crate::entity::Entity;
use crate::error::Error;

/// Defined beside [`Error`](crate::Error), whose `InvalidValue` carries it.
pub use crate::error::ValueError;
pub use cursor::Cursor;
pub use eval::Plan;
pub use filter::{CompareOp, Expr, Filter, Operator};
pub use keys::{Operand, TextField};
pub use order::{Direction, Order};
pub use page::Page;
pub use queryable::{field_value, Queryable};
pub use value::{QueryValue, Value, ValueKind};

#[doc(hidden)]
pub use serialize::{to_json as __json_value, to_text as __text_value};

/// A field's query value, or why it has none: what the derive's `Queryable` impls return.
///
/// ```
/// use reactive::query::{QueryValue, Value, ValueResult};
/// let value: ValueResult = 7u64.to_query_value();
/// assert_eq!(value?, Value::Int(7));
/// # Ok::<(), reactive::query::ValueError>(())
/// ```
pub type ValueResult = Result<Value, ValueError>;

/// The derive's value checks of an entity's fields. Not a public API.
#[doc(hidden)]
pub mod __check {
    pub use super::checks::*;
}

/// The page size of a query without [`Query::limit`].
pub const DEFAULT_LIMIT: usize = 15;
/// The largest page a query may ask for.
pub const MAX_LIMIT: usize = 1000;

/// A query for entities of type `T`: a filter, sort keys, a page size, a cursor, and whether
/// to count the total. It serializes (serde) so that a client can send it.
#[derive(Serialize, Deserialize)]
#[serde(bound = "", deny_unknown_fields)]
pub struct Query<T> {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    filter: Option<Filter<T>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    order: Vec<Order<T>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    limit: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    after: Option<Cursor>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    total: bool,
    /// The plan, made on the first [`plan`](Query::plan) of this value: a collection and the
    /// provider it asks share it (every builder method starts a new one).
    #[serde(skip)]
    planned: std::sync::OnceLock<std::sync::Arc<Plan<T>>>,
}

impl<T> Query<T> {
    /// Every entity, by id, [`DEFAULT_LIMIT`] at a time.
    pub fn new() -> Self {
        Query {
            filter: None,
            order: Vec::new(),
            limit: None,
            after: None,
            total: false,
            planned: std::sync::OnceLock::new(),
        }
    }

    /// Keeps the entities `filter` matches (several calls: all of them must match).
    pub fn filter(mut self, filter: Filter<T>) -> Self {
        self.planned = std::sync::OnceLock::new();
        self.filter = Some(match self.filter.take() {
            Some(current) => current.and(filter),
            None => filter,
        });
        self
    }

    /// Adds a sort key (after the ones already given): `.order_by(User::NAME.asc())`.
    pub fn order_by(mut self, order: Order<T>) -> Self {
        self.planned = std::sync::OnceLock::new();
        self.order.push(order);
        self
    }

    /// The page size: at most [`MAX_LIMIT`].
    pub fn limit(mut self, limit: usize) -> Self {
        self.planned = std::sync::OnceLock::new();
        self.limit = Some(limit);
        self
    }

    /// Starts after `cursor` (a page's [`next`](Page::next)); `None` starts at the beginning.
    pub fn after(mut self, cursor: impl Into<Option<Cursor>>) -> Self {
        self.planned = std::sync::OnceLock::new();
        self.after = cursor.into();
        self
    }

    /// Counts every matching entity into [`Page::total`].
    pub fn with_total(mut self) -> Self {
        self.planned = std::sync::OnceLock::new();
        self.total = true;
        self
    }

    /// The filter, if any.
    pub fn filter_ref(&self) -> Option<&Filter<T>> {
        self.filter.as_ref()
    }

    /// The sort keys, in order (the id is the implicit last one).
    pub fn orders(&self) -> &[Order<T>] {
        &self.order
    }

    /// The page size as given (`None`: [`DEFAULT_LIMIT`]).
    pub fn limit_value(&self) -> Option<usize> {
        self.limit
    }

    /// The cursor the page starts after.
    pub fn cursor(&self) -> Option<&Cursor> {
        self.after.as_ref()
    }

    /// Whether the total is asked for.
    pub fn wants_total(&self) -> bool {
        self.total
    }

    /// The operators the filter uses (each once).
    pub fn operators(&self) -> Vec<Operator> {
        self.filter
            .as_ref()
            .map(Filter::operators)
            .unwrap_or_default()
    }
}

impl<T: Entity> Query<T> {
    /// [`Error::Unsupported`] naming the first operator of the filter that is not in
    /// `supported`: how a provider refuses what it cannot serve instead of ignoring it.
    ///
    /// ```
    /// use reactive::prelude::*;
    /// use reactive::query::Operator;
    ///
    /// #[derive(Reactive, Clone, Debug)]
    /// #[entity("users")]
    /// struct User { id: String, name: String }
    ///
    /// let query = Query::new().filter(User::NAME.ends_with("son"));
    /// let supported = [Operator::Equals, Operator::And];
    /// assert!(matches!(query.require(&supported), Err(Error::Unsupported { .. })));
    /// ```
    pub fn require(&self, supported: &[Operator]) -> Result<(), Error> {
        match self
            .operators()
            .into_iter()
            .find(|op| !supported.contains(op))
        {
            Some(op) => Err(Error::Unsupported {
                entity: T::ENTITY,
                what: format!("the `{op}` operator"),
            }),
            None => Ok(()),
        }
    }
}

impl<T: Queryable> Query<T> {
    /// Checks the query against `T` (field names, operators, values, limit, cursor) and
    /// resolves it for evaluation; made once per query value (a clone shares it), so a
    /// collection that checks a query and the provider it then asks plan it once.
    ///
    /// ```
    /// use reactive::prelude::*;
    ///
    /// #[derive(Reactive, Clone, Debug)]
    /// #[entity("users")]
    /// struct User { id: String, age: u32 }
    ///
    /// let query = Query::<User>::new().filter(User::AGE.ge(18)).limit(10);
    /// let plan = query.plan()?;
    /// assert_eq!(plan.limit(), 10);
    /// assert!(std::sync::Arc::ptr_eq(&plan, &query.plan()?));
    /// # Ok::<(), reactive::Error>(())
    /// ```
    pub fn plan(&self) -> Result<std::sync::Arc<Plan<T>>, Error> {
        if let Some(plan) = self.planned.get() {
            return Ok(plan.clone());
        }
        let plan = std::sync::Arc::new(Plan::new(self)?);
        Ok(self.planned.get_or_init(|| plan).clone())
    }

    /// Whether `value` matches the filter.
    pub fn matches(&self, value: &T) -> Result<bool, Error> {
        self.plan()?.matches(value)
    }
}

impl<T> Default for Query<T> {
    fn default() -> Self {
        Query::new()
    }
}

impl<T> Clone for Query<T> {
    fn clone(&self) -> Self {
        Query {
            filter: self.filter.clone(),
            order: self.order.clone(),
            limit: self.limit,
            after: self.after.clone(),
            total: self.total,
            planned: self.planned.clone(),
        }
    }
}

impl<T> PartialEq for Query<T> {
    fn eq(&self, other: &Self) -> bool {
        self.filter == other.filter
            && self.order == other.order
            && self.limit == other.limit
            && self.after == other.after
            && self.total == other.total
    }
}

impl<T> std::fmt::Debug for Query<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Query")
            .field("filter", &self.filter)
            .field("order", &self.order)
            .field("limit", &self.limit)
            .field("after", &self.after)
            .field("total", &self.total)
            .finish()
    }
}
