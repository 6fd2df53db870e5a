use std::rc::Rc;

use reactive::prelude::*;

#[derive(Reactive, Clone)]
struct Session {
    id: u64,
    owner: Rc<String>,
}

fn main() {}
