//! `#[reactive(..)]` attributes, read into typed structs. Each key is checked where it stands;
//! a bad key, even a syntax error, does not stop the keys after it from being read.

use proc_macro2::Span;
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Attribute, Expr, ExprLit, Ident, Lit, Meta, Path, Token};

use crate::ctxt::Ctxt;

const CONTAINER_KEYS: &str = "`crate = path`, `hooks`, `validate`";
const FIELD_KEYS: &str =
    "`skip`, `rename = \"..\"`, `computed = ..`, `deps(..)`, `id`, `generated`, `version`";
const SYNTAX_HELP: &str =
    "the syntax is `#[reactive(key)]`, `#[reactive(key = value)]` or `#[reactive(key(a, b))]`, keys separated by commas";

/// Attributes on the struct.
#[derive(Default)]
pub(crate) struct Container {
    /// `#[reactive(crate = path)]`: where the runtime is, for re-exports.
    pub(crate) crate_path: Option<Path>,
    /// `#[reactive(hooks)]`, with the span of `hooks`: the user implements `ModelHooks`.
    pub(crate) hooks: Option<Span>,
    /// `#[reactive(validate)]`, with the span of `validate`: writes are checked against the
    /// type's garde rules.
    pub(crate) validate: Option<Span>,
    /// `#[entity("name")]`: the type is an entity.
    pub(crate) entity: Option<EntityAttr>,
}

/// `#[entity("name")]` on the struct.
pub(crate) struct EntityAttr {
    /// The entity's name (empty when it was rejected).
    pub(crate) name: String,
    /// The span of the attribute's `entity`.
    pub(crate) span: Span,
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
    /// `#[reactive(computed = ..)]`, with the span of `computed`.
    pub(crate) computed: Option<(Computed, Span)>,
    /// `#[reactive(deps(a, b))]`, with the span of `deps`.
    pub(crate) deps: Option<(Vec<Ident>, Span)>,
    /// A `rename` was written but rejected (already reported): the name checks stay quiet.
    pub(crate) rename_rejected: bool,
    /// A `computed` was written but rejected: its `deps` are not also "without `computed`".
    pub(crate) computed_rejected: bool,
    /// A `deps` was written but rejected: it is not also "missing".
    pub(crate) deps_rejected: bool,
    /// `#[reactive(id)]`, with the span of `id`: the entity's id.
    pub(crate) id: Option<Span>,
    /// `#[reactive(generated)]` (beside `id`), with its span: the store assigns the id.
    pub(crate) generated: Option<Span>,
    /// `#[reactive(version)]`, with its span: the version for optimistic concurrency.
    pub(crate) version: Option<Span>,
    /// `#[reactive(text)]`, with its span: stored and queried as its serde string.
    pub(crate) text: Option<Span>,
    /// `#[reactive(json)]`, with its span: stored as JSON; queries only test it for null.
    pub(crate) json: Option<Span>,
    /// `#[reactive(index)]`, with its span: SQL providers create an index on the column.
    pub(crate) index: Option<Span>,
}

/// The keys of every `#[reactive(..)]` attribute in `attrs`, in order. A key that does not
/// parse is reported and skipped up to the next top-level comma.
fn metas(cx: &mut Ctxt, attrs: &[Attribute]) -> Vec<Meta> {
    let mut out = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("reactive")) {
        let list = match &attr.meta {
            Meta::List(list) => list,
            other => {
                cx.error_help(
                    other,
                    "expected `#[reactive(..)]` with keys in parentheses",
                    SYNTAX_HELP,
                );
                continue;
            }
        };
        let mut errors = Vec::new();
        let parsed =
            (|input: ParseStream<'_>| parse_metas(input, &mut errors)).parse2(list.tokens.clone());
        match parsed {
            Ok(metas) => out.extend(metas),
            Err(err) => errors.push(err),
        }
        for err in errors {
            cx.error_help_at(err.span(), err, SYNTAX_HELP);
        }
    }
    out
}

/// `key, key = value, key(..)`, recovering at the next top-level comma after an error.
fn parse_metas(input: ParseStream<'_>, errors: &mut Vec<syn::Error>) -> syn::Result<Vec<Meta>> {
    let mut out = Vec::new();
    while !input.is_empty() {
        let fork = input.fork();
        match fork.parse::<Meta>() {
            Ok(meta) if fork.is_empty() || fork.peek(Token![,]) => {
                use syn::parse::discouraged::Speculative;
                input.advance_to(&fork);
                out.push(meta);
            }
            Ok(_) => {
                errors.push(fork.error("expected `,` or the end of the attribute"));
                skip_to_comma(input)?;
            }
            Err(err) => {
                errors.push(err);
                skip_to_comma(input)?;
            }
        }
        if !input.is_empty() {
            input.parse::<Token![,]>()?;
        }
    }
    Ok(out)
}

fn skip_to_comma(input: ParseStream<'_>) -> syn::Result<()> {
    input.step(|cursor| {
        let mut rest = *cursor;
        while let Some((tt, next)) = rest.token_tree() {
            if matches!(&tt, proc_macro2::TokenTree::Punct(p) if p.as_char() == ',') {
                return Ok(((), rest));
            }
            rest = next;
        }
        Ok(((), rest))
    })
}

fn duplicate(cx: &mut Ctxt, meta: &Meta, key: &str) {
    cx.error_help(
        meta.path(),
        format!("duplicate reactive attribute `{key}`"),
        "each key may appear once per item; remove this one",
    );
}

fn key_of(meta: &Meta) -> String {
    let path = meta.path();
    path.get_ident()
        .map(|i| i.to_string())
        .unwrap_or_else(|| quote::quote!(#path).to_string().replace(' ', ""))
}

/// Reads the container attributes.
pub(crate) fn container(cx: &mut Ctxt, attrs: &[Attribute]) -> Container {
    let mut out = Container {
        entity: entity(cx, attrs),
        ..Container::default()
    };
    let crate_help =
        "write `crate = my_crate::reactive`, the path where the runtime is re-exported";
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
                    Expr::Lit(ExprLit {
                        lit: Lit::Str(s), ..
                    }) => match s.parse::<Path>() {
                        Ok(path) => out.crate_path = Some(path),
                        Err(_) => cx.error_help(s, "`crate` expects a path", crate_help),
                    },
                    other => cx.error_help(other, "`crate` expects a path", crate_help),
                }
            }
            ("crate", _) => cx.error_help(&meta, "`crate` expects a path", crate_help),
            ("hooks", _) => flag(
                cx,
                &mut out.hooks,
                &meta,
                "write `#[reactive(hooks)]` and implement `reactive::ModelHooks` for the type",
            ),
            ("validate", _) => flag(
                cx,
                &mut out.validate,
                &meta,
                "write `#[reactive(validate)]`; the rules are the fields' `#[garde(..)]` attributes",
            ),
            ("entity", _) => cx.error_help(
                meta.path(),
                "`entity` is an attribute of its own",
                "write `#[entity(\"users\")]` on the struct, beside `#[derive(Reactive)]`",
            ),
            ("skip" | "rename" | "computed" | "deps" | "id" | "generated" | "version" | "text" | "json" | "index", _) => cx.error_help(
                meta.path(),
                format!("`{key}` is a field attribute"),
                format!(
                    "put `#[reactive({key} ..)]` on a field; on the struct the keys are {CONTAINER_KEYS}"
                ),
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
            "skip" => skip(cx, &mut out, &meta),
            "rename" => rename(cx, &mut out, &meta),
            "computed" => computed(cx, &mut out, &meta),
            "deps" => deps(cx, &mut out, &meta),
            "id" => field_flag(cx, &mut out.id, &meta, "write `#[reactive(id)]`, or `#[reactive(id, generated)]` for an id the store assigns"),
            "generated" => field_flag(cx, &mut out.generated, &meta, "write `#[reactive(id, generated)]` on an `Option` id field"),
            "version" => field_flag(cx, &mut out.version, &meta, "write `#[reactive(version)]` on a `u64` field"),
            "text" => field_flag(cx, &mut out.text, &meta, "write `#[reactive(text)]` on a field stored as its serde string (an enum)"),
            "json" => field_flag(cx, &mut out.json, &meta, "write `#[reactive(json)]` on a field stored as JSON"),
            "index" => field_flag(cx, &mut out.index, &meta, "write `#[reactive(index)]` on a stored field of an entity"),
            "entity" => cx.error_help(
                meta.path(),
                "`entity` is an attribute of the struct",
                "write `#[entity(\"users\")]` on the struct, beside `#[derive(Reactive)]`",
            ),
            "crate" => cx.error_help(
                meta.path(),
                "`crate` is a struct attribute",
                "put `#[reactive(crate = path)]` on the struct",
            ),
            "hooks" | "validate" => cx.error_help(
                meta.path(),
                format!("`{key}` is a struct attribute"),
                format!("put `#[reactive({key})]` on the struct: it applies to the whole type"),
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

/// A struct key without a value (`hooks`, `validate`). One given a value is reported and still
/// taken as meant: the user's `ModelHooks` impl must not then clash with a generated one.
fn flag(cx: &mut Ctxt, out: &mut Option<Span>, meta: &Meta, help: &str) {
    let key = key_of(meta);
    if out.is_some() {
        duplicate(cx, meta, &key);
        return;
    }
    if !matches!(meta, Meta::Path(_)) {
        cx.error_help(meta, format!("`{key}` takes no value"), help);
    }
    *out = Some(meta.path().span());
}

/// A field key without a value (`id`, `generated`, `version`). One given a value is reported
/// and still taken as meant, so that nothing follows from its absence (an entity "without id").
fn field_flag(cx: &mut Ctxt, out: &mut Option<Span>, meta: &Meta, help: &str) {
    let key = key_of(meta);
    if out.is_some() {
        duplicate(cx, meta, &key);
        return;
    }
    if !matches!(meta, Meta::Path(_)) {
        cx.error_help(meta, format!("`{key}` takes no value"), help);
    }
    *out = Some(meta.path().span());
}

/// Reads `#[entity("name")]`. A malformed one is reported and still returned (with an empty
/// name), so that the type is an entity for the checks that follow and for the fallback.
fn entity(cx: &mut Ctxt, attrs: &[Attribute]) -> Option<EntityAttr> {
    let help = "write `#[entity(\"users\")]`: the entity's name, a string literal";
    let mut out: Option<EntityAttr> = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("entity")) {
        if out.is_some() {
            cx.error_help(
                attr,
                "duplicate `#[entity]` attribute",
                "a type is one entity: keep one `#[entity(\"..\")]`",
            );
            continue;
        }
        let span = attr.path().span();
        let name = match &attr.meta {
            Meta::List(list) => {
                let mut name = None;
                let parsed = list.parse_args_with(|input: ParseStream<'_>| {
                    if input.is_empty() {
                        cx.error_help(list, "`#[entity]` needs the entity's name", help);
                        return Ok(());
                    }
                    let lit: Lit = match input.parse() {
                        Ok(lit) => lit,
                        Err(_) => {
                            let first: proc_macro2::TokenTree = input.parse()?;
                            cx.error_help(
                                &first,
                                "the entity's name must be a string literal",
                                format!("write `#[entity(\"{}\")]`", name_hint(&first)),
                            );
                            input.parse::<proc_macro2::TokenStream>()?;
                            return Ok(());
                        }
                    };
                    match &lit {
                        Lit::Str(s) => name = check_entity_name(cx, s),
                        other => {
                            cx.error_help(other, "the entity's name must be a string literal", help)
                        }
                    }
                    if !input.is_empty() {
                        let rest: proc_macro2::TokenStream = input.parse()?;
                        cx.error_help(
                            rest,
                            "unexpected tokens after the entity's name",
                            "`#[entity(\"..\")]` takes only the name",
                        );
                    }
                    Ok(())
                });
                if let Err(err) = parsed {
                    cx.error_help_at(err.span(), err, help);
                }
                name
            }
            Meta::Path(path) => {
                cx.error_help(path, "`#[entity]` needs the entity's name", help);
                None
            }
            Meta::NameValue(_) => {
                cx.error_help(attr, "the entity's name goes in parentheses", help);
                None
            }
        };
        out = Some(EntityAttr {
            name: name.unwrap_or_default(),
            span,
        });
    }
    out
}

/// The name written for `#[entity(users)]`, for the help line.
fn name_hint(token: &proc_macro2::TokenTree) -> String {
    match token {
        proc_macro2::TokenTree::Ident(ident) => ident.to_string(),
        _ => "users".to_string(),
    }
}

/// The entity's name names a table, a route and the registry's key: it must be non-empty and
/// have no whitespace or control characters.
fn check_entity_name(cx: &mut Ctxt, lit: &syn::LitStr) -> Option<String> {
    let name = lit.value();
    let help =
        "the name is the entity's table, route and registry key, e.g. `#[entity(\"users\")]`";
    if name.is_empty() {
        cx.error_help(lit, "the entity's name is empty", help);
        return None;
    }
    if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        cx.error_help(
            lit,
            format!("the entity's name {name:?} has whitespace or control characters"),
            help,
        );
        return None;
    }
    Some(name)
}

fn skip(cx: &mut Ctxt, out: &mut FieldAttrs, meta: &Meta) {
    match meta {
        Meta::Path(p) if out.skip.is_none() => out.skip = Some(p.span()),
        Meta::Path(_) => duplicate(cx, meta, "skip"),
        _ => cx.error_help(meta, "`skip` takes no value", "write `#[reactive(skip)]`"),
    }
}

fn rename(cx: &mut Ctxt, out: &mut FieldAttrs, meta: &Meta) {
    let help = "write `rename = \"new_name\"`";
    let Meta::NameValue(nv) = meta else {
        cx.error_help(meta, "`rename` expects a string literal", help);
        out.rename_rejected = true;
        return;
    };
    match &nv.value {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => {
            if out.rename.is_some() {
                duplicate(cx, meta, "rename");
            } else {
                out.rename = Some((s.value(), s.span()));
            }
        }
        other => {
            cx.error_help(other, "`rename` expects a string literal", help);
            out.rename_rejected = true;
        }
    }
}

fn computed(cx: &mut Ctxt, out: &mut FieldAttrs, meta: &Meta) {
    let Meta::NameValue(nv) = meta else {
        cx.error_help(
            meta,
            "`computed` expects a value",
            "write `computed = Self::function, deps(a, b)` or `computed = self.a + self.b`",
        );
        out.computed_rejected = true;
        return;
    };
    if out.computed.is_some() {
        duplicate(cx, meta, "computed");
        return;
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
                "write `computed = Self::function, deps(a, b)` or `computed = self.a + self.b`",
            );
            out.computed_rejected = true;
            return;
        }
        expr => Computed::Inline(expr.clone()),
    };
    out.computed = Some((spec, nv.path.span()));
}

fn deps(cx: &mut Ctxt, out: &mut FieldAttrs, meta: &Meta) {
    let help = "write `deps(field_a, field_b)` with the names of the fields it reads";
    let Meta::List(list) = meta else {
        cx.error_help(meta, "`deps` expects a list of field names", help);
        out.deps_rejected = true;
        return;
    };
    if out.deps.is_some() {
        duplicate(cx, meta, "deps");
        return;
    }
    match list.parse_args_with(Punctuated::<Ident, Token![,]>::parse_terminated) {
        Ok(idents) if idents.is_empty() => {
            cx.error_help(
                list,
                "`deps` is empty: the field would never be recomputed",
                help,
            );
            out.deps_rejected = true;
        }
        Ok(idents) => out.deps = Some((idents.into_iter().collect(), list.path.span())),
        Err(err) => {
            cx.error_help_at(err.span(), "`deps` expects field names", help);
            out.deps_rejected = true;
        }
    }
}

/// The first rule of a field's `#[garde(..)]` attributes other than `skip` (garde parses and
/// checks them; the derive only needs to know whether a field has rules, and where).
pub(crate) fn garde_rule(attrs: &[Attribute]) -> Option<proc_macro2::TokenStream> {
    use proc_macro2::{TokenStream, TokenTree};
    attrs
        .iter()
        .filter(|a| a.path().is_ident("garde"))
        .filter_map(|a| match &a.meta {
            Meta::List(list) => Some(list.tokens.clone()),
            _ => None,
        })
        .find_map(|tokens| {
            let mut rules: Vec<TokenStream> = vec![TokenStream::new()];
            for token in tokens {
                match &token {
                    TokenTree::Punct(p) if p.as_char() == ',' => rules.push(TokenStream::new()),
                    _ => rules.last_mut()?.extend([token]),
                }
            }
            rules
                .into_iter()
                .find(|rule| !rule.is_empty() && rule.to_string() != "skip")
        })
}
