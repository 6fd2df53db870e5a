use reactive::prelude::*;

#[derive(Reactive, Clone)]
#[entity("orders")]
struct Order {
    #[reactive(id)]
    number: u64,
    #[reactive(id)]
    customer: String,
    #[reactive(id)]
    line: u32,
}

fn main() {}
