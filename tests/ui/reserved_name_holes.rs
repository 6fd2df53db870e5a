use reactive::prelude::*;

// Names that are not in the reserved list as written, but whose key const is one of the
// trait's consts, or whose getter a std trait method of `Model` would shadow.
#[derive(Reactive, Clone)]
struct Catalog {
    typeName: String,
    FIELDS: u32,
    clone_into: bool,
    ok: u8,
}

fn main() {
    let catalog = Model::new(Catalog {
        typeName: String::new(),
        FIELDS: 0,
        clone_into: false,
        ok: 0,
    });
    let _ = catalog.ok();
}
