//! The identity map: one live model per (entity, id), weak entries, registry events.

use crate::common;

use common::Log;
use reactive::prelude::*;

#[derive(Reactive, Clone, Debug, PartialEq)]
#[entity("users")]
struct User {
    id: String,
    name: String,
}

#[derive(Reactive, Clone, Debug, PartialEq)]
#[entity("teams")]
struct Team {
    id: u64,
    title: String,
}

fn user(id: &str, name: &str) -> User {
    User {
        id: id.into(),
        name: name.into(),
    }
}

#[test]
fn every_handle_of_an_id_sees_the_same_state_and_events() {
    let registry = Registry::new();
    let a = registry.create(user("u1", "Ada")).unwrap();
    let b = registry.get::<User>(&"u1".to_string()).unwrap();
    assert!(a.ptr_eq(&b));
    let log = Log::default();
    let l = log.clone();
    let _sub = b.on_name(move |c| l.push(c.value.clone()));
    a.set_name("Ada Lovelace").unwrap();
    assert_eq!(b.name(), "Ada Lovelace");
    assert_eq!(log.take(), vec!["Ada Lovelace"]);
}

#[test]
fn creating_a_live_id_again_is_already_live() {
    let registry = Registry::new();
    let _a = registry.create(user("u1", "Ada")).unwrap();
    let err = registry.create(user("u1", "Eve")).unwrap_err();
    assert!(
        matches!(&err, Error::AlreadyLive { entity: "users", id } if id == "\"u1\""),
        "{err:?}"
    );
    // Other entity types and other registries are separate.
    let _team = registry
        .create(Team {
            id: 1,
            title: "core".into(),
        })
        .unwrap();
    let other = Registry::new();
    assert!(other.create(user("u1", "Eve")).is_ok());
}

#[test]
fn an_entry_is_removed_when_its_last_handle_drops() {
    let registry = Registry::new();
    let a = registry.create(user("u1", "Ada")).unwrap();
    let b = a.clone();
    assert_eq!(registry.len::<User>(), 1);
    drop(a);
    assert_eq!(registry.len::<User>(), 1, "a handle is still alive");
    drop(b);
    assert_eq!(registry.len::<User>(), 0);
    assert!(registry.get::<User>(&"u1".to_string()).is_none());
    // The id can be created again.
    assert!(registry.create(user("u1", "Grace")).is_ok());
}

#[test]
fn clear_and_clear_all_forget_models_that_keep_working() {
    let registry = Registry::new();
    let a = registry.create(user("u1", "Ada")).unwrap();
    let t = registry
        .create(Team {
            id: 7,
            title: "core".into(),
        })
        .unwrap();
    registry.clear::<User>();
    assert!(registry.get::<User>(&"u1".to_string()).is_none());
    assert!(registry.get::<Team>(&7).is_some());
    a.set_name("still works").unwrap();
    // A cleared id can be created again; dropping the old model does not remove the new one.
    let fresh = registry.create(user("u1", "Grace")).unwrap();
    drop(a);
    assert!(registry
        .get::<User>(&"u1".to_string())
        .unwrap()
        .ptr_eq(&fresh));
    registry.clear_all();
    assert!(registry.get::<Team>(&7).is_none());
    assert_eq!(t.title(), "core");
}

#[test]
fn registry_events_report_created_and_updated() {
    let registry = Registry::new();
    let log = Log::default();
    let l = log.clone();
    let sub = registry.on_event(move |e: &RegistryEvent<User>| match e {
        RegistryEvent::Created(m) => l.push(format!("created {}", m.id())),
        RegistryEvent::Updated(m, changes) => l.push(format!("updated {} {:?}", m.id(), changes)),
        RegistryEvent::Deleted(id) => l.push(format!("deleted {id}")),
        _ => {}
    });
    let a = registry.create(user("u1", "Ada")).unwrap();
    a.set_name("Ada L.").unwrap();
    a.update(|u| u.name = "Ada".into()).unwrap();
    assert_eq!(
        log.take(),
        vec![
            "created u1",
            "updated u1 [\"name\"]",
            "updated u1 [\"name\"]"
        ]
    );
    drop(sub);
    a.set_name("quiet").unwrap();
    assert!(log.take().is_empty());
}

#[test]
fn the_global_registry_is_one_per_process() {
    assert!(Registry::global().ptr_eq(Registry::global()));
}

#[test]
fn models_registered_before_the_first_listener_report_updates_too() {
    let registry = Registry::new();
    let a = registry.create(user("u1", "Ada")).unwrap();
    let log = Log::default();
    let l = log.clone();
    let _sub = registry.on_event(move |e: &RegistryEvent<User>| {
        if let RegistryEvent::Updated(m, _) = e {
            l.push(format!("updated {}", m.name()))
        }
    });
    // A second listener attaches nothing twice.
    let _again = registry.on_event(|_: &RegistryEvent<User>| {});
    a.set_name("Ada L.").unwrap();
    let b = registry.create(user("u2", "Grace")).unwrap();
    b.set_name("Grace H.").unwrap();
    assert_eq!(log.take(), vec!["updated Ada L.", "updated Grace H."]);
}

#[tokio::test]
async fn clear_all_keeps_providers_and_listeners() {
    let registry = Registry::new();
    let store = reactive::provider::MemoryProvider::new();
    store.insert(user("u1", "Ada"));
    registry.provide(store);
    let log = Log::default();
    let l = log.clone();
    let _sub = registry.on_event(move |e: &RegistryEvent<User>| {
        if let RegistryEvent::Created(m) = e {
            l.push(format!("created {}", m.id()))
        }
    });
    let first = registry
        .get_or_load::<User>(&"u1".to_string())
        .await
        .unwrap();
    registry.clear_all();
    assert!(registry.get::<User>(&"u1".to_string()).is_none());
    let again = registry
        .get_or_load::<User>(&"u1".to_string())
        .await
        .unwrap();
    assert!(!again.ptr_eq(&first), "a fresh model after clear_all");
    assert_eq!(log.take(), vec!["created u1", "created u1"]);
}

#[test]
fn an_entry_goes_with_its_last_handle_even_after_its_id_field_was_rewritten() {
    let registry = Registry::new();
    let kept = registry.create(user("u1", "Ada")).unwrap();
    let moved = registry.create(user("u2", "Grace")).unwrap();
    // The id field is an ordinary field: rewriting it does not move the entry.
    moved.set(User::ID, "u9".to_string()).unwrap();
    assert!(registry.get::<User>(&"u2".to_string()).is_some());
    drop(moved);
    assert!(registry.get::<User>(&"u2".to_string()).is_none());
    assert_eq!(registry.len::<User>(), 1);
    drop(kept);
    assert!(registry.is_empty::<User>());
}

/// The first uses of entity types race on a fresh registry: each type must get one set, which
/// every thread then finds (a second set of a type would split its models between the two).
#[test]
fn threads_racing_to_first_use_entity_types_share_one_set_per_type() {
    const THREADS: usize = 4;
    const PER_THREAD: usize = 8;
    common::watchdog(30, "racing first uses of entity types", || {
        for _round in 0..50 {
            let registry = Registry::new();
            let start = std::sync::Arc::new(std::sync::Barrier::new(THREADS));
            let workers: Vec<_> = (0..THREADS)
                .map(|t| {
                    let (registry, start) = (registry.clone(), start.clone());
                    std::thread::spawn(move || {
                        start.wait();
                        // Half the threads meet `Team` first, the other half `User`.
                        let mut kept = Vec::new();
                        for i in 0..PER_THREAD {
                            let n = t * PER_THREAD + i;
                            let team = Team {
                                id: n as u64,
                                title: format!("t{n}"),
                            };
                            let user = user(&format!("u{n}"), "x");
                            if t % 2 == 0 {
                                kept.push((
                                    registry.create(team).unwrap(),
                                    registry.create(user).unwrap(),
                                ));
                            } else {
                                let user = registry.create(user).unwrap();
                                kept.push((registry.create(team).unwrap(), user));
                            }
                        }
                        kept
                    })
                })
                .collect();
            let kept: Vec<_> = workers
                .into_iter()
                .flat_map(|w| w.join().unwrap())
                .collect();
            assert_eq!(registry.entity_count(), 2);
            assert_eq!(registry.len::<User>(), THREADS * PER_THREAD);
            assert_eq!(registry.len::<Team>(), THREADS * PER_THREAD);
            for (team, user) in &kept {
                let id = team.with(|t| t.id);
                assert!(registry.get::<Team>(&id).unwrap().ptr_eq(team));
                let id = user.with(|u| u.id.clone());
                assert!(registry.get::<User>(&id).unwrap().ptr_eq(user));
            }
        }
    });
}
