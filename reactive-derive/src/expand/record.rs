//! `impl Record for User`, with `#[entity]`: the SQL columns and a row in and out.
//!
//! Like `Queryable`, the bounds are higher-ranked (`for<'__r> Ty: Column + '__r`), so a field type
//! without a column mapping leaves the impl out instead of failing the derive: a memory-only
//! entity may hold anything. Using an SQL provider with the type then reports the missing
//! `Column` at the field's type, where each bound is spanned.

use proc_macro2::{Literal, TokenStream};
use quote::quote;
use syn::spanned::Spanned;

use super::{where_type, Ctx};

pub(crate) fn expand(ctx: &Ctx<'_>) -> TokenStream {
    let Some(spec) = &ctx.analysis.entity else {
        return TokenStream::new();
    };
    let krate = &ctx.krate;
    let self_ty = &ctx.self_ty;
    let sql = quote!(#krate::sql);
    let (impl_generics, _, _) = ctx.generics().split_for_impl();
    let mut clause = ctx.reactive_where();
    if let Some(id) = spec.id.as_ref().filter(|_| !ctx.fallback) {
        // Names the id's type, so that `Self::Id` is it in generic code too (a where clause
        // on `Self` would otherwise hide the `Entity` impl's associated type).
        let ty = &id.ty;
        clause
            .predicates
            .push(syn::parse_quote!(for<'__r> #self_ty: #krate::Entity<Id = #ty> + '__r));
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut bound = |clause: &mut syn::WhereClause, predicate: syn::WherePredicate| {
        if !ctx.fallback && seen.insert(quote!(#predicate).to_string()) {
            clause.predicates.push(predicate);
        }
    };

    let id_pos = spec.id.as_ref().map(|id| id.pos);
    let generated = spec.id.as_ref().is_some_and(|id| id.generated);
    let mut defs = Vec::new();
    let mut column_names: Vec<String> = Vec::new();
    let mut to_arms = Vec::new();
    let mut inits = Vec::new();
    let mut column = 0usize;
    for (pos, field) in ctx.input.fields.iter().enumerate() {
        let member = field.member;
        let ty = &field.ty;
        let span = ty.span();
        let runtime = ctx.krate_at(span);
        let bounded = where_type(ty);
        let stored = field.index.is_some() && !field.is_computed();
        if !stored {
            // Not a column: defaulted, and recomputed below for a computed field.
            bound(
                &mut clause,
                syn::parse_quote_spanned!(span=> for<'__r> #bounded: ::core::default::Default + '__r),
            );
            inits.push(quote!(#member: ::core::default::Default::default(),));
            continue;
        }
        let index = Literal::usize_unsuffixed(field.index.unwrap_or(0));
        let at = Literal::usize_unsuffixed(column);
        let name = &field.name;
        column_names.push(name.clone());
        let is_id = id_pos == Some(pos);
        let is_version = spec.version == Some(pos);
        let (def, to, read) = if field.attrs.json.is_some() || field.attrs.text.is_some() {
            let json = field.attrs.json.is_some();
            bound(
                &mut clause,
                syn::parse_quote_spanned!(span=> for<'__r> #bounded: #runtime::__private::serde::Serialize + #runtime::__private::serde::de::DeserializeOwned + '__r),
            );
            if json {
                (
                    quote!(json(#name, #index)),
                    quote!(#sql::json_to_sql(&self.#member)),
                    quote!(read_json),
                )
            } else {
                (
                    quote!(text(#name, #index)),
                    quote!(#sql::text_to_sql(&self.#member)),
                    quote!(read_text),
                )
            }
        } else {
            bound(
                &mut clause,
                syn::parse_quote_spanned!(span=> for<'__r> #bounded: #runtime::sql::Column + '__r),
            );
            (
                quote!(of::<#ty>(#name, #index)),
                quote!(<#ty as #sql::Column>::to_sql(&self.#member)),
                quote!(read),
            )
        };
        // Named flags, each a const call: one line per column.
        let id_flag = match (is_id, is_id && generated) {
            (true, true) => quote!(.generated_id()),
            (true, false) => quote!(.id()),
            _ => TokenStream::new(),
        };
        let version_flag = is_version.then(|| quote!(.version()));
        let indexed_flag = field.attrs.index.is_some().then(|| quote!(.indexed()));
        defs.push(quote!(#sql::ColumnDef::#def #id_flag #version_flag #indexed_flag));
        to_arms.push(quote!(#at => #to,));
        inits.push(quote!(#member: #sql::#read::<Self, #ty>(source, #at)?,));
        column += 1;
    }

    let id_body = match &spec.id {
        _ if ctx.fallback => ctx.unreachable(),
        Some(id) => {
            let text = ctx
                .input
                .fields
                .get(id.pos)
                .is_some_and(|f| f.attrs.text.is_some());
            let ty = &id.ty;
            if text {
                quote!(#sql::text_to_sql(id))
            } else {
                let span = ty.span();
                let runtime = ctx.krate_at(span);
                let bounded = where_type(ty);
                bound(
                    &mut clause,
                    syn::parse_quote_spanned!(span=> for<'__r> #bounded: #runtime::sql::Column + '__r),
                );
                quote!(<#ty as #sql::Column>::to_sql(id))
            }
        }
        None => ctx.unreachable(),
    };
    let (defs, to_body, from_body) = if ctx.fallback {
        (quote!(&[]), ctx.unreachable(), ctx.unreachable())
    } else {
        (
            quote!(&[#(#defs),*]),
            quote! {
                match column {
                    #(#to_arms)*
                    _ => ::core::result::Result::Ok(#sql::SqlValue::Null),
                }
            },
            // Computed fields were defaulted: compute them from the loaded ones.
            if ctx.analysis.computed_order.is_empty() {
                quote!(::core::result::Result::Ok(Self { #(#inits)* }))
            } else {
                quote! {
                    let mut value = Self { #(#inits)* };
                    #krate::Reactive::__recompute_all(&mut value);
                    ::core::result::Result::Ok(value)
                }
            },
        )
    };
    // Quoted as `statements::quote` does (inner quotes doubled), checked against it by the
    // runtime's tests.
    let column_list = column_names
        .iter()
        .map(|name| format!("\"{}\"", name.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(", ");
    // The fallback's bodies never run (and use nothing).
    let unused = ctx.fallback.then(|| quote!(#[allow(unused_variables)]));
    // Through the runtime's macro, which keeps the impl only when an SQL provider is compiled
    // in (a derive cannot see the runtime's features).
    quote! {
        #krate::__sql_record! {
        #[automatically_derived]
        impl #impl_generics #sql::Record for #self_ty #clause {
            const __COLUMNS: &'static [#sql::ColumnDef] = #defs;
            const __COLUMN_LIST: &'static str = #column_list;

            #unused
            fn __to_column(&self, column: usize) -> #sql::ColumnValue {
                #to_body
            }

            #unused
            fn __id_column(id: &<Self as #krate::Entity>::Id) -> #sql::ColumnValue {
                #id_body
            }

            #unused
            fn __from_columns(source: &mut dyn #sql::ColumnSource) -> #krate::Result<Self> {
                #from_body
            }
        }
        }
    }
}
