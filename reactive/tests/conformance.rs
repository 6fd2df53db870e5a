//! Provider conformance: every provider runs the same cases, and the memory provider (the
//! reference semantics) passes them all.
//!
//! A backend is one `impl Backend` (see `conformance/backend.rs`) and one line below; its
//! tests are named `<backend>::<module>::<case>`, e.g. `memory::nulls::ne_matches_null`.

#[macro_use]
#[path = "conformance/mod.rs"]
mod conformance;

use conformance::backend::{MemoryBackend, PostgresBackend, SqliteBackend};

conformance! {
    memory: MemoryBackend,
    sqlite: SqliteBackend,
    #[ignore = "needs PostgreSQL: run ./scripts/test-all"]
    postgres: PostgresBackend,
}

/// The hostile strings: at least 50, distinct byte-wise, none with NUL.
#[test]
fn the_hostile_strings_are_50_distinct_strings_without_nul() {
    let strings = conformance::hostile_strings::hostile_strings();
    assert!(strings.len() >= 50, "only {}", strings.len());
    let mut unique = strings.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), strings.len(), "a string is listed twice");
    assert!(strings.iter().all(|s| !s.contains('\0')));
    assert!(strings.iter().all(|s| s.len() <= 2000));
    assert_eq!(conformance::hostile_strings::megabyte().len(), 1 << 20);
}
