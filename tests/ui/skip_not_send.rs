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


// In a generic struct too, a skipped type without the struct's parameters is checked at the
// field, once.
#[derive(Reactive, Clone)]
struct Tagged<T: Clone + PartialEq + Send + Sync + 'static> {
    tag: T,
    #[reactive(skip)]
    memo: std::cell::Cell<u32>,
    #[reactive(skip)]
    owner: std::marker::PhantomData<T>,
}

fn main() {}
