//! Compile tests of `#[derive(Reactive)]`: each case in `tests/ui/` must fail to compile with
//! exactly the diagnostics in its `.stderr` (regenerate with `TRYBUILD=overwrite`), and each
//! case in `tests/ui_pass/` must compile cleanly and run.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui_pass/*.rs");
}
