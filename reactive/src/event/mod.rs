//! Change events: what listeners receive, subscriptions, streams, and delivery.

pub(crate) mod delivery;
pub(crate) mod erased;
pub(crate) mod field_set;
pub(crate) mod hub;
pub(crate) mod local;
pub(crate) mod source;
pub(crate) mod stream;
pub(crate) mod subscription;
pub(crate) mod table;
pub(crate) mod types;
