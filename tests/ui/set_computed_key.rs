use reactive::prelude::*;

#[derive(Reactive, Clone)]
struct Job {
    done: u64,
    total: u64,
    #[reactive(computed = self.total - self.done)]
    remaining: u64,
}

fn main() {
    let job = Model::new(Job {
        done: 0,
        total: 3,
        remaining: 0,
    });
    let _ = job.set(Job::REMAINING, 1);
}
