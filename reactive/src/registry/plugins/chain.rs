//! The chain one provider call runs: the entity's hooks, then the plugins by priority; and the
//! preparation of a publish (its rewrites written, its id kept).

use std::any::TypeId;
use std::future::Future;
use std::sync::Arc;

use super::plugin::{AnyId, CallValue, PluginCall};
use super::registration::{Entry, HooksOf};
use super::Operation;
use crate::entity::Entity;
use crate::error::{catch_unwind, Error};
use crate::provider::Publish;

/// The hooks and plugins of one entity type, snapshotted for one operation.
///
/// Every path that calls a provider runs it: `before_*` before the provider call (an error
/// aborts with nothing written), `after_*` once the call succeeded. A bulk or collection path
/// takes one chain (`registry.chain::<T>()`) and calls `before_publish` for each entity before
/// its provider call, then `after_publish` with each stored value; a list's loaded items go
/// through `after_load`.
pub(crate) struct Chain<T: Entity> {
    pub(super) hooks: Option<Arc<HooksOf<T>>>,
    pub(super) plugins: Vec<Entry>,
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
        value: CallValue<'a>,
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
            let mut call = Self::call(OP, Some(id), &[], CallValue::None);
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
                Some(v) => CallValue::Ref(v),
                None => CallValue::None,
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
            let mut call = Self::call(OP, id.as_ref(), &fields, CallValue::Mut(value));
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
            let mut call = Self::call(OP, id.as_ref(), fields, CallValue::Ref(stored));
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
            let mut call = Self::call(OP, Some(id), &[], CallValue::None);
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
            let call = Self::call(OP, Some(id), &[], CallValue::None);
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
