use reactive::prelude::*;

#[derive(Reactive, Clone)]
struct Flags {
    active: bool,
    set_active: bool,
    #[reactive(rename = "on_active")]
    listener_count: u64,
}

fn main() {}
