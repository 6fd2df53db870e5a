//! Typed field keys: `User::NAME`, as associated consts.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote};

use super::Ctx;
use crate::ast::Field;
use crate::check::const_name;

/// The key const's identifier, spanned at the field's name so that errors about it point there.
pub(crate) fn key_ident(field: &Field<'_>) -> Ident {
    let span = field.name_span.resolved_at(Span::call_site());
    match syn::parse_str::<Ident>(&const_name(&field.name)) {
        Ok(ident) => Ident::new(&ident.to_string(), span),
        // Only a name the checks rejected gets here; its items are not generated.
        Err(_) => format_ident!("FIELD_{}", field.index.unwrap_or(0), span = span),
    }
}

/// The field's doc comments followed by `doc`, for an item generated for the field: the
/// field's own words first, as rust-analyzer shows them on hover.
pub(crate) fn docs_then(field: &Field<'_>, doc: &str) -> TokenStream {
    let own = &field.docs;
    let doc = format!(" {doc}");
    if own.is_empty() {
        quote!(#[doc = #doc])
    } else {
        quote! {
            #(#own)*
            #[doc = ""]
            #[doc = #doc]
        }
    }
}

pub(crate) fn expand(ctx: &Ctx<'_>) -> TokenStream {
    let krate = &ctx.krate;
    let self_ty = &ctx.self_ty;
    let (impl_generics, _, where_clause) = ctx.generics().split_for_impl();
    let consts = ctx.item_fields().map(|(index, field)| {
        let key = key_ident(field);
        let member = field.member;
        let ty = &field.ty;
        let vis = field.vis;
        let name = &field.name;
        let index = Literal::usize_unsuffixed(index);
        if field.is_computed() {
            let docs = docs_then(
                field,
                &format!("Key of the computed field `{name}` (read-only): `get` and `on`."),
            );
            quote! {
                #docs
                #vis const #key: #krate::ComputedField<#self_ty, #ty> =
                    #krate::ComputedField::__new(#index, #name, |v| &v.#member);
            }
        } else {
            let docs = docs_then(
                field,
                &format!("Key of the field `{name}`: `get`, `set`, `on`, queries."),
            );
            quote! {
                #docs
                #vis const #key: #krate::Field<#self_ty, #ty> =
                    #krate::Field::__new(#index, #name, |v| &v.#member, |v| &mut v.#member);
            }
        }
    });
    quote! {
        impl #impl_generics #self_ty #where_clause {
            #(#consts)*
        }
    }
}
