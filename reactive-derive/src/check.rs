//! Cross-field checks and the dependency analysis of computed fields.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{Expr, GenericParam, Member};

use crate::ast::{unraw, Input};
use crate::attr::Computed;
use crate::ctxt::Ctxt;
use crate::reserved::{is_reserved_method, reserved_names};

/// The largest field table the runtime supports (its `MAX_FIELDS`).
const MAX_FIELDS: usize = 256;

/// What the checks learned, for the expansion.
pub(crate) struct Analysis {
    /// For each field (by position in `Input::fields`), the table indices it depends on.
    pub(crate) deps: Vec<Vec<usize>>,
    /// Positions in `Input::fields` of the computed fields, in dependency order.
    pub(crate) computed_order: Vec<usize>,
    /// Table indices in event order: plain fields, then computed fields in dependency order.
    pub(crate) event_order: Vec<usize>,
    /// Table indices that some computed field depends on.
    pub(crate) has_dependents: BTreeSet<usize>,
}

/// Runs every check; errors go to `cx`. The analysis is usable even when errors were found
/// (unresolved dependencies are left out).
pub(crate) fn check(cx: &mut Ctxt, input: &Input<'_>) -> Analysis {
    check_generics(cx, input);
    check_names(cx, input);
    check_attr_combinations(cx, input);
    let deps = resolve_deps(cx, input);
    let computed_order = order_computed(cx, input, &deps);
    let mut event_order: Vec<usize> = input
        .fields
        .iter()
        .filter(|f| !f.is_computed())
        .filter_map(|f| f.index)
        .collect();
    event_order.extend(
        computed_order
            .iter()
            .filter_map(|&pos| input.fields.get(pos)?.index),
    );
    let has_dependents = deps.iter().flatten().copied().collect();
    Analysis {
        deps,
        computed_order,
        event_order,
        has_dependents,
    }
}

fn check_generics(cx: &mut Ctxt, input: &Input<'_>) {
    for param in &input.generics.params {
        if let GenericParam::Lifetime(lt) = param {
            cx.error_help(
                lt,
                "a reactive struct cannot have lifetime parameters",
                "a live model is shared across threads and must own its data (`String`, not `&str`)",
            );
        }
    }
    let table = input.fields.iter().filter(|f| f.index.is_some()).count();
    if table > MAX_FIELDS {
        cx.error_help(
            input.ident,
            format!("a reactive struct may have at most {MAX_FIELDS} reactive fields; this one has {table}"),
            "group related fields into a nested struct field, or mark caches `#[reactive(skip)]`",
        );
    }
}

/// `userId` and `user_id` both give `USER_ID`.
pub(crate) fn const_name(name: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_uppercase() && prev_lower {
            out.push('_');
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        out.extend(c.to_uppercase());
    }
    out
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c == '_' || c.is_alphabetic() => {}
        _ => return false,
    }
    name != "_" && chars.all(|c| c == '_' || c.is_alphanumeric())
}

fn check_names(cx: &mut Ctxt, input: &Input<'_>) {
    let reserved = reserved_names();
    // generated item name -> (field name, which item)
    let mut methods: BTreeMap<String, String> = BTreeMap::new();
    let mut consts: BTreeMap<String, String> = BTreeMap::new();
    for field in input.fields.iter().filter(|f| !f.is_skipped()) {
        let name = &field.name;
        if !is_identifier(name) {
            cx.error_help_at(
                field.name_span,
                format!("`{name}` cannot name a reactive field"),
                "the name must be an identifier: it names the key const and the generated methods",
            );
            continue;
        }
        if reserved.iter().any(|r| r == name) {
            let clash = ["", "set_", "on_"]
                .iter()
                .map(|p| format!("{p}{name}"))
                .find(|m| is_reserved_method(m))
                .unwrap_or_else(|| name.clone());
            cx.error_help_at(
                field.name_span,
                format!("the field name `{name}` is reserved: the live model already has a method `{clash}`"),
                format!("keep the Rust field and rename it for the model: `#[reactive(rename = \"{name}_value\")]`"),
            );
            continue;
        }
        for item in [name.clone(), format!("set_{name}"), format!("on_{name}")] {
            if let Some(other) = methods.get(&item) {
                cx.error_help_at(
                    field.name_span,
                    format!("the fields `{other}` and `{name}` both generate a method `{item}`"),
                    "rename one of them with `#[reactive(rename = \"..\")]`",
                );
                break;
            }
            methods.insert(item, name.clone());
        }
        let key = const_name(name);
        if let Some(other) = consts.get(&key) {
            cx.error_help_at(
                field.name_span,
                format!("the fields `{other}` and `{name}` both make the key const `{key}`"),
                "rename one of them with `#[reactive(rename = \"..\")]`",
            );
        } else {
            consts.insert(key, name.clone());
        }
    }
}

fn check_attr_combinations(cx: &mut Ctxt, input: &Input<'_>) {
    for field in &input.fields {
        let attrs = &field.attrs;
        if let Some(skip) = attrs.skip {
            if attrs.computed.is_some() || attrs.deps.is_some() || attrs.rename.is_some() {
                cx.error_help_at(
                    skip,
                    "`skip` cannot be combined with other reactive attributes",
                    "a skipped field is not reactive: it has no name, no events and no dependencies",
                );
            }
        }
        if let (Some((_, span)), None) = (&attrs.deps, &attrs.computed) {
            cx.error_help_at(
                *span,
                "`deps` belongs to a computed field",
                "add `computed = ..` to this field, or remove `deps`",
            );
        }
        if let (Some((Computed::Function(path), _)), None) = (&attrs.computed, &attrs.deps) {
            if attrs.skip.is_none() {
                cx.error_help(
                    path,
                    "a computed function needs its dependencies",
                    "list them: `computed = Self::function, deps(field_a, field_b)`; only an inline expression may leave them out",
                );
            }
        }
    }
}

/// Collects `self.<field>` uses of an inline expression; any other use of `self` is an error.
struct SelfUses {
    fields: Vec<syn::Ident>,
    bad: Vec<Span>,
}

impl<'ast> Visit<'ast> for SelfUses {
    fn visit_expr(&mut self, expr: &'ast Expr) {
        match expr {
            Expr::Field(f) if is_self(&f.base) => match &f.member {
                Member::Named(ident) => self.fields.push(ident.clone()),
                Member::Unnamed(_) => self.bad.push(f.base.span()),
            },
            Expr::Path(p) if p.path.is_ident("self") => self.bad.push(p.span()),
            _ => syn::visit::visit_expr(self, expr),
        }
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        scan_tokens(mac.tokens.clone(), self);
    }
}

fn is_self(expr: &Expr) -> bool {
    matches!(expr, Expr::Path(p) if p.path.is_ident("self"))
}

/// Macro arguments are tokens: find `self . ident` in them, and any other `self`.
fn scan_tokens(tokens: TokenStream, uses: &mut SelfUses) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut i = 0;
    while let Some(token) = tokens.get(i) {
        match token {
            TokenTree::Group(g) => scan_tokens(g.stream(), uses),
            TokenTree::Ident(ident) if ident == "self" => {
                match (tokens.get(i + 1), tokens.get(i + 2)) {
                    (Some(TokenTree::Punct(dot)), Some(TokenTree::Ident(field)))
                        if dot.as_char() == '.' =>
                    {
                        uses.fields.push(field.clone());
                        i += 2;
                    }
                    _ => uses.bad.push(ident.span()),
                }
            }
            _ => {}
        }
        i += 1;
    }
}

fn resolve_deps(cx: &mut Ctxt, input: &Input<'_>) -> Vec<Vec<usize>> {
    let by_member: BTreeMap<String, (Option<usize>, &str)> = input
        .fields
        .iter()
        .map(|f| (unraw(f.member), (f.index, f.name.as_str())))
        .collect();
    let field_list = || {
        input
            .fields
            .iter()
            .filter(|f| !f.is_skipped())
            .map(|f| format!("`{}`", unraw(f.member)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut all = Vec::new();
    for field in &input.fields {
        let mut deps = Vec::new();
        if field.is_computed() {
            let explicit = field.attrs.deps.as_ref().map(|(d, _)| d.clone());
            let idents = match (explicit, field.computed()) {
                (Some(idents), _) => Some(idents),
                (None, Some(Computed::Inline(expr))) => {
                    let mut uses = SelfUses {
                        fields: Vec::new(),
                        bad: Vec::new(),
                    };
                    uses.visit_expr(expr);
                    for span in &uses.bad {
                        cx.error_help_at(
                            *span,
                            "this use of `self` hides the computed field's dependencies",
                            "write each dependency as `self.<field>`, or list them with `deps(field_a, field_b)`",
                        );
                    }
                    if uses.fields.is_empty() && uses.bad.is_empty() {
                        cx.error_help(
                            expr,
                            "a computed expression must read at least one field",
                            "read the fields it depends on as `self.<field>`",
                        );
                    }
                    // Unknown names are left to rustc, which points at `self.<name>`.
                    Some(
                        uses.fields
                            .into_iter()
                            .filter(|i| by_member.contains_key(&unraw(i)))
                            .collect(),
                    )
                }
                (None, _) => None,
            };
            for ident in idents.unwrap_or_default() {
                match by_member.get(&unraw(&ident)) {
                    Some((Some(index), _)) => {
                        if !deps.contains(index) {
                            deps.push(*index)
                        }
                    }
                    Some((None, _)) => cx.error_help(
                        &ident,
                        format!("`{ident}` is a skipped field, so it cannot be a dependency"),
                        "a `#[reactive(skip)]` field emits no changes; remove `skip` or the dependency",
                    ),
                    None => cx.error_help(
                        &ident,
                        format!("unknown dependency `{ident}`: no such field"),
                        format!("the fields are {}", field_list()),
                    ),
                }
            }
        }
        all.push(deps);
    }
    all
}

/// Orders the computed fields so each comes after the computed fields it depends on;
/// reports cycles. Among ready fields, declaration order wins.
fn order_computed(cx: &mut Ctxt, input: &Input<'_>, deps: &[Vec<usize>]) -> Vec<usize> {
    // table index -> position of a computed field
    let computed: BTreeMap<usize, usize> = input
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.is_computed())
        .filter_map(|(pos, f)| Some((f.index?, pos)))
        .collect();
    let mut order = Vec::new();
    let mut done: BTreeSet<usize> = BTreeSet::new();
    loop {
        let next = computed.values().copied().find(|pos| {
            !done.contains(pos)
                && deps.get(*pos).is_some_and(|d| {
                    d.iter()
                        .all(|dep| computed.get(dep).is_none_or(|p| done.contains(p)))
                })
        });
        match next {
            Some(pos) => {
                done.insert(pos);
                order.push(pos);
            }
            None => break,
        }
    }
    // Whatever is left is on a cycle or depends on one.
    for pos in computed.values().copied().filter(|p| !done.contains(p)) {
        let Some(field) = input.fields.get(pos) else {
            continue;
        };
        if let Some(cycle) = find_cycle(pos, &computed, deps, &done) {
            if cycle.first() == Some(&pos) {
                let names: Vec<String> = cycle
                    .iter()
                    .chain(cycle.first())
                    .filter_map(|p| input.fields.get(*p))
                    .map(|f| format!("`{}`", f.name))
                    .collect();
                cx.error_help(
                    field.member,
                    format!("computed fields depend on each other in a cycle: {}", names.join(" -> ")),
                    "a computed field may depend on computed fields only if no cycle forms; break the cycle",
                );
            }
        }
    }
    order
}

/// The cycle reached from `start` through unordered computed fields, as positions, starting at
/// its smallest position.
fn find_cycle(
    start: usize,
    computed: &BTreeMap<usize, usize>,
    deps: &[Vec<usize>],
    done: &BTreeSet<usize>,
) -> Option<Vec<usize>> {
    let mut path = vec![start];
    let mut seen = BTreeSet::new();
    let mut current = start;
    loop {
        seen.insert(current);
        let next = deps
            .get(current)?
            .iter()
            .filter_map(|d| computed.get(d).copied())
            .find(|p| !done.contains(p))?;
        if let Some(at) = path.iter().position(|p| *p == next) {
            let mut cycle = path.split_off(at);
            let min_at = cycle
                .iter()
                .enumerate()
                .min_by_key(|(_, p)| **p)
                .map(|(i, _)| i)?;
            cycle.rotate_left(min_at);
            return Some(cycle);
        }
        if seen.contains(&next) {
            return None;
        }
        path.push(next);
        current = next;
    }
}
