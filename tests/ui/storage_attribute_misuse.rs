use reactive::prelude::*;

#[derive(Clone, PartialEq, Serialize)]
enum Role {
    Admin,
}

#[derive(Reactive, Clone, Serialize)]
#[entity("users")]
struct User {
    #[reactive(json)]
    id: String,
    #[reactive(text, json)]
    role: Role,
    #[reactive(skip, text)]
    cache: String,
    #[reactive(version, text)]
    version: u64,
    #[reactive(json, json)]
    tags: Vec<String>,
}

#[derive(Reactive, Clone)]
struct Draft {
    #[reactive(text)]
    role: String,
}

#[derive(Reactive, Clone)]
#[reactive(json)]
struct Note {
    text: String,
}

fn main() {}
