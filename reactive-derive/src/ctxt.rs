//! Error accumulator: every mistake in one input is reported in one compile.

use std::fmt::Display;

use proc_macro2::TokenStream;
use quote::ToTokens;

/// Collects spanned errors while the input is parsed and checked.
#[derive(Default)]
pub(crate) struct Ctxt {
    errors: Vec<syn::Error>,
}

impl Ctxt {
    /// An error spanning `tokens`, with a `help` line.
    pub(crate) fn error_help(
        &mut self,
        tokens: impl ToTokens,
        message: impl Display,
        help: impl Display,
    ) {
        self.errors.push(syn::Error::new_spanned(
            tokens,
            format!("{message}\n= help: {help}"),
        ));
    }

    /// An error at `span`, with a `help` line.
    pub(crate) fn error_help_at(
        &mut self,
        span: proc_macro2::Span,
        message: impl Display,
        help: impl Display,
    ) {
        self.errors
            .push(syn::Error::new(span, format!("{message}\n= help: {help}")));
    }

    pub(crate) fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// All errors as `compile_error!` invocations.
    pub(crate) fn into_compile_errors(self) -> TokenStream {
        self.errors
            .into_iter()
            .map(|e| e.to_compile_error())
            .collect()
    }
}
