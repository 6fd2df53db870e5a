use reactive::prelude::*;

#[derive(Reactive, Clone)]
struct Job {
    done: u64,
    total: u64,
    #[reactive(computed = self.helper() * 2)]
    doubled: u64,
    #[reactive(computed = format!("{}", self))]
    label: String,
    #[reactive(computed = format!("{} left", self.helper()))]
    summary: String,
}

impl Job {
    fn helper(&self) -> u64 {
        self.total - self.done
    }
}

impl std::fmt::Display for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.done, self.total)
    }
}

fn main() {}
