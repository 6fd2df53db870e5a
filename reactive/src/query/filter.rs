//! Filters: a tree of conditions on fields, built from the typed keys
//! (`User::NAME.eq("Ada")`) and combined with `and`/`or`/`not` to any depth.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::value::Value;
use crate::error::ValueError;

/// A comparison of a field with one value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CompareOp {
    /// `eq`: equal (null equals null).
    #[serde(rename = "eq")]
    Equals,
    /// `ne`: not equal; a null field is not equal to any value.
    #[serde(rename = "ne")]
    NotEquals,
    /// Greater than (a null field never matches).
    Gt,
    /// Greater than or equal (a null field never matches).
    Ge,
    /// Less than (a null field never matches).
    Lt,
    /// Less than or equal (a null field never matches).
    Le,
    /// The string field contains the value (bytes, case-sensitive).
    Contains,
    /// The string field starts with the value (bytes, case-sensitive).
    StartsWith,
    /// The string field ends with the value (bytes, case-sensitive).
    EndsWith,
}

impl CompareOp {
    /// The operator this comparison is.
    pub fn operator(self) -> Operator {
        match self {
            CompareOp::Equals => Operator::Equals,
            CompareOp::NotEquals => Operator::NotEquals,
            CompareOp::Gt => Operator::Gt,
            CompareOp::Ge => Operator::Ge,
            CompareOp::Lt => Operator::Lt,
            CompareOp::Le => Operator::Le,
            CompareOp::Contains => Operator::Contains,
            CompareOp::StartsWith => Operator::StartsWith,
            CompareOp::EndsWith => Operator::EndsWith,
        }
    }

    /// Whether this is a string operator (`contains`, `starts_with`, `ends_with`).
    pub fn is_text(self) -> bool {
        matches!(
            self,
            CompareOp::Contains | CompareOp::StartsWith | CompareOp::EndsWith
        )
    }

    /// Whether this is an order comparison (`gt`, `ge`, `lt`, `le`).
    pub fn is_range(self) -> bool {
        matches!(
            self,
            CompareOp::Gt | CompareOp::Ge | CompareOp::Lt | CompareOp::Le
        )
    }
}

/// Every operator a filter can use: what a provider checks it supports
/// ([`Filter::operators`], [`Query::require`](super::Query::require)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Operator {
    /// `eq`
    Equals,
    /// `ne`
    NotEquals,
    /// `gt`
    Gt,
    /// `ge`
    Ge,
    /// `lt`
    Lt,
    /// `le`
    Le,
    /// `in_`
    In,
    /// `not_in`
    NotIn,
    /// `contains`
    Contains,
    /// `starts_with`
    StartsWith,
    /// `ends_with`
    EndsWith,
    /// `is_null`
    IsNull,
    /// `and`
    And,
    /// `or`
    Or,
    /// `not`
    Not,
}

impl Operator {
    /// Every operator.
    pub const ALL: &'static [Operator] = &[
        Operator::Equals,
        Operator::NotEquals,
        Operator::Gt,
        Operator::Ge,
        Operator::Lt,
        Operator::Le,
        Operator::In,
        Operator::NotIn,
        Operator::Contains,
        Operator::StartsWith,
        Operator::EndsWith,
        Operator::IsNull,
        Operator::And,
        Operator::Or,
        Operator::Not,
    ];

    /// The operator's name, as the key method spells it.
    pub fn name(self) -> &'static str {
        match self {
            Operator::Equals => "eq",
            Operator::NotEquals => "ne",
            Operator::Gt => "gt",
            Operator::Ge => "ge",
            Operator::Lt => "lt",
            Operator::Le => "le",
            Operator::In => "in_",
            Operator::NotIn => "not_in",
            Operator::Contains => "contains",
            Operator::StartsWith => "starts_with",
            Operator::EndsWith => "ends_with",
            Operator::IsNull => "is_null",
            Operator::And => "and",
            Operator::Or => "or",
            Operator::Not => "not",
        }
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A filter's tree, untyped: what a provider translates (and what is sent over the wire).
///
/// Field names are the names of events and queries (`#[reactive(rename)]` applies). A tree
/// received from a client may name fields that do not exist: the query is then
/// [`Error::InvalidQuery`](crate::Error::InvalidQuery) when run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Expr {
    /// Every condition holds (an empty list always holds).
    And(Vec<Expr>),
    /// Some condition holds (an empty list never holds).
    Or(Vec<Expr>),
    /// The condition does not hold.
    Not(Box<Expr>),
    /// A field compared with a value.
    Compare {
        /// The field's name.
        field: Cow<'static, str>,
        /// The comparison.
        op: CompareOp,
        /// The value.
        value: Value,
    },
    /// The field equals one of the values (an empty list matches nothing).
    In {
        /// The field's name.
        field: Cow<'static, str>,
        /// The values.
        values: Vec<Value>,
    },
    /// The field equals none of the values (a null field matches unless null is listed).
    NotIn {
        /// The field's name.
        field: Cow<'static, str>,
        /// The values.
        values: Vec<Value>,
    },
    /// The field is null (`None`).
    IsNull {
        /// The field's name.
        field: Cow<'static, str>,
    },
}

impl Expr {
    /// The operator at this node.
    pub fn operator(&self) -> Operator {
        match self {
            Expr::And(_) => Operator::And,
            Expr::Or(_) => Operator::Or,
            Expr::Not(_) => Operator::Not,
            Expr::Compare { op, .. } => op.operator(),
            Expr::In { .. } => Operator::In,
            Expr::NotIn { .. } => Operator::NotIn,
            Expr::IsNull { .. } => Operator::IsNull,
        }
    }

    /// The field a leaf names (`None` for `and`/`or`/`not`).
    pub fn field(&self) -> Option<&str> {
        match self {
            Expr::Compare { field, .. }
            | Expr::In { field, .. }
            | Expr::NotIn { field, .. }
            | Expr::IsNull { field } => Some(field),
            Expr::And(_) | Expr::Or(_) | Expr::Not(_) => None,
        }
    }

    /// Visits every node, parents before children, in order.
    pub fn walk(&self, visit: &mut dyn FnMut(&Expr)) {
        visit(self);
        match self {
            Expr::And(items) | Expr::Or(items) => {
                for item in items {
                    item.walk(visit);
                }
            }
            Expr::Not(inner) => inner.walk(visit),
            _ => {}
        }
    }
}

/// A condition on entities of type `T`, from the typed keys.
///
/// ```
/// use reactive::prelude::*;
///
/// #[derive(Reactive, Clone, Debug)]
/// #[entity("users")]
/// struct User { id: String, name: String, age: u32, nickname: Option<String> }
///
/// let adults = User::AGE.ge(18);
/// let named = User::NAME.starts_with("A").or(User::NICKNAME.is_null());
/// let filter = Filter::all([adults, named, !User::NAME.eq("Eve")]);
/// assert_eq!(filter.operators().len(), 7);
/// ```
pub struct Filter<T> {
    expr: Expr,
    /// The first operand that could not become a query value: the filter is reported as
    /// [`Error::InvalidValue`](crate::Error::InvalidValue) when used.
    invalid: Option<Box<(String, ValueError)>>,
    _marker: PhantomData<fn() -> T>,
}

impl<T> Filter<T> {
    /// A filter of an untyped tree (e.g. one built by a provider or received from a client);
    /// its field names are checked when the query runs.
    pub fn from_expr(expr: Expr) -> Self {
        Filter {
            expr,
            invalid: None,
            _marker: PhantomData,
        }
    }

    /// A leaf whose value converted or not.
    pub(crate) fn leaf(
        field: &'static str,
        value: Result<Expr, ValueError>,
        placeholder: impl FnOnce() -> Expr,
    ) -> Self {
        match value {
            Ok(expr) => Filter::from_expr(expr),
            Err(reason) => Filter {
                expr: placeholder(),
                invalid: Some(Box::new((field.to_string(), reason))),
                _marker: PhantomData,
            },
        }
    }

    /// Every filter holds (an empty list: every entity).
    pub fn all(filters: impl IntoIterator<Item = Filter<T>>) -> Self {
        Self::combine(filters, true)
    }

    /// Some filter holds (an empty list: no entity).
    pub fn any(filters: impl IntoIterator<Item = Filter<T>>) -> Self {
        Self::combine(filters, false)
    }

    fn combine(filters: impl IntoIterator<Item = Filter<T>>, all: bool) -> Self {
        let mut items = Vec::new();
        let mut invalid = None;
        for filter in filters {
            invalid = invalid.or(filter.invalid);
            match filter.expr {
                // Nested lists of the same kind are one list.
                Expr::And(inner) if all => items.extend(inner),
                Expr::Or(inner) if !all => items.extend(inner),
                expr => items.push(expr),
            }
        }
        let expr = if all {
            Expr::And(items)
        } else {
            Expr::Or(items)
        };
        Filter {
            expr,
            invalid,
            _marker: PhantomData,
        }
    }

    /// Both hold.
    pub fn and(self, other: Filter<T>) -> Self {
        Filter::all([self, other])
    }

    /// Either holds.
    pub fn or(self, other: Filter<T>) -> Self {
        Filter::any([self, other])
    }

    /// The filter does not hold (also `!filter`).
    #[allow(clippy::should_implement_trait)] // it is implemented too; this needs no import
    pub fn not(self) -> Self {
        Filter {
            expr: match self.expr {
                Expr::Not(inner) => *inner,
                expr => Expr::Not(Box::new(expr)),
            },
            invalid: self.invalid,
            _marker: PhantomData,
        }
    }

    /// The untyped tree.
    pub fn expr(&self) -> &Expr {
        &self.expr
    }

    /// The operand that could not become a query value, if any: the field and why.
    pub fn invalid_value(&self) -> Option<(&str, &ValueError)> {
        self.invalid.as_deref().map(|(f, e)| (f.as_str(), e))
    }

    /// Visits every node of the tree, parents before children.
    pub fn walk(&self, mut visit: impl FnMut(&Expr)) {
        self.expr.walk(&mut visit)
    }

    /// The operators the filter uses, each once, in the order first used.
    pub fn operators(&self) -> Vec<Operator> {
        let mut out = Vec::new();
        self.walk(|e| {
            let op = e.operator();
            if !out.contains(&op) {
                out.push(op);
            }
        });
        out
    }
}

impl<T> std::ops::Not for Filter<T> {
    type Output = Filter<T>;
    fn not(self) -> Filter<T> {
        Filter::not(self)
    }
}

impl<T> std::ops::BitAnd for Filter<T> {
    type Output = Filter<T>;
    fn bitand(self, other: Filter<T>) -> Filter<T> {
        self.and(other)
    }
}

impl<T> std::ops::BitOr for Filter<T> {
    type Output = Filter<T>;
    fn bitor(self, other: Filter<T>) -> Filter<T> {
        self.or(other)
    }
}

impl<T> Clone for Filter<T> {
    fn clone(&self) -> Self {
        Filter {
            expr: self.expr.clone(),
            invalid: self.invalid.clone(),
            _marker: PhantomData,
        }
    }
}

impl<T> PartialEq for Filter<T> {
    fn eq(&self, other: &Self) -> bool {
        self.expr == other.expr && self.invalid == other.invalid
    }
}

impl<T> fmt::Debug for Filter<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Filter");
        s.field("expr", &self.expr);
        if let Some((field, reason)) = self.invalid_value() {
            s.field("invalid", &format_args!("{field}: {reason}"));
        }
        s.finish()
    }
}

/// The tree; a filter holding an invalid value cannot be serialized.
impl<T> Serialize for Filter<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if let Some((field, reason)) = self.invalid_value() {
            return Err(serde::ser::Error::custom(format_args!(
                "the value for `{field}` is invalid: {reason}"
            )));
        }
        self.expr.serialize(serializer)
    }
}

impl<'de, T> Deserialize<'de> for Filter<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Expr::deserialize(deserializer).map(Filter::from_expr)
    }
}
