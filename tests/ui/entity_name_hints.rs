use reactive::prelude::*;

// The help line suggests the user's own literal when there is one, else a neutral example.
#[derive(Reactive, Clone)]
#[entity(name = "users")]
struct Named {
    id: u64,
}

#[derive(Reactive, Clone)]
#[entity(concat!("us", "ers"))]
struct Macro {
    id: u64,
}

#[derive(Reactive, Clone)]
#[entity(accounts)]
struct Bare {
    id: u64,
}

fn main() {}
