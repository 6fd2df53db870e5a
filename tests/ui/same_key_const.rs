use reactive::prelude::*;

#[derive(Reactive, Clone)]
#[allow(non_snake_case)]
struct Account {
    user_id: u64,
    userId: u64,
    #[reactive(rename = "user_id")]
    owner: u64,
}

fn main() {}
