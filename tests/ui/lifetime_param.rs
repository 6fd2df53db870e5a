use reactive::prelude::*;

#[derive(Reactive, Clone)]
struct User<'a> {
    name: &'a str,
}

fn main() {}
