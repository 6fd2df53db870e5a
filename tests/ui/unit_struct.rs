use reactive::prelude::*;

#[derive(Reactive, Clone)]
struct Marker;

fn main() {}
