//! The derive macro of [`reactive`](https://docs.rs/reactive): `#[derive(Reactive)]`.
//!
//! Pipeline, after serde_derive: [`ast`] reads the input and its attributes ([`attr`]),
//! [`check`] runs the cross-field checks, [`expand`] generates; every error is collected in a
//! [`ctxt::Ctxt`] and reported in one compile, with a fallback expansion so that uses of the
//! generated API do not cascade into more errors. No input makes the macro panic.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod ast;
mod attr;
mod check;
mod ctxt;
mod expand;
mod reserved;

#[cfg(test)]
mod tests;

use proc_macro::TokenStream;

/// Makes a plain struct with named fields reactive: typed field keys (`User::NAME`), a
/// generated handle behind `Model<User>` (`name()`, `set_name(..)`, `on_name(..)`), a batch
/// handle, the field table, and computed fields.
///
/// Field attributes: `#[reactive(skip)]`, `#[reactive(rename = "..")]`,
/// `#[reactive(computed = Self::f, deps(a, b))]`, `#[reactive(computed = self.a + self.b)]`.
/// Struct attribute: `#[reactive(crate = path)]` when the runtime is re-exported.
#[proc_macro_derive(Reactive, attributes(reactive))]
pub fn derive_reactive(input: TokenStream) -> TokenStream {
    match syn::parse::<syn::DeriveInput>(input) {
        Ok(input) => expand::derive(&input).into(),
        Err(err) => err.to_compile_error().into(),
    }
}

/// The names a reactive field may not take, as a `&[&str]` literal (the runtime's
/// `RESERVED_NAMES`). Not a public API.
#[doc(hidden)]
#[proc_macro]
pub fn __reserved_names(_input: TokenStream) -> TokenStream {
    let names = reserved::reserved_names();
    quote::quote!(&[#(#names),*]).into()
}
