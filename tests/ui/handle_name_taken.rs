use reactive::prelude::*;

// The derive names the live handle `UserHandle` and the batch handle `UserBatch`; a type of
// the user's with either name collides with them, and the error says how to name them
// otherwise: `#[reactive(handle = "..")]`.
pub struct UserHandle;

#[derive(Reactive, Clone)]
struct User {
    name: String,
}

pub struct TeamBatch {
    pub size: usize,
}

#[derive(Reactive, Clone)]
struct Team {
    name: String,
}

// A name given with `handle` that is taken too.
pub enum Staff {}

#[derive(Reactive, Clone)]
#[reactive(handle = "Staff")]
struct Employee {
    name: String,
}

fn main() {
    let user = Model::new(User { name: "a".into() });
    let _ = user.name();
}
