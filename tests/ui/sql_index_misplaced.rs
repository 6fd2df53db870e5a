use reactive::prelude::*;

#[derive(Reactive, Clone, Debug)]
struct NotAnEntity {
    #[reactive(index)]
    name: String,
}

#[derive(Reactive, Clone, Debug)]
#[entity("tasks")]
struct Task {
    id: u64,
    #[reactive(index, skip)]
    scratch: String,
    #[reactive(index, computed = self.id * 2)]
    double: u64,
}

fn main() {}
