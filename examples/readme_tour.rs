//! The README's tour, runnable.
//!
//! Every `rust` block of README.md (outside "What the macro generates") appears verbatim in
//! this file, and this program checks that when it runs: a snippet edited in one place but not
//! the other fails `./scripts/test-all`.
//!
//! Run it with `cargo run --example readme_tour`.

use std::sync::{Arc, Mutex};

// README: a plain struct
use reactive::prelude::*;

#[derive(Reactive, Clone, Debug, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub name: String,
    pub email: String,
    pub admin: bool,
}

impl User {
    pub fn is_admin(&self) -> bool {
        self.admin
    }
    pub fn promote(&mut self) {
        self.admin = true;
    }
}
// end

// README: computed fields (the struct)
#[derive(Reactive, Clone)]
pub struct SyncJob {
    pub processed_items: u64,
    pub total_items: u64,
    #[reactive(computed = Self::progress_of, deps(processed_items, total_items))]
    pub progress: f64,
    #[reactive(computed = self.total_items - self.processed_items)] // deps read off the expression
    pub remaining: u64,
}

impl SyncJob {
    fn progress_of(&self) -> f64 {
        if self.total_items == 0 {
            0.0
        } else {
            self.processed_items as f64 * 100.0 / self.total_items as f64
        }
    }
}
// end

// README: field attributes
#[derive(Reactive, Clone, Debug, Default)]
pub struct Shipment {
    #[reactive(rename = "batch_no")] // `batch` is a model method: the field is `batch_no` here
    pub batch: u32,
    #[reactive(skip)] // no key, no events; never diffed, never rolled back
    pub label_cache: Option<String>,
}
// end

#[derive(Reactive, Clone, Debug)]
pub struct Counter {
    pub n: u64,
}

fn live_model() -> Result<Model<User>, Error> {
    // README: the live model
    let user = Model::new(User {
        id: "u1".into(),
        name: "Ada".into(),
        email: "ada@example.com".into(),
        admin: false,
    });
    let same = user.clone(); // a cheap handle on the same live model (an Arc inside)
    assert!(!user.with(User::is_admin)); // &self domain logic on the committed state
    assert_eq!(user.get(User::NAME), "Ada"); // a typed key: an associated const
    assert_eq!(same.name(), "Ada"); // generated getter: a clone of the field
    let plain: User = user.snapshot(); // a clone of the whole value

    // end
    assert_eq!(plain.id, "u1");
    Ok(user)
}

fn writes(user: &Model<User>) -> Result<(), Error> {
    // README: writes
    user.set(User::NAME, "Ada Lovelace")?; // a batch of one: `name.changed`, then `change`
    user.set_email("ada@lovelace.org")?; // generated setter
    user.set_email("ada@lovelace.org")?; // an equal value: no event
    user.update(User::promote)?; // &mut domain logic; the changed fields are diffed
    user.update(|u| {
        u.name = "Ada".into();
        u.email = "ada@example.com".into();
    })?; // two fields, ONE `change`
    let refused = user.try_update(|u| {
        u.email.clear();
        if u.email.is_empty() {
            return Err(Error::msg("an email is required"));
        }
        Ok(())
    });
    assert!(refused.is_err()); // on Err (or a panic) the model is as before, nothing is emitted
    user.batch(|b| {
        b.set_name("Grace")?;
        b.set_admin(false)?;
        assert_eq!(b.name(), "Grace"); // the batch sees its own writes, other handles do not
        b.trigger("user:renamed", serde_json::json!({ "to": "Grace" })); // after `change`
        Ok(())
    })?;
    // end
    assert_eq!(user.email(), "ada@example.com");
    assert_eq!((user.name(), user.admin()), ("Grace".to_string(), false));
    Ok(())
}

fn listeners(user: &Model<User>) -> Result<(), Error> {
    // README: listeners
    let sub = user.on(User::NAME, |c: &Change<String>| {
        println!("name: {} -> {}", c.previous, c.value)
    });
    let first = user.on_with_priority(User::NAME, 10, |_| println!("runs first"));
    user.on_admin(|c| println!("admin: {}", c.value)).detach(); // kept while the model lives
    user.on_change(|m: &Model<User>, changes: &Changes| {
        println!("{} changed {:?}", m.id(), changes) // the handle, not a clone of T
    })
    .detach();
    user.on_event("name.changed", |e: &Event| {
        println!("{}", e.value()) // JSON: {"previous":"Grace","value":"Ada"}
    })
    .detach();
    user.on_event("user:welcomed", |e: &Event| {
        println!("custom event: {}", e.value())
    })
    .detach();
    user.set_name("Ada")?;
    user.trigger("user:welcomed", serde_json::json!({ "id": "u1" }));
    drop(sub); // or sub.off(): once it returns, the listener is never started again
    first.off();

    // end
    user.set_name("Grace")?;
    Ok(())
}

async fn streams(user: &Model<User>) -> Result<(), Box<dyn std::error::Error>> {
    // README: streams
    use futures::StreamExt;

    let mut events = user.changes(); // a bounded Stream of Result<Event, Lagged>
    user.set_email("grace@example.com")?;
    let first = events.next().await.expect("the model is alive")?; // Err(Lagged(n)) if slow
    assert_eq!(first.name(), "email.changed");
    assert_eq!(first.value()["value"], "grace@example.com");
    let second = events.next().await.expect("the model is alive")?;
    assert_eq!(second.name(), "change");
    // end
    Ok(())
}

fn computed() -> Result<(), Error> {
    // README: computed fields
    let job = Model::new(SyncJob {
        processed_items: 0,
        total_items: 4,
        progress: 0.0, // computed by Model::new
        remaining: 0,
    });
    assert_eq!(job.remaining(), 4);
    let _listener = job.on(SyncJob::PROGRESS, |c: &Change<f64>| {
        println!("{:.0}%", c.value)
    });
    job.set_processed_items(1)?; // progress and remaining follow, once per batch
    assert_eq!((job.progress(), job.remaining()), (25.0, 3));
    // job.set(SyncJob::PROGRESS, 50.0)?;  // does not compile: a computed key is read-only
    // end
    Ok(())
}

fn errors(user: &Model<User>) -> Result<(), Error> {
    // README: errors
    let other = user.clone();
    let result = user.try_update(|u| {
        u.admin = true;
        other.set_name("Bob") // a write through another handle inside the same batch
    });
    assert!(matches!(result, Err(Error::Reentrant { .. }))); // refused, never a deadlock

    let counter = Model::new(Counter { n: 0 });
    let weak = counter.downgrade(); // a listener that holds its own model holds it weakly
    let cut = Arc::new(Mutex::new(None));
    let report = cut.clone();
    counter
        .on(Counter::N, move |c: &Change<u64>| {
            if let Some(counter) = weak.upgrade() {
                if let Err(e) = counter.set_n(c.value + 1) {
                    *report.lock().expect("report lock") = Some(e); // a runaway loop is cut
                }
            }
        })
        .detach();
    counter.set_n(1)?;
    let cut = cut.lock().expect("report lock").take();
    assert!(matches!(cut, Some(Error::FeedbackLoop { .. })));
    // end
    assert!(counter.n() > 100_000);
    Ok(())
}

fn attributes() -> Result<(), Error> {
    let shipment = Model::new(Shipment::default());
    // README: field attributes (use)
    shipment.set_batch_no(7)?; // the Rust field is still `batch`: `shipment.with(|s| s.batch)`
    assert_eq!(Shipment::BATCH_NO.name(), "batch_no"); // `batch_no.changed` in events
    shipment.update(|s| s.label_cache = Some("7-A".into()))?; // no event: not reactive

    // end
    assert_eq!(shipment.with(|s| s.batch), 7);
    assert_eq!(
        shipment.with(|s| s.label_cache.clone()).as_deref(),
        Some("7-A")
    );
    Ok(())
}

/// Checks that every `rust` block of the README (outside the expansion block) appears, line
/// for line and ignoring indentation, in this file.
fn check_readme() -> usize {
    const README: &str = include_str!("../README.md");
    const SOURCE: &str = include_str!("readme_tour.rs");
    let normalize = |text: &str| -> Vec<String> {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect()
    };
    let source = normalize(SOURCE);
    let tour = match (
        README.find("<!-- expansion:start -->"),
        README.find("<!-- expansion:end -->"),
    ) {
        (Some(start), Some(end)) if start < end => {
            format!("{}{}", &README[..start], &README[end..])
        }
        _ => README.to_string(),
    };
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in tour.lines() {
        match (&mut current, line.trim()) {
            (None, "```rust") => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    assert!(blocks.len() >= 5, "the README's tour has its snippets");
    for block in &blocks {
        let wanted = normalize(block);
        let found =
            wanted.is_empty() || source.windows(wanted.len()).any(|w| w == wanted.as_slice());
        assert!(
            found,
            "this README snippet is not in examples/readme_tour.rs:\n{block}"
        );
    }
    blocks.len()
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let user = live_model()?;
    writes(&user)?;
    listeners(&user)?;
    streams(&user).await?;
    computed()?;
    errors(&user)?;
    attributes()?;
    let checked = check_readme();
    println!("the tour ran; {checked} README snippets match this file");
    Ok(())
}
