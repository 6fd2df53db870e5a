use reactive::prelude::*;

#[derive(Reactive, Clone)]
#[reactive(crate = my_app::reactive)]
struct User {
    name: String,
}

fn main() {}
