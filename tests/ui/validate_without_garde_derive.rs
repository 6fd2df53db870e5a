use reactive::prelude::*;

#[derive(Reactive, Clone)]
#[reactive(validate)]
struct Profile {
    #[garde(length(min = 2))]
    name: String,
}

fn main() {}
