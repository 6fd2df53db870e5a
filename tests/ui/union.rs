use reactive::prelude::*;

#[derive(Reactive, Clone, Copy)]
union Bits {
    int: u32,
    float: f32,
}

fn main() {}
