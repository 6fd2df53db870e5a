//! The seed's `User` with its domain rules: `is_admin`, `can_edit`, `promote`, the schema
//! (name at least 2 characters, a valid email) as garde rules, dirty state and `revert()`.
//!
//! Run: `cargo run --example user_rules`

use garde::Validate;
use reactive::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Role {
    User,
    Admin,
}

#[derive(Reactive, Validate, Clone, Debug, Serialize, Deserialize)]
#[reactive(validate)]
struct User {
    #[garde(skip)]
    id: String,
    #[garde(length(min = 2))]
    name: String,
    #[garde(email)]
    email: String,
    #[garde(skip)]
    role: Role,
}

impl User {
    fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    fn can_edit(&self, owner_id: &str) -> bool {
        self.is_admin() || owner_id == self.id
    }

    fn promote(&mut self) {
        self.role = Role::Admin;
    }
}

fn print_report(what: &str, err: &Error) {
    match err {
        Error::Validation(report) => {
            println!("{what}: refused");
            for e in report {
                println!("  {}: {}", e.field, e.message);
            }
        }
        other => println!("{what}: {other}"),
    }
}

fn main() -> Result<(), Error> {
    // The API controller's check: validate a request body before creating anything.
    let body = User {
        id: "u2".into(),
        name: "A".into(),
        email: "not-an-email".into(),
        role: Role::User,
    };
    if let Err(err) = Model::try_new(body) {
        print_report("create {name: \"A\", email: \"not-an-email\"}", &err);
    }

    let user = Model::new(User {
        id: "u1".into(),
        name: "Ada".into(),
        email: "ada@example.com".into(),
        role: Role::User,
    });
    user.on_role(|c| println!("role.changed {:?} -> {:?}", c.previous, c.value))
        .detach();
    println!(
        "{} is admin: {}, can edit u1: {}, can edit u9: {}",
        user.name(),
        user.with(User::is_admin),
        user.with(|u| u.can_edit("u1")),
        user.with(|u| u.can_edit("u9")),
    );

    // Invalid writes are refused and change nothing.
    if let Err(err) = user.set_email("ada-at-example") {
        print_report("set email \"ada-at-example\"", &err);
    }
    assert_eq!(user.email(), "ada@example.com");

    // Domain logic, then dirty state.
    user.update(User::promote)?;
    user.set_name("Ada Lovelace")?;
    println!(
        "after promote + rename: admin {}, dirty fields {:?}, saved name {:?}",
        user.with(User::is_admin),
        user.dirty_fields(),
        user.saved(User::NAME)
    );
    assert!(user.with(|u| u.can_edit("u9")));

    // Revert: back to the saved value, with events; clean again.
    user.revert()?;
    println!(
        "after revert: name {:?}, role {:?}, dirty {}",
        user.name(),
        user.role(),
        user.is_dirty()
    );
    assert_eq!(user.role(), Role::User);
    assert!(!user.is_dirty());

    // Saved: the current value becomes the baseline.
    user.set_name("Ada L.")?;
    user.mark_saved();
    println!("after mark_saved: dirty {}", user.is_dirty());
    Ok(())
}
