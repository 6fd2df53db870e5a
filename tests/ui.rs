//! Compile-fail tests of `#[derive(Reactive)]`: each case in `tests/ui/` must fail to compile
//! with exactly the diagnostics in its `.stderr` (regenerate with `TRYBUILD=overwrite`).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
