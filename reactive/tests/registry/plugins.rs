//! Entity hooks and plugins: they see every provider call on every path (live operations,
//! get_or_load, load_many); a name registered globally and for an entity runs once, the
//! entity's; an aborting hook or plugin leaves the store and the model as they were.

use crate::common;

use std::sync::Arc;

use common::Log;
use reactive::prelude::*;
use reactive::provider::testing::{Call, TestProvider};
use reactive::provider::Publish;

#[derive(Reactive, Clone, Debug, PartialEq, Serialize)]
#[entity("users")]
struct User {
    id: String,
    name: String,
    email: String,
    #[reactive(version)]
    version: u64,
}

#[derive(Reactive, Clone, Debug, PartialEq)]
#[entity("posts")]
struct Post {
    id: u64,
    title: String,
}

fn user(id: &str, name: &str) -> User {
    User {
        id: id.into(),
        name: name.into(),
        email: format!("{id}@example.com"),
        version: 1,
    }
}

fn id(s: &str) -> String {
    s.to_string()
}

/// Logs every call it sees, before and after, prefixed with its tag.
struct Audit {
    name: &'static str,
    tag: &'static str,
    priority: i32,
    log: Log,
}

impl Audit {
    fn new(name: &'static str, tag: &'static str, priority: i32, log: &Log) -> Self {
        Audit {
            name,
            tag,
            priority,
            log: log.clone(),
        }
    }
}

#[async_trait]
impl Plugin for Audit {
    fn name(&self) -> &str {
        self.name
    }
    fn priority(&self) -> i32 {
        self.priority
    }
    async fn before(&self, call: &mut PluginCall<'_>) -> Result<(), Error> {
        self.log.push(format!(
            "{} before {} {} {}",
            self.tag,
            call.operation(),
            call.entity(),
            call.id_string()
        ));
        Ok(())
    }
    async fn after(&self, call: &PluginCall<'_>) {
        let what = match call.operation() {
            reactive::registry::Operation::Publish => format!(
                "{}{:?}",
                if call.is_insert() { "insert " } else { "" },
                call.fields()
            ),
            reactive::registry::Operation::Load => match call.value::<User>() {
                Some(u) => format!("found {}", u.name),
                None if call.is::<User>() => "missing".to_string(),
                None => "(not a user)".to_string(),
            },
            _ => String::new(),
        };
        self.log.push(format!(
            "{} after {} {} {} {what}",
            self.tag,
            call.operation(),
            call.entity(),
            call.id_string()
        ));
    }
}

fn setup() -> (Registry, Arc<TestProvider<User>>) {
    let store = Arc::new(TestProvider::<User>::new());
    for (i, n) in [("u1", "Ada"), ("u2", "Grace"), ("u3", "Linus")] {
        store.insert(user(i, n));
    }
    let registry = Registry::new();
    registry.provide(store.clone());
    (registry, store)
}

/// The model's observable state: values, flags, dirty fields and saved baseline.
fn state(m: &Model<User>) -> (User, reactive::Flags, Vec<&'static str>, User, bool) {
    (
        m.snapshot(),
        m.flags(),
        m.dirty_fields(),
        m.saved_value(),
        m.is_draft(),
    )
}

/// Records every lifecycle and flag event and `change`.
fn record(m: &Model<User>, log: &Log) -> Vec<Subscription> {
    [
        "change",
        "pre:load",
        "pre:publish",
        "pre:delete",
        "processing.changed",
        "fetching.changed",
    ]
    .iter()
    .map(|name| {
        let l = log.clone();
        m.on_event(name, move |e| l.push(e.name().to_string()))
    })
    .collect()
}

#[tokio::test]
async fn an_audit_plugin_sees_every_write_and_every_load_on_every_path() {
    let (registry, store) = setup();
    let log = Log::default();
    registry.plugin(Audit::new("audit", "A", 0, &log));

    let ada = registry.get_or_load::<User>(&id("u1")).await.unwrap();
    let many = registry
        .load_many::<User>(&[id("u1"), id("u2"), id("nobody")])
        .await
        .unwrap();
    assert_eq!(many.len(), 2);
    ada.set_name("Ada Lovelace").unwrap();
    ada.publish().await.unwrap();
    let draft = Model::draft(user("u4", "Barbara"));
    draft.publish_to(&registry).await.unwrap();
    ada.load().await.unwrap();
    many[1].delete().await.unwrap();
    assert!(matches!(
        registry.get_or_load::<User>(&id("gone")).await,
        Err(Error::NotFound { .. })
    ));

    assert_eq!(
        log.take(),
        [
            "A before load users u1",
            "A after load users u1 found Ada",
            // load_many: the live u1 is not asked for; each asked id is seen.
            "A before load users u2",
            "A before load users nobody",
            "A after load users u2 found Grace",
            "A after load users nobody missing",
            "A before publish users u1",
            r#"A after publish users u1 ["name"]"#,
            "A before publish users u4",
            r#"A after publish users u4 insert ["id", "name", "email", "version"]"#,
            "A before load users u1",
            "A after load users u1 found Ada Lovelace",
            "A before delete users u2",
            "A after delete users u2 ",
            "A before load users gone",
            "A after load users gone missing",
        ]
    );
    // Every write the store received was seen by the plugin (and nothing else was written).
    let writes: Vec<Call<User>> = store
        .calls()
        .into_iter()
        .filter(|c| {
            matches!(
                c.method(),
                reactive::provider::testing::Method::Publish
                    | reactive::provider::testing::Method::Delete
            )
        })
        .collect();
    assert_eq!(
        writes,
        [
            Call::Update {
                id: id("u1"),
                fields: vec!["name"],
                expected_version: Some(1)
            },
            Call::Insert {
                id: Some(id("u4")),
                fields: vec!["id", "name", "email", "version"]
            },
            Call::Delete {
                id: id("u2"),
                expected_version: Some(1)
            },
        ]
    );
}

#[tokio::test]
async fn a_name_registered_globally_and_for_the_entity_runs_once_the_entitys() {
    let (registry, _store) = setup();
    let posts = Arc::new(TestProvider::<Post>::new());
    registry.provide(posts.clone());
    let log = Log::default();
    registry.plugin(Audit::new("audit", "global", 0, &log));
    registry.plugin_for::<User>(Audit::new("audit", "users", 0, &log));
    registry.plugin(Audit::new("late", "late", -5, &log));
    registry.plugin(Audit::new("early", "early", 10, &log));
    assert_eq!(registry.plugins::<User>(), ["early", "audit", "late"]);

    let ada = registry.get_or_load::<User>(&id("u1")).await.unwrap();
    assert_eq!(
        log.take(),
        [
            "early before load users u1",
            "users before load users u1",
            "late before load users u1",
            "early after load users u1 found Ada",
            "users after load users u1 found Ada",
            "late after load users u1 found Ada",
        ],
        "the entity's `audit` runs once, in its priority's place; the global `audit` does not"
    );
    ada.set_name("Ada L.").unwrap();
    ada.publish().await.unwrap();
    assert_eq!(
        log.take()
            .iter()
            .filter(|l| l.contains("audit") || l.starts_with("global") || l.starts_with("users"))
            .cloned()
            .collect::<Vec<_>>(),
        [
            "users before publish users u1",
            r#"users after publish users u1 ["name"]"#
        ]
    );

    // Another entity runs the global plugin of that name.
    let post = Model::draft(Post {
        id: 1,
        title: "Hello".into(),
    });
    post.publish_to(&registry).await.unwrap();
    let lines = log.take();
    assert!(
        lines.contains(&"global before publish posts 1".to_string()),
        "{lines:?}"
    );
    assert!(!lines.iter().any(|l| l.starts_with("users")), "{lines:?}");

    // Removing the entity's plugin brings the global one back for the entity.
    assert!(registry.remove_plugin_for::<User>("audit"));
    assert_eq!(registry.plugins::<User>(), ["early", "audit", "late"]);
    ada.set_name("Ada").unwrap();
    ada.publish().await.unwrap();
    assert!(log
        .take()
        .contains(&"global before publish users u1".to_string()));
}

/// Refuses what its configuration names.
struct Guard {
    refuse_publish_of: &'static str,
    refuse_delete: bool,
    refuse_load_of: &'static str,
}

#[async_trait]
impl EntityHooks<User> for Guard {
    async fn before_load(&self, id: &String) -> Result<(), Error> {
        if id == self.refuse_load_of {
            return Err(Error::rejected("not for you"));
        }
        Ok(())
    }
    async fn before_publish(&self, request: &mut Publish<User>) -> Result<(), Error> {
        if request.value().name == self.refuse_publish_of {
            return Err(Error::rejected("that name is taken"));
        }
        Ok(())
    }
    async fn before_delete(&self, _id: &String) -> Result<(), Error> {
        if self.refuse_delete {
            return Err(Error::rejected("users are never deleted"));
        }
        Ok(())
    }
}

fn aborted_by(err: &Error) -> Option<(&str, &str)> {
    match err {
        Error::Aborted { by, operation, .. } => Some((by.as_str(), *operation)),
        _ => None,
    }
}

#[tokio::test]
async fn an_aborting_hook_leaves_the_store_and_the_model_as_they_were() {
    let (registry, store) = setup();
    registry.hooks::<User>(Guard {
        refuse_publish_of: "Mallory",
        refuse_delete: true,
        refuse_load_of: "secret",
    });
    let ada = registry.get_or_load::<User>(&id("u1")).await.unwrap();
    ada.set_name("Mallory").unwrap();
    store.take_calls();
    let stored = store.get(&id("u1"));
    let before = state(&ada);
    let log = Log::default();
    let _subs = record(&ada, &log);

    let err = ada.publish().await.unwrap_err();
    let (by, op) = aborted_by(&err).unwrap_or_else(|| panic!("{err:?}"));
    assert!(by.ends_with("Guard"), "{by}");
    assert_eq!(op, "publish");
    assert!(err.to_string().contains("that name is taken"), "{err}");
    let err = ada.delete().await.unwrap_err();
    assert_eq!(aborted_by(&err).map(|a| a.1), Some("delete"), "{err:?}");

    assert_eq!(state(&ada), before, "values, flags, dirty fields, baseline");
    assert!(log.take().is_empty(), "no flag or lifecycle event");
    assert_eq!(store.calls(), [], "the provider was not called");
    assert_eq!(store.get(&id("u1")), stored);
    assert!(registry.get::<User>(&id("u1")).is_some());

    // A refused load, through the registry: no provider call, nothing registered.
    store.insert(user("secret", "Eve"));
    let err = registry
        .get_or_load::<User>(&id("secret"))
        .await
        .unwrap_err();
    assert_eq!(aborted_by(&err).map(|a| a.1), Some("load"), "{err:?}");
    let err = registry
        .load_many::<User>(&[id("u2"), id("secret")])
        .await
        .unwrap_err();
    assert_eq!(aborted_by(&err).map(|a| a.1), Some("load"), "{err:?}");
    assert_eq!(store.calls(), []);
    assert!(registry.get::<User>(&id("secret")).is_none());
    assert!(registry.get::<User>(&id("u2")).is_none());
}

/// Refuses every write of users, or panics on them.
struct Veto {
    panic: bool,
}

#[async_trait]
impl Plugin for Veto {
    fn name(&self) -> &str {
        "veto"
    }
    async fn before(&self, call: &mut PluginCall<'_>) -> Result<(), Error> {
        if call.is::<User>() && call.operation() != reactive::registry::Operation::Load {
            if self.panic {
                panic!("veto plugin bug");
            }
            return Err(Error::rejected("read-only"));
        }
        Ok(())
    }
}

#[tokio::test]
async fn an_aborting_or_panicking_plugin_leaves_the_store_and_the_model_as_they_were() {
    for panic in [false, true] {
        let (registry, store) = setup();
        registry.plugin(Veto { panic });
        let ada = registry.get_or_load::<User>(&id("u1")).await.unwrap();
        ada.set_email("ada@lovelace.org").unwrap();
        store.take_calls();
        let before = state(&ada);
        let log = Log::default();
        let _subs = record(&ada, &log);
        let draft = Model::draft(user("u9", "Nobody"));

        for err in [
            ada.publish().await.unwrap_err(),
            ada.delete().await.unwrap_err(),
            draft.publish_to(&registry).await.unwrap_err(),
        ] {
            let Error::Aborted { by, source, .. } = &err else {
                panic!("{err:?}")
            };
            assert_eq!(by, "veto");
            if panic {
                assert!(
                    matches!(&**source, Error::Panicked { message, .. } if message == "veto plugin bug"),
                    "{source:?}"
                );
            }
        }
        assert_eq!(state(&ada), before);
        assert!(log.take().is_empty());
        assert_eq!(store.calls(), []);
        assert_eq!(store.get(&id("u1")), Some(user("u1", "Ada")));
        assert!(store.get(&id("u9")).is_none());
        assert!(draft.is_draft() && registry.get::<User>(&id("u9")).is_none());
    }
}

/// Normalises emails on every publish, through the typed value.
struct Lowercase;

#[async_trait]
impl Plugin for Lowercase {
    fn name(&self) -> &str {
        "lowercase"
    }
    async fn before(&self, call: &mut PluginCall<'_>) -> Result<(), Error> {
        if let Some(user) = call.value_mut::<User>() {
            user.email = user.email.to_lowercase();
        }
        Ok(())
    }
}

#[tokio::test]
async fn a_rewrite_by_a_before_step_is_written_and_the_model_takes_it_from_the_store() {
    let (registry, store) = setup();
    store.insert(User {
        email: "ADA@EXAMPLE.COM".into(),
        ..user("u1", "Ada")
    });
    registry.plugin(Lowercase);
    let ada = registry.get_or_load::<User>(&id("u1")).await.unwrap();
    ada.set_name("Ada L.").unwrap();
    store.take_calls();
    ada.publish().await.unwrap();
    // The rewritten field is written with the dirty one...
    assert_eq!(
        store.calls(),
        [Call::Update {
            id: id("u1"),
            fields: vec!["name", "email"],
            expected_version: Some(1)
        }]
    );
    assert_eq!(store.get(&id("u1")).unwrap().email, "ada@example.com");
    // ... and the model takes it from the store's response, clean.
    assert_eq!(ada.email(), "ada@example.com");
    assert!(!ada.is_dirty());
    assert_eq!(ada.version(), 2);
}

/// Tries to publish under another id.
struct Rekey;

#[async_trait]
impl EntityHooks<User> for Rekey {
    async fn before_publish(&self, request: &mut Publish<User>) -> Result<(), Error> {
        request.value_mut().id = "hijacked".into();
        Ok(())
    }
}

#[tokio::test]
async fn a_before_step_may_not_change_the_id() {
    let (registry, store) = setup();
    registry.hooks::<User>(Rekey);
    let draft = Model::draft(user("u7", "Ida"));
    let err = draft.publish_to(&registry).await.unwrap_err();
    assert!(matches!(err, Error::Aborted { .. }), "{err:?}");
    assert_eq!(store.calls(), []);
    assert!(store.get(&id("hijacked")).is_none());
    assert_eq!(draft.id(), "u7");
}

/// Panics after every call.
struct Clumsy;

#[async_trait]
impl Plugin for Clumsy {
    fn name(&self) -> &str {
        "clumsy"
    }
    async fn after(&self, _call: &PluginCall<'_>) {
        panic!("clumsy after hook");
    }
}

#[tokio::test]
async fn a_panicking_after_step_does_not_undo_or_fail_a_completed_call() {
    let (registry, store) = setup();
    let log = Log::default();
    registry.plugin(Clumsy);
    registry.plugin(Audit::new("audit", "A", -1, &log));
    let ada = registry.get_or_load::<User>(&id("u1")).await.unwrap();
    ada.set_name("Ada L.").unwrap();
    ada.publish().await.unwrap();
    assert_eq!(store.get(&id("u1")).unwrap().name, "Ada L.");
    assert!(!ada.is_dirty() && !ada.flags().processing);
    // The steps after the panicking one still ran.
    assert!(log
        .take()
        .contains(&r#"A after publish users u1 ["name"]"#.to_string()));
}
