use reactive::prelude::*;

// Given a value: reported, and still taken as meant (so this impl does not clash).
#[derive(Reactive, garde::Validate, Clone)]
#[reactive(hooks = true, validate(strict))]
struct Valued {
    #[garde(range(max = 9))]
    a: u64,
}

impl ModelHooks for Valued {}

#[derive(Reactive, Clone)]
#[reactive(hooks, hooks)]
struct HooksTwice {
    a: u64,
}

impl ModelHooks for HooksTwice {}

#[derive(Reactive, garde::Validate, Clone)]
#[reactive(validate)]
#[reactive(validate)]
struct ValidateTwice {
    #[garde(range(max = 9))]
    a: u64,
}

#[derive(Reactive, Clone)]
struct OnAField {
    #[reactive(hooks)]
    a: u64,
    #[reactive(validate)]
    b: u64,
}

fn main() {}
