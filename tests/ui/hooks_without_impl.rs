use reactive::prelude::*;

#[derive(Reactive, Clone)]
#[reactive(hooks)]
struct Account {
    owner: String,
    balance: i64,
}

fn main() {
    let account = Model::new(Account {
        owner: "ada".into(),
        balance: 0,
    });
    account.set_balance(5).unwrap();
}
