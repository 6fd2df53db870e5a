use reactive::prelude::*;

// `ModelHooks` implemented without `#[reactive(hooks)]`: the error is at the impl and its note
// names the missing attribute.
#[derive(Reactive, Clone)]
struct Account {
    owner: String,
}

impl ModelHooks for Account {}

fn main() {}
