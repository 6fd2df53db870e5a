//! `impl ReactiveJson for User`: JSON payloads for string-keyed listeners and streams.
//!
//! It exists only when every field is `Serialize`: the bounds are written with a
//! higher-ranked lifetime, so an unsatisfied one leaves the impl out instead of failing the
//! derive; `on_event`/`changes` then report the missing bound where they are used.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::Ctx;

pub(crate) fn expand(ctx: &Ctx<'_>) -> TokenStream {
    let krate = &ctx.krate;
    let self_ty = &ctx.self_ty;
    let (impl_generics, _, _) = ctx.generics().split_for_impl();
    let mut bounded = ctx.reactive_where();
    if !ctx.fallback {
        for ty in ctx.distinct_field_types() {
            bounded.predicates.push(syn::parse_quote! {
                for<'__r> #ty: #krate::__private::serde::Serialize + '__r
            });
        }
    }
    let arms = ctx.table_fields().map(|(index, field)| {
        let ty = &field.ty;
        let index = Literal::usize_unsuffixed(index);
        quote!(#index => #krate::__private::change_json::<#ty>(change),)
    });
    let body = if ctx.fallback {
        ctx.unreachable()
    } else {
        quote! {
            match index {
                #(#arms)*
                _ => ::core::option::Option::None,
            }
        }
    };
    // Without fields (or in the fallback) the change is not read.
    let unused = (ctx.fallback || ctx.table_fields().next().is_none())
        .then(|| quote!(#[allow(unused_variables)]));
    quote! {
        #[automatically_derived]
        impl #impl_generics #krate::ReactiveJson for #self_ty #bounded {
            #unused
            fn __change_json(
                index: usize,
                change: &dyn ::core::any::Any,
            ) -> ::core::option::Option<#krate::__private::serde_json::Value> {
                #body
            }
        }
    }
}
