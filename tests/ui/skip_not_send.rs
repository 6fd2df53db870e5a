use std::cell::RefCell;
use std::rc::Rc;

use reactive::prelude::*;

// A skipped field is not reactive, but it is shared with the model: its type must still be
// `Send + Sync`, said once at that type (not through the runtime's types at the struct).
#[derive(Reactive, Clone)]
struct Session {
    id: u64,
    #[reactive(skip)]
    cache: Rc<Vec<u8>>,
    #[reactive(skip)]
    scratch: RefCell<String>,
}

fn main() {}
