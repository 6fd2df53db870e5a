//! Code generation: one file per generated piece.
//!
//! On error the expansion is the `compile_error!`s plus a fallback of the same API (key
//! consts, handle types, trait impls) whose bodies are unreachable, so uses of `User::NAME`
//! or `model.set_name(..)` elsewhere do not cascade into more errors.

mod batch;
mod entity;
mod handle;
mod json;
mod keys;
mod query;
mod reactive_impl;
mod record;

use std::collections::BTreeSet;

use proc_macro2::{Group, Ident, Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned};
use syn::{DeriveInput, GenericParam, Generics, WhereClause};

use crate::ast::{self, Field, Input};
use crate::check::{self, Analysis};
use crate::ctxt::Ctxt;

/// What every generated piece needs.
pub(crate) struct Ctx<'a> {
    pub(crate) input: &'a Input<'a>,
    pub(crate) analysis: &'a Analysis,
    /// Stands for the runtime crate's path; see [`resolve_runtime`].
    pub(crate) krate: Ident,
    /// `User<G>`.
    pub(crate) self_ty: TokenStream,
    pub(crate) handle: Ident,
    pub(crate) batch: Ident,
    /// Generating the error fallback: bodies are unreachable, user expressions left out.
    pub(crate) fallback: bool,
}

impl Ctx<'_> {
    /// The fields in the field table, in declaration order, with their table index.
    pub(crate) fn table_fields(&self) -> impl Iterator<Item = (usize, &Field<'_>)> {
        self.input
            .fields
            .iter()
            .filter_map(|f| f.index.map(|i| (i, f)))
    }

    /// The table fields that get a key const and methods: all of them, unless the checks left
    /// some out (a name that is not an identifier, or one that clashes with another field's).
    pub(crate) fn item_fields(&self) -> impl Iterator<Item = (usize, &Field<'_>)> {
        self.input
            .fields
            .iter()
            .enumerate()
            .filter(|(pos, _)| !self.analysis.omit.contains(pos))
            .filter_map(|(_, f)| f.index.map(|i| (i, f)))
    }

    /// `impl<G>` generics, type generics and where clause of the struct.
    pub(crate) fn generics(&self) -> &Generics {
        &self.input.generics
    }

    /// `<User<G>>::KEY` for a field.
    pub(crate) fn key_path(&self, field: &Field<'_>) -> TokenStream {
        let self_ty = &self.self_ty;
        let key = keys::key_ident(field);
        quote!(<#self_ty>::#key)
    }

    /// The runtime placeholder spanned at `span`: under the default path, `::reactive` takes
    /// that span too (for bounds that rustc reports at a field).
    pub(crate) fn krate_at(&self, span: Span) -> Ident {
        Ident::new(RUNTIME, span)
    }

    /// A body that the fallback never runs.
    pub(crate) fn unreachable(&self) -> TokenStream {
        quote!(::core::unreachable!(
            "the `Reactive` derive reported an error"
        ))
    }

    /// The struct's where clause (or an empty one) plus `extra`.
    pub(crate) fn where_with(
        &self,
        extra: impl IntoIterator<Item = syn::WherePredicate>,
    ) -> WhereClause {
        let mut clause = self
            .generics()
            .where_clause
            .clone()
            .unwrap_or_else(|| syn::parse_quote!(where));
        clause.predicates.extend(extra);
        clause
    }

    /// The where clause of the impls that use the model (handles, JSON): the type is
    /// `Reactive`, and each distinct field type meets the runtime's value bounds.
    ///
    /// The bounds are higher-ranked (`for<'__r>`) so that rustc does not check them where the
    /// impl is written: an unmet one is reported once, at the field's type, by the
    /// `Reactive` impl, instead of once per impl at the derive. Each also says `+ '__r`, which
    /// every `'static` type meets, so that the lifetime is used (`unused_lifetimes` in the
    /// user's crate).
    pub(crate) fn model_where(&self) -> WhereClause {
        let mut clause = self.reactive_where();
        if !self.fallback {
            clause
                .predicates
                .extend(self.distinct_field_types().into_iter().map(|ty| {
                    let krate = &self.krate;
                    let bound: syn::WherePredicate =
                        syn::parse_quote!(for<'__r> #ty: #krate::FieldValue + '__r);
                    bound
                }));
        }
        clause
    }

    /// The struct's where clause plus `for<'__r> User: Reactive` (higher-ranked for the same
    /// reason as in [`Ctx::model_where`]).
    pub(crate) fn reactive_where(&self) -> WhereClause {
        let krate = &self.krate;
        let self_ty = &self.self_ty;
        self.where_with([syn::parse_quote!(for<'__r> #self_ty: #krate::Reactive + '__r)])
    }

    /// The table fields' types, each once, in declaration order.
    pub(crate) fn distinct_field_types(&self) -> Vec<&syn::Type> {
        let mut seen = BTreeSet::new();
        self.table_fields()
            .map(|(_, f)| &f.ty)
            .filter(|ty| seen.insert(quote!(#ty).to_string()))
            .collect()
    }

    /// `User<T>` as a person writes it, for docs.
    pub(crate) fn type_display(&self) -> String {
        let text = self.self_ty.to_string();
        text.replace(" < ", "<")
            .replace(" >", ">")
            .replace(" ,", ",")
    }

    /// `#[allow(non_camel_case_types)]` for the handle types of a struct whose own name is not
    /// camel case (the user allowed it there; `userHandle` inherits the name, not the allow).
    pub(crate) fn type_style_allow(&self) -> TokenStream {
        let name = ast::unraw(self.input.ident);
        let camel = name.starts_with(|c: char| c.is_uppercase()) && !name.contains('_');
        if camel {
            TokenStream::new()
        } else {
            quote!(#[allow(non_camel_case_types)])
        }
    }

    /// Whether the struct has lifetime parameters (an error: the model owns its data).
    fn has_lifetimes(&self) -> bool {
        self.generics()
            .params
            .iter()
            .any(|p| matches!(p, GenericParam::Lifetime(_)))
    }
}

/// On the impls whose methods are named after the fields: lints about those names and shapes
/// (`userId()`, a `len()` without `is_empty()`, a `pub fn` returning `Result` without an
/// `# Errors` section) concern the user's field names, which the user chose and cannot fix
/// in generated code.
pub(crate) fn method_allows() -> TokenStream {
    // Two attributes, each short enough to read on one line.
    quote! {
        #[allow(non_snake_case, clippy::all, clippy::pedantic)]
        #[allow(clippy::nursery, clippy::restriction)]
    }
}

/// The derive's handle types take a name of the user's module (`UserHandle`, `UserBatch`); a
/// type of the user's by that name makes rustc report the second definition, without a word
/// of how to avoid it. This const says how, when it can tell: the generated type has its
/// storage's layout, so a different one (size, alignment or drop glue) is the user's type,
/// which the name resolves to. A user's type that happens to share that layout goes
/// unnoticed here (rustc's own error remains); a generic struct's handle is not checked (a
/// const cannot be generic).
pub(crate) fn name_taken_check(
    ctx: &Ctx<'_>,
    name: &Ident,
    ty: &TokenStream,
    storage: &TokenStream,
) -> TokenStream {
    if !ctx.generics().params.is_empty() {
        return TokenStream::new();
    }
    let message = match &ctx.input.attrs.handle {
        Some(_) => format!(
            "a type named `{name}` is already defined here: `#[reactive(handle = \"..\")]` \
             names the generated handles; choose a name that is free"
        ),
        None => format!(
            "a type named `{name}` is already defined here: name the generated handles with \
             `#[reactive(handle = \"..\")]` (the live handle takes that name, the batch handle \
             that name followed by `Batch`)"
        ),
    };
    let span = ctx.input.ident.span();
    let krate = ctx.krate_at(span);
    // The batch handle's lifetime is left out (inferred), so that a user's type of its name
    // without one reaches the check too.
    quote_spanned! {span=>
        #[doc(hidden)]
        #[allow(elided_lifetimes_in_paths)]
        const _: () = ::core::assert!(#krate::__private::same_layout::<#ty, #storage>(), #message);
    }
}

/// A type as the bounded type of a where predicate: `<X>::Y` is parenthesized, since
/// `where <X>::Y: ..` would read as generic parameters.
pub(crate) fn where_type(ty: &syn::Type) -> TokenStream {
    match ty {
        syn::Type::Path(p) if p.qself.as_ref().is_some_and(|q| q.position == 0) => {
            quote_spanned!(syn::spanned::Spanned::span(ty)=> (#ty))
        }
        _ => quote!(#ty),
    }
}

/// The derive's entry point: parse, check, expand (or fall back).
pub(crate) fn derive(input: &DeriveInput) -> TokenStream {
    let mut cx = Ctxt::default();
    let parsed = ast::parse(&mut cx, input);
    // A malformed input was reported; checking a struct it is not would only add errors.
    let analysis = if parsed.malformed {
        Analysis::empty()
    } else {
        check::check(&mut cx, &parsed)
    };
    let fallback = cx.has_errors();
    let krate = Ident::new(RUNTIME, Span::call_site());
    let ident = parsed.ident;
    let (_, ty_generics, _) = parsed.generics.split_for_impl();
    let ctx = Ctx {
        input: &parsed,
        analysis: &analysis,
        krate,
        self_ty: quote!(#ident #ty_generics),
        handle: parsed
            .attrs
            .handle
            .clone()
            .unwrap_or_else(|| format_ident!("{}Handle", ident)),
        batch: match &parsed.attrs.handle {
            Some(handle) => format_ident!("{}Batch", handle),
            None => format_ident!("{}Batch", ident),
        },
        fallback,
    };
    let errors = cx.into_compile_errors();
    let keys = keys::expand(&ctx);
    let generated = if ctx.has_lifetimes() {
        // A borrowing struct can never be `Reactive` (`'static`): only the keys are generated,
        // so the error above is not followed by lifetime errors about generated items.
        keys
    } else {
        let handle = handle::expand(&ctx);
        let batch = batch::expand(&ctx);
        let reactive = reactive_impl::expand(&ctx);
        let json = json::expand(&ctx);
        let entity = entity::expand(&ctx);
        let query = query::expand(&ctx);
        let record = record::expand(&ctx);
        quote! {
            #keys
            #handle
            #batch
            #reactive
            #json
            #entity
            #query
            #record
        }
    };
    let generated = match parsed.attrs.crate_path.as_ref() {
        None => resolve_runtime(generated, None),
        Some(path) => {
            // One import of the runtime, named for this struct: a path that is not the runtime
            // fails there once, and rustc stays quiet about every use of the failed name.
            let span = syn::spanned::Spanned::span(path);
            let alias = Ident::new(&format!("__reactive_crate_of_{}", ast::unraw(ident)), span);
            let alias_path: syn::Path = syn::parse_quote!(#alias);
            let body = resolve_runtime(generated, Some(&alias_path));
            let import = quote_spanned! {span=>
                #[doc(hidden)]
                #[allow(unused_imports)]
                use #path::reactive_runtime as #alias;
            };
            quote!(#import #body)
        }
    };
    quote! {
        #errors
        #generated
    }
}

/// The placeholder the pieces write for the runtime's path (`#krate::Field`).
const RUNTIME: &str = "__reactive_runtime";

/// Replaces the [`RUNTIME`] placeholder with `::reactive`, or with the path of
/// `#[reactive(crate = path)]`; in the latter case the segments that follow it
/// (`::__private::RawModel`) take the path's span, so that a path that does not resolve is
/// reported at the user's tokens rather than at the derive.
fn resolve_runtime(tokens: TokenStream, path: Option<&syn::Path>) -> TokenStream {
    /// Where we are in `<path> :: Ident :: Ident ..` after the placeholder.
    #[derive(Clone, Copy, PartialEq)]
    enum Chain {
        Out,
        FirstColon,
        SecondColon,
        Segment,
    }
    let span = path.map(syn::spanned::Spanned::span);
    let mut chain = Chain::Out;
    let mut out = TokenStream::new();
    for mut token in tokens {
        let next = match (&token, chain) {
            (TokenTree::Ident(ident), _) if ident == RUNTIME => {
                match path {
                    Some(path) => out.extend(quote!(#path)),
                    // Where the placeholder was spanned (a bound at a field), so is the path.
                    None => out.extend(quote_spanned!(ident.span()=> ::reactive)),
                }
                chain = if span.is_some() {
                    Chain::FirstColon
                } else {
                    Chain::Out
                };
                continue;
            }
            (TokenTree::Punct(p), Chain::FirstColon) if p.as_char() == ':' => Chain::SecondColon,
            (TokenTree::Punct(p), Chain::SecondColon) if p.as_char() == ':' => Chain::Segment,
            (TokenTree::Ident(_), Chain::Segment) => Chain::FirstColon,
            _ => Chain::Out,
        };
        chain = next;
        match (&mut token, span) {
            (TokenTree::Group(group), _) => {
                let mut inner =
                    Group::new(group.delimiter(), resolve_runtime(group.stream(), path));
                inner.set_span(group.span());
                token = TokenTree::Group(inner);
            }
            (token, Some(span)) if chain != Chain::Out => token.set_span(span),
            _ => {}
        }
        out.extend([token]);
    }
    out
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
        Ok(file) => unparse_items(file.items),
        Err(_) => tokens.to_string(),
    }
}

#[cfg(test)]
/// Formats items, with the items inside the runtime's `__sql_record!` formatted too (a
/// formatter prints a macro's input as plain tokens).
fn unparse_items(items: Vec<syn::Item>) -> String {
    let mut out = String::new();
    for item in items {
        let inner = match &item {
            syn::Item::Macro(m)
                if m.mac
                    .path
                    .segments
                    .last()
                    .is_some_and(|s| s.ident == "__sql_record") =>
            {
                syn::parse2::<syn::File>(m.mac.tokens.clone())
                    .ok()
                    .map(|file| (m.mac.path.clone(), file))
            }
            _ => None,
        };
        match inner {
            Some((path, file)) => {
                let body = unparse_items(file.items);
                out.push_str(&quote!(#path).to_string().replace(' ', ""));
                out.push_str("! {\n");
                for line in body.lines() {
                    if !line.is_empty() {
                        out.push_str("    ");
                    }
                    out.push_str(line);
                    out.push('\n');
                }
                out.push_str("}\n");
            }
            None => out.push_str(&prettyplease::unparse(&syn::File {
                shebang: None,
                attrs: Vec::new(),
                items: vec![item],
            })),
        }
    }
    out
}
