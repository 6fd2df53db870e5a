//! Setting and removing a registry's hooks and plugins, and the registry's record of them.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::RwLock;

use super::chain::Chain;
use super::hooks::EntityHooks;
use super::plugin::Plugin;
use crate::entity::Entity;
use crate::registry::Registry;

/// A registered plugin, with its name and priority read once.
#[derive(Clone)]
pub(super) struct Entry {
    pub(super) name: String,
    pub(super) priority: i32,
    pub(super) plugin: Arc<dyn Plugin>,
}

/// The entity's hooks, with the type name used in errors.
pub(super) struct HooksOf<T: Entity> {
    pub(super) name: &'static str,
    pub(super) hooks: Arc<dyn EntityHooks<T>>,
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
