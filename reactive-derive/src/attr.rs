//! `#[reactive(..)]` attributes, read into typed structs. Each key is checked where it stands;
//! a bad key, even a syntax error, does not stop the keys after it from being read.

use proc_macro2::Span;
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Attribute, Expr, ExprLit, Ident, Lit, Meta, Path, Token};

use crate::ctxt::Ctxt;

/// A key of `#[reactive(..)]`: its name, how the help lists it, and what reads it. The parser
/// dispatches through these tables and the help lines list them, so both always agree.
struct Key<Out> {
    name: &'static str,
    shown: &'static str,
    read: fn(&mut Ctxt, &mut Out, &Meta),
}

/// The struct keys.
const CONTAINER_KEYS: &[Key<Container>] = &[
    Key {
        name: "crate",
        shown: "`crate = path`",
        read: crate_path,
    },
    Key {
        name: "handle",
        shown: "`handle = \"Name\"`",
        read: handle_name,
    },
    Key {
        name: "hooks",
        shown: "`hooks`",
        read: |cx, out, meta| {
            flag(
                cx,
                &mut out.hooks,
                meta,
                "write `#[reactive(hooks)]` and implement `reactive::ModelHooks` for the type",
            )
        },
    },
    Key {
        name: "validate",
        shown: "`validate`",
        read: |cx, out, meta| {
            flag(
                cx,
                &mut out.validate,
                meta,
                "write `#[reactive(validate)]`; the rules are the fields' `#[garde(..)]` attributes",
            )
        },
    },
];

/// The field keys.
const FIELD_KEYS: &[Key<FieldAttrs>] = &[
    Key {
        name: "skip",
        shown: "`skip`",
        read: skip,
    },
    Key {
        name: "rename",
        shown: "`rename = \"..\"`",
        read: rename,
    },
    Key {
        name: "computed",
        shown: "`computed = ..`",
        read: computed,
    },
    Key {
        name: "deps",
        shown: "`deps(..)`",
        read: deps,
    },
    Key {
        name: "id",
        shown: "`id`",
        read: |cx, out, meta| {
            field_flag(cx, &mut out.id, meta, "write `#[reactive(id)]`, or `#[reactive(id, generated)]` for an id the store assigns")
        },
    },
    Key {
        name: "generated",
        shown: "`generated`",
        read: |cx, out, meta| {
            field_flag(
                cx,
                &mut out.generated,
                meta,
                "write `#[reactive(id, generated)]` on an `Option` id field",
            )
        },
    },
    Key {
        name: "version",
        shown: "`version`",
        read: |cx, out, meta| {
            field_flag(
                cx,
                &mut out.version,
                meta,
                "write `#[reactive(version)]` on a `u64` field",
            )
        },
    },
    Key {
        name: "text",
        shown: "`text`",
        read: |cx, out, meta| {
            field_flag(
                cx,
                &mut out.text,
                meta,
                "write `#[reactive(text)]` on a field stored as its serde string (an enum)",
            )
        },
    },
    Key {
        name: "json",
        shown: "`json`",
        read: |cx, out, meta| {
            field_flag(
                cx,
                &mut out.json,
                meta,
                "write `#[reactive(json)]` on a field stored as JSON",
            )
        },
    },
    Key {
        name: "index",
        shown: "`index`",
        read: |cx, out, meta| {
            field_flag(
                cx,
                &mut out.index,
                meta,
                "write `#[reactive(index)]` on a stored field of an entity",
            )
        },
    },
];

/// The keys of a table, as the help lines list them.
fn shown<Out>(keys: &[Key<Out>]) -> String {
    keys.iter().map(|k| k.shown).collect::<Vec<_>>().join(", ")
}

fn find<'k, Out>(keys: &'k [Key<Out>], name: &str) -> Option<&'k Key<Out>> {
    keys.iter().find(|k| k.name == name)
}

/// The key of `keys` that `typo` most likely means: one edit away (two for longer keys).
fn did_you_mean<'k, Out>(keys: &'k [Key<Out>], typo: &str) -> Option<&'k str> {
    let allowed = if typo.chars().count() <= 4 { 1 } else { 2 };
    keys.iter()
        .map(|k| (edit_distance(k.name, typo), k.name))
        .filter(|(d, _)| *d <= allowed)
        .min_by_key(|(d, _)| *d)
        .map(|(_, name)| name)
}

/// Levenshtein distance (insertions, deletions, substitutions), over chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row.first().copied().unwrap_or(0);
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let above = row.get(j + 1).copied().unwrap_or(usize::MAX);
            let left = row.get(j).copied().unwrap_or(usize::MAX);
            let cost = diagonal + usize::from(ca != *cb);
            diagonal = above;
            if let Some(cell) = row.get_mut(j + 1) {
                *cell = cost
                    .min(above.saturating_add(1))
                    .min(left.saturating_add(1));
            }
        }
    }
    row.last().copied().unwrap_or(0)
}

/// The help line of an unknown key: a close key first, then the list.
fn unknown_help<Out>(keys: &[Key<Out>], key: &str, list: String) -> String {
    match did_you_mean(keys, key) {
        Some(close) => format!("did you mean `{close}`? {list}"),
        None => list,
    }
}
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
    /// `#[reactive(handle = "Name")]`: the generated handle is `Name` and the batch handle
    /// `NameBatch` (instead of `UserHandle` and `UserBatch`).
    pub(crate) handle: Option<Ident>,
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
    for meta in metas(cx, attrs) {
        let key = key_of(&meta);
        if let Some(known) = find(CONTAINER_KEYS, &key) {
            (known.read)(cx, &mut out, &meta);
        } else if key == "entity" {
            cx.error_help(
                meta.path(),
                "`entity` is an attribute of its own",
                "write `#[entity(\"users\")]` on the struct, beside `#[derive(Reactive)]`",
            );
        } else if find(FIELD_KEYS, &key).is_some() {
            cx.error_help(
                meta.path(),
                format!("`{key}` is a field attribute"),
                format!(
                    "put `#[reactive({key} ..)]` on a field; on the struct the keys are {}",
                    shown(CONTAINER_KEYS)
                ),
            );
        } else {
            let list = format!(
                "the struct keys are {}; the field keys are {}",
                shown(CONTAINER_KEYS),
                shown(FIELD_KEYS)
            );
            cx.error_help(
                meta.path(),
                format!("unknown reactive attribute `{key}` on a struct"),
                unknown_help(CONTAINER_KEYS, &key, list),
            );
        }
    }
    out
}

/// `handle = "Name"`: the name of the generated handle type.
fn handle_name(cx: &mut Ctxt, out: &mut Container, meta: &Meta) {
    let help = "write `handle = \"UserModel\"`: the handle is then `UserModel`, the batch handle `UserModelBatch`";
    let Meta::NameValue(nv) = meta else {
        cx.error_help(meta, "`handle` expects a type name in a string", help);
        return;
    };
    if out.handle.is_some() {
        duplicate(cx, meta, "handle");
        return;
    }
    match &nv.value {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => match syn::parse_str::<Ident>(&s.value()) {
            Ok(ident) if !ident.to_string().starts_with("r#") => {
                out.handle = Some(Ident::new(&ident.to_string(), s.span()))
            }
            _ => cx.error_help(s, format!("`{}` cannot name a type", s.value()), help),
        },
        other => cx.error_help(other, "`handle` expects a type name in a string", help),
    }
}

/// `crate = path` (or a string holding the path).
fn crate_path(cx: &mut Ctxt, out: &mut Container, meta: &Meta) {
    let crate_help =
        "write `crate = my_crate::reactive`, the path where the runtime is re-exported";
    let Meta::NameValue(nv) = meta else {
        cx.error_help(meta, "`crate` expects a path", crate_help);
        return;
    };
    if out.crate_path.is_some() {
        duplicate(cx, meta, "crate");
        return;
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

/// Reads one field's attributes.
pub(crate) fn field(cx: &mut Ctxt, attrs: &[Attribute]) -> FieldAttrs {
    let mut out = FieldAttrs::default();
    for meta in metas(cx, attrs) {
        let key = key_of(&meta);
        if let Some(known) = find(FIELD_KEYS, &key) {
            (known.read)(cx, &mut out, &meta);
        } else if key == "entity" {
            cx.error_help(
                meta.path(),
                "`entity` is an attribute of the struct",
                "write `#[entity(\"users\")]` on the struct, beside `#[derive(Reactive)]`",
            );
        } else if key == "crate" {
            cx.error_help(
                meta.path(),
                "`crate` is a struct attribute",
                "put `#[reactive(crate = path)]` on the struct",
            );
        } else if find(CONTAINER_KEYS, &key).is_some() {
            cx.error_help(
                meta.path(),
                format!("`{key}` is a struct attribute"),
                format!("put `#[reactive({key})]` on the struct: it applies to the whole type"),
            );
        } else {
            let list = format!("the field keys are {}", shown(FIELD_KEYS));
            cx.error_help(
                meta.path(),
                format!("unknown reactive attribute `{key}` on a field"),
                unknown_help(FIELD_KEYS, &key, list),
            );
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
                            let rest: proc_macro2::TokenStream = input.parse()?;
                            cx.error_help(
                                &rest,
                                "the entity's name must be a string literal",
                                format!("write `#[entity({})]`", name_hint(&rest)),
                            );
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

/// The name to suggest for a malformed `#[entity(..)]`: the user's string literal if there is
/// one at the top level (`name = "users"`), the identifier if it is all there is (`users`),
/// else an example.
fn name_hint(tokens: &proc_macro2::TokenStream) -> String {
    use proc_macro2::TokenTree;
    fn literal(tokens: proc_macro2::TokenStream) -> Option<String> {
        tokens.into_iter().find_map(|token| match token {
            TokenTree::Literal(lit) => {
                let text = lit.to_string();
                (text.starts_with('"') || text.starts_with("r\"") || text.starts_with("r#"))
                    .then_some(text)
            }
            // Not inside a group: a part of `concat!("us", "ers")` is not the user's name.
            _ => None,
        })
    }
    if let Some(lit) = literal(tokens.clone()) {
        return lit;
    }
    let mut iter = tokens.clone().into_iter();
    match (iter.next(), iter.next()) {
        (Some(TokenTree::Ident(ident)), None) => format!("\"{ident}\""),
        _ => "\"users\"".to_string(),
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
