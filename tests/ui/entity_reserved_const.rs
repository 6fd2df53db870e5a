use reactive::prelude::*;

#[derive(Reactive, Clone)]
#[entity("memberships")]
struct Membership {
    id: u64,
    entity: String,
    versioned: bool,
}

fn main() {}
