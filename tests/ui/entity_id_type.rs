use reactive::prelude::*;

#[derive(Reactive, Clone)]
#[entity("points")]
struct Point {
    id: f64,
    label: String,
}

#[derive(Clone, Debug, PartialEq)]
struct Key(String);

#[derive(Reactive, Clone)]
#[entity("tickets")]
struct Ticket {
    #[reactive(id, generated)]
    key: Option<Key>,
    title: String,
}

fn main() {}
