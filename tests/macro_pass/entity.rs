//! `#[entity("..")]`: what the derive accepts, and the `Entity` impl it generates, driven on
//! plain values: the name, the id (a field named `id`, a marked field, a generated `Option`),
//! the version, generic entities, and a re-exported runtime. The registry and the providers
//! that use the impl have their own tests.

use std::fmt::Debug;

use reactive::entity::EntityId;
use reactive::prelude::*;

/// Compile-time: `T`'s id type is `Id`.
fn id_type_is<T: Entity<Id = Id>, Id>() {}

// ---------------------------------------------------------------------------------------------
// A field named `id`: the id, and still an ordinary reactive field (`User::ID`, `id()`,
// `set_id`, `on_id` on the live model).

#[derive(Reactive, Clone, Debug, PartialEq, Serialize, Deserialize)]
#[entity("users")]
pub struct User {
    pub id: String,
    pub name: String,
    /// A field named `version` without `#[reactive(version)]` is an ordinary field.
    pub version: String,
}

fn ada() -> User {
    User {
        id: "u1".into(),
        name: "Ada".into(),
        version: "v1".into(),
    }
}

#[test]
fn a_field_named_id_is_the_id() {
    id_type_is::<User, String>();
    assert_eq!(User::ENTITY, "users");
    assert_eq!((User::ID_GENERATED, User::VERSIONED), (false, false));
    assert_eq!(User::__ID_FIELD, 0);
    assert_eq!(User::FIELDS[User::__ID_FIELD].name(), "id");

    let mut user = ada();
    assert_eq!(user.id(), Some("u1".to_string()));
    user.__set_id("u2".into());
    assert_eq!(user.id, "u2");
    assert_eq!(user.id(), Some("u2".to_string()));
}

#[test]
fn without_a_version_field_the_version_is_none_and_setting_it_does_nothing() {
    let mut user = ada();
    assert_eq!(Entity::version(&user), None);
    user.__set_version(7);
    assert_eq!(user, ada());
}

#[test]
fn the_id_field_keeps_its_key_and_its_methods_on_the_live_model() -> Result<(), Error> {
    let model = Model::new(ada());
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    model
        .on_id(move |c: &Change<String>| {
            log.lock()
                .expect("log lock")
                .push(format!("{} -> {}", c.previous, c.value))
        })
        .detach();
    // The handle's getter, not `Entity::id`: the live model is not the entity value.
    let id: String = model.id();
    assert_eq!(id, "u1");
    model.set_id("u9")?;
    assert_eq!(model.get(User::ID), "u9");
    assert_eq!(User::ID.name(), "id");
    assert_eq!(model.version(), "v1");
    // `Entity::id` on the value inside.
    assert_eq!(model.with(|u| u.id()), Some("u9".to_string()));
    assert_eq!(*seen.lock().expect("log lock"), ["u1 -> u9"]);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// `#[reactive(id, generated)]`: an `Option` the store fills; `Id` is the type inside it.

#[derive(Reactive, Clone, Debug, PartialEq)]
#[entity("posts")]
pub struct Post {
    pub title: String,
    #[reactive(id, generated)]
    pub id: Option<u64>,
}

#[derive(Reactive, Clone, Debug, PartialEq)]
#[entity("comments")]
pub struct Comment {
    #[reactive(id, generated)]
    pub key: std::option::Option<String>,
    pub text: String,
}

#[test]
fn a_generated_id_is_none_until_the_store_sets_it() {
    id_type_is::<Post, u64>();
    assert_eq!((Post::ID_GENERATED, Post::VERSIONED), (true, false));
    assert_eq!(Post::__ID_FIELD, 1);
    let mut post = Post {
        title: "hello".into(),
        id: None,
    };
    assert_eq!(post.id(), None);
    post.__set_id(42);
    assert_eq!(post.id, Some(42));
    assert_eq!(post.id(), Some(42));

    id_type_is::<Comment, String>();
    let mut comment = Comment {
        key: None,
        text: "first".into(),
    };
    comment.__set_id("c1".into());
    assert_eq!(comment.id(), Some("c1".to_string()));
    assert_eq!(comment.key.as_deref(), Some("c1"));
}

// ---------------------------------------------------------------------------------------------
// `#[reactive(id)]` on a field of another name wins over a field named `id`; renames, computed
// and skipped fields around it keep the table index right.

pub type AccountNumber = u32;

#[derive(Reactive, Clone, Debug, PartialEq)]
#[entity("accounts")]
pub struct Account {
    #[reactive(skip)]
    pub cache: Vec<u8>,
    /// The bank's own reference: not the entity's id.
    pub id: String,
    pub balance: i64,
    #[reactive(computed = self.balance < 0)]
    pub overdrawn: bool,
    #[reactive(id, rename = "account_no")]
    pub number: AccountNumber,
}

#[test]
fn a_marked_field_is_the_id_even_beside_a_field_named_id() -> Result<(), Error> {
    id_type_is::<Account, u32>();
    assert_eq!(Account::__ID_FIELD, 3);
    assert_eq!(Account::FIELDS[Account::__ID_FIELD].name(), "account_no");
    let mut account = Account {
        cache: Vec::new(),
        id: "REF-1".into(),
        balance: 10,
        overdrawn: false,
        number: 7,
    };
    assert_eq!(account.id(), Some(7));
    account.__set_id(8);
    assert_eq!((account.number, account.id.as_str()), (8, "REF-1"));
    let model = Model::new(account);
    model.set_account_no(9)?;
    assert_eq!(model.with(|a| a.id()), Some(9));
    assert_eq!(model.id(), "REF-1");
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// `#[reactive(version)]`.

pub type Revision = u64;

#[derive(Reactive, Clone, Debug, PartialEq)]
#[entity("documents")]
pub struct Document {
    pub id: u64,
    pub body: String,
    #[reactive(version)]
    pub revision: Revision,
}

#[test]
fn a_version_field_is_read_and_written_through_entity() -> Result<(), Error> {
    assert_eq!((Document::ID_GENERATED, Document::VERSIONED), (false, true));
    let mut doc = Document {
        id: 1,
        body: "draft".into(),
        revision: 3,
    };
    assert_eq!(doc.version(), Some(3));
    doc.__set_version(4);
    assert_eq!(doc.revision, 4);
    assert_eq!(doc.version(), Some(4));
    let model = Model::new(doc);
    model.set_revision(5)?;
    assert_eq!(model.with(Entity::version), Some(5));
    assert_eq!(model.revision(), 5);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Generic entities: the id's type may be a parameter (`Id` is then the parameter itself, also
// in generic code) or a concrete type.

#[derive(Reactive, Clone, Debug, PartialEq)]
#[entity("tagged")]
pub struct Tagged<K: Clone + Send + Sync + 'static, V>
where
    V: Clone + PartialEq + Send + Sync + Debug + 'static,
{
    pub id: K,
    pub value: V,
    #[reactive(version)]
    pub version: u64,
}

#[derive(Reactive, Clone, Debug, PartialEq)]
#[entity("slots")]
pub struct Slot<T: Clone + PartialEq + Send + Sync + 'static> {
    #[reactive(id, generated)]
    pub id: Option<T>,
    pub count: u32,
}

#[derive(Reactive, Clone, Debug, PartialEq)]
#[entity("boxes")]
pub struct Boxed<V: Clone + PartialEq + Send + Sync + 'static> {
    pub id: String,
    pub content: V,
}

/// Generic code over a generic entity: `Entity::Id` is `K`.
fn id_of<K: EntityId + PartialEq, V: Clone + PartialEq + Send + Sync + Debug>(
    value: &Tagged<K, V>,
) -> Option<K> {
    value.id()
}

#[test]
fn generic_entities_have_their_parameters_as_ids() {
    id_type_is::<Tagged<u64, String>, u64>();
    id_type_is::<Slot<String>, String>();
    id_type_is::<Boxed<f64>, String>();
    let mut tagged = Tagged {
        id: 5u64,
        value: "x".to_string(),
        version: 1,
    };
    assert_eq!(id_of(&tagged), Some(5));
    tagged.__set_id(6);
    tagged.__set_version(2);
    assert_eq!((tagged.id, tagged.version()), (6, Some(2)));
    assert_eq!(<Tagged<u64, String>>::ENTITY, "tagged");

    let mut slot = Slot::<String> { id: None, count: 0 };
    assert_eq!(slot.id(), None);
    slot.__set_id("s1".into());
    assert_eq!(slot.id(), Some("s1".to_string()));
    assert_eq!(
        (
            <Slot<String> as Entity>::ID_GENERATED,
            <Tagged<u8, u8> as Entity>::VERSIONED
        ),
        (true, true)
    );

    // A non-hashable parameter elsewhere is fine when the id is concrete.
    let boxed = Boxed {
        id: "b1".into(),
        content: 1.5f64,
    };
    assert_eq!(boxed.id(), Some("b1".to_string()));
}

// ---------------------------------------------------------------------------------------------
// An id type written with `Self`, and a runtime reached through a re-export.

pub trait Keyed {
    type Key: Clone + Eq + std::hash::Hash + Debug + Send + Sync + 'static;
}

#[derive(Reactive, Clone, Debug, PartialEq)]
#[entity("nodes")]
pub struct Node {
    pub id: <Self as Keyed>::Key,
    pub parent: Option<<Self as Keyed>::Key>,
}

impl Keyed for Node {
    type Key = (u32, u32);
}

mod through_the_reexport {
    use crate::framework::rt;
    use rt::Entity as _;

    #[derive(rt::Reactive, Clone, Debug)]
    #[reactive(crate = crate::framework::rt)]
    #[entity("tickets")]
    pub struct Ticket {
        #[reactive(id, generated)]
        pub id: Option<i64>,
        #[reactive(version)]
        pub version: u64,
    }

    pub fn run() -> (Option<i64>, Option<u64>) {
        let mut ticket = Ticket {
            id: None,
            version: 0,
        };
        ticket.__set_id(-1);
        ticket.__set_version(1);
        (ticket.id(), ticket.version())
    }
}

#[test]
fn self_in_the_id_type_and_a_reexported_runtime() {
    id_type_is::<Node, (u32, u32)>();
    let node = Node {
        id: (1, 2),
        parent: None,
    };
    assert_eq!(node.id(), Some((1, 2)));
    assert_eq!(through_the_reexport::run(), (Some(-1), Some(1)));
    assert_eq!(<through_the_reexport::Ticket as Entity>::ENTITY, "tickets");
}
