use reactive::prelude::*;

#[derive(Reactive, Clone)]
#[entity("users")]
struct User {
    #[reactive(generated)]
    id: Option<u64>,
}

#[derive(Reactive, Clone)]
#[entity("teams")]
struct Team {
    #[reactive(id, generated)]
    id: u64,
    name: String,
}

fn main() {}
