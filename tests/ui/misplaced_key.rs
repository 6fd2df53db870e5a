use reactive::prelude::*;

#[derive(Reactive, Clone)]
#[reactive(skip)]
struct User {
    #[reactive(crate = reactive)]
    name: String,
}

fn main() {}
