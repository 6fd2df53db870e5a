//! `#[reactive(handle = "..")]` names the generated handle (and the batch handle after it), so a
//! type of the user's own named `UserHandle` or `UserBatch` can live beside the struct.
use reactive::prelude::*;

/// The user's own types of the default generated names.
pub struct UserHandle;
/// As above.
pub struct UserBatch;

#[derive(Reactive, Clone)]
#[reactive(handle = "UserModel")]
struct User {
    name: String,
}

fn rename(batch: &mut UserModelBatch<'_>) -> Result<(), Error> {
    batch.set_name("Grace")
}

fn main() {
    let _ = (UserHandle, UserBatch);
    let user = Model::new(User { name: "Ada".into() });
    let handle: &UserModel = &user;
    assert_eq!(handle.name(), "Ada");
    user.batch(|b| rename(b)).unwrap();
    assert_eq!(user.name(), "Grace");
}
