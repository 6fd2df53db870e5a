use reactive::prelude::*;

struct Limits {
    max_len: usize,
}

#[derive(Reactive, garde::Validate, Clone)]
#[garde(context(Limits as limits))]
#[reactive(validate)]
struct Profile {
    #[garde(length(max = limits.max_len))]
    name: String,
}

fn main() {
    let _ = Model::new(Profile {
        name: String::new(),
    });
}
