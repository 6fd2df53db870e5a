use std::sync::{Arc, Mutex};

use reactive::prelude::*;

#[derive(Reactive, Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
pub struct User {
    pub id: String,
    pub name: String,
    pub email: String,
    pub admin: bool,
}

impl User {
    pub fn promote(&mut self) {
        self.admin = true;
    }
}

#[derive(Reactive, Clone)]
pub struct SyncJob {
    pub processed_items: u64,
    pub total_items: u64,
    #[reactive(computed = Self::progress_of, deps(processed_items, total_items))]
    pub progress: f64,
    #[reactive(computed = self.total_items - self.processed_items)]
    pub remaining: u64,
}

impl SyncJob {
    fn progress_of(&self) -> f64 {
        if self.total_items == 0 {
            0.0
        } else {
            self.processed_items as f64 / self.total_items as f64
        }
    }
}

#[test]
fn smoke() {
    let log = Arc::new(Mutex::new(Vec::<String>::new()));
    let user = Model::new(User {
        id: "1".into(),
        name: "Ada".into(),
        ..Default::default()
    });
    let l = log.clone();
    let _a = user.on(User::NAME, move |c: &Change<String>| {
        l.lock()
            .unwrap()
            .push(format!("name {} -> {}", c.previous, c.value))
    });
    let l = log.clone();
    let _b = user.on_change(move |m, changes| {
        l.lock()
            .unwrap()
            .push(format!("change {:?} {}", changes, m.name()))
    });
    let l = log.clone();
    let _c = user.on_event("admin.changed", move |e| {
        l.lock()
            .unwrap()
            .push(format!("json {} {}", e.name(), e.value()))
    });
    user.set_name("Grace").unwrap();
    user.set_name("Grace").unwrap();
    user.update(User::promote).unwrap();
    user.batch(|b| {
        b.set_name("Ada")?;
        b.set_email("a@x.io")?;
        b.trigger("custom", serde_json::json!(1));
        Ok(())
    })
    .unwrap();
    let log = log.lock().unwrap().clone();
    assert_eq!(
        log,
        vec![
            "name Ada -> Grace",
            "change [\"name\"] Grace",
            "json admin.changed {\"previous\":false,\"value\":true}",
            "change [\"admin\"] Grace",
            "name Grace -> Ada",
            "change [\"name\", \"email\"] Ada",
        ]
    );

    let job = Model::new(SyncJob {
        processed_items: 0,
        total_items: 4,
        progress: 0.0,
        remaining: 0,
    });
    assert_eq!(job.remaining(), 4);
    job.set_processed_items(1).unwrap();
    assert_eq!(job.progress(), 0.25);
    assert_eq!(job.remaining(), 3);
}
