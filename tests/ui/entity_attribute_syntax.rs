use reactive::prelude::*;

#[derive(Reactive, Clone)]
#[entity]
struct NoName {
    id: u64,
}

#[derive(Reactive, Clone)]
#[entity = "users"]
struct NameValue {
    id: u64,
}

#[derive(Reactive, Clone)]
#[entity("users", table = "app_users")]
struct Extra {
    id: u64,
}

#[derive(Reactive, Clone)]
#[entity("users")]
#[entity("accounts")]
struct Twice {
    id: u64,
}

#[derive(Reactive, Clone)]
#[reactive(entity = "users")]
struct AsKey {
    id: u64,
}

#[derive(Reactive, Clone)]
#[entity("users")]
#[reactive(id)]
struct IdOnStruct {
    id: u64,
}

#[derive(Reactive, Clone)]
#[entity("users")]
struct ValueOnFlag {
    #[reactive(id = true)]
    key: u64,
    #[reactive(version, version)]
    version: u64,
}

fn main() {}
