//! The one error type of the crate.

use std::fmt;

/// Everything that can go wrong in `reactive`, as variants a caller can match.
///
/// The enum is `#[non_exhaustive]`: later capabilities (validation, providers, queries) add
/// variants, so a `match` needs a wildcard arm.
///
/// It is `Clone`: when one provider call serves several waiters (`Registry::get_or_load`),
/// each gets the same variant, never a wrapper. Errors of user code are kept behind an `Arc`
/// ([`Error::Other`]) for that.
///
/// ```
/// use reactive::prelude::*;
///
/// #[derive(Reactive, Clone, Debug)]
/// struct Counter {
///     n: u64,
/// }
///
/// let counter = Model::new(Counter { n: 0 });
/// let inner = counter.clone();
/// let result = counter.update(|c| {
///     c.n = 1;
///     // Writing the same model through a handle inside its own batch is refused.
///     inner.set(Counter::N, 2)
/// });
/// assert!(matches!(result, Ok(Err(Error::Reentrant { .. }))));
/// ```
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A write reached a model from inside that model's own `update`/`batch` closure, through
    /// another handle. Write through the closure's argument instead.
    #[error(
        "re-entrant write to `{model}`: it was written through a handle inside its own \
         update/batch closure; write through the closure's argument instead"
    )]
    Reentrant {
        /// The model's type name.
        model: &'static str,
    },
    /// Listeners kept writing: the chain of writes made from listeners on one thread crossed
    /// [`FEEDBACK_LIMIT`](crate::FEEDBACK_LIMIT) and this write was refused.
    #[error(
        "feedback loop cut: more than {limit} chained writes from listeners; the write to \
         `{model}.{field}` was refused"
    )]
    FeedbackLoop {
        /// The model's type name.
        model: &'static str,
        /// The field whose write crossed the bound (`*` for a whole batch).
        field: &'static str,
        /// The bound that was crossed.
        limit: usize,
    },
    /// A batch broke the type's validation rules; nothing was changed. The report lists the
    /// errors per field.
    #[error("validation failed: {0}")]
    Validation(crate::ValidationReport),
    /// A hook or a domain rule refused the write; nothing was changed.
    #[error("`{model}` refused the change: {reason}")]
    Rejected {
        /// The model's type name (empty when raised outside a model).
        model: &'static str,
        /// Why.
        reason: String,
    },
    /// A model of this id is already live in the registry.
    #[error("a `{entity}` with id {id} is already live in this registry")]
    AlreadyLive {
        /// The entity name.
        entity: &'static str,
        /// The id, formatted with `Debug`.
        id: String,
    },
    /// No entity of this id is stored (or live, for a registry lookup).
    #[error("no `{entity}` with id {id}")]
    NotFound {
        /// The entity name.
        entity: &'static str,
        /// The id, formatted with `Debug`.
        id: String,
    },
    /// An insert of an id the store already has.
    #[error("a `{entity}` with id {id} is already stored")]
    AlreadyStored {
        /// The entity name.
        entity: &'static str,
        /// The id, formatted with `Debug`.
        id: String,
    },
    /// Optimistic concurrency: the stored version is not the one the write was made against;
    /// nothing was written.
    #[error("`{entity}` {id} changed meanwhile: expected version {expected:?}, stored {actual:?}")]
    Conflict {
        /// The entity name.
        entity: &'static str,
        /// The id, formatted with `Debug`.
        id: String,
        /// The version the write was made against.
        expected: Option<u64>,
        /// The stored version.
        actual: Option<u64>,
    },
    /// No provider was set for this entity (`Registry::provide`).
    #[error("no provider for `{entity}`: set one with `Registry::provide`")]
    NoProvider {
        /// The entity name.
        entity: &'static str,
    },
    /// The caller stopped waiting: the provider call goes on and its result is applied when it
    /// arrives, so the outcome is unknown to this caller.
    #[error("{operation} timed out: the call goes on, its outcome is unknown")]
    Timeout {
        /// The operation (`load`, `publish`, `delete`).
        operation: &'static str,
    },
    /// A provider call was started outside a Tokio runtime: a call whose caller stops waiting
    /// is finished on the runtime, so one is needed.
    #[error(
        "no Tokio runtime: a provider call needs one to finish on if its caller stops waiting"
    )]
    NoRuntime,
    /// The entity has no id yet (a generated id is assigned by its first publish).
    #[error("this `{entity}` has no id yet: publish it to get one")]
    MissingId {
        /// The entity name.
        entity: &'static str,
    },
    /// A before hook or a plugin aborted a provider call (with an error or a panic): the
    /// provider was not called, nothing was written and the model is as it was.
    #[error("the {operation} of `{entity}` was aborted by `{by}`: {source}")]
    Aborted {
        /// The entity name.
        entity: &'static str,
        /// The operation (`load`, `publish`, `delete`).
        operation: &'static str,
        /// The plugin's name, or the type name of the entity's hooks.
        by: String,
        /// The error the hook or plugin returned.
        source: Box<Error>,
    },
    /// User code (a provider, a hook) panicked during an operation; the panic was caught and
    /// the operation failed with nothing applied to the model.
    #[error("{during} panicked: {message}")]
    Panicked {
        /// What panicked (`the provider's load`, `a before hook`).
        during: &'static str,
        /// The panic's message.
        message: String,
    },
    /// A string naming a field did not match any field of the model.
    #[error("`{model}` has no field named `{name}`")]
    UnknownField {
        /// The model's type name.
        model: &'static str,
        /// The name that was asked for.
        name: String,
    },
    /// A query that cannot run against its entity: a field name that does not exist, an
    /// operator that does not apply to the field, a limit of 0 or over the maximum.
    #[error("invalid query on `{entity}`: {reason}")]
    InvalidQuery {
        /// The entity name.
        entity: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A value that cannot be a query value (NaN, NUL in a string, an integer outside
    /// `i64`): in a filter, or in a stored field a query reads.
    #[error("invalid value for `{field}`: {reason}")]
    InvalidValue {
        /// The field's name.
        field: String,
        /// Why.
        reason: ValueError,
    },
    /// A cursor that was altered, or that belongs to another query.
    #[error("invalid cursor: {reason}")]
    InvalidCursor {
        /// Why.
        reason: String,
    },
    /// The provider cannot serve what was asked (an operator, an operation); it never
    /// ignores it.
    #[error("the provider of `{entity}` does not support {what}")]
    Unsupported {
        /// The entity name.
        entity: &'static str,
        /// What is not supported, e.g. "the `ends_with` operator".
        what: String,
    },
    /// A stored row could not be read back into the entity: a column holds a value its
    /// field cannot take (a schema changed outside the entity, a value written by hand).
    #[error("cannot read `{entity}`.`{column}`: {reason}")]
    Decode {
        /// The entity name.
        entity: &'static str,
        /// The column.
        column: String,
        /// Why.
        reason: String,
    },
    /// The database's table does not match the entity: a column is missing or of another
    /// type (`ensure_schema`).
    #[error("the table of `{entity}` does not match the entity: column `{column}` {problem}")]
    Schema {
        /// The entity name.
        entity: &'static str,
        /// The column.
        column: String,
        /// What is wrong, e.g. "is missing" or "is TEXT, expected INTEGER".
        problem: String,
    },
    /// The store failed: it could not be opened or reached, it is read-only or locked, or it
    /// refused a write (a constraint, a trigger). Nothing was written.
    #[error("{backend}: {kind}: {message}")]
    Storage {
        /// The backend (`sqlite`, `postgres`).
        backend: &'static str,
        /// What kind of failure, to match on.
        kind: StorageErrorKind,
        /// The driver's message.
        message: String,
    },
    /// An error raised by user code (a listener, a domain rule) and carried through, shared
    /// so that the error stays `Clone`.
    #[error(transparent)]
    Other(std::sync::Arc<dyn std::error::Error + Send + Sync>),
}

/// Any boxed error becomes [`Error::Other`] (so `?` works on `Box<dyn Error + Send + Sync>`).
///
/// ```
/// let boxed: Box<dyn std::error::Error + Send + Sync> = "the job failed".into();
/// let err = reactive::Error::from(boxed);
/// assert!(matches!(err, reactive::Error::Other(_)));
/// assert_eq!(err.to_string(), "the job failed");
/// ```
impl From<Box<dyn std::error::Error + Send + Sync>> for Error {
    fn from(err: Box<dyn std::error::Error + Send + Sync>) -> Self {
        Error::Other(err.into())
    }
}

impl Error {
    /// Wraps any error as [`Error::Other`].
    ///
    /// ```
    /// let err = reactive::Error::other(std::io::Error::other("disk full"));
    /// assert_eq!(err.to_string(), "disk full");
    /// ```
    pub fn other(err: impl std::error::Error + Send + Sync + 'static) -> Self {
        Error::Other(std::sync::Arc::new(err))
    }

    /// A refusal by a hook or a domain rule: [`Error::Rejected`].
    ///
    /// ```
    /// let err = reactive::Error::rejected("the room is locked");
    /// assert!(matches!(err, reactive::Error::Rejected { .. }));
    /// ```
    pub fn rejected(reason: impl fmt::Display) -> Self {
        Error::Rejected {
            model: "",
            reason: reason.to_string(),
        }
    }

    /// Builds an [`Error::Other`] from a message.
    ///
    /// ```
    /// let err = reactive::Error::msg("the job failed");
    /// assert_eq!(err.to_string(), "the job failed");
    /// ```
    pub fn msg(message: impl fmt::Display) -> Self {
        Error::from(Box::<dyn std::error::Error + Send + Sync>::from(
            message.to_string(),
        ))
    }
}

/// What kind of storage failure an [`Error::Storage`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StorageErrorKind {
    /// The database could not be opened or created (a missing directory, no permission).
    CannotOpen,
    /// The database is read-only.
    ReadOnly,
    /// The database is locked by another connection and stayed locked past the busy timeout.
    Busy,
    /// The server cannot be reached, or the connection was lost.
    Unavailable,
    /// A constraint or trigger refused the write.
    Constraint,
    /// Any other failure of the store.
    Other,
}

impl fmt::Display for StorageErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StorageErrorKind::CannotOpen => "cannot open the database",
            StorageErrorKind::ReadOnly => "the database is read-only",
            StorageErrorKind::Busy => "the database is locked",
            StorageErrorKind::Unavailable => "the server is unavailable",
            StorageErrorKind::Constraint => "a constraint refused the write",
            StorageErrorKind::Other => "storage error",
        })
    }
}

/// `Result` with [`Error`] as its error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a value cannot be a query value. The same reasons in every provider.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ValueError {
    /// A float that is NaN.
    NaN,
    /// An infinite float (JSON, and so a query sent by a client, cannot carry it).
    Infinite,
    /// A string with a NUL character (PostgreSQL cannot store it).
    Nul,
    /// An integer outside `i64` (e.g. a `u64` above `i64::MAX`).
    OutOfRange {
        /// The integer, in decimal.
        value: String,
    },
    /// Not a scalar: a struct, a sequence, a map, bytes or a variant with data. Mark such a
    /// field `#[reactive(json)]`.
    NotScalar {
        /// What it was.
        found: &'static str,
    },
    /// A `#[reactive(text)]` field whose serde form is not a string.
    NotText,
    /// The value's `Serialize` implementation failed, with this message.
    Custom(String),
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValueError::NaN => f.write_str("NaN is not a query value"),
            ValueError::Infinite => f.write_str("an infinite float is not a query value"),
            ValueError::Nul => f.write_str("strings may not contain NUL characters"),
            ValueError::OutOfRange { value } => {
                write!(f, "{value} is outside the range of a 64-bit signed integer")
            }
            ValueError::NotScalar { found } => write!(
                f,
                "{found} is not a scalar query value (mark the field `#[reactive(json)]`)"
            ),
            ValueError::NotText => {
                f.write_str("a `#[reactive(text)]` field must serialize as a string")
            }
            ValueError::Custom(message) => write!(f, "serialization failed: {message}"),
        }
    }
}

impl std::error::Error for ValueError {}

/// Runs `f`; a panic in it becomes its message (so a provider's or hook's panic fails the
/// operation instead of unwinding through the registry).
pub(crate) async fn catch_unwind<F: std::future::Future>(f: F) -> Result<F::Output, String> {
    futures_util::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(f))
        .await
        .map_err(|payload| panic_message(payload.as_ref()))
}

/// The message of a panic payload (`Error::Panicked`, listener panic reports): its text when it
/// has one.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_string()
    }
}
