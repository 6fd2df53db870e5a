use reactive::prelude::*;

#[derive(Reactive, Clone)]
struct Job {
    done: u64,
    total: u64,
    #[reactive(computed = "self.total - self.done")]
    remaining: u64,
    #[reactive(computed = 42)]
    answer: u64,
    #[reactive(computed = Self::f, deps())]
    empty: u64,
}

impl Job {
    fn f(&self) -> u64 {
        0
    }
}

fn main() {}
