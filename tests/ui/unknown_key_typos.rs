use reactive::prelude::*;

// Close typos of a key get a did-you-mean before the list of keys.
#[derive(Reactive, Clone)]
#[reactive(hook)]
struct Typos {
    #[reactive(indx)]
    a: u64,
    #[reactive(skipp)]
    b: u64,
    #[reactive(colour)]
    c: u64,
}

fn main() {}
