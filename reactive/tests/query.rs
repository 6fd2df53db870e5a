//! Typed queries: filters and their evaluation, cursors, indexed lookups, pages.
//!
//! One test binary for the group (each file a module named for it), so that a build links
//! it once.

mod common;
mod query_common;

#[path = "query/query.rs"]
mod query;
#[path = "query/query_cursors.rs"]
mod query_cursors;
#[path = "query/query_index.rs"]
mod query_index;
#[path = "query/query_pages.rs"]
mod query_pages;
