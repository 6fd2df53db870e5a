use reactive::prelude::*;

#[derive(Reactive, Clone)]
struct Settings {
    set: bool,
    unchecked: bool,
    change: u64,
}

fn main() {}
