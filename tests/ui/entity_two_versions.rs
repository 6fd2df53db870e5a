use reactive::prelude::*;

#[derive(Reactive, Clone)]
#[entity("documents")]
struct Document {
    id: u64,
    #[reactive(version)]
    version: u64,
    #[reactive(version)]
    revision: u64,
}

fn main() {}
