use reactive::prelude::*;

#[derive(Clone, PartialEq)]
struct Secret(String);

#[derive(Reactive, Clone)]
struct Vault {
    label: String,
    secret: Secret,
}

fn main() {
    let vault = Model::new(Vault {
        label: "a".into(),
        secret: Secret("s".into()),
    });
    let _sub = vault.on_event("label.changed", |_| {});
}
