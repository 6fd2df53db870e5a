//! `impl Queryable for User`, with `#[entity]`: each field's query value by index.
//!
//! Plain fields convert through `QueryValue`, `#[reactive(text)]` fields through their serde
//! string and `#[reactive(json)]` fields to null or JSON. Like `ReactiveJson`, the bounds are
//! higher-ranked, so a field type without a query value leaves the impl out instead of
//! failing the derive: listing the entity then reports the missing `Queryable`.

use std::collections::BTreeSet;

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::Ctx;

pub(crate) fn expand(ctx: &Ctx<'_>) -> TokenStream {
    if ctx.analysis.entity.is_none() {
        return TokenStream::new();
    }
    let krate = &ctx.krate;
    let self_ty = &ctx.self_ty;
    let (impl_generics, _, _) = ctx.generics().split_for_impl();
    let mut clause = ctx.reactive_where();
    clause
        .predicates
        .push(syn::parse_quote!(for<'__r> #self_ty: #krate::Entity + '__r));
    let query = quote!(#krate::query);
    let mut seen = BTreeSet::new();
    let mut kinds = Vec::new();
    let mut arms = Vec::new();
    for (index, field) in ctx.table_fields() {
        let ty = &field.ty;
        let member = field.member;
        let index = Literal::usize_unsuffixed(index);
        let (bound, kind, value): (syn::WherePredicate, _, _) = if field.attrs.json.is_some() {
            (
                syn::parse_quote!(for<'__r> #ty: #krate::__private::serde::Serialize + '__r),
                quote!(#query::ValueKind::Json),
                quote!(#query::__json_value(&self.#member)),
            )
        } else if field.attrs.text.is_some() {
            (
                syn::parse_quote!(for<'__r> #ty: #krate::__private::serde::Serialize + '__r),
                quote!(#query::ValueKind::Text),
                quote!(#query::__text_value(&self.#member)),
            )
        } else {
            (
                syn::parse_quote!(for<'__r> #ty: #query::QueryValue + '__r),
                quote!(<#ty as #query::QueryValue>::KIND),
                quote!(<#ty as #query::QueryValue>::to_query_value(&self.#member)),
            )
        };
        if !ctx.fallback && seen.insert(quote!(#bound).to_string()) {
            clause.predicates.push(bound);
        }
        kinds.push(kind);
        arms.push(quote!(#index => #value,));
    }
    let (kinds, body) = if ctx.fallback {
        (quote!(&[]), ctx.unreachable())
    } else {
        (
            quote!(&[#(#kinds),*]),
            quote! {
                match index {
                    #(#arms)*
                    _ => ::core::result::Result::Ok(#query::Value::Null),
                }
            },
        )
    };
    quote! {
        #[automatically_derived]
        impl #impl_generics #query::Queryable for #self_ty #clause {
            const __QUERY_KINDS: &'static [#query::ValueKind] = #kinds;

            fn __query_value(&self, index: usize) -> #query::ValueResult {
                #body
            }
        }
    }
}
