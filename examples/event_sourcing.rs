//! Event sourcing: the seed's `Aggregate`.
//!
//! `apply` appends a domain event and bumps the version in ONE batch, and raises the custom
//! event `event:<type>` inside that batch, so listeners get it after the batch's `change` (and
//! never at all if the batch fails). A projection (an account balance) is built by listeners
//! on those custom events; `replay` re-raises every stored event, and a second projection
//! rebuilt from the replay must equal the live one.
//!
//! Run it with `cargo run --example event_sourcing`.

use std::sync::{Arc, Mutex};

use reactive::prelude::*;
use serde_json::json;

/// What happened to an account. Serialized as `{ "type": .., "data": .. }`, like the seed's
/// events.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
pub enum AccountEvent {
    Opened { owner: String },
    Deposited { amount: i64 },
    Withdrawn { amount: i64 },
}

impl AccountEvent {
    /// The event's type, as it appears in `event:<type>`.
    pub fn kind(&self) -> &'static str {
        match self {
            AccountEvent::Opened { .. } => "opened",
            AccountEvent::Deposited { .. } => "deposited",
            AccountEvent::Withdrawn { .. } => "withdrawn",
        }
    }

    /// The event's payload, as listeners of `event:<type>` receive it.
    pub fn data(&self) -> serde_json::Value {
        match self {
            AccountEvent::Opened { owner } => json!({ "owner": owner }),
            AccountEvent::Deposited { amount } | AccountEvent::Withdrawn { amount } => {
                json!({ "amount": amount })
            }
        }
    }
}

/// A stored event: what happened, and when (a logical clock keeps the output stable).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DomainEvent {
    #[serde(flatten)]
    pub event: AccountEvent,
    pub timestamp: u64,
}

/// The event-sourced aggregate: its state is the list of events it has applied.
#[derive(Reactive, Clone, Debug, Serialize, Deserialize)]
pub struct Aggregate {
    pub id: String,
    pub version: u64,
    pub events: Vec<DomainEvent>,
}

impl Aggregate {
    /// A new aggregate with no history.
    pub fn new(id: &str) -> Self {
        Aggregate {
            id: id.to_string(),
            version: 0,
            events: Vec::new(),
        }
    }

    /// The balance the history adds up to.
    pub fn balance(&self) -> i64 {
        self.events
            .iter()
            .map(|stored| match stored.event {
                AccountEvent::Deposited { amount } => amount,
                AccountEvent::Withdrawn { amount } => -amount,
                AccountEvent::Opened { .. } => 0,
            })
            .sum()
    }

    /// Domain logic, plain Rust: record one event, or refuse it.
    fn record(&mut self, event: AccountEvent) -> Result<(), Error> {
        if let AccountEvent::Withdrawn { amount } = event {
            if amount > self.balance() {
                return Err(Error::msg(format!(
                    "cannot withdraw {amount}: the balance is {}",
                    self.balance()
                )));
            }
        }
        self.version += 1;
        let timestamp = self.version;
        self.events.push(DomainEvent { event, timestamp });
        Ok(())
    }
}

/// Event sourcing on the live model. `Model<Aggregate>` is the crate's type, so methods that
/// need the model itself (to raise events) live in an extension trait.
pub trait EventSourced {
    /// Appends `event` and bumps the version in one batch, raising `event:<type>` after its
    /// `change`. A refused event changes nothing and raises nothing.
    fn apply(&self, event: AccountEvent) -> Result<(), Error>;
    /// Re-raises every stored event, in order.
    fn replay(&self);
}

impl EventSourced for Model<Aggregate> {
    fn apply(&self, event: AccountEvent) -> Result<(), Error> {
        self.batch(|b| {
            // Raised now, delivered after the batch's `change`; dropped if the batch fails.
            b.trigger(format!("event:{}", event.kind()), event.data());
            b.update(|a| a.record(event))
        })
    }

    fn replay(&self) {
        // A snapshot of the history: listeners may write the model while we replay.
        for stored in self.events() {
            self.trigger(
                format!("event:{}", stored.event.kind()),
                stored.event.data(),
            );
        }
    }
}

/// A read model built from the events.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Balance {
    pub owner: String,
    pub balance: i64,
    pub transactions: u64,
}

/// Projects `aggregate`'s events into `projection`. The subscriptions end the projection
/// when dropped.
fn project(aggregate: &Model<Aggregate>, projection: &Arc<Mutex<Balance>>) -> Vec<Subscription> {
    let amount = |e: &Event| e.value()["amount"].as_i64().unwrap_or_default();
    let p = projection.clone();
    let opened = aggregate.on_event("event:opened", move |e: &Event| {
        let owner = e.value()["owner"].as_str().unwrap_or_default();
        p.lock().expect("projection lock").owner = owner.to_string();
    });
    let p = projection.clone();
    let deposited = aggregate.on_event("event:deposited", move |e: &Event| {
        let mut p = p.lock().expect("projection lock");
        p.balance += amount(e);
        p.transactions += 1;
    });
    let p = projection.clone();
    let withdrawn = aggregate.on_event("event:withdrawn", move |e: &Event| {
        let mut p = p.lock().expect("projection lock");
        p.balance -= amount(e);
        p.transactions += 1;
    });
    vec![opened, deposited, withdrawn]
}

fn main() -> Result<(), Error> {
    let account = Model::new(Aggregate::new("acc-1"));

    // Order of delivery: the batch's `change` first, then the custom event it raised.
    let log = Arc::new(Mutex::new(Vec::<String>::new()));
    let l = log.clone();
    account
        .on_change(move |m: &Model<Aggregate>, changes| {
            let line = format!("change {:?} -> version {}", changes, m.version());
            println!("  {line}");
            l.lock().expect("log lock").push(line);
        })
        .detach();
    let l = log.clone();
    let events = ["event:opened", "event:deposited", "event:withdrawn"];
    let _printers: Vec<Subscription> = events
        .iter()
        .map(|name| {
            let l = l.clone();
            account.on_event(name, move |e: &Event| {
                let line = format!("{} {}", e.name(), e.value());
                println!("  {line}");
                l.lock().expect("log lock").push(line);
            })
        })
        .collect();

    let live = Arc::new(Mutex::new(Balance::default()));
    let live_projection = project(&account, &live);

    println!("applying events to {}:", account.id());
    account.apply(AccountEvent::Opened {
        owner: "ada".into(),
    })?;
    account.apply(AccountEvent::Deposited { amount: 100 })?;
    account.apply(AccountEvent::Deposited { amount: 50 })?;
    account.apply(AccountEvent::Withdrawn { amount: 30 })?;

    // A refused event: the batch fails, so no field changes and its `event:withdrawn` is
    // dropped.
    match account.apply(AccountEvent::Withdrawn { amount: 500 }) {
        Err(e) => println!("refused: {e}"),
        Ok(()) => panic!("an overdraft must be refused"),
    }

    assert_eq!(account.version(), 4);
    assert_eq!(account.with(Aggregate::balance), 120); // &self domain methods via `with`
    let log = log.lock().expect("log lock").clone();
    assert_eq!(
        log.len(),
        8,
        "one change and one custom event per applied event"
    );
    assert_eq!(
        log[..2],
        [
            r#"change ["version", "events"] -> version 1"#,
            r#"event:opened {"owner":"ada"}"#,
        ]
    );
    let live = live.lock().expect("projection lock").clone();
    println!("live projection: {live:?}");
    assert_eq!(
        live,
        Balance {
            owner: "ada".into(),
            balance: 120,
            transactions: 3
        }
    );

    // Rebuild from the history alone: the live projection stops listening, a fresh one
    // starts, and replay re-raises every stored event. Replay changes no field, so no `change`.
    drop(live_projection);
    let rebuilt = Arc::new(Mutex::new(Balance::default()));
    let _rebuilt_projection = project(&account, &rebuilt);
    println!("replaying {} events:", account.events().len());
    account.replay();
    let rebuilt = rebuilt.lock().expect("projection lock").clone();
    println!("rebuilt projection: {rebuilt:?}");
    assert_eq!(rebuilt, live);
    assert_eq!(account.version(), 4, "replay does not change the aggregate");

    println!(
        "stored history: {}",
        serde_json::to_string(&account.events()).map_err(Error::other)?
    );
    Ok(())
}
