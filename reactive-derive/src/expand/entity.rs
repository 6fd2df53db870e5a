//! `impl Entity for User`, with `#[entity("users")]`: the name, the id and the version.

use proc_macro2::{Literal, TokenStream, TokenTree};
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
    // unmet one there, with the trait's message, and not again inside the impl.
    //
    // A concrete id type goes through `IdField`, whose associated `Id` is the type itself: a
    // bound on a concrete type is checked where the impl is written, and `type Id = f64` would
    // add rustc's own errors about `Entity::Id`'s bounds; a projection carries them. An id
    // type that uses the struct's parameters is bounded by `EntityId` and named as written, so
    // that `<Keyed<K> as Entity>::Id` is `K` in generic code too.
    let mut bounds: Vec<syn::WherePredicate> = Vec::new();
    let generic_id = id.is_some_and(|(id, _)| uses_params(&id.ty, ctx.generics()));
    let mut id_ty = quote!(());
    if let Some((id, _)) = id {
        let span = id.ty.span();
        let runtime = ctx.krate_at(span);
        let ty = &id.ty;
        let bounded = where_type(ty);
        if generic_id {
            bounds.push(syn::parse_quote_spanned!(span=> #bounded: #runtime::entity::EntityId));
            id_ty = quote!(#ty);
        } else {
            bounds.push(syn::parse_quote_spanned!(span=> #bounded: #runtime::entity::IdField));
            id_ty = quote_spanned!(span=> <#ty as #runtime::entity::IdField>::Id);
        }
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
    let generated = id.is_some_and(|(id, _)| id.generated);
    let id_index = Literal::usize_unsuffixed(id.and_then(|(_, f)| f.index).unwrap_or(0));
    let versioned = version.is_some();

    let check_values = if ctx.fallback {
        ctx.unreachable()
    } else {
        let checks = ctx
            .table_fields()
            .filter(|(_, f)| !f.is_computed() && f.attrs.json.is_none())
            .map(|(index, f)| {
                let member = f.member;
                let name = &f.name;
                let index = Literal::usize_unsuffixed(index);
                let probe = if f.attrs.text.is_some() {
                    quote!(TextProbe)
                } else {
                    quote!(Probe)
                };
                quote! {
                    if wanted(fields, #index) {
                        of_field(#name, (&#probe(&self.#member)).__check())?;
                    }
                }
            });
        quote! {
            #[allow(unused_imports)]
            use #krate::query::__check::prelude::*;
            #(#checks)*
            ::core::result::Result::Ok(())
        }
    };
    let check_id = match &spec.id {
        _ if ctx.fallback => ctx.unreachable(),
        Some(id) => {
            let name = ctx
                .input
                .fields
                .get(id.pos)
                .map_or_else(|| "id".to_string(), |f| f.name.clone());
            let probe = if ctx
                .input
                .fields
                .get(id.pos)
                .is_some_and(|f| f.attrs.text.is_some())
            {
                quote!(TextProbe)
            } else {
                quote!(Probe)
            };
            quote! {
                #[allow(unused_imports)]
                use #krate::query::__check::prelude::*;
                of_field(#name, (&#probe(id)).__check())
            }
        }
        None => quote!(::core::result::Result::Ok(())),
    };
    let (get_id, set_id, get_version, set_version) = if ctx.fallback {
        let u = ctx.unreachable();
        (u.clone(), u.clone(), u.clone(), u)
    } else {
        let (get_id, set_id) = match id {
            Some((id, field)) => id_accessors(ctx, &id.ty, field.member, generated, generic_id),
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

            #[allow(unused_variables)]
            fn __check_id(id: &<Self as #krate::Entity>::Id) -> #krate::Result<()> {
                #check_id
            }

            #[allow(unused_variables)]
            fn __check_values(&self, fields: ::core::option::Option<&#krate::FieldSet>) -> #krate::Result<()> {
                #check_values
            }
        }
    }
}

/// The bodies of `id()` and `__set_id(id)`.
fn id_accessors(
    ctx: &Ctx<'_>,
    ty: &syn::Type,
    member: &syn::Ident,
    generated: bool,
    generic: bool,
) -> (TokenStream, TokenStream) {
    let runtime = ctx.krate_at(ty.span());
    let (read, write) = if generic {
        (
            quote!(::core::clone::Clone::clone),
            quote!(::core::convert::identity),
        )
    } else {
        (
            quote!(<#ty as #runtime::entity::IdField>::__id),
            quote!(<#ty as #runtime::entity::IdField>::__from_id),
        )
    };
    if generated {
        (
            quote!(::core::option::Option::map(
                ::core::option::Option::as_ref(&self.#member),
                #read,
            )),
            quote!(self.#member = ::core::option::Option::Some(#write(id));),
        )
    } else {
        (
            quote!(::core::option::Option::Some(#read(&self.#member))),
            quote!(self.#member = #write(id);),
        )
    }
}

/// Whether `ty` names one of the struct's type or const parameters.
fn uses_params(ty: &syn::Type, generics: &syn::Generics) -> bool {
    fn scan(tokens: TokenStream, params: &[String]) -> bool {
        tokens.into_iter().any(|token| match token {
            TokenTree::Ident(ident) => params.iter().any(|p| ident == p),
            TokenTree::Group(group) => scan(group.stream(), params),
            _ => false,
        })
    }
    let params: Vec<String> = generics
        .params
        .iter()
        .filter_map(|p| match p {
            syn::GenericParam::Type(t) => Some(t.ident.to_string()),
            syn::GenericParam::Const(c) => Some(c.ident.to_string()),
            syn::GenericParam::Lifetime(_) => None,
        })
        .collect();
    !params.is_empty() && scan(quote!(#ty), &params)
}
