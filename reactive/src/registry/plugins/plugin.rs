//! Plugins: code of any entity type around every provider call, and the call they see.

use std::any::{Any, TypeId};
use std::fmt::{self, Debug};
use std::sync::Arc;

use async_trait::async_trait;

use super::Operation;
use crate::entity::Entity;
use crate::error::Error;

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
pub(super) trait AnyId: Any + Debug + Send + Sync {
    fn as_any(&self) -> &dyn Any;
}

impl<I: Any + Debug + Send + Sync> AnyId for I {
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// What a call carries of the entity's value: nothing, the value found or stored, or the value
/// being published (to rewrite).
pub(super) enum CallValue<'a> {
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
    pub(super) entity: &'static str,
    pub(super) type_id: TypeId,
    pub(super) operation: Operation,
    pub(super) insert: bool,
    pub(super) id: Option<&'a dyn AnyId>,
    pub(super) fields: &'a [&'static str],
    pub(super) value: CallValue<'a>,
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
            CallValue::None => None,
            CallValue::Ref(v) => v.downcast_ref::<T>(),
            CallValue::Mut(v) => v.downcast_ref::<T>(),
        }
    }

    /// The value being published, to rewrite it: only before a publish of a `T`. The id must
    /// not change (the call is aborted if it does).
    pub fn value_mut<T: Entity>(&mut self) -> Option<&mut T> {
        match &mut self.value {
            CallValue::Mut(v) => v.downcast_mut::<T>(),
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
