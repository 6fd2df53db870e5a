use reactive::prelude::*;

#[derive(Reactive, Clone)]
#[entity("statuses")]
enum Status {
    Active,
    Closed,
}

fn main() {}
