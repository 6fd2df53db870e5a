use reactive::prelude::*;

#[derive(Reactive, Clone)]
#[entity("jobs")]
struct Job {
    id: u64,
    done: u64,
    #[reactive(computed = self.done * 2, version)]
    doubled: u64,
    #[reactive(skip)]
    #[reactive(version)]
    cache: u64,
}

#[derive(Reactive, Clone)]
#[entity("runs")]
struct Run {
    #[reactive(id, skip)]
    key: u64,
    #[reactive(skip, generated)]
    other: Option<u64>,
}

#[derive(Reactive, Clone)]
#[entity("tasks")]
struct Task {
    #[reactive(skip)]
    id: u64,
    name: String,
}

#[derive(Reactive, Clone)]
#[entity("steps")]
struct Step {
    #[reactive(id, version)]
    id: u64,
}

fn main() {}
