//! `impl Reactive for User`: the field table, diff, recompute, and the computed helpers.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use super::{keys, Ctx};
use crate::ast::{unraw, Field};
use crate::attr::Computed;

/// The private method an inline computed expression is evaluated in (`&self` in scope).
fn helper_ident(field: &Field<'_>) -> syn::Ident {
    format_ident!("__reactive_compute_{}", unraw(field.member))
}

pub(crate) fn expand(ctx: &Ctx<'_>) -> TokenStream {
    let krate = &ctx.krate;
    let self_ty = &ctx.self_ty;
    let handle = &ctx.handle;
    let batch = &ctx.batch;
    let generics = ctx.generics();
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let mut with_lifetime = generics.clone();
    with_lifetime.params.insert(0, syn::parse_quote!('batch));
    let (_, batch_generics, _) = with_lifetime.split_for_impl();

    // Each reactive field's type must be a value the runtime can diff, clone and share. The
    // bound is written at the field's type (once per distinct type): when it does not hold,
    // rustc reports it there, and nowhere else (the other impls' bounds are higher-ranked).
    // Also in the fallback: a field's type error is its own mistake, reported at its tokens
    // whatever else is wrong.
    let mut skipped_checks = Vec::new();
    let mut bounded = where_clause
        .cloned()
        .unwrap_or_else(|| syn::parse_quote!(where));
    {
        for ty in ctx.distinct_field_types() {
            let bounded_ty = super::where_type(ty);
            let runtime = ctx.krate_at(ty.span());
            bounded
                .predicates
                .push(syn::parse_quote_spanned! {ty.span()=> #bounded_ty: #runtime::FieldValue});
        }
        // A skipped field need not be a value, but it is shared with the model: one bound at
        // its type says so (the struct's own `Send + Sync` then follows from it).
        let mut skipped_seen = std::collections::BTreeSet::new();
        for field in ctx.input.fields.iter().filter(|f| f.is_skipped()) {
            let ty = &field.ty;
            if !skipped_seen.insert(quote!(#ty).to_string()) {
                continue;
            }
            let bounded_ty = super::where_type(ty);
            let krate = ctx.krate_at(ty.span());
            if mentions_params(ty, generics) {
                // Checked where the parameters are known: at the uses.
                bounded.predicates.push(
                    syn::parse_quote_spanned! {ty.span()=> #bounded_ty: #krate::SkippedField},
                );
            } else {
                // A type without parameters is checked here, by naming the trait with its
                // parameter left to infer: one error when it does not hold (see `SkippedField`).
                skipped_checks.push(quote_spanned! {ty.span()=>
                    #[doc(hidden)]
                    const _: () = <#ty as #krate::SkippedField<_>>::__CHECK;
                });
            }
            // Assumed inside the impl (higher-ranked, so not itself checked here): the
            // struct's `Send + Sync` follows, and is not reported a second time at its name.
            bounded.predicates.push(syn::parse_quote!(
                for<'__r> #bounded_ty: ::core::marker::Send + ::core::marker::Sync + '__r
            ));
        }
        if !generics.params.is_empty() {
            bounded.predicates.push(syn::parse_quote!(
                Self: ::core::clone::Clone + ::core::marker::Send + ::core::marker::Sync + 'static
            ));
        }
    }

    let type_name = unraw(ctx.input.ident);
    let event_order = ctx
        .analysis
        .event_order
        .iter()
        .map(|&i| Literal::usize_unsuffixed(i));
    let has_skipped = ctx.input.fields.iter().any(|f| f.is_skipped());

    // Each row points at the field's key, which emits its changes. The fallback may lack
    // keys (a field whose name was refused), and never runs: its table is empty.
    let infos = ctx
        .table_fields()
        .filter(|_| !ctx.fallback)
        .map(|(index, field)| {
            let event = format!("{}.changed", field.name);
            let key = keys::key_ident(field);
            let constructor = if field.is_computed() {
                quote!(computed)
            } else {
                quote!(plain)
            };
            let dependents = ctx
                .analysis
                .has_dependents
                .contains(&index)
                .then(|| quote!(.with_dependents()));
            quote!(#krate::FieldInfo::#constructor(&Self::#key, #event) #dependents)
        });

    // The trait's defaults serve a type without computed or skipped fields (and the fallback).
    let has_computed = !ctx.fallback && !ctx.analysis.computed_order.is_empty();
    let has_skipped = has_skipped && !ctx.fallback;
    let diff = if ctx.fallback {
        ctx.unreachable()
    } else {
        body_diff(ctx)
    };
    let computed_fns = has_computed.then(|| {
        let (recompute, recompute_all) = (body_recompute(ctx), body_recompute_all(ctx));
        quote! {
            fn __recompute(&mut self, base: &Self, changed: &mut #krate::FieldSet) {
                #recompute
            }
            fn __recompute_all(&mut self) {
                #recompute_all
            }
        }
    });
    let skipped_items = has_skipped.then(|| {
        let copy_skipped = body_copy_skipped(ctx);
        quote! {
            const __HAS_SKIPPED: bool = true;
            fn __copy_skipped(&mut self, to: &mut Self) {
                #copy_skipped
            }
        }
    });
    let copy_unused = (ctx.fallback || ctx.table_fields().all(|(_, f)| f.is_computed()))
        .then(|| quote!(#[allow(unused_variables)]));
    let copy_fields = if ctx.fallback {
        ctx.unreachable()
    } else {
        body_copy_fields(ctx)
    };
    let helpers = computed_helpers(ctx);
    let hooks = hooks_impl(ctx);
    let hooks_flag = ctx.input.attrs.hooks.map(|_| {
        quote!(
            const __HOOKS: bool = true;
        )
    });
    let (validate_flag, validate_fn) = validation(ctx);

    quote! {
        #[automatically_derived]
        impl #impl_generics #krate::Reactive for #self_ty #bounded {
            const TYPE_NAME: &'static str = #type_name;
            const FIELDS: &'static [#krate::FieldInfo<Self>] = &[#(#infos),*];
            const __EVENT_ORDER: &'static [u16] = &[#(#event_order),*];
            #hooks_flag
            #validate_flag
            type Handle = #handle #ty_generics;
            type BatchHandle<'batch> = #batch #batch_generics;

            #[inline]
            fn __diff(&self, other: &Self) -> #krate::FieldSet {
                #diff
            }

            #computed_fns
            #skipped_items

            #copy_unused
            fn __copy_fields(&mut self, from: &Self, fields: #krate::FieldSet) {
                #copy_fields
            }

            #validate_fn
        }

        #(#skipped_checks)*

        #hooks

        #helpers
    }
}

/// Whether `ty` names one of the item's generic parameters (a macro type may: assumed so).
fn mentions_params(ty: &syn::Type, generics: &syn::Generics) -> bool {
    struct Finder<'a> {
        names: Vec<&'a syn::Ident>,
        found: bool,
    }
    impl<'ast> syn::visit::Visit<'ast> for Finder<'_> {
        fn visit_ident(&mut self, ident: &'ast syn::Ident) {
            self.found |= self.names.contains(&ident);
        }
        fn visit_lifetime(&mut self, lifetime: &'ast syn::Lifetime) {
            self.found |= self.names.contains(&&lifetime.ident) && lifetime.ident != "static";
        }
        fn visit_macro(&mut self, _: &'ast syn::Macro) {
            self.found = true;
        }
    }
    let names = generics
        .params
        .iter()
        .map(|param| match param {
            syn::GenericParam::Type(t) => &t.ident,
            syn::GenericParam::Lifetime(l) => &l.lifetime.ident,
            syn::GenericParam::Const(c) => &c.ident,
        })
        .collect();
    let mut finder = Finder {
        names,
        found: false,
    };
    syn::visit::Visit::visit_type(&mut finder, ty);
    finder.found
}

/// Without `#[reactive(hooks)]`, the type is marked as such and gets the default hooks from the
/// runtime's blanket impl (and the write path skips them); with it, the user implements
/// `ModelHooks`. A user's own `ModelHooks` impl without the attribute then conflicts with that
/// blanket impl, whose bound names the missing attribute.
fn hooks_impl(ctx: &Ctx<'_>) -> TokenStream {
    if ctx.input.attrs.hooks.is_some() {
        return TokenStream::new();
    }
    let krate = &ctx.krate;
    let self_ty = &ctx.self_ty;
    let (impl_generics, _, where_clause) = ctx.generics().split_for_impl();
    quote! {
        #[automatically_derived]
        impl #impl_generics #krate::hooks::WithoutHooksAttribute for #self_ty #where_clause {}
    }
}

/// With `#[reactive(validate)]`: the flag, and `__validate` running the garde rules with the
/// errors keyed by field names (garde keys them by identifier: only renamed fields differ,
/// `r#` is stripped at run time) in field-table order.
fn validation(ctx: &Ctx<'_>) -> (TokenStream, TokenStream) {
    let Some(span) = ctx.input.attrs.validate else {
        return (TokenStream::new(), TokenStream::new());
    };
    let krate = ctx.krate_at(span);
    let body = if ctx.fallback {
        ctx.unreachable()
    } else {
        let renames = ctx
            .table_fields()
            .filter(|(_, f)| unraw(f.member) != f.name)
            .map(|(_, f)| {
                let ident = f.member.to_string();
                let name = &f.name;
                quote!((#ident, #name))
            });
        // Spanned at `validate`: a type without `garde::Validate` is reported there, once (as
        // a bound of the impl it would be reported at every use of the type instead). A
        // generic type's garde impl has the struct's bounds, so it holds here too.
        quote_spanned! {span=>
            <Self as #krate::__private::GardeValidate>::__reactive_validate(
                self,
                &[#(#renames),*],
                #krate::__private::field_name::<Self>,
            )
        }
    };
    let flag = quote!(
        const __VALIDATE: bool = true;
    );
    let method = quote! {
        fn __validate(&self) -> ::core::result::Result<(), #krate::ValidationReport> {
            #body
        }
    };
    (flag, method)
}

fn body_diff(ctx: &Ctx<'_>) -> TokenStream {
    let krate = &ctx.krate;
    let checks = ctx
        .table_fields()
        .filter(|(_, f)| !f.is_computed())
        .map(|(index, field)| {
            let member = field.member;
            let index = Literal::usize_unsuffixed(index);
            quote! {
                if #krate::__private::differs(&self.#member, &other.#member) {
                    changed.insert(#index);
                }
            }
        });
    quote! {
        let mut changed = #krate::FieldSet::EMPTY;
        #(#checks)*
        changed
    }
}

/// The value of a computed field, evaluated in a method taking `&mut self` / `&self`.
fn compute_call(field: &Field<'_>) -> TokenStream {
    match field.computed() {
        Some(Computed::Function(path)) => quote_spanned!(path.span()=> #path(&*self)),
        _ => {
            let helper = helper_ident(field);
            quote!(self.#helper())
        }
    }
}

fn body_recompute(ctx: &Ctx<'_>) -> TokenStream {
    let krate = &ctx.krate;
    let steps = ctx.analysis.computed_order.iter().filter_map(|&pos| {
        let field = ctx.input.fields.get(pos)?;
        let index = field.index?;
        let deps = ctx
            .analysis
            .deps
            .get(pos)?
            .iter()
            .map(|&d| Literal::usize_unsuffixed(d));
        let index = Literal::usize_unsuffixed(index);
        let member = field.member;
        let ty = &field.ty;
        let call = compute_call(field);
        Some(quote! {
            {
                const DEPS: #krate::FieldSet = #krate::FieldSet::from_indices(&[#(#deps),*]);
                if changed.intersects(&DEPS) {
                    let value: #ty = #call;
                    if #krate::__private::differs(&value, &base.#member) {
                        changed.insert(#index);
                    }
                    self.#member = value;
                } else {
                    self.#member = ::core::clone::Clone::clone(&base.#member);
                }
            }
        })
    });
    quote!(#(#steps)*)
}

fn body_recompute_all(ctx: &Ctx<'_>) -> TokenStream {
    let steps = ctx.analysis.computed_order.iter().filter_map(|&pos| {
        let field = ctx.input.fields.get(pos)?;
        let member = field.member;
        let call = compute_call(field);
        Some(quote!(self.#member = #call;))
    });
    quote!(#(#steps)*)
}

/// Copies the plain fields in `fields` from `from` (a provider applying an update).
fn body_copy_fields(ctx: &Ctx<'_>) -> TokenStream {
    let copies = ctx
        .table_fields()
        .filter(|(_, f)| !f.is_computed())
        .map(|(index, field)| {
            let member = field.member;
            let index = Literal::usize_unsuffixed(index);
            quote! {
                if fields.contains(#index) {
                    self.#member = ::core::clone::Clone::clone(&from.#member);
                }
            }
        });
    quote!(#(#copies)*)
}

fn body_copy_skipped(ctx: &Ctx<'_>) -> TokenStream {
    let swaps = ctx
        .input
        .fields
        .iter()
        .filter(|f| f.is_skipped())
        .map(|field| {
            let member = field.member;
            quote!(::core::mem::swap(&mut self.#member, &mut to.#member);)
        });
    quote!(#(#swaps)*)
}

/// Private methods holding the inline computed expressions, so they see `&self` (and cannot
/// write it) and their errors point at the user's tokens. In the fallback (nothing calls them)
/// they are still emitted, with one for each computed function too, so that a mistake in a
/// computed expression or path is reported whatever else is wrong.
fn computed_helpers(ctx: &Ctx<'_>) -> TokenStream {
    let self_ty = &ctx.self_ty;
    let (impl_generics, _, where_clause) = ctx.generics().split_for_impl();
    let helpers: Vec<TokenStream> = ctx
        .input
        .fields
        .iter()
        .filter(|f| f.is_computed())
        .filter_map(|field| match field.computed() {
            Some(Computed::Inline(expr)) => {
                let helper = helper_ident(field);
                let ty = &field.ty;
                let body = quote_spanned!(expr.span()=> #expr);
                let unused = ctx.fallback.then(|| quote!(#[allow(dead_code)]));
                Some(quote! {
                    #[doc(hidden)]
                    #[inline]
                    #[allow(clippy::all)]
                    #unused
                    fn #helper(&self) -> #ty {
                        #body
                    }
                })
            }
            Some(Computed::Function(path)) if ctx.fallback => {
                let helper = helper_ident(field);
                let ty = &field.ty;
                let call = quote_spanned!(path.span()=> #path(self));
                Some(quote! {
                    #[doc(hidden)]
                    #[allow(dead_code, clippy::all)]
                    fn #helper(&self) -> #ty {
                        #call
                    }
                })
            }
            _ => None,
        })
        .collect();
    if helpers.is_empty() {
        return TokenStream::new();
    }
    quote! {
        impl #impl_generics #self_ty #where_clause {
            #(#helpers)*
        }
    }
}
