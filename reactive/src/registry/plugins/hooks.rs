//! The typed hooks of one entity type.

use async_trait::async_trait;

use crate::entity::Entity;
use crate::error::Error;
use crate::provider::Publish;

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
