use reactive::prelude::*;
use reactive::provider::{MemoryProvider, Provider};

#[derive(Clone, PartialEq, Serialize)]
enum Role {
    Admin,
}

#[derive(Clone, PartialEq, Serialize)]
struct Address {
    city: String,
}

#[derive(Reactive, Clone)]
#[entity("users")]
struct User {
    id: String,
    age: u32,
    // Neither `text` nor `json`: the entity has no query value for it.
    address: Address,
}

#[derive(Reactive, Clone)]
#[entity("admins")]
struct Admin {
    id: String,
    // An enum without `#[reactive(text)]`.
    role: Role,
}

async fn list(users: &MemoryProvider<User>, admins: &MemoryProvider<Admin>) {
    let _ = users.list(&Query::new()).await;
    let _ = admins.list(&Query::new()).await;
}

fn main() {
    let _ = User::AGE.eq("thirty");
    let _ = User::AGE.contains("3");
    let _ = User::AGE.is_null();
    let _ = list;
}
