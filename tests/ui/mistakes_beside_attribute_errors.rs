// Every mistake is reported at its own token, whatever else is wrong: an attribute error does
// not hide a typo in a computed expression or path, nor move a field type's error.
use std::rc::Rc;

use reactive::prelude::*;

#[derive(Reactive, Clone)]
struct Job {
    #[reactive(colour)]
    done: u64,
    total: u64,
    #[reactive(computed = self.totl - self.done)]
    remaining: u64,
    owner: Rc<String>,
    #[reactive(computed = Self::pct, deps(done, total))]
    percent: u64,
}

impl Job {
    fn pcent(&self) -> u64 {
        0
    }
}

fn main() {}
