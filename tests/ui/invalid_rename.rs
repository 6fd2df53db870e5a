use reactive::prelude::*;

#[derive(Reactive, Clone)]
struct User {
    #[reactive(rename = "full name")]
    name: String,
    #[reactive(rename = "")]
    email: String,
}

fn main() {}
