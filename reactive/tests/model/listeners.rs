//! Listener registration, order, lifetime and isolation.

use crate::common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use common::Log;
use reactive::prelude::*;

#[derive(Reactive, Clone, Debug, PartialEq, Serialize)]
struct Player {
    name: String,
    score: u64,
}

fn player() -> Model<Player> {
    Model::new(Player {
        name: "ada".into(),
        score: 0,
    })
}

#[test]
fn typed_listeners_get_value_and_previous() {
    let m = player();
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let s = seen.clone();
    let _sub = m.on(Player::SCORE, move |c: &Change<u64>| {
        s.lock().unwrap().push(c.clone())
    });
    m.set_score(5).unwrap();
    m.set(Player::SCORE, 7).unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        vec![
            Change {
                value: 5,
                previous: 0
            },
            Change {
                value: 7,
                previous: 5
            }
        ]
    );
}

#[test]
fn generated_on_field_is_the_same_as_on_with_the_key() {
    let m = player();
    let log = Log::default();
    let l = log.clone();
    let _a = m.on_name(move |c| l.push(format!("sugar {}->{}", c.previous, c.value)));
    let l = log.clone();
    let _b = m.on(Player::NAME, move |c| {
        l.push(format!("key {}->{}", c.previous, c.value))
    });
    m.set_name("grace").unwrap();
    assert_eq!(log.take(), vec!["sugar ada->grace", "key ada->grace"]);
}

#[test]
fn priority_orders_typed_and_string_keyed_listeners_together() {
    let m = player();
    let log = Log::default();
    let push = |tag: &'static str| {
        let l = log.clone();
        move || l.push(tag)
    };
    let (a, b, c, d, e) = (push("a"), push("b"), push("c"), push("d"), push("e"));
    let _sub1 = m.on(Player::SCORE, move |_| a());
    let _sub2 = m.on_event_with_priority("score.changed", 5, move |_| b());
    let _sub3 = m.on_with_priority(Player::SCORE, 5, move |_| c());
    let _sub4 = m.on_event("score.changed", move |_| d());
    let _sub5 = m.on_with_priority(Player::SCORE, -1, move |_| e());
    m.set_score(1).unwrap();
    // Higher priority first; equal priorities in registration order, whatever their kind.
    assert_eq!(log.take(), vec!["b", "c", "a", "d", "e"]);
}

#[test]
fn change_listeners_share_one_order_too() {
    let m = player();
    let log = Log::default();
    let l = log.clone();
    let _sub1 = m.on_change(move |_, _| l.push("typed"));
    let l = log.clone();
    let _sub2 =
        m.on_event_with_priority("change", 1, move |e| l.push(format!("json {}", e.value())));
    m.set_score(1).unwrap();
    assert_eq!(log.take(), vec!["json [\"score\"]", "typed"]);
}

#[test]
fn on_change_gets_the_model_and_the_changed_names() {
    let m = player();
    let log = Log::default();
    let l = log.clone();
    let _sub = m.on_change(move |model: &Model<Player>, changes: &Changes| {
        assert!(changes.contains(Player::SCORE));
        l.push(format!("{:?} score={}", changes, model.score()));
    });
    m.update(|p| {
        p.score = 3;
        p.name = "bob".into();
    })
    .unwrap();
    assert_eq!(log.take(), vec!["[\"name\", \"score\"] score=3"]);
}

#[test]
fn dropping_or_turning_off_a_subscription_removes_the_listener() {
    let m = player();
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = |calls: &Arc<AtomicUsize>| {
        let c = calls.clone();
        move |_: &Change<u64>| {
            c.fetch_add(1, Ordering::SeqCst);
        }
    };
    let dropped = m.on(Player::SCORE, counter(&calls));
    let turned_off = m.on(Player::SCORE, counter(&calls));
    m.on(Player::SCORE, counter(&calls)).detach();
    assert!(dropped.is_active());
    m.set_score(1).unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    drop(dropped);
    turned_off.off();
    m.set_score(2).unwrap();
    assert_eq!(
        calls.load(Ordering::SeqCst),
        4,
        "only the detached listener is left"
    );
}

#[test]
fn a_listener_added_during_a_dispatch_starts_with_the_next_batch() {
    let m = player();
    let log = Log::default();
    let late: Arc<std::sync::Mutex<Vec<Subscription>>> = Arc::default();
    let weak = m.downgrade();
    let (l, late2) = (log.clone(), late.clone());
    let _adder = m.on(Player::SCORE, move |c: &Change<u64>| {
        l.push(format!("first {}", c.value));
        if c.value == 1 {
            let l = l.clone();
            let sub = weak
                .upgrade()
                .unwrap()
                .on(Player::SCORE, move |c: &Change<u64>| {
                    l.push(format!("late {}", c.value))
                });
            late2.lock().unwrap().push(sub);
        }
    });
    m.set_score(1).unwrap();
    m.set_score(2).unwrap();
    assert_eq!(log.take(), vec!["first 1", "first 2", "late 2"]);
}

#[test]
fn a_listener_dropped_during_a_dispatch_is_never_called_again() {
    let m = player();
    let log = Log::default();
    let victim: Arc<std::sync::Mutex<Option<Subscription>>> = Arc::default();
    let (l, v) = (log.clone(), victim.clone());
    let _killer = m.on(Player::SCORE, move |c: &Change<u64>| {
        l.push(format!("killer {}", c.value));
        v.lock().unwrap().take(); // drops the second listener, inside the dispatch
    });
    let l = log.clone();
    *victim.lock().unwrap() = Some(m.on(Player::SCORE, move |c: &Change<u64>| {
        l.push(format!("victim {}", c.value))
    }));
    m.set_score(1).unwrap();
    m.set_score(2).unwrap();
    assert_eq!(log.take(), vec!["killer 1", "killer 2"]);
}

// Dropping from another thread while a delivery runs: tests/unsubscribe.rs.

#[test]
fn a_panicking_listener_does_not_stop_the_others_or_poison_the_model() {
    let m = player();
    let log = Log::default();
    let l = log.clone();
    let _a = m.on(Player::SCORE, move |c: &Change<u64>| {
        l.push(format!("before {}", c.value))
    });
    let _b = m.on(Player::SCORE, |c: &Change<u64>| {
        if c.value == 1 {
            panic!("listener bug");
        }
    });
    let l = log.clone();
    let _c = m.on(Player::SCORE, move |c: &Change<u64>| {
        l.push(format!("after {}", c.value))
    });
    let l = log.clone();
    let _d = m.on_change(move |_, _| l.push("change"));
    m.set_score(1).unwrap();
    m.set_score(2).unwrap();
    assert_eq!(
        log.take(),
        vec!["before 1", "after 1", "change", "before 2", "after 2", "change"]
    );
    assert_eq!(m.score(), 2);
}

/// A field type that counts how often it is serialized.
static SERIALIZED: AtomicUsize = AtomicUsize::new(0);

#[derive(Clone, Debug, PartialEq)]
struct Counted(u64);

impl Serialize for Counted {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        SERIALIZED.fetch_add(1, Ordering::SeqCst);
        s.serialize_u64(self.0)
    }
}

#[derive(Reactive, Clone, Serialize)]
struct Meter {
    reading: Counted,
}

#[test]
fn typed_listeners_never_serialize_and_json_is_built_once_per_event() {
    let m = Model::new(Meter {
        reading: Counted(0),
    });
    let typed = Arc::new(AtomicUsize::new(0));
    let t = typed.clone();
    let _a = m.on(Meter::READING, move |_| {
        t.fetch_add(1, Ordering::SeqCst);
    });
    let _b = m.on_change(|_, _| {});
    for i in 1..=100 {
        m.set_reading(Counted(i)).unwrap();
    }
    m.update(|x| x.reading = Counted(1000)).unwrap();
    assert_eq!(typed.load(Ordering::SeqCst), 101);
    assert_eq!(
        SERIALIZED.load(Ordering::SeqCst),
        0,
        "a typed path serialized"
    );
    // Two string-keyed listeners share one JSON payload: value + previous = 2 calls.
    let _c = m.on_event("reading.changed", |_| {});
    let _d = m.on_event("reading.changed", |_| {});
    m.set_reading(Counted(1)).unwrap();
    assert_eq!(SERIALIZED.load(Ordering::SeqCst), 2);
}

#[test]
fn a_listener_capturing_its_model_through_downgrade_lets_it_drop() {
    let m = player();
    let weak = m.downgrade();
    let inner = m.downgrade();
    m.on(Player::SCORE, move |_| {
        if let Some(m) = inner.upgrade() {
            let _ = m.name();
        }
    })
    .detach();
    m.set_score(1).unwrap();
    drop(m);
    assert!(
        weak.upgrade().is_none(),
        "the model outlived its last strong handle"
    );
}

#[test]
fn custom_events_are_delivered_to_string_keyed_listeners() {
    let m = player();
    let log = Log::default();
    let l = log.clone();
    let _sub = m.on_event("player:scored", move |e: &Event| {
        l.push(format!("{} {}", e.name(), e.value()))
    });
    m.trigger("player:scored", serde_json::json!({ "points": 3 }));
    m.trigger("unrelated", serde_json::json!(null));
    assert_eq!(log.take(), vec!["player:scored {\"points\":3}"]);
}

#[test]
fn handles_are_debug_and_serialize_as_the_current_value() {
    let m = player();
    m.set_score(9).unwrap();
    assert_eq!(
        format!("{m:?}"),
        "Model(Player { name: \"ada\", score: 9 })"
    );
    assert_eq!(
        serde_json::to_value(&m).unwrap(),
        serde_json::json!({ "name": "ada", "score": 9 })
    );
}

#[test]
fn handles_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Model<Player>>();
    assert_send_sync::<WeakModel<Player>>();
    assert_send_sync::<Subscription>();
    assert_send_sync::<Change<String>>();
    assert_send_sync::<Changes>();
    assert_send_sync::<Event>();
    assert_send_sync::<reactive::ChangeStream>();
    assert_send_sync::<Error>();
}
