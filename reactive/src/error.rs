//! The one error type of the crate.

use std::fmt;

/// Everything that can go wrong in `reactive`, as variants a caller can match.
///
/// The enum is `#[non_exhaustive]`: later capabilities (validation, providers, queries) add
/// variants, so a `match` needs a wildcard arm.
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
#[derive(Debug, thiserror::Error)]
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
    /// A string naming a field did not match any field of the model.
    #[error("`{model}` has no field named `{name}`")]
    UnknownField {
        /// The model's type name.
        model: &'static str,
        /// The name that was asked for.
        name: String,
    },
    /// An error raised by user code (a listener, a domain rule) and carried through.
    #[error(transparent)]
    Other(#[from] Box<dyn std::error::Error + Send + Sync>),
}

impl Error {
    /// Wraps any error as [`Error::Other`].
    ///
    /// ```
    /// let err = reactive::Error::other(std::io::Error::other("disk full"));
    /// assert_eq!(err.to_string(), "disk full");
    /// ```
    pub fn other(err: impl std::error::Error + Send + Sync + 'static) -> Self {
        Error::Other(Box::new(err))
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
        Error::Other(message.to_string().into())
    }
}

/// `Result` with [`Error`] as its error.
pub type Result<T, E = Error> = std::result::Result<T, E>;
