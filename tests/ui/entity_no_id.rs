use reactive::prelude::*;

#[derive(Reactive, Clone)]
#[entity("users")]
struct User {
    user_id: String,
    name: String,
}

fn main() {
    // The fallback still implements `Entity`: no further errors here.
    let _ = User::ENTITY;
}
