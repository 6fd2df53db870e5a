use reactive::prelude::*;

#[derive(Reactive, Clone)]
#[reactive(table = "users")]
struct User {
    name: String,
}

fn main() {}
