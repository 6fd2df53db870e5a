//! The handle `Batch<'_, User>` derefs to: `name()` and `set_name(..)` on the open batch.

use proc_macro2::TokenStream;
use quote::quote;

use super::handle::{computed_setter, getter_ident, prefixed};
use super::Ctx;
use crate::ast::Field;

pub(crate) fn expand(ctx: &Ctx<'_>) -> TokenStream {
    let krate = &ctx.krate;
    let self_ty = &ctx.self_ty;
    let batch = &ctx.batch;
    let vis = ctx.input.vis;
    let generics = ctx.generics();
    let params = &generics.params;
    let struct_where = &generics.where_clause;
    let bounded = ctx.model_where();
    let reactive = ctx.reactive_where();
    // `impl<'batch, G>`: the batch's lifetime first.
    let mut with_lifetime = generics.clone();
    with_lifetime.params.insert(0, syn::parse_quote!('batch));
    let (impl_generics_a, ty_generics_a, _) = with_lifetime.split_for_impl();
    let full_name = ctx.type_display();
    let style = ctx.type_style_allow();
    let struct_doc = format!(
        " The handle `Batch<'_, {full_name}>` derefs to: per field, a getter and `set_<field>` \
         on the open batch (reads see the batch's own writes)."
    );
    let allows = super::method_allows();
    let methods = ctx.item_fields().map(|(_, field)| method_pair(ctx, field));
    let name_taken = super::name_taken_check(
        ctx,
        batch,
        &quote!(#batch),
        &quote!(#krate::__private::RawBatch<'static, #self_ty>),
    );
    quote! {
        #[doc = #struct_doc]
        #style
        #vis struct #batch <'batch, #params> #struct_where {
            batch: #krate::__private::RawBatch<'batch, #self_ty>,
        }

        #name_taken

        #[automatically_derived]
        impl #impl_generics_a #krate::__private::BatchOf<'batch, #self_ty> for #batch #ty_generics_a #reactive {
            #[inline]
            fn __from_raw(raw: #krate::__private::RawBatch<'batch, #self_ty>) -> Self {
                Self { batch: raw }
            }
            #[inline]
            fn __raw(&self) -> &#krate::__private::RawBatch<'batch, #self_ty> {
                &self.batch
            }
            #[inline]
            fn __raw_mut(&mut self) -> &mut #krate::__private::RawBatch<'batch, #self_ty> {
                &mut self.batch
            }
        }

        #allows
        impl #impl_generics_a #batch #ty_generics_a #bounded {
            #(#methods)*
        }
    }
}

fn method_pair(ctx: &Ctx<'_>, field: &Field<'_>) -> TokenStream {
    let krate = &ctx.krate;
    let ty = &field.ty;
    let vis = field.vis;
    let name = &field.name;
    let key = ctx.key_path(field);
    let getter = getter_ident(field);
    let setter = prefixed("set_", field);
    let self_ty = &ctx.self_ty;
    // Through the trait, as the live handle does (see `raw_of_handle`).
    let raw = quote!(#krate::__private::BatchOf::<'_, #self_ty>::__raw_mut(self));
    let (get_body, set_body) = if ctx.fallback {
        (ctx.unreachable(), ctx.unreachable())
    } else {
        (
            quote!(#krate::__private::batch_get(self, #key)),
            quote!(#krate::__private::batch_set(self, #key, value)),
        )
    };
    let get_doc = format!(" `{name}` as the open batch sees it.");
    let setter_item = if field.is_computed() {
        computed_setter(ctx, field, quote!(&mut self), &raw)
    } else {
        let set_doc = format!(" Writes `{name}` in the open batch; it commits with the batch.");
        quote! {
            #[doc = #set_doc]
            #[inline]
            #vis fn #setter(&mut self, value: impl #krate::IntoValue<#ty>) -> #krate::Result<()> {
                #set_body
            }
        }
    };
    quote! {
        #[doc = #get_doc]
        #[inline]
        #vis fn #getter(&self) -> &#ty {
            #get_body
        }

        #setter_item
    }
}
