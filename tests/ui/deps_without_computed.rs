use reactive::prelude::*;

#[derive(Reactive, Clone)]
struct Job {
    done: u64,
    #[reactive(deps(done))]
    total: u64,
}

fn main() {}
