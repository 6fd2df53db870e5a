use reactive::prelude::*;

#[derive(Reactive, Clone)]
struct Form {
    fields: Vec<String>,
    #[reactive(rename = "__raw")]
    raw: String,
}

fn main() {}
