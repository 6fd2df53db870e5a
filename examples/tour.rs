//! A tour of `reactive` on SQLite, the embedded default: define an entity, create its table,
//! create, load, the identity map, changes with events, a collection query, a validation
//! error and a version conflict.
//!
//! Run: `cargo run --example tour`

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use garde::Validate;
use reactive::prelude::*;
use reactive::provider::sqlite::Sqlite;

#[derive(Reactive, Validate, Clone, Debug, Serialize, Deserialize)]
#[entity("users")]
#[reactive(validate)]
struct User {
    #[garde(skip)]
    id: u64,
    #[garde(length(min = 2))]
    #[reactive(index)]
    name: String,
    #[garde(email)]
    email: String,
    #[garde(range(max = 150))]
    age: u32,
    #[garde(skip)]
    #[reactive(version)]
    version: u64,
}

const PEOPLE: [(&str, u32); 12] = [
    ("Ada", 36),
    ("Alan", 41),
    ("Alonzo", 92),
    ("Barbara", 88),
    ("Dennis", 70),
    ("Donald", 84),
    ("Edsger", 72),
    ("Frances", 89),
    ("Grace", 85),
    ("John", 79),
    ("Ken", 81),
    ("Margaret", 34),
];

#[tokio::main]
async fn main() -> Result<(), Error> {
    // A fresh database file for this run, removed at the end.
    let dir = std::env::temp_dir().join(format!("reactive-tour-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(Error::other)?;
    let path = dir.join("tour.db");
    let outcome = tour(&path).await;
    std::fs::remove_dir_all(&dir).map_err(Error::other)?;
    outcome
}

async fn tour(path: &std::path::Path) -> Result<(), Error> {
    println!("== open {} and create the `users` table", path.display());
    let db = Sqlite::open(path).await?;
    db.ensure_schema::<User>().await?;
    let registry = Registry::new();
    registry.provide::<User>(db.clone());

    println!("\n== create {} users", PEOPLE.len());
    for (id, (name, age)) in (1u64..).zip(PEOPLE) {
        let user = Model::draft(User {
            id,
            name: name.to_string(),
            email: format!("{}@example.com", name.to_lowercase()),
            age,
            version: 0,
        });
        user.publish_to(&registry).await?;
    }
    let ada = registry.get_or_load::<User>(&1).await?;
    println!(
        "stored: {} <{}>, version {}",
        ada.name(),
        ada.email(),
        ada.version()
    );

    println!("\n== the identity map: one live model per id");
    let again = registry.get_or_load::<User>(&1).await?;
    println!(
        "get_or_load(1) twice -> the same model: {}; live users: {}",
        ada.ptr_eq(&again),
        registry.len::<User>()
    );
    drop(again);

    println!("\n== change with events");
    let changes = Arc::new(AtomicUsize::new(0));
    let counter = changes.clone();
    ada.on_name(|c| println!("  name.changed: {:?} -> {:?}", c.previous, c.value))
        .detach();
    ada.on_change(move |_, changes| {
        counter.fetch_add(changes.len(), Ordering::SeqCst);
    })
    .detach();
    ada.set_name("Ada Lovelace")?;
    println!("dirty fields before publish: {:?}", ada.dirty_fields());
    ada.publish().await?;
    println!(
        "published: version {}, dirty {}, fields changed so far {}",
        ada.version(),
        ada.is_dirty(),
        changes.load(Ordering::SeqCst)
    );

    println!("\n== a collection: age >= 80, by name, 3 at a time");
    let over_80 = Collection::<User>::new(&registry);
    over_80
        .load(
            Query::new()
                .filter(User::AGE.ge(80))
                .order_by(User::NAME.asc())
                .limit(3)
                .with_total(),
        )
        .await?;
    let names = |c: &Collection<User>| c.items().iter().map(|u| u.name()).collect::<Vec<_>>();
    println!(
        "first page: {:?} (total {:?}, more: {})",
        names(&over_80),
        over_80.total(),
        over_80.has_more()
    );
    while over_80.has_more() {
        over_80.load_next().await?;
    }
    println!("all pages:  {:?}", names(&over_80));

    println!("\n== a validation error");
    match ada.set_email("not-an-email") {
        Err(Error::Validation(report)) => {
            for e in &report {
                println!("refused: {}: {}", e.field, e.message);
            }
        }
        other => println!("unexpected: {other:?}"),
    }
    println!("email is still {}", ada.email());

    println!("\n== a version conflict between two registries");
    let other = Registry::new();
    other.provide::<User>(db.clone());
    let theirs = other.get_or_load::<User>(&1).await?;
    theirs.set_age(37)?;
    theirs.publish().await?;
    println!(
        "the other registry published age 37 (version {})",
        theirs.version()
    );
    ada.set_email("ada@lovelace.org")?;
    match ada.publish().await {
        Err(Error::Conflict {
            expected, actual, ..
        }) => println!("our publish: conflict, expected version {expected:?}, stored {actual:?}"),
        other => println!("unexpected: {other:?}"),
    }
    println!(
        "our model kept its edit: email {}, dirty {:?}",
        ada.email(),
        ada.dirty_fields()
    );
    ada.load().await?;
    ada.publish().await?;
    println!(
        "after load + publish: age {}, email {}, version {}",
        ada.age(),
        ada.email(),
        ada.version()
    );
    println!("\ndone");
    Ok(())
}
