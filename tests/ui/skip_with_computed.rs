use reactive::prelude::*;

#[derive(Reactive, Clone)]
struct Job {
    done: u64,
    total: u64,
    #[reactive(skip, computed = self.total - self.done)]
    remaining: u64,
}

fn main() {}
