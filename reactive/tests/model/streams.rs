//! `changes()`: the same events as an async stream, bounded per subscriber.

use crate::common;

use futures::StreamExt;
use reactive::prelude::*;

#[derive(Reactive, Clone, Serialize)]
struct Sensor {
    celsius: i64,
    label: String,
}

fn sensor() -> Model<Sensor> {
    Model::new(Sensor {
        celsius: 20,
        label: "hall".into(),
    })
}

#[tokio::test]
async fn a_stream_yields_field_events_change_and_triggers_in_order() {
    let m = sensor();
    let mut stream = m.changes();
    m.batch(|b| {
        b.set_celsius(25)?;
        b.set_label("lab")?;
        b.trigger("sensor:moved", serde_json::json!({ "to": "lab" }));
        Ok(())
    })
    .unwrap();
    let mut seen = Vec::new();
    for _ in 0..4 {
        let event = stream.next().await.unwrap().unwrap();
        seen.push(format!("{} {}", event.name(), event.value()));
    }
    assert_eq!(
        seen,
        vec![
            "celsius.changed {\"previous\":20,\"value\":25}",
            "label.changed {\"previous\":\"hall\",\"value\":\"lab\"}",
            "change [\"celsius\",\"label\"]",
            "sensor:moved {\"to\":\"lab\"}",
        ]
    );
}

#[tokio::test]
async fn a_slow_subscriber_gets_lagged_then_newer_events_and_writers_never_block() {
    let m = sensor();
    let mut slow = m.changes_with_capacity(4);
    let mut fast = m.changes_with_capacity(4);
    // 50 sets = 100 events; no reader is polling, and the writer is not held up.
    common::watchdog(30, "writer with a full stream", {
        let m = m.clone();
        move || {
            for c in 1..=50 {
                m.set_celsius(c).unwrap();
            }
        }
    });
    let first = slow.next().await.unwrap();
    let Err(Lagged(skipped)) = first else {
        panic!("expected Lagged first, got {first:?}");
    };
    assert_eq!(skipped, 96);
    // Then the newest 4 events, in order.
    let mut rest = Vec::new();
    for _ in 0..4 {
        rest.push(slow.next().await.unwrap().unwrap().name().to_string());
    }
    assert_eq!(
        rest,
        ["celsius.changed", "change", "celsius.changed", "change"]
    );
    assert!(matches!(fast.next().await, Some(Err(Lagged(96)))));
}

#[tokio::test]
async fn a_stream_ends_when_the_model_is_dropped() {
    let m = sensor();
    let mut stream = m.changes();
    m.set_celsius(1).unwrap();
    drop(m);
    assert!(stream.next().await.unwrap().is_ok());
    assert!(stream.next().await.unwrap().is_ok());
    assert!(stream.next().await.is_none());
}
