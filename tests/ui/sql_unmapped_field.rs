use reactive::prelude::*;
use reactive::provider::sqlite::Sqlite;

#[derive(Clone, Debug, PartialEq)]
struct Point {
    x: i32,
    y: i32,
}

#[derive(Reactive, Clone, Debug)]
#[entity("places")]
struct Place {
    id: u64,
    name: String,
    at: Point,
}

async fn store(db: Sqlite) -> Result<(), Error> {
    db.ensure_schema::<Place>().await
}

fn main() {
    let _ = store;
}
