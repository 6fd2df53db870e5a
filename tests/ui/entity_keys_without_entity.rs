use reactive::prelude::*;

#[derive(Reactive, Clone)]
struct User {
    #[reactive(id)]
    key: String,
    #[reactive(version)]
    version: u64,
}

#[derive(Reactive, Clone)]
struct Team {
    #[reactive(id, generated)]
    id: Option<u64>,
}

fn main() {}
