use reactive::prelude::*;

#[derive(Reactive, Clone)]
enum Status {
    Active,
    Closed,
}

fn main() {}
