use reactive::prelude::*;

#[derive(Reactive, Clone)]
struct User {
    #[reactive(colour)]
    name: String,
}

fn main() {}
