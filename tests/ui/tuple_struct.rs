use reactive::prelude::*;

#[derive(Reactive, Clone)]
struct Point(i64, i64);

fn main() {}
