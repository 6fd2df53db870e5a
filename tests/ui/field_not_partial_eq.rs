use reactive::prelude::*;

#[derive(Clone)]
struct Opaque(u64);

#[derive(Reactive, Clone)]
struct Holder {
    name: String,
    inner: Opaque,
}

fn main() {}
