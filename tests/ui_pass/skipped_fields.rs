// Skipped fields of any `Send + Sync` type, with and without the struct's parameters, in a
// generic struct and a plain one; both are usable as models.
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use reactive::prelude::*;

#[derive(Reactive, Clone)]
struct Memo {
    input: u64,
    #[reactive(skip)]
    hits: Arc<AtomicU64>,
}

#[derive(Reactive, Clone)]
struct Tagged<T: Clone + PartialEq + Send + Sync + 'static> {
    tag: T,
    #[reactive(skip)]
    cache: Arc<Mutex<Option<T>>>,
    #[reactive(skip)]
    owner: PhantomData<fn() -> T>,
}

fn main() {
    let memo = Model::new(Memo {
        input: 1,
        hits: Arc::default(),
    });
    memo.set_input(2).unwrap();
    memo.with(|m| m.hits.fetch_add(1, Ordering::Relaxed));
    let tagged = Model::new(Tagged {
        tag: "a".to_owned(),
        cache: Arc::default(),
        owner: PhantomData,
    });
    tagged.set_tag("b".to_owned()).unwrap();
    assert_eq!(tagged.tag(), "b");
}
