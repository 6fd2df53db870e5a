//! The backend guide's examples as Rust tests, on the recording test provider: "Testing Backend
//! Code" (`promote()` then `publish()` stores an admin) and the API controller of "Use Case 1"
//! (list with a filter and a limit, get by id with not-found, create with per-field validation
//! errors).

use std::sync::Arc;

use garde::Validate;
use reactive::prelude::*;
use reactive::provider::testing::{Call, TestProvider};
use reactive::query::Query;
use serde_json::{json, Value};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Role {
    #[default]
    User,
    Admin,
}

/// The guide's universal `User` item: domain logic beside the data.
#[derive(Reactive, Validate, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[entity("users")]
#[reactive(validate)]
struct User {
    #[garde(length(min = 1))]
    id: String,
    #[garde(length(min = 2))]
    name: String,
    #[garde(email)]
    email: String,
    #[garde(skip)]
    #[serde(default)]
    #[reactive(text)]
    role: Role,
    #[garde(skip)]
    #[serde(default)]
    #[reactive(computed = self.role == Role::Admin)]
    is_admin: bool,
}

impl User {
    fn new(id: &str, name: &str, role: Role) -> User {
        User {
            id: id.into(),
            name: name.into(),
            email: format!("{}@example.com", name.to_lowercase()),
            role,
            is_admin: false,
        }
    }

    fn promote(&mut self) {
        self.role = Role::Admin;
    }

    fn can_edit(&self, owner_id: &str) -> bool {
        self.is_admin || owner_id == self.id
    }
}

/// `async promote()`: the domain change, then a publish.
async fn promote(user: &Model<User>) -> Result<(), Error> {
    user.update(User::promote)?;
    user.publish().await
}

fn server() -> (Registry, Arc<TestProvider<User>>) {
    let store = Arc::new(TestProvider::<User>::new());
    let registry = Registry::new();
    registry.provide(store.clone());
    (registry, store)
}

#[tokio::test]
async fn promoting_a_user_then_publishing_stores_an_admin() {
    let (registry, store) = server();
    store.insert(User::new("1", "Test", Role::User));

    let user = registry
        .get_or_load::<User>(&"1".to_string())
        .await
        .unwrap();
    assert!(!user.is_admin());
    promote(&user).await.unwrap();

    assert!(user.is_admin());
    assert_eq!(user.role(), Role::Admin);
    assert!(!user.is_dirty());
    assert!(user.with(|u| u.can_edit("someone else")));
    let stored = store.get(&"1".to_string()).unwrap();
    assert_eq!((stored.role, stored.is_admin), (Role::Admin, true));
    // Only the changed field went to the store.
    assert_eq!(
        store.calls(),
        [
            Call::Load { id: "1".into() },
            Call::Update {
                id: "1".into(),
                fields: vec!["role"],
                expected_version: None
            },
        ]
    );
}

#[tokio::test]
async fn a_new_user_promoted_before_its_first_publish_is_stored_as_an_admin() {
    let (registry, store) = server();
    let user = Model::draft(User::new("2", "Grace", Role::User));
    user.update(User::promote).unwrap();
    user.publish_to(&registry).await.unwrap();
    assert_eq!(store.get(&"2".to_string()).unwrap().role, Role::Admin);
    assert!(matches!(store.calls()[..], [Call::Insert { .. }]));
    assert!(registry.get::<User>(&"2".to_string()).is_some());
}

/// A controller's answer: a status and a JSON body.
type Response = (u16, Value);

/// `GET /users/:id`.
async fn get_user(registry: &Registry, id: &str) -> Response {
    match registry.get_or_load::<User>(&id.to_string()).await {
        Ok(user) => (200, json!(user.snapshot())),
        Err(Error::NotFound { .. }) => (404, json!({ "error": "User not found" })),
        Err(err) => (500, json!({ "error": err.to_string() })),
    }
}

/// `POST /users`: per-field errors for an invalid body, 201 with the stored user otherwise.
async fn create_user(registry: &Registry, body: Value) -> Response {
    let value: User = match serde_json::from_value(body) {
        Ok(value) => value,
        Err(err) => return (400, json!({ "error": err.to_string() })),
    };
    let user = Model::draft(value);
    if let Err(Error::Validation(report)) = user.validate() {
        let errors: Vec<Value> = report
            .iter()
            .map(|e| json!({ "field": e.field, "message": e.message }))
            .collect();
        return (400, json!({ "errors": errors }));
    }
    match user.publish_to(registry).await {
        Ok(()) => (201, json!(user.snapshot())),
        Err(err @ (Error::AlreadyStored { .. } | Error::AlreadyLive { .. })) => {
            (409, json!({ "error": err.to_string() }))
        }
        Err(err) => (500, json!({ "error": err.to_string() })),
    }
}

/// `GET /users?role=..&limit=..`: a page of the users with that role (all without one), at
/// most `limit` (20 by default), ordered by id, with the total and the next page's cursor.
async fn list_users(registry: &Registry, role: Option<Role>, limit: Option<usize>) -> Response {
    let mut query = Query::new()
        .order_by(User::ID.asc())
        .limit(limit.unwrap_or(20))
        .with_total();
    if let Some(role) = role {
        query = query.filter(User::ROLE.eq(role));
    }
    match registry.list::<User>(&query).await {
        Ok(page) => (
            200,
            json!({
                "items": page.items.iter().map(|u| json!(u.snapshot())).collect::<Vec<_>>(),
                "total": page.total,
                "next": page.next,
            }),
        ),
        Err(err @ Error::InvalidQuery { .. }) => (400, json!({ "error": err.to_string() })),
        Err(err) => (500, json!({ "error": err.to_string() })),
    }
}

#[tokio::test]
async fn get_by_id_answers_the_user_or_not_found() {
    let (registry, store) = server();
    store.insert(User::new("1", "Ada", Role::Admin));
    let (status, body) = get_user(&registry, "1").await;
    assert_eq!(status, 200);
    assert_eq!(body["name"], "Ada");
    assert_eq!(body["role"], "admin");
    assert_eq!(body["is_admin"], true);

    let (status, body) = get_user(&registry, "404").await;
    assert_eq!((status, body), (404, json!({ "error": "User not found" })));
    // A failing store is not a 404.
    store.fail_next(reactive::provider::testing::Method::Load, 1);
    assert_eq!(get_user(&registry, "2").await.0, 500);
}

#[tokio::test]
async fn create_reports_per_field_validation_errors_and_stores_nothing() {
    let (registry, store) = server();
    let (status, body) = create_user(
        &registry,
        json!({ "id": "7", "name": "A", "email": "not-an-email" }),
    )
    .await;
    assert_eq!(status, 400);
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["name", "email"]);
    assert_eq!(store.calls(), [], "nothing was sent to the store");
    assert!(store.get(&"7".to_string()).is_none());

    let (status, body) = create_user(
        &registry,
        json!({ "id": "7", "name": "Ada", "email": "ada@example.com" }),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["role"], "user");
    assert_eq!(store.get(&"7".to_string()).unwrap().name, "Ada");
    assert_eq!(
        create_user(
            &registry,
            json!({ "id": "7", "name": "Eve", "email": "eve@example.com" })
        )
        .await
        .0,
        409
    );
}

#[tokio::test]
async fn list_filters_by_role_and_stops_at_the_limit() {
    let (registry, store) = server();
    for (id, name, role) in [
        ("1", "Ada", Role::Admin),
        ("2", "Grace", Role::User),
        ("3", "Linus", Role::Admin),
        ("4", "Barbara", Role::Admin),
    ] {
        store.insert(User::new(id, name, role));
    }
    // A user already live (held by another request) is shared: the page hands out its model.
    let ada = registry
        .get_or_load::<User>(&"1".to_string())
        .await
        .unwrap();
    ada.set_name("Ada (editing)").unwrap();
    store.take_calls();
    let (status, body) = list_users(&registry, Some(Role::Admin), Some(2)).await;
    assert_eq!(status, 200, "{body}");
    let names: Vec<&str> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Ada (editing)", "Linus"]);
    assert_eq!(body["total"], 3);
    assert!(body["next"].is_string(), "a third admin follows: {body}");
    assert!(matches!(store.calls()[..], [Call::List { .. }]));
    drop(ada);
    // Over the maximum page size: a client error.
    assert_eq!(list_users(&registry, None, Some(5000)).await.0, 400);
    let (_, all) = list_users(&registry, None, None).await;
    assert_eq!(all["items"].as_array().unwrap().len(), 4);
}
