use reactive::prelude::*;

#[derive(Reactive, Clone)]
struct Job {
    done: u64,
    total: u64,
    #[reactive(computed = Self::progress_of, deps(done, totl))]
    progress: f64,
}

impl Job {
    fn progress_of(&self) -> f64 {
        self.done as f64 / self.total as f64
    }
}

fn main() {}
