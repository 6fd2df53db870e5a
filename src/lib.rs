//! The workspace's root package: it owns the integration tests (`tests/`) and the runnable
//! examples (`examples/`). It is not published; the library is the `reactive` crate.
