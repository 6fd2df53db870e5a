//! Cross-field checks and the dependency analysis of computed fields.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{Expr, GenericParam, Member};

use crate::ast::{unraw, Input};
use crate::attr::Computed;
use crate::ctxt::Ctxt;

pub(crate) mod entity;
pub(crate) mod names;
pub(crate) mod storage;

pub(crate) use names::const_name;

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
    /// Positions in `Input::fields` whose generated items are left out: their name is not an
    /// identifier or clashes with another field's (generating them would only add errors).
    pub(crate) omit: BTreeSet<usize>,
    /// The entity's name, id and version, with `#[entity]`.
    pub(crate) entity: Option<entity::EntitySpec>,
}

impl Analysis {
    /// The analysis of a struct without fields.
    pub(crate) fn empty() -> Self {
        Analysis {
            deps: Vec::new(),
            computed_order: Vec::new(),
            event_order: Vec::new(),
            has_dependents: BTreeSet::new(),
            omit: BTreeSet::new(),
            entity: None,
        }
    }
}

/// Runs every check; errors go to `cx`. The analysis is usable even when errors were found
/// (unresolved dependencies are left out).
pub(crate) fn check(cx: &mut Ctxt, input: &Input<'_>) -> Analysis {
    check_generics(cx, input);
    let omit = names::check_names(cx, input);
    check_attr_combinations(cx, input);
    check_validation(cx, input);
    let entity = entity::check_entity(cx, input);
    storage::check_storage(cx, input, entity.as_ref());
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
        omit,
        entity,
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
        if let (Some((_, span)), None, false) =
            (&attrs.deps, &attrs.computed, attrs.computed_rejected)
        {
            cx.error_help_at(
                *span,
                "`deps` belongs to a computed field",
                "add `computed = ..` to this field, or remove `deps`",
            );
        }
        if let (Some((Computed::Function(path), _)), None) = (&attrs.computed, &attrs.deps) {
            if attrs.skip.is_none() && !attrs.deps_rejected {
                cx.error_help(
                    path,
                    "a computed function needs its dependencies",
                    "list them: `computed = Self::function, deps(field_a, field_b)`; only an inline expression may leave them out",
                );
            }
        }
    }
}

/// With `#[reactive(validate)]`: some field has a garde rule, and only plain fields do (a
/// computed field is derived state and a skipped one is not state: neither is ever written,
/// so a rule on them could only refuse writes to other fields).
fn check_validation(cx: &mut Ctxt, input: &Input<'_>) {
    let Some(validate) = input.attrs.validate else {
        return;
    };
    if input.fields.iter().all(|f| f.garde_rule.is_none()) {
        cx.error_help_at(
            validate,
            "`validate` needs garde rules, and no field has one",
            "put rules on the fields, e.g. `#[garde(length(min = 2))]` or `#[garde(email)]`, and derive `garde::Validate`; or remove `validate`",
        );
    }
    for field in &input.fields {
        let Some(rule) = &field.garde_rule else {
            continue;
        };
        if field.is_computed() {
            cx.error_help(
                rule,
                format!("`{}` is computed: computed fields are never validated input", unraw(field.member)),
                "put the rule on the fields it is computed from, and mark this one `#[garde(skip)]`",
            );
        } else if field.is_skipped() {
            cx.error_help(
                rule,
                format!("`{}` is `#[reactive(skip)]`: it is not part of the model's state, so it is not validated", unraw(field.member)),
                "mark it `#[garde(skip)]`, or remove `#[reactive(skip)]` to make it a validated field",
            );
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

fn self_uses(expr: &Expr) -> SelfUses {
    let mut uses = SelfUses {
        fields: Vec::new(),
        bad: Vec::new(),
    };
    uses.visit_expr(expr);
    uses
}

fn is_self(expr: &Expr) -> bool {
    matches!(expr, Expr::Path(p) if p.path.is_ident("self"))
}

/// Macro arguments are tokens: find `self . ident` in them, and any other `self` (a method
/// call `self . ident (..)` or `self . ident :: <..> (..)` included: it hides what it reads).
fn scan_tokens(tokens: TokenStream, uses: &mut SelfUses) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut i = 0;
    while let Some(token) = tokens.get(i) {
        match token {
            TokenTree::Group(g) => scan_tokens(g.stream(), uses),
            TokenTree::Ident(ident) if ident == "self" => {
                let call = match tokens.get(i + 3) {
                    Some(TokenTree::Group(g)) => g.delimiter() == Delimiter::Parenthesis,
                    Some(TokenTree::Punct(p)) => p.as_char() == ':',
                    _ => false,
                };
                match (tokens.get(i + 1), tokens.get(i + 2)) {
                    (Some(TokenTree::Punct(dot)), Some(TokenTree::Ident(field)))
                        if dot.as_char() == '.' && !call =>
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
                (Some(idents), Some(Computed::Inline(expr))) => {
                    // `deps` may cover what the expression hides (`self.helper()`), but a
                    // field it reads in plain sight must be listed, or the value goes stale.
                    let uses = self_uses(expr);
                    for read in &uses.fields {
                        let listed = idents.iter().any(|d| unraw(d) == unraw(read));
                        let reactive = by_member
                            .get(&unraw(read))
                            .is_some_and(|(i, _)| i.is_some());
                        if reactive && !listed {
                            cx.error_help(
                                read,
                                format!("the expression reads `{}`, which `deps(..)` does not list", unraw(read)),
                                "add it to `deps(..)`, or leave `deps` out and let the macro read the dependencies off the expression",
                            );
                        }
                    }
                    Some(idents)
                }
                (Some(idents), _) => Some(idents),
                (None, Some(Computed::Inline(expr))) => {
                    let uses = self_uses(expr);
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
                if cycle.len() == 1 {
                    cx.error_help(
                        field.member,
                        format!("the computed field `{}` depends on itself", unraw(field.member)),
                        "a computed field cannot read its own value; remove it from its dependencies",
                    );
                    continue;
                }
                let names: Vec<String> = cycle
                    .iter()
                    .chain(cycle.first())
                    .filter_map(|p| input.fields.get(*p))
                    .map(|f| format!("`{}`", unraw(f.member)))
                    .collect();
                cx.error_help(
                    field.member,
                    format!(
                        "computed fields depend on each other in a cycle: {}",
                        names.join(" -> ")
                    ),
                    "a computed field may depend on other computed fields only if no cycle forms; break the cycle",
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
