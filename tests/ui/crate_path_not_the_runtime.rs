use reactive::prelude::*;

// A crate path that resolves, but not to the runtime: one error at the path, not one per
// generated item.
#[derive(Reactive, Clone)]
#[reactive(crate = std)]
struct User {
    name: String,
}

fn main() {}
