//! `impl Entity for User`, with `#[entity("users")]`: the name, the id and the version.

use proc_macro2::{Literal, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use super::{where_type, Ctx};

pub(crate) fn expand(ctx: &Ctx<'_>) -> TokenStream {
    let Some(spec) = &ctx.analysis.entity else {
        return TokenStream::new();
    };
    let krate = &ctx.krate;
    let self_ty = &ctx.self_ty;
    let (impl_generics, _, _) = ctx.generics().split_for_impl();
    let id = spec
        .id
        .as_ref()
        .and_then(|id| Some((id, ctx.input.fields.get(id.pos)?)));
    let version = spec.version.and_then(|pos| ctx.input.fields.get(pos));

    // The id's and the version's requirements, spanned at their types: rustc reports an
    // unmet one there, with the trait's message, and nowhere else.
    let mut bounds: Vec<syn::WherePredicate> = Vec::new();
    if let Some((id, _)) = id {
        let span = id.ty.span();
        let runtime = ctx.krate_at(span);
        let ty = where_type(&id.ty);
        bounds.push(syn::parse_quote_spanned!(span=> #ty: #runtime::entity::EntityId));
    }
    if let Some(field) = version {
        let span = field.ty.span();
        let runtime = ctx.krate_at(span);
        let ty = where_type(&field.ty);
        bounds.push(syn::parse_quote_spanned!(span=> #ty: #runtime::entity::VersionField));
    }
    let where_clause = {
        let mut clause = ctx.reactive_where();
        clause.predicates.extend(bounds);
        clause
    };

    let name = &spec.name;
    let id_ty = match id {
        Some((id, _)) => {
            let ty = &id.ty;
            quote!(#ty)
        }
        // Only after an error: the fallback needs some id type.
        None => quote!(()),
    };
    let generated = id.is_some_and(|(id, _)| id.generated);
    let id_index = Literal::usize_unsuffixed(id.and_then(|(_, f)| f.index).unwrap_or(0));
    let versioned = version.is_some();

    let (get_id, set_id, get_version, set_version) = if ctx.fallback {
        let u = ctx.unreachable();
        (u.clone(), u.clone(), u.clone(), u)
    } else {
        let (get_id, set_id) = match id {
            Some((_, field)) => {
                let member = field.member;
                if generated {
                    (
                        quote!(::core::clone::Clone::clone(&self.#member)),
                        quote!(self.#member = ::core::option::Option::Some(id);),
                    )
                } else {
                    (
                        quote!(::core::option::Option::Some(
                            ::core::clone::Clone::clone(&self.#member)
                        )),
                        quote!(self.#member = id;),
                    )
                }
            }
            None => (ctx.unreachable(), ctx.unreachable()),
        };
        let (get_version, set_version) = match version {
            Some(field) => {
                let member = field.member;
                let ty = &field.ty;
                let span = ty.span();
                let runtime = ctx.krate_at(span);
                (
                    quote_spanned!(span=> ::core::option::Option::Some(
                        <#ty as #runtime::entity::VersionField>::__get(&self.#member)
                    )),
                    quote_spanned!(span=>
                        <#ty as #runtime::entity::VersionField>::__set(&mut self.#member, version);
                    ),
                )
            }
            None => (
                quote!(::core::option::Option::None),
                quote!(let _ = version;),
            ),
        };
        (get_id, set_id, get_version, set_version)
    };

    quote! {
        #[automatically_derived]
        impl #impl_generics #krate::Entity for #self_ty #where_clause {
            type Id = #id_ty;
            const ENTITY: &'static str = #name;
            const ID_GENERATED: bool = #generated;
            const VERSIONED: bool = #versioned;
            const __ID_FIELD: usize = #id_index;

            #[inline]
            fn id(&self) -> ::core::option::Option<Self::Id> {
                #get_id
            }

            #[inline]
            fn __set_id(&mut self, id: Self::Id) {
                #set_id
            }

            #[inline]
            fn version(&self) -> ::core::option::Option<u64> {
                #get_version
            }

            #[inline]
            fn __set_version(&mut self, version: u64) {
                #set_version
            }
        }
    }
}
