//! Typed field keys: `User::NAME`, as associated consts.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};

use super::Ctx;
use crate::ast::Field;
use crate::check::const_name;

pub(crate) fn key_ident(field: &Field<'_>) -> Ident {
    let name = const_name(&field.name);
    syn::parse_str::<Ident>(&name)
        .unwrap_or_else(|_| format_ident!("FIELD_{}", field.index.unwrap_or(0)))
}

/// The field's doc comments, repeated on the items generated for it.
pub(crate) fn field_docs<'a>(field: &'a Field<'_>) -> &'a [&'a syn::Attribute] {
    &field.docs
}

pub(crate) fn expand(ctx: &Ctx<'_>) -> TokenStream {
    let krate = &ctx.krate;
    let self_ty = &ctx.self_ty;
    let (impl_generics, _, where_clause) = ctx.generics().split_for_impl();
    let consts = ctx.table_fields().map(|(index, field)| {
        let key = key_ident(field);
        let key = Ident::new(
            &key.to_string(),
            field.name_span.resolved_at(Span::call_site()),
        );
        let member = field.member;
        let ty = field.ty;
        let vis = field.vis;
        let name = &field.name;
        let index = index as u16;
        let docs = field_docs(field);
        if field.is_computed() {
            let doc = format!(
                "Key of the computed field `{name}` (read-only): `get`, `on`; it cannot be set."
            );
            quote! {
                #(#docs)*
                #[doc = ""]
                #[doc = #doc]
                #vis const #key: #krate::ComputedField<#self_ty, #ty> =
                    #krate::ComputedField::__new(#index, #name, |__v| &__v.#member);
            }
        } else {
            let doc = format!("Key of the field `{name}`: `get`, `set`, `on`, queries.");
            quote! {
                #(#docs)*
                #[doc = ""]
                #[doc = #doc]
                #vis const #key: #krate::Field<#self_ty, #ty> =
                    #krate::Field::__new(#index, #name, |__v| &__v.#member, |__v| &mut __v.#member);
            }
        }
    });
    quote! {
        #[automatically_derived]
        #[allow(non_upper_case_globals)]
        impl #impl_generics #self_ty #where_clause {
            #(#consts)*
        }
    }
}
