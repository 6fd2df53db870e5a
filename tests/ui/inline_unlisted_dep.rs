use reactive::prelude::*;

#[derive(Reactive, Clone)]
struct Job {
    done: u64,
    total: u64,
    #[reactive(computed = self.total - self.done - self.offset(), deps(total))]
    remaining: u64,
}

impl Job {
    fn offset(&self) -> u64 {
        0
    }
}

fn main() {}
