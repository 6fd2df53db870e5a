use reactive::prelude::*;

#[derive(Reactive)]
struct User {
    name: String,
}

fn main() {}
