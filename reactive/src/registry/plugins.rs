//! Entity hooks and plugins: code a registry runs around every provider call of an entity.
//!
//! Policy (ADR 0005): `before_*` hooks and plugins run before the provider is called, in
//! order (the entity's [`EntityHooks`] first, then the plugins by priority, highest first); the
//! first error (or panic) aborts the operation with [`Error::Aborted`], and then the provider is
//! not called, nothing is written and the model is as it was. `after_*` hooks observe a call
//! that succeeded: the store is written already, so they cannot fail it (a panic in one is
//! logged and the others still run).

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt::{self, Debug};
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use async_trait::async_trait;
use parking_lot::RwLock;

use crate::entity::Entity;
use crate::error::Error;
use crate::provider::Publish;

use super::Registry;

/// What a provider call does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operation {
    /// Load an entity (`Model::load`, `Registry::get_or_load`, `Registry::load_many`).
    Load,
    /// Insert or update an entity (`Model::publish`).
    Publish,
    /// Delete an entity (`Model::delete`).
    Delete,
}

impl Operation {
    /// `"load"`, `"publish"` or `"delete"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Load => "load",
            Operation::Publish => "publish",
            Operation::Delete => "delete",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Typed hooks of one entity type, set with [`Registry::hooks`]: the entity's own rules around
/// its provider calls (the original's `beforeLoad`/`afterPublish` template methods).
///
/// Every method has a default that does nothing. A `before_*` hook returning an error aborts
/// the call ([`Error::Aborted`]): the provider is not called and the model is unchanged.
/// [`before_publish`](EntityHooks::before_publish) may also rewrite the value being published
/// (a timestamp, a normalised name): the fields it changes are written too, and the model takes
/// them from the store's response. The `after_*` hooks observe a call that succeeded.
///
/// ```
/// use reactive::prelude::*;
/// use reactive::provider::{MemoryProvider, Publish};
/// use reactive::registry::EntityHooks;
///
/// #[derive(Reactive, Clone, Debug)]
/// #[entity("posts")]
/// struct Post { id: u64, title: String, slug: String }
///
/// struct PostRules;
///
/// #[reactive::async_trait]
/// impl EntityHooks<Post> for PostRules {
///     async fn before_publish(&self, request: &mut Publish<Post>) -> Result<(), Error> {
///         let post = request.value_mut();
///         if post.title.is_empty() {
///             return Err(Error::rejected("a post needs a title"));
///         }
///         post.slug = post.title.to_lowercase().replace(' ', "-");
///         Ok(())
///     }
/// }
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let registry = Registry::new();
/// registry.provide(MemoryProvider::<Post>::new());
/// registry.hooks::<Post>(PostRules);
/// let post = Model::draft(Post { id: 1, title: "Hello World".into(), slug: String::new() });
/// post.publish_to(&registry).await?;
/// assert_eq!(post.slug(), "hello-world"); // taken from the stored value
/// let empty = Model::draft(Post { id: 2, title: String::new(), slug: String::new() });
/// assert!(matches!(empty.publish_to(&registry).await, Err(Error::Aborted { .. })));
/// # Ok::<(), reactive::Error>(()) }).unwrap();
/// ```
#[async_trait]
pub trait EntityHooks<T: Entity>: Send + Sync + 'static {
    /// Before a load of `id`: an error aborts it.
    async fn before_load(&self, id: &T::Id) -> Result<(), Error> {
        let _ = id;
        Ok(())
    }

    /// After a load of `id`: the stored value, or `None` when the store has none.
    async fn after_load(&self, id: &T::Id, loaded: Option<&T>) {
        let _ = (id, loaded);
    }

    /// Before a publish: an error aborts it; the request's value may be rewritten.
    async fn before_publish(&self, request: &mut Publish<T>) -> Result<(), Error> {
        let _ = request;
        Ok(())
    }

    /// After a publish: the value the store kept.
    async fn after_publish(&self, stored: &T) {
        let _ = stored;
    }

    /// Before a delete of `id`: an error aborts it.
    async fn before_delete(&self, id: &T::Id) -> Result<(), Error> {
        let _ = id;
        Ok(())
    }

    /// After a delete of `id`.
    async fn after_delete(&self, id: &T::Id) {
        let _ = id;
    }
}

/// A plugin: hooks with a name and a priority, registered on a registry for every entity
/// ([`Registry::plugin`]) or for one ([`Registry::plugin_for`]). Plugins run after the entity's
/// [`EntityHooks`], highest priority first (registration order among equals, the entity's
/// plugins before the global ones). A name registered both globally and for an entity runs once
/// for that entity: the entity's plugin.
///
/// A plugin sees every entity type through a [`PluginCall`], and reaches typed values by
/// naming the type (`call.value::<User>()`).
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use reactive::prelude::*;
/// use reactive::provider::MemoryProvider;
/// use reactive::registry::{Plugin, PluginCall};
///
/// #[derive(Reactive, Clone, Debug)]
/// #[entity("notes")]
/// struct Note { id: u64, text: String }
///
/// #[derive(Default)]
/// struct Audit(Mutex<Vec<String>>);
///
/// #[reactive::async_trait]
/// impl Plugin for Audit {
///     fn name(&self) -> &str { "audit" }
///     async fn after(&self, call: &PluginCall<'_>) {
///         let line = format!("{} {} {} {:?}", call.operation(), call.entity(), call.id_string(), call.fields());
///         self.0.lock().unwrap().push(line);
///     }
/// }
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let registry = Registry::new();
/// registry.provide(MemoryProvider::<Note>::new());
/// let audit = Arc::new(Audit::default());
/// registry.plugin(audit.clone());
/// let note = Model::draft(Note { id: 7, text: "hi".into() });
/// note.publish_to(&registry).await?;
/// note.set_text("hello")?;
/// note.publish().await?;
/// assert_eq!(*audit.0.lock().unwrap(), [
///     r#"publish notes 7 ["id", "text"]"#,
///     r#"publish notes 7 ["text"]"#,
/// ]);
/// # Ok::<(), reactive::Error>(()) }).unwrap();
/// ```
#[async_trait]
pub trait Plugin: Send + Sync + 'static {
    /// The plugin's name: registering another plugin of this name in the same scope replaces
    /// it, and an entity's plugin replaces a global one of the same name for that entity.
    fn name(&self) -> &str;

    /// Higher runs first; 0 by default.
    fn priority(&self) -> i32 {
        0
    }

    /// Before a provider call: an error aborts it ([`Error::Aborted`]); a publish's value may
    /// be rewritten through [`PluginCall::value_mut`].
    async fn before(&self, call: &mut PluginCall<'_>) -> Result<(), Error> {
        let _ = call;
        Ok(())
    }

    /// After a provider call that succeeded: observes it.
    async fn after(&self, call: &PluginCall<'_>) {
        let _ = call;
    }
}

#[async_trait]
impl<P: Plugin + ?Sized> Plugin for Arc<P> {
    fn name(&self) -> &str {
        (**self).name()
    }
    fn priority(&self) -> i32 {
        (**self).priority()
    }
    async fn before(&self, call: &mut PluginCall<'_>) -> Result<(), Error> {
        (**self).before(call).await
    }
    async fn after(&self, call: &PluginCall<'_>) {
        (**self).after(call).await
    }
}

/// An id of any entity type, for plugins.
trait AnyId: Any + Debug + Send + Sync {
    fn as_any(&self) -> &dyn Any;
}

impl<I: Any + Debug + Send + Sync> AnyId for I {
    fn as_any(&self) -> &dyn Any {
        self
    }
}

enum Value<'a> {
    None,
    Ref(&'a (dyn Any + Send + Sync)),
    Mut(&'a mut (dyn Any + Send + Sync)),
}

/// One provider call as a [`Plugin`] sees it.
///
/// Before the call: a load or delete has its id; a publish has its value (mutable), the names
/// of the fields it writes, and its id (none for an insert whose id the store generates).
/// After the call: a load has the value found (none when the store had none), a publish the
/// value the store kept.
pub struct PluginCall<'a> {
    entity: &'static str,
    type_id: TypeId,
    operation: Operation,
    insert: bool,
    id: Option<&'a dyn AnyId>,
    fields: &'a [&'static str],
    value: Value<'a>,
}

impl<'a> PluginCall<'a> {
    /// The entity name (`Entity::ENTITY`).
    pub fn entity(&self) -> &'static str {
        self.entity
    }

    /// The operation.
    pub fn operation(&self) -> Operation {
        self.operation
    }

    /// Whether this publish inserts a new entity (a draft).
    pub fn is_insert(&self) -> bool {
        self.insert
    }

    /// Whether the call is about entities of type `T`.
    pub fn is<T: Entity>(&self) -> bool {
        self.type_id == TypeId::of::<T>()
    }

    /// The id, if the call is about a `T` and has one.
    pub fn id<T: Entity>(&self) -> Option<&T::Id> {
        if !self.is::<T>() {
            return None;
        }
        self.id?.as_any().downcast_ref::<T::Id>()
    }

    /// The id formatted with `Debug`, without quotes for a string id; `""` without an id.
    pub fn id_string(&self) -> String {
        let Some(id) = self.id else {
            return String::new();
        };
        let text = format!("{id:?}");
        match id.as_any().downcast_ref::<String>() {
            Some(s) => s.clone(),
            None => text,
        }
    }

    /// The names of the fields a publish writes (every field for an insert); empty for a load
    /// or a delete.
    pub fn fields(&self) -> &[&'static str] {
        self.fields
    }

    /// The value, if the call is about a `T` and has one: the value being published (before),
    /// the value stored (after a publish) or found (after a load).
    pub fn value<T: Entity>(&self) -> Option<&T> {
        match &self.value {
            Value::None => None,
            Value::Ref(v) => v.downcast_ref::<T>(),
            Value::Mut(v) => v.downcast_ref::<T>(),
        }
    }

    /// The value being published, to rewrite it: only before a publish of a `T`. The id must
    /// not change (the call is aborted if it does).
    pub fn value_mut<T: Entity>(&mut self) -> Option<&mut T> {
        match &mut self.value {
            Value::Mut(v) => v.downcast_mut::<T>(),
            _ => None,
        }
    }
}

impl Debug for PluginCall<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PluginCall")
            .field("entity", &self.entity)
            .field("operation", &self.operation)
            .field("id", &self.id)
            .field("fields", &self.fields)
            .finish_non_exhaustive()
    }
}

/// A registered plugin, with its name and priority read once.
#[derive(Clone)]
struct Entry {
    name: String,
    priority: i32,
    plugin: Arc<dyn Plugin>,
}

/// The entity's hooks, with the type name used in errors.
struct HooksOf<T: Entity> {
    name: &'static str,
    hooks: Arc<dyn EntityHooks<T>>,
}

/// Hooks and plugins of a registry.
#[derive(Default)]
pub(crate) struct Plugins {
    state: RwLock<State>,
}

#[derive(Default)]
struct State {
    global: Vec<Entry>,
    entity: HashMap<TypeId, Vec<Entry>>,
    /// `Arc<HooksOf<T>>` by the type id of `T`.
    hooks: HashMap<TypeId, Arc<dyn Any + Send + Sync>>,
}

fn entry(plugin: impl Plugin) -> Entry {
    let name = plugin.name().to_string();
    assert!(!name.is_empty(), "a plugin must have a name");
    Entry {
        name,
        priority: plugin.priority(),
        plugin: Arc::new(plugin),
    }
}

fn put(list: &mut Vec<Entry>, entry: Entry) {
    match list.iter_mut().find(|e| e.name == entry.name) {
        Some(slot) => *slot = entry,
        None => list.push(entry),
    }
}

impl Registry {
    /// Sets the [`EntityHooks`] of `T` in this registry (replacing any set before).
    pub fn hooks<T: Entity>(&self, hooks: impl EntityHooks<T>) {
        let name = std::any::type_name_of_val(&hooks);
        let hooks: Arc<HooksOf<T>> = Arc::new(HooksOf {
            name,
            hooks: Arc::new(hooks),
        });
        self.inner
            .plugins
            .state
            .write()
            .hooks
            .insert(TypeId::of::<T>(), hooks);
    }

    /// Removes the [`EntityHooks`] of `T`; whether there were any.
    pub fn remove_hooks<T: Entity>(&self) -> bool {
        self.inner
            .plugins
            .state
            .write()
            .hooks
            .remove(&TypeId::of::<T>())
            .is_some()
    }

    /// Registers a [`Plugin`] for every entity of this registry. A global plugin of the same
    /// name is replaced.
    ///
    /// # Panics
    ///
    /// If the plugin's name is empty.
    pub fn plugin(&self, plugin: impl Plugin) {
        let entry = entry(plugin);
        put(&mut self.inner.plugins.state.write().global, entry);
    }

    /// Registers a [`Plugin`] for the entities of `T` only. A plugin of the same name
    /// registered for `T` is replaced; a global one of the same name no longer runs for `T`.
    ///
    /// # Panics
    ///
    /// If the plugin's name is empty.
    pub fn plugin_for<T: Entity>(&self, plugin: impl Plugin) {
        let entry = entry(plugin);
        let mut state = self.inner.plugins.state.write();
        put(state.entity.entry(TypeId::of::<T>()).or_default(), entry);
    }

    /// Removes the global plugin `name` (not the per-entity ones); whether there was one.
    pub fn remove_plugin(&self, name: &str) -> bool {
        let mut state = self.inner.plugins.state.write();
        let before = state.global.len();
        state.global.retain(|e| e.name != name);
        state.global.len() != before
    }

    /// Removes the plugin `name` registered for `T`; whether there was one.
    pub fn remove_plugin_for<T: Entity>(&self, name: &str) -> bool {
        let mut state = self.inner.plugins.state.write();
        let Some(list) = state.entity.get_mut(&TypeId::of::<T>()) else {
            return false;
        };
        let before = list.len();
        list.retain(|e| e.name != name);
        list.len() != before
    }

    /// The names of the plugins that run for `T`, in the order they run.
    pub fn plugins<T: Entity>(&self) -> Vec<String> {
        self.chain::<T>()
            .plugins
            .iter()
            .map(|e| e.name.clone())
            .collect()
    }

    /// The hooks and plugins of `T` as they stand now: what every provider-call path of `T`
    /// runs (single operations, loads through the registry, collections, bulk operations).
    pub(crate) fn chain<T: Entity>(&self) -> Chain<T> {
        let state = self.inner.plugins.state.read();
        let hooks = state
            .hooks
            .get(&TypeId::of::<T>())
            .cloned()
            .and_then(|any| any.downcast::<HooksOf<T>>().ok());
        let own = state.entity.get(&TypeId::of::<T>());
        if state.global.is_empty() && own.is_none_or(Vec::is_empty) {
            return Chain {
                hooks,
                plugins: Vec::new(),
            };
        }
        let own = own.map(Vec::as_slice).unwrap_or_default();
        let mut plugins: Vec<Entry> = own.to_vec();
        plugins.extend(
            state
                .global
                .iter()
                .filter(|g| !own.iter().any(|e| e.name == g.name))
                .cloned(),
        );
        // Stable: among equal priorities, registration order, the entity's first.
        plugins.sort_by_key(|e| std::cmp::Reverse(e.priority));
        Chain { hooks, plugins }
    }
}

/// The hooks and plugins of one entity type, snapshotted for one operation.
///
/// Every path that calls a provider runs it: `before_*` before the provider call (an error
/// aborts with nothing written), `after_*` once the call succeeded. A bulk or collection path
/// takes one chain (`registry.chain::<T>()`) and calls `before_publish` for each entity before
/// its provider call, then `after_publish` with each stored value; a list's loaded items go
/// through `after_load`.
pub(crate) struct Chain<T: Entity> {
    hooks: Option<Arc<HooksOf<T>>>,
    plugins: Vec<Entry>,
}

impl<T: Entity> Clone for Chain<T> {
    fn clone(&self) -> Self {
        Chain {
            hooks: self.hooks.clone(),
            plugins: self.plugins.clone(),
        }
    }
}

fn aborted<T: Entity>(operation: Operation, by: &str, source: Error) -> Error {
    Error::Aborted {
        entity: T::ENTITY,
        operation: operation.as_str(),
        by: by.to_string(),
        source: Box::new(source),
    }
}

/// Runs a before step: its error, or its panic, aborts.
async fn before_step<T: Entity>(
    operation: Operation,
    by: &str,
    step: impl Future<Output = Result<(), Error>>,
) -> Result<(), Error> {
    match catch_unwind(step).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(err)) => Err(aborted::<T>(operation, by, err)),
        Err(panic) => Err(aborted::<T>(
            operation,
            by,
            Error::Panicked {
                during: "a before hook",
                message: panic,
            },
        )),
    }
}

/// Runs an after step: a panic is logged, and the other steps still run.
async fn after_step<T: Entity>(operation: Operation, by: &str, step: impl Future<Output = ()>) {
    if let Err(panic) = catch_unwind(step).await {
        tracing::error!(
            entity = T::ENTITY,
            operation = operation.as_str(),
            by,
            panic,
            "an after hook panicked; the operation's result stands"
        );
    }
}

impl<T: Entity> Chain<T> {
    /// Whether nothing runs (no hooks, no plugins).
    pub(crate) fn is_empty(&self) -> bool {
        self.hooks.is_none() && self.plugins.is_empty()
    }

    fn call<'a>(
        operation: Operation,
        id: Option<&'a T::Id>,
        fields: &'a [&'static str],
        value: Value<'a>,
    ) -> PluginCall<'a> {
        PluginCall {
            entity: T::ENTITY,
            type_id: TypeId::of::<T>(),
            operation,
            insert: false,
            id: id.map(|id| id as &dyn AnyId),
            fields,
            value,
        }
    }

    /// Before a load of `id`.
    pub(crate) async fn before_load(&self, id: &T::Id) -> Result<(), Error> {
        const OP: Operation = Operation::Load;
        if let Some(h) = &self.hooks {
            before_step::<T>(OP, h.name, h.hooks.before_load(id)).await?;
        }
        for e in &self.plugins {
            let mut call = Self::call(OP, Some(id), &[], Value::None);
            before_step::<T>(OP, &e.name, e.plugin.before(&mut call)).await?;
        }
        Ok(())
    }

    /// After a load of `id` that found `loaded` (or nothing).
    pub(crate) async fn after_load(&self, id: &T::Id, loaded: Option<&T>) {
        const OP: Operation = Operation::Load;
        if let Some(h) = &self.hooks {
            after_step::<T>(OP, h.name, h.hooks.after_load(id, loaded)).await;
        }
        for e in &self.plugins {
            let value = match loaded {
                Some(v) => Value::Ref(v),
                None => Value::None,
            };
            let call = Self::call(OP, Some(id), &[], value);
            after_step::<T>(OP, &e.name, e.plugin.after(&call)).await;
        }
    }

    /// Before a publish: may rewrite `request`'s value. The caller adds the fields a step
    /// changed to an update's fields and refuses a changed id.
    pub(crate) async fn before_publish(&self, request: &mut Publish<T>) -> Result<(), Error> {
        const OP: Operation = Operation::Publish;
        if let Some(h) = &self.hooks {
            before_step::<T>(OP, h.name, h.hooks.before_publish(request)).await?;
        }
        if self.plugins.is_empty() {
            return Ok(());
        }
        let fields = request.field_names();
        let insert = matches!(request, Publish::Insert(_));
        for e in &self.plugins {
            let (id, value) = match request {
                Publish::Insert(value) => (value.id(), value),
                Publish::Update { id, value, .. } => (Some(id.clone()), value),
            };
            let mut call = Self::call(OP, id.as_ref(), &fields, Value::Mut(value));
            call.insert = insert;
            before_step::<T>(OP, &e.name, e.plugin.before(&mut call)).await?;
        }
        Ok(())
    }

    /// After a publish of `fields` (`insert` for a draft) that stored `stored`.
    pub(crate) async fn after_publish(&self, stored: &T, fields: &[&'static str], insert: bool) {
        const OP: Operation = Operation::Publish;
        if let Some(h) = &self.hooks {
            after_step::<T>(OP, h.name, h.hooks.after_publish(stored)).await;
        }
        let id = stored.id();
        for e in &self.plugins {
            let mut call = Self::call(OP, id.as_ref(), fields, Value::Ref(stored));
            call.insert = insert;
            after_step::<T>(OP, &e.name, e.plugin.after(&call)).await;
        }
    }

    /// Before a delete of `id`.
    pub(crate) async fn before_delete(&self, id: &T::Id) -> Result<(), Error> {
        const OP: Operation = Operation::Delete;
        if let Some(h) = &self.hooks {
            before_step::<T>(OP, h.name, h.hooks.before_delete(id)).await?;
        }
        for e in &self.plugins {
            let mut call = Self::call(OP, Some(id), &[], Value::None);
            before_step::<T>(OP, &e.name, e.plugin.before(&mut call)).await?;
        }
        Ok(())
    }

    /// After a delete of `id`.
    pub(crate) async fn after_delete(&self, id: &T::Id) {
        const OP: Operation = Operation::Delete;
        if let Some(h) = &self.hooks {
            after_step::<T>(OP, h.name, h.hooks.after_delete(id)).await;
        }
        for e in &self.plugins {
            let call = Self::call(OP, Some(id), &[], Value::None);
            after_step::<T>(OP, &e.name, e.plugin.after(&call)).await;
        }
    }
}

/// Prepares a publish: runs the before steps on `request`, then adds the plain fields they
/// changed to an update's fields (so a rewrite is written) and refuses a changed id.
pub(crate) async fn prepare_publish<T: Entity>(
    chain: &Chain<T>,
    request: &mut Publish<T>,
) -> Result<(), Error> {
    if chain.is_empty() {
        return Ok(());
    }
    let original = request.value().clone();
    chain.before_publish(request).await?;
    if original.id() != request.value().id() {
        return Err(aborted::<T>(
            Operation::Publish,
            "a before hook",
            Error::rejected("a hook may not change the id of the entity it publishes"),
        ));
    }
    if let Publish::Update { value, fields, .. } = request {
        for i in original.__diff(value).iter() {
            if T::FIELDS[i].kind() == crate::model::meta::FieldKind::Plain {
                fields.insert(i);
            }
        }
    }
    Ok(())
}

// The request type is the provider's; plugins are what rewrite it.
impl<T: Entity> Publish<T> {
    /// The value being published, to rewrite it (in a before-publish hook).
    pub fn value_mut(&mut self) -> &mut T {
        match self {
            Publish::Insert(value) | Publish::Update { value, .. } => value,
        }
    }
}

/// Runs `f`; a panic in it becomes its message (so a provider's or hook's panic fails the
/// operation instead of unwinding through the registry).
pub(crate) async fn catch_unwind<F: Future>(f: F) -> Result<F::Output, String> {
    futures_util::FutureExt::catch_unwind(AssertUnwindSafe(f))
        .await
        .map_err(|payload| crate::error::panic_message(payload.as_ref()))
}
