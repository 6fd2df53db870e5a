//! The generated code raises no clippy lint in the user's crate, pedantic ones included: the
//! test command's clippy step lints this file, which holds the shapes of
//! `tests/ui_pass/lints_clean.rs` (the rustc lints' case).
#![deny(clippy::pedantic)]

#[path = "ui_pass/lints_clean.rs"]
mod lints_clean;

#[test]
fn every_shape_is_usable() {
    lints_clean::main();
}
