use reactive::prelude::*;

#[derive(Reactive, Clone)]
struct Job {
    done: u64,
    total: u64,
    #[reactive(computed = self.totl - self.done)]
    remaining: u64,
}

fn main() {}
