//! Unit tests of the parse and check stages and the expansion snapshots.

use crate::expand::expand_to_string;

#[test]
fn plain_struct_expands() {
    let out = expand_to_string("pub struct User { pub id: String, pub name: String }");
    assert!(out.contains("pub const NAME"), "{out}");
    assert!(!out.contains("compile_error"), "{out}");
}
