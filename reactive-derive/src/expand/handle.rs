//! The handle `Model<User>` derefs to: `name()`, `set_name(..)`, `on_name(..)`.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned};

use super::keys::docs_then;
use super::Ctx;
use crate::ast::Field;

/// The getter's name: the field's name, raw if it is a keyword (`r#type`).
pub(crate) fn getter_ident(field: &Field<'_>) -> Ident {
    let span = field.name_span.resolved_at(Span::call_site());
    if syn::parse_str::<Ident>(&field.name).is_ok() {
        Ident::new(&field.name, span)
    } else {
        Ident::new_raw(&field.name, span)
    }
}

/// `set_name`, `on_name`: spanned at the field's name, so errors about them point there.
pub(crate) fn prefixed(prefix: &str, field: &Field<'_>) -> Ident {
    let span = field.name_span.resolved_at(Span::call_site());
    Ident::new(&format!("{prefix}{}", field.name), span)
}

/// The setter of a computed field exists only to turn `set_total(..)` into a clear error: its
/// bound never holds, and rustc reports it with `WritableKey`'s message at the call.
pub(crate) fn computed_setter(
    ctx: &Ctx<'_>,
    field: &Field<'_>,
    receiver: TokenStream,
    raw: &TokenStream,
) -> TokenStream {
    let self_ty = &ctx.self_ty;
    let ty = &field.ty;
    let vis = field.vis;
    let setter = prefixed("set_", field);
    let key = ctx.key_path(field);
    // Higher-ranked, so rustc checks it at each call, not here; spanned at the field's name,
    // which rustc shows as the bound's origin.
    let span = field.name_span;
    let krate = ctx.krate_at(span);
    let bound = quote_spanned! {span=>
        for<'__r> #krate::ComputedField<#self_ty, #ty>: #krate::WritableKey<#self_ty> + '__r
    };
    quote! {
        #[doc(hidden)]
        #vis fn #setter(#receiver, value: #ty) -> ::core::result::Result<(), #krate::Error>
        where
            #bound,
        {
            #raw.set(#key, value)
        }
    }
}

pub(crate) fn expand(ctx: &Ctx<'_>) -> TokenStream {
    let krate = &ctx.krate;
    let self_ty = &ctx.self_ty;
    let handle = &ctx.handle;
    let vis = ctx.input.vis;
    let generics = ctx.generics();
    let (impl_generics, ty_generics, _) = generics.split_for_impl();
    let struct_where = &generics.where_clause;
    let params = &generics.params;
    let bounded = ctx.model_where();
    let reactive = ctx.reactive_where();
    let type_name = ctx.input.ident.to_string();
    let style = ctx.type_style_allow();
    let full_name = ctx.type_display();
    let struct_doc = format!(
        " The live-model handle of [`{type_name}`]: `Model<{full_name}>` derefs to it. Per \
         field: a getter (a clone of the committed value), `set_<field>` and `on_<field>`."
    );
    let allows = super::method_allows();
    let methods = ctx.item_fields().map(|(_, field)| method_set(ctx, field));
    let name_taken = super::name_taken_check(
        ctx,
        handle,
        &quote!(#handle),
        &quote!(#krate::__private::RawModel<#self_ty>),
    );
    quote! {
        #[doc = #struct_doc]
        #style
        #vis struct #handle <#params> #struct_where {
            model: #krate::__private::RawModel<#self_ty>,
        }

        #name_taken

        #[automatically_derived]
        impl #impl_generics #krate::__private::HandleOf<#self_ty> for #handle #ty_generics #reactive {
            #[inline]
            fn __from_raw(raw: #krate::__private::RawModel<#self_ty>) -> Self {
                Self { model: raw }
            }
            #[inline]
            fn __raw(&self) -> &#krate::__private::RawModel<#self_ty> {
                &self.model
            }
        }

        #allows
        impl #impl_generics #handle #ty_generics #bounded {
            #(#methods)*
        }
    }
}

/// The handle's storage, read through the trait: the methods name the storage field nowhere,
/// so a user's type of the handle's name (which they would then attach to) adds no errors.
fn raw_of_handle(ctx: &Ctx<'_>) -> TokenStream {
    let krate = &ctx.krate;
    let self_ty = &ctx.self_ty;
    quote!(#krate::__private::HandleOf::<#self_ty>::__raw(self))
}

fn method_set(ctx: &Ctx<'_>, field: &Field<'_>) -> TokenStream {
    let krate = &ctx.krate;
    let ty = &field.ty;
    let vis = field.vis;
    let name = &field.name;
    let key = ctx.key_path(field);
    let getter = getter_ident(field);
    let setter = prefixed("set_", field);
    let on = prefixed("on_", field);
    let raw = raw_of_handle(ctx);
    let (get_body, set_body, on_body) = if ctx.fallback {
        let u = ctx.unreachable();
        (u.clone(), u.clone(), u)
    } else {
        (
            quote!(#krate::__private::get(self, #key)),
            quote!(#krate::__private::set(self, #key, value)),
            quote!(#krate::__private::on(self, #key, listener)),
        )
    };
    let get_docs = docs_then(field, &format!("A clone of `{name}`'s committed value."));
    let on_doc = format!(
        " Listens to `{name}.changed`: `listener` gets `{{ value, previous }}` once per batch that changed it."
    );
    let setter_item = if field.is_computed() {
        computed_setter(ctx, field, quote!(&self), &raw)
    } else {
        let set_doc = format!(
            " Sets `{name}` (a batch of one): `{name}.changed` then `change`; an equal value emits nothing."
        );
        quote! {
            #[doc = #set_doc]
            #[inline]
            #vis fn #setter(&self, value: impl #krate::IntoValue<#ty>) -> #krate::Result<()> {
                #set_body
            }
        }
    };
    quote! {
        #get_docs
        #[inline]
        #vis fn #getter(&self) -> #ty {
            #get_body
        }

        #setter_item

        #[doc = #on_doc]
        #vis fn #on(
            &self,
            listener: impl #krate::FieldListener<#ty>,
        ) -> #krate::Subscription {
            #on_body
        }
    }
}
