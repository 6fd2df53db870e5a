use reactive::prelude::*;

#[derive(Reactive, Clone)]
struct User {
    #[reactive(rename = "full_name")]
    #[reactive(rename = "display_name")]
    name: String,
    #[reactive(skip, skip)]
    cache: u64,
}

fn main() {}
