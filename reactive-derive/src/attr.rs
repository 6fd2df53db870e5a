//! `#[reactive(..)]` attributes, read into typed structs. Each key is checked where it stands;
//! a bad key does not stop the others from being read.

use proc_macro2::Span;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Attribute, Expr, ExprLit, Ident, Lit, Meta, Path, Token};

use crate::ctxt::Ctxt;

const CONTAINER_KEYS: &str = "`crate = path`";
const FIELD_KEYS: &str = "`skip`, `rename = \"..\"`, `computed = ..`, `deps(..)`";

/// Attributes on the struct.
#[derive(Default)]
pub(crate) struct Container {
    /// `#[reactive(crate = path)]`: where the runtime is, for re-exports.
    pub(crate) crate_path: Option<Path>,
}

/// How a computed field is computed.
pub(crate) enum Computed {
    /// `computed = Self::function`: called with `&self`.
    Function(Path),
    /// `computed = <expression>`: evaluated with `self` in scope.
    Inline(Expr),
}

/// Attributes on a field.
#[derive(Default)]
pub(crate) struct FieldAttrs {
    /// `#[reactive(skip)]`, with the span of `skip`.
    pub(crate) skip: Option<Span>,
    /// `#[reactive(rename = "..")]`.
    pub(crate) rename: Option<(String, Span)>,
    /// `#[reactive(computed = ..)]`.
    pub(crate) computed: Option<(Computed, Span)>,
    /// `#[reactive(deps(a, b))]`, with the span of `deps`.
    pub(crate) deps: Option<(Vec<Ident>, Span)>,
}

fn metas(cx: &mut Ctxt, attrs: &[Attribute]) -> Vec<Meta> {
    let mut out = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("reactive")) {
        match attr.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated) {
            Ok(list) => out.extend(list),
            Err(err) => cx.syn_error(err),
        }
    }
    out
}

fn duplicate(cx: &mut Ctxt, meta: &Meta, key: &str) {
    cx.error_help(
        meta.path(),
        format!("duplicate reactive attribute `{key}`"),
        "each key may appear once per item; remove this one",
    );
}

fn key_of(meta: &Meta) -> String {
    meta.path()
        .get_ident()
        .map(|i| i.to_string())
        .unwrap_or_else(|| quote::quote!(#meta).to_string())
}

/// Reads the container attributes.
pub(crate) fn container(cx: &mut Ctxt, attrs: &[Attribute]) -> Container {
    let mut out = Container::default();
    for meta in metas(cx, attrs) {
        let key = key_of(&meta);
        match (key.as_str(), &meta) {
            ("crate", Meta::NameValue(nv)) => {
                if out.crate_path.is_some() {
                    duplicate(cx, &meta, "crate");
                    continue;
                }
                match &nv.value {
                    Expr::Path(p) if p.qself.is_none() => out.crate_path = Some(p.path.clone()),
                    Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) => match s.parse::<Path>() {
                        Ok(path) => out.crate_path = Some(path),
                        Err(_) => cx.error_help(s, "`crate` expects a path", "write `crate = my_crate::reactive`"),
                    },
                    other => cx.error_help(other, "`crate` expects a path", "write `crate = my_crate::reactive`"),
                }
            }
            ("crate", _) => cx.error_help(&meta, "`crate` expects a path", "write `crate = my_crate::reactive`"),
            ("skip" | "rename" | "computed" | "deps", _) => cx.error_help(
                meta.path(),
                format!("`{key}` is a field attribute"),
                format!("put `#[reactive({key})]` on a field; on the struct the keys are {CONTAINER_KEYS}"),
            ),
            _ => cx.error_help(
                meta.path(),
                format!("unknown reactive attribute `{key}` on a struct"),
                format!("the struct keys are {CONTAINER_KEYS}; the field keys are {FIELD_KEYS}"),
            ),
        }
    }
    out
}

/// Reads one field's attributes.
pub(crate) fn field(cx: &mut Ctxt, attrs: &[Attribute]) -> FieldAttrs {
    let mut out = FieldAttrs::default();
    for meta in metas(cx, attrs) {
        let key = key_of(&meta);
        match key.as_str() {
            "skip" => match &meta {
                Meta::Path(p) if out.skip.is_none() => out.skip = Some(p.span()),
                Meta::Path(_) => duplicate(cx, &meta, "skip"),
                _ => cx.error_help(&meta, "`skip` takes no value", "write `#[reactive(skip)]`"),
            },
            "rename" => match &meta {
                Meta::NameValue(nv) => match &nv.value {
                    Expr::Lit(ExprLit {
                        lit: Lit::Str(s), ..
                    }) => {
                        if out.rename.is_some() {
                            duplicate(cx, &meta, "rename");
                        } else {
                            out.rename = Some((s.value(), s.span()));
                        }
                    }
                    other => cx.error_help(
                        other,
                        "`rename` expects a string literal",
                        "write `rename = \"new_name\"`",
                    ),
                },
                _ => cx.error_help(
                    &meta,
                    "`rename` expects a string literal",
                    "write `rename = \"new_name\"`",
                ),
            },
            "computed" => match &meta {
                Meta::NameValue(nv) => {
                    if out.computed.is_some() {
                        duplicate(cx, &meta, "computed");
                        continue;
                    }
                    let spec = match &nv.value {
                        Expr::Path(p) if p.qself.is_none() && !p.path.is_ident("self") => {
                            Computed::Function(p.path.clone())
                        }
                        Expr::Lit(ExprLit {
                            lit: Lit::Str(s), ..
                        }) => {
                            cx.error_help(
                                s,
                                "`computed` expects a function path or an expression, not a string",
                                "write `computed = Self::function` or `computed = self.a + self.b`",
                            );
                            continue;
                        }
                        expr => Computed::Inline(expr.clone()),
                    };
                    out.computed = Some((spec, nv.path.span()));
                }
                _ => cx.error_help(
                    &meta,
                    "`computed` expects a value",
                    "write `computed = Self::function, deps(a, b)` or `computed = self.a + self.b`",
                ),
            },
            "deps" => {
                match &meta {
                    Meta::List(list) => {
                        if out.deps.is_some() {
                            duplicate(cx, &meta, "deps");
                            continue;
                        }
                        match list.parse_args_with(Punctuated::<Ident, Token![,]>::parse_terminated) {
                        Ok(idents) => out.deps = Some((idents.into_iter().collect(), list.path.span())),
                        Err(err) => cx.syn_error(syn::Error::new(
                            err.span(),
                            "`deps` expects field names\n= help: write `deps(field_a, field_b)`",
                        )),
                    }
                    }
                    _ => cx.error_help(
                        &meta,
                        "`deps` expects a list of field names",
                        "write `deps(field_a, field_b)`",
                    ),
                }
            }
            "crate" => cx.error_help(
                meta.path(),
                "`crate` is a struct attribute",
                "put `#[reactive(crate = path)]` on the struct",
            ),
            _ => cx.error_help(
                meta.path(),
                format!("unknown reactive attribute `{key}` on a field"),
                format!("the field keys are {FIELD_KEYS}"),
            ),
        }
    }
    out
}
