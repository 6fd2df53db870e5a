//! One page of a query's results.

use super::cursor::Cursor;

/// A page of results: the items, the cursor of the next page, and the total when asked.
#[derive(Clone, Debug, PartialEq)]
pub struct Page<T> {
    /// The entities, in the query's order.
    pub items: Vec<T>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<Cursor>,
    /// How many entities match the filter (all pages), with [`Query::with_total`](super::Query::with_total).
    pub total: Option<u64>,
}

impl<T> Page<T> {
    /// Whether another page follows.
    pub fn has_more(&self) -> bool {
        self.next.is_some()
    }
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Page {
            items: Vec::new(),
            next: None,
            total: None,
        }
    }
}
