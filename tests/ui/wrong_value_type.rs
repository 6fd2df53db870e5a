use reactive::prelude::*;

#[derive(Reactive, Clone)]
struct User {
    #[reactive(rename = 5)]
    name: String,
    #[reactive(skip = true)]
    cache: u64,
}

fn main() {}
