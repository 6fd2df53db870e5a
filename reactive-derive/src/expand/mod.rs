//! Code generation: one file per generated piece.
//!
//! On error the expansion is the `compile_error!`s plus a fallback of the same API (key
//! consts, handle types, trait impls) whose bodies are unreachable, so uses of `User::NAME`
//! or `model.set_name(..)` elsewhere do not cascade into more errors.

mod batch;
mod handle;
mod json;
mod keys;
mod reactive_impl;

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use syn::{DeriveInput, Generics};

use crate::ast::{self, Field, Input};
use crate::check::{self, Analysis};
use crate::ctxt::Ctxt;

/// What every generated piece needs.
pub(crate) struct Ctx<'a> {
    pub(crate) input: &'a Input<'a>,
    pub(crate) analysis: &'a Analysis,
    /// The runtime crate's path (`::reactive` unless `#[reactive(crate = ..)]`).
    pub(crate) krate: TokenStream,
    /// `User<G>`.
    pub(crate) self_ty: TokenStream,
    pub(crate) handle: Ident,
    pub(crate) batch: Ident,
    /// Generating the error fallback: bodies are unreachable, user expressions left out.
    pub(crate) fallback: bool,
}

impl Ctx<'_> {
    /// The fields in the field table, in declaration order.
    pub(crate) fn table_fields(&self) -> impl Iterator<Item = (usize, &Field<'_>)> {
        self.input
            .fields
            .iter()
            .filter_map(|f| f.index.map(|i| (i, f)))
    }

    /// `impl<G>` generics, type generics and where clause of the struct.
    pub(crate) fn generics(&self) -> &Generics {
        self.input.generics
    }

    /// `<User<G>>::KEY` for a field.
    pub(crate) fn key_path(&self, field: &Field<'_>) -> TokenStream {
        let self_ty = &self.self_ty;
        let key = keys::key_ident(field);
        quote!(<#self_ty>::#key)
    }

    /// A body that the fallback never runs.
    pub(crate) fn unreachable(&self) -> TokenStream {
        quote!(::core::unreachable!(
            "the `Reactive` derive reported an error"
        ))
    }
}

/// The derive's entry point: parse, check, expand (or fall back).
pub(crate) fn derive(input: &DeriveInput) -> TokenStream {
    let mut cx = Ctxt::default();
    let Some(parsed) = ast::parse(&mut cx, input) else {
        return cx.into_compile_errors();
    };
    let analysis = check::check(&mut cx, &parsed);
    let fallback = cx.has_errors();
    let krate = match &parsed.attrs.crate_path {
        Some(path) => quote!(#path),
        None => quote!(::reactive),
    };
    let ident = parsed.ident;
    let (_, ty_generics, _) = parsed.generics.split_for_impl();
    let ctx = Ctx {
        input: &parsed,
        analysis: &analysis,
        krate,
        self_ty: quote!(#ident #ty_generics),
        handle: format_ident!("{}Handle", ident),
        batch: format_ident!("{}Batch", ident),
        fallback,
    };
    let errors = cx.into_compile_errors();
    let keys = keys::expand(&ctx);
    let handle = handle::expand(&ctx);
    let batch = batch::expand(&ctx);
    let reactive = reactive_impl::expand(&ctx);
    let json = json::expand(&ctx);
    quote! {
        #errors
        #keys
        #handle
        #batch
        #reactive
        #json
    }
}

/// Expands a struct for the snapshot tests, as formatted source.
#[cfg(test)]
pub(crate) fn expand_to_string(source: &str) -> String {
    let input: DeriveInput = match syn::parse_str(source) {
        Ok(input) => input,
        Err(err) => return format!("parse error: {err}"),
    };
    let tokens = derive(&input);
    match syn::parse2::<syn::File>(tokens.clone()) {
        Ok(file) => prettyplease::unparse(&file),
        Err(_) => tokens.to_string(),
    }
}
