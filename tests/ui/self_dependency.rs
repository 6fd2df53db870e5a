use reactive::prelude::*;

#[derive(Reactive, Clone)]
struct Counter {
    step: u64,
    #[reactive(computed = self.total + self.step)]
    total: u64,
}

fn main() {}
