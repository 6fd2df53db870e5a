use reactive::prelude::*;

#[derive(Reactive, Clone)]
struct User {
    #[reactive(rename)]
    name: String,
    email: String,
}

fn main() {
    let user = Model::new(User {
        name: "Ada".into(),
        email: "ada@example.com".into(),
    });
    let _ = user.set_name("Grace");
    let _ = user.set(User::NAME, "Grace".to_string());
    let _sub = user.on_email(|c| println!("{}", c.value));
    let _: String = user.get(User::EMAIL);
    let _ = user.batch(|b| b.set_email("x"));
}
