//! The live operations of an entity model: `load`, `publish`, `delete`, with flags and
//! lifecycle events.
//!
//! A provider call, once started, is driven by the caller's future and applies its own result
//! to the model; if that future is dropped first, the rest of the call moves to a spawned task
//! and still runs to its end (ADR 0009), so dropping the caller's future never leaves the model
//! and the store disagreeing. A timeout stops only the waiting.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use crate::entity::Entity;
use crate::error::Error;
use crate::event::field_set::FieldSet;
use crate::event::types::Event;
use crate::model::arrival::{Arrival, Events};
use crate::model::flags::Flags;
use crate::model::meta::{FieldKind, Reactive};
use crate::model::raw::Slot;
use crate::model::Model;
use crate::provider::{Provider, Publish};

use super::{prepare_publish, Registry};
use crate::error::catch_unwind;

/// Flag changes as `<flag>.changed` events.
fn flag_events(before: Flags, after: Flags, events: &mut Events) {
    if !events.is_on() || before == after {
        return;
    }
    let mut push = |name: &'static str, previous: serde_json::Value, value: serde_json::Value| {
        if previous != value {
            events.push(|| Event::new(name, json!({ "value": value, "previous": previous })));
        }
    };
    push(
        "fetching.changed",
        json!(before.fetching),
        json!(after.fetching),
    );
    push(
        "fetched.changed",
        json!(before.fetched),
        json!(after.fetched),
    );
    push("found.changed", json!(before.found), json!(after.found));
    push(
        "processing.changed",
        json!(before.processing),
        json!(after.processing),
    );
    push(
        "deleted.changed",
        json!(before.deleted),
        json!(after.deleted),
    );
}

/// Every plain field, as a set.
fn plain_fields<T: Reactive>() -> FieldSet {
    let mut set = FieldSet::EMPTY;
    for (i, f) in T::FIELDS.iter().enumerate() {
        if f.kind() == FieldKind::Plain {
            set.insert(i);
        }
    }
    set
}

/// What a completed call does to the model.
enum Apply<T> {
    /// A load found `stored`; `force` also replaces unpublished local edits.
    Loaded { stored: T, force: bool },
    /// A load found nothing.
    Missing,
    /// A publish stored `sent` as `stored`, writing `written`.
    Published {
        sent: T,
        stored: T,
        written: FieldSet,
    },
    /// A delete succeeded.
    Deleted,
    /// The call failed: only the flags are restored.
    Failed,
}

impl<T: Entity> Model<T> {
    /// The provider-call state.
    ///
    /// ```
    /// # use reactive::prelude::*;
    /// # #[derive(Reactive, Clone)] #[entity("notes")] struct Note { id: u64 }
    /// assert_eq!(Model::new(Note { id: 1 }).flags(), reactive::Flags::default());
    /// ```
    pub fn flags(&self) -> Flags {
        self.with_slot(|slot| slot.flags)
    }

    /// The registry this model belongs to, or the process default for an unregistered one.
    fn registry(&self) -> Registry {
        self.registered_in()
            .unwrap_or_else(|| Registry::global().clone())
    }

    /// Loads the stored value from the provider of this model's registry: fields without
    /// unpublished local edits take the stored values (with their events), the saved baseline
    /// becomes the stored value, a draft stops being one. [`Error::NotFound`] if the store has
    /// no entity of this id. An unregistered model joins the registry.
    pub async fn load(&self) -> Result<(), Error> {
        self.load_with(false).await
    }

    /// [`load`](Model::load) that also replaces unpublished local edits.
    pub async fn reload(&self) -> Result<(), Error> {
        self.load_with(true).await
    }

    /// [`load`](Model::load) for an unregistered model, through `registry` (which it joins).
    pub async fn load_from(&self, registry: &Registry) -> Result<(), Error> {
        self.load_in(registry.clone(), false).await
    }

    async fn load_with(&self, force: bool) -> Result<(), Error> {
        self.load_in(self.registry(), force).await
    }

    async fn load_in(&self, registry: Registry, force: bool) -> Result<(), Error> {
        let provider = registry.provider_of::<T>()?;
        let id = self
            .with(|v| v.id())
            .ok_or(Error::MissingId { entity: T::ENTITY })?;
        // Hooks and plugins run before anything changes: an abort leaves no trace.
        let chain = registry.chain::<T>();
        chain.before_load(&id).await?;
        let seq = self.start(|slot| slot.flags.fetching += 1, "pre:load");
        let model = self.clone();
        self.drive_to_end(seq, undo_fetching::<T>, async move {
            let outcome = caught(provider.load(&id), "the provider's load").await;
            let result = match outcome {
                Ok(Some(stored)) => {
                    let seen = (!chain.is_empty()).then(|| stored.clone());
                    model.finish(
                        seq,
                        Apply::Loaded { stored, force },
                        |slot| {
                            undo_fetching(slot);
                            slot.flags.fetched = true;
                            slot.flags.found = true;
                        },
                        &["load", "post:load"],
                    );
                    let joined = registry.ensure_joined(&model);
                    if let Some(seen) = seen {
                        chain.after_load(&id, Some(&seen)).await;
                    }
                    joined
                }
                Ok(None) => {
                    model.finish(
                        seq,
                        Apply::Missing,
                        |slot| {
                            undo_fetching(slot);
                            slot.flags.fetched = true;
                            slot.flags.found = false;
                        },
                        &["load", "post:load"],
                    );
                    chain.after_load(&id, None).await;
                    Err(Error::NotFound {
                        entity: T::ENTITY,
                        id: format!("{id:?}"),
                    })
                }
                Err(err) => {
                    model.finish(seq, Apply::Failed, undo_fetching::<T>, &[]);
                    Err(err)
                }
            };
            result
        })
        .await
    }

    /// Publishes the model through the provider of its registry: a draft is inserted whole;
    /// an existing entity sends only its dirty fields, with the version it was loaded at
    /// ([`Error::Conflict`] if the store moved on). The model must be valid. Publishes and
    /// deletes of one model take turns: one started while another is in flight waits for it to
    /// end, then sends what is dirty at that moment against the version it left. On success the
    /// saved baseline becomes what the store kept, the store's changes (a new version, a
    /// generated id, defaults) are applied with their events, fields edited while the call was
    /// in flight stay dirty, and an unregistered model joins the registry. On any error the
    /// model's values, flags and dirty fields are as before.
    pub async fn publish(&self) -> Result<(), Error> {
        self.publish_in(self.registry()).await
    }

    /// [`publish`](Model::publish) for an unregistered model (a draft, or a `Model::new`),
    /// through `registry`, which it joins on success.
    ///
    /// ```
    /// use reactive::prelude::*;
    /// use reactive::provider::MemoryProvider;
    ///
    /// #[derive(Reactive, Clone, Debug)]
    /// #[entity("notes")]
    /// struct Note { id: u64, text: String }
    ///
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// let registry = Registry::new();
    /// registry.provide(MemoryProvider::<Note>::new());
    /// let note = Model::draft(Note { id: 1, text: "hi".into() });
    /// note.publish_to(&registry).await?;
    /// assert!(!note.is_draft());
    /// assert!(registry.get::<Note>(&1).is_some());
    /// # Ok::<(), reactive::Error>(()) }).unwrap();
    /// ```
    pub async fn publish_to(&self, registry: &Registry) -> Result<(), Error> {
        self.publish_in(registry.clone()).await
    }

    async fn publish_in(&self, registry: Registry) -> Result<(), Error> {
        self.validate()?;
        let provider = registry.provider_of::<T>()?;
        let mut turn = self.write_turn().await;
        if turn.waited() {
            // The model may have changed while the other call was in flight.
            self.validate()?;
        }
        let request = self.with_slot(|slot| {
            if slot.draft {
                return Some(Publish::Insert(slot.value.clone()));
            }
            let saved = slot.saved.as_ref()?;
            let fields = saved.__diff(&slot.value);
            if fields.is_empty() {
                return None;
            }
            Some(Publish::Update {
                id: slot.value.id()?,
                value: slot.value.clone(),
                fields,
                expected_version: saved.version(),
            })
        });
        let Some(mut request) = request else {
            // Nothing to publish: not a draft and nothing dirty.
            return Ok(());
        };
        // The model's value the request was made from: what the store's response is compared
        // with (a field a hook rewrote is taken from the response; one edited meanwhile stays).
        let sent = request.value().clone();
        // Hooks and plugins run before anything changes: an abort leaves no trace.
        let chain = registry.chain::<T>();
        prepare_publish(&chain, &mut request).await?;
        let insert = matches!(request, Publish::Insert(_));
        let fields = if chain.is_empty() {
            Vec::new()
        } else {
            request.field_names()
        };
        let written = match &request {
            Publish::Insert(_) => plain_fields::<T>(),
            Publish::Update { fields, .. } => *fields,
        };
        let seq = self.start(begin_write, "pre:publish");
        turn.started();
        let model = self.clone();
        self.drive_to_end(seq, end_write::<T>, async move {
            // Held until the result is applied: the next publish or delete starts from it.
            let _turn = turn;
            let result = match caught(provider.publish(request), "the provider's publish").await {
                Ok(stored) => {
                    let seen = (!chain.is_empty()).then(|| stored.clone());
                    model.finish(
                        seq,
                        Apply::Published {
                            sent,
                            stored,
                            written,
                        },
                        end_write::<T>,
                        &["publish", "post:publish"],
                    );
                    let joined = registry.ensure_joined(&model);
                    if let Some(seen) = seen {
                        chain.after_publish(&seen, &fields, insert).await;
                    }
                    joined
                }
                Err(err) => {
                    model.finish(seq, Apply::Failed, end_write::<T>, &[]);
                    Err(err)
                }
            };
            result
        })
        .await
    }

    /// Deletes the entity through the provider of its registry (with its version, for a
    /// versioned entity). On success the `deleted` flag is set and the registry forgets the
    /// id (a `Deleted` registry event); on error nothing changes.
    pub async fn delete(&self) -> Result<(), Error> {
        self.delete_in(self.registry()).await
    }

    /// [`delete`](Model::delete) for an unregistered model, through `registry`.
    pub async fn delete_from(&self, registry: &Registry) -> Result<(), Error> {
        self.delete_in(registry.clone()).await
    }

    async fn delete_in(&self, registry: Registry) -> Result<(), Error> {
        let provider = registry.provider_of::<T>()?;
        let mut turn = self.write_turn().await;
        let (id, version) = self.with_slot(|slot| {
            let version = slot.saved.as_ref().unwrap_or(&slot.value).version();
            (slot.value.id(), version)
        });
        let id = id.ok_or(Error::MissingId { entity: T::ENTITY })?;
        // Hooks and plugins run before anything changes: an abort leaves no trace.
        let chain = registry.chain::<T>();
        chain.before_delete(&id).await?;
        let seq = self.start(begin_write, "pre:delete");
        turn.started();
        let model = self.clone();
        self.drive_to_end(seq, end_write::<T>, async move {
            let _turn = turn;
            let result = match caught(provider.delete(&id, version), "the provider's delete").await
            {
                Ok(()) => {
                    model.finish(
                        seq,
                        Apply::Deleted,
                        |slot| {
                            end_write(slot);
                            slot.flags.deleted = true;
                        },
                        &["delete", "post:delete"],
                    );
                    registry.deleted::<T>(id.clone());
                    chain.after_delete(&id).await;
                    Ok(())
                }
                Err(err) => {
                    model.finish(seq, Apply::Failed, end_write::<T>, &[]);
                    Err(err)
                }
            };
            result
        })
        .await
    }

    /// [`publish`](Model::publish), waiting at most `limit`: on [`Error::Timeout`] the call
    /// goes on, and its result is applied when it arrives.
    pub async fn publish_within(&self, limit: Duration) -> Result<(), Error> {
        tokio::time::timeout(limit, self.publish())
            .await
            .unwrap_or(Err(Error::Timeout {
                operation: "publish",
            }))
    }

    /// [`load`](Model::load), waiting at most `limit` (see [`publish_within`](Model::publish_within)).
    pub async fn load_within(&self, limit: Duration) -> Result<(), Error> {
        tokio::time::timeout(limit, self.load())
            .await
            .unwrap_or(Err(Error::Timeout { operation: "load" }))
    }

    /// Drives a started provider call (`call`, which applies its own result to the model) from
    /// the caller's future; dropping that future stops only the waiting: the rest of the call
    /// is spawned on the runtime and runs to its end. Outside a Tokio runtime the call is not
    /// made (a dropped call would have nowhere to finish): `undo` restores the flags.
    async fn drive_to_end(
        &self,
        seq: u64,
        undo: fn(&mut Slot<T>),
        call: impl std::future::Future<Output = Result<(), Error>> + Send + 'static,
    ) -> Result<(), Error> {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            self.finish(seq, Apply::Failed, undo, &[]);
            return Err(Error::NoRuntime);
        };
        // Driven here; finished in a task of its own if this future is dropped first.
        super::detached::Detached::new(runtime, call).await
    }

    /// Starts a provider call: a sequence number, the flag change and the `pre:` event.
    fn start(&self, flags: impl FnOnce(&mut Slot<T>), pre: &'static str) -> u64 {
        let mut seq = 0;
        self.commit_events(|slot, events| {
            let before = slot.flags;
            flags(slot);
            flag_events(before, slot.flags, events);
            slot.started += 1;
            seq = slot.started;
            events.push(|| Event::new(pre, json!(null)));
            None
        });
        seq
    }

    /// Applies a completed call: flags, values (unless a newer response was applied already),
    /// then the lifecycle events, as one delivery.
    fn finish(
        &self,
        seq: u64,
        apply: Apply<T>,
        flags: impl FnOnce(&mut Slot<T>),
        after: &[&'static str],
    ) {
        self.commit_events(|slot, events| {
            let before = slot.flags;
            flags(slot);
            flag_events(before, slot.flags, events);
            let applies = applies(slot, seq, &apply);
            if applies != Applies::No {
                slot.applied = slot.applied.max(seq);
            }
            // What applies is decided here (the registry's policy); the model applies it.
            let next = match apply {
                Apply::Loaded { stored, force } if applies == Applies::Whole => {
                    slot.draft = false;
                    // Fields with unpublished local edits keep them, unless forced.
                    let keep_local = match (&slot.saved, force) {
                        (Some(saved), false) => saved.__diff(&slot.value),
                        _ => FieldSet::EMPTY,
                    };
                    let mut take = plain_fields::<T>();
                    for i in keep_local.iter() {
                        take.remove(i);
                    }
                    Some(slot.arrive(Arrival::Whole { stored, take }))
                }
                Apply::Published {
                    sent,
                    stored,
                    written,
                } if applies == Applies::Written => {
                    // An unversioned entity whose later-started load was applied first: the
                    // fields this publish wrote are re-baselined from the store's answer, the
                    // others keep what that load brought.
                    let mut take = FieldSet::EMPTY;
                    let edited = sent.__diff(&slot.value);
                    for i in sent.__diff(&stored).iter() {
                        if written.contains(i) && !edited.contains(i) {
                            take.insert(i);
                        }
                    }
                    Some(slot.arrive(Arrival::Fields {
                        stored,
                        fields: written,
                        take,
                    }))
                }
                Apply::Published { sent, stored, .. } if applies == Applies::Whole => {
                    slot.draft = false;
                    // Take what the store changed (a version, a generated id, defaults) unless
                    // the field was edited while the call was in flight; the baseline is what
                    // the store kept, so those edits stay dirty.
                    let mut take = sent.__diff(&stored);
                    for i in sent.__diff(&slot.value).iter() {
                        take.remove(i);
                    }
                    Some(slot.arrive(Arrival::Whole { stored, take }))
                }
                _ => None,
            };
            for name in after {
                events.push(|| Event::new(*name, json!(null)));
            }
            next
        });
    }
}

/// Runs a provider call; a panic in it becomes [`Error::Panicked`], so the code that applies
/// its result still restores the flags and answers the caller.
pub(crate) async fn caught<R>(
    call: impl std::future::Future<Output = Result<R, Error>>,
    during: &'static str,
) -> Result<R, Error> {
    catch_unwind(call)
        .await
        .unwrap_or_else(|message| Err(Error::Panicked { during, message }))
}

impl Registry {
    /// Publishes every model (see [`Model::publish`]); one outcome per model, in input order.
    /// The calls run one after the other; each is applied whatever happens to the others.
    pub async fn publish_many<T: Entity>(&self, models: &[Model<T>]) -> Vec<Result<(), Error>> {
        let mut outcomes = Vec::with_capacity(models.len());
        for model in models {
            outcomes.push(model.publish_to(self).await);
        }
        outcomes
    }

    /// Deletes every model (see [`Model::delete`]); one outcome per model, in input order.
    pub async fn delete_many<T: Entity>(&self, models: &[Model<T>]) -> Vec<Result<(), Error>> {
        let mut outcomes = Vec::with_capacity(models.len());
        for model in models {
            outcomes.push(model.delete_from(self).await);
        }
        outcomes
    }

    /// The provider set for `T` ([`Error::NoProvider`] without one).
    pub(crate) fn provider_of<T: Entity>(&self) -> Result<Arc<dyn Provider<T>>, Error> {
        self.entity_set::<T>().provider()
    }

    /// Registers a model that loaded or published successfully, if it is not yet.
    fn ensure_joined<T: Entity>(&self, model: &Model<T>) -> Result<(), Error> {
        if model.registered_in().is_some() {
            return Ok(());
        }
        self.join(model)
    }
}

impl<T: Entity> Model<T> {
    /// One commit of provider-call state and of a value that arrived (`model/arrival.rs`).
    fn commit_events(&self, update: impl FnOnce(&mut Slot<T>, &mut Events) -> Option<T>) {
        self.raw_model().commit_slot(update);
    }
}

/// A load that ended gives its `fetching` back.
fn undo_fetching<T>(slot: &mut Slot<T>) {
    slot.flags.fetching = slot.flags.fetching.saturating_sub(1);
}

/// A publish or delete starts: counted in flight.
fn begin_write<T>(slot: &mut Slot<T>) {
    slot.writes += 1;
    slot.flags.processing = true;
}

/// A publish or delete ended (or gave up its turn): `processing` until the last one ends.
fn end_write<T>(slot: &mut Slot<T>) {
    slot.writes = slot.writes.saturating_sub(1);
    slot.flags.processing = slot.writes > 0;
}

/// How much of a completed call's answer the model takes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Applies {
    /// Nothing: an older answer than one already applied.
    No,
    /// The whole answer: values and the saved baseline.
    Whole,
    /// Only the fields a publish wrote (an unversioned entity's publish that a later-started
    /// load overtook).
    Written,
}

/// Which answers apply (ADR 0006 as amended by issue 10). For a versioned entity, by data age:
/// an answer carrying an older version than the model's baseline never regresses it, one at
/// the same or a newer version applies whatever the order the calls started in. For an
/// unversioned entity loads apply in request order, and an acknowledged publish always
/// re-baselines the fields it wrote.
fn applies<T: Entity>(slot: &Slot<T>, seq: u64, apply: &Apply<T>) -> Applies {
    let fresh = seq > slot.applied;
    let held = slot.saved.as_ref().unwrap_or(&slot.value).version();
    match apply {
        Apply::Loaded { stored, .. } => match (stored.version(), held) {
            (Some(stored), Some(held)) if stored >= held => Applies::Whole,
            (Some(_), Some(_)) => Applies::No,
            _ if fresh => Applies::Whole,
            _ => Applies::No,
        },
        Apply::Published { stored, .. } => match (stored.version(), held) {
            (Some(stored), Some(held)) if stored >= held => Applies::Whole,
            (Some(_), Some(_)) => Applies::No,
            _ if fresh => Applies::Whole,
            _ => Applies::Written,
        },
        Apply::Missing | Apply::Deleted | Apply::Failed => Applies::No,
    }
}

/// A model's turn to publish or delete: publishes and deletes of one model take turns, so a
/// second one is built from what the first left (its version, its baseline).
struct WriteTurn<T: Entity> {
    _turn: tokio::sync::OwnedMutexGuard<()>,
    /// While it waited, the call was counted in `writes` (so `processing` stayed true): that
    /// count is given back when the call starts (and counts itself) or gives up.
    queued: Option<Queued<T>>,
}

impl<T: Entity> WriteTurn<T> {
    /// Whether it waited for another call of the model to end.
    fn waited(&self) -> bool {
        self.queued.is_some()
    }

    /// The call has started and counts itself in flight.
    fn started(&mut self) {
        self.queued = None;
    }
}

/// A call counted in flight while it waits for its turn; uncounted when dropped.
struct Queued<T: Entity>(Model<T>);

impl<T: Entity> Drop for Queued<T> {
    fn drop(&mut self) {
        self.0.commit_events(|slot, events| {
            let before = slot.flags;
            end_write(slot);
            flag_events(before, slot.flags, events);
            None
        });
    }
}

impl<T: Entity> Model<T> {
    /// Waits for this model's turn to publish or delete. Without another call in flight it is
    /// taken at once and changes nothing; otherwise the call counts as in flight while it waits
    /// (dropping the future while it waits gives that back).
    async fn write_turn(&self) -> WriteTurn<T> {
        let turns = {
            let mut slot = self.raw_model().0.state.write();
            slot.write_turns
                .get_or_insert_with(Default::default)
                .clone()
        };
        if let Ok(turn) = turns.clone().try_lock_owned() {
            return WriteTurn {
                _turn: turn,
                queued: None,
            };
        }
        self.commit_events(|slot, events| {
            let before = slot.flags;
            begin_write(slot);
            flag_events(before, slot.flags, events);
            None
        });
        let queued = Queued(self.clone());
        let turn = turns.lock_owned().await;
        WriteTurn {
            _turn: turn,
            queued: Some(queued),
        }
    }
}
