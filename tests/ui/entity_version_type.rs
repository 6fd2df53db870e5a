use reactive::prelude::*;

#[derive(Reactive, Clone)]
#[entity("documents")]
struct Document {
    id: u64,
    #[reactive(version)]
    version: u32,
}

fn main() {}
