use reactive::prelude::*;

#[derive(Reactive, Clone)]
#[entity("")]
struct Empty {
    id: u64,
}

#[derive(Reactive, Clone)]
#[entity("user accounts")]
struct Spaced {
    id: u64,
}

#[derive(Reactive, Clone)]
#[entity(users)]
struct Bare {
    id: u64,
}

#[derive(Reactive, Clone)]
#[entity(5)]
struct Number {
    id: u64,
}

fn main() {}
