use reactive::prelude::*;

#[derive(Reactive, Clone)]
struct User {
    #[reactive]
    id: u64,
    #[reactive(rename = , skip)]
    cache: String,
    #[reactive(rename = "mail" "box", colour)]
    email: String,
    #[reactive(deps(self.email), computed = self.email.len())]
    email_len: usize,
}

fn main() {}
