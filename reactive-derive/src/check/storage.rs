//! `#[reactive(text)]` and `#[reactive(json)]`: how an entity's field is stored and queried.

use proc_macro2::Span;

use crate::ast::{unraw, Input};
use crate::check::entity::EntitySpec;
use crate::ctxt::Ctxt;

/// Checks the storage keys of every field: one of them at most, on a stored field of an
/// entity, and neither on the version nor `json` on the id.
pub(crate) fn check_storage(cx: &mut Ctxt, input: &Input<'_>, entity: Option<&EntitySpec>) {
    for (pos, field) in input.fields.iter().enumerate() {
        let attrs = &field.attrs;
        if let Some(span) = attrs.index {
            check_index(cx, input, field, span);
        }
        let keys = [("text", attrs.text), ("json", attrs.json)];
        let Some((key, span)) = keys.iter().find_map(|&(key, span)| Some((key, span?))) else {
            continue;
        };
        if let (Some(_), Some(json)) = (attrs.text, attrs.json) {
            cx.error_help_at(
                json,
                "a field is stored as `text` or as `json`, not both",
                "`text` stores its serde string (for enums), `json` its JSON (for structured values): keep one",
            );
        }
        if field.is_skipped() {
            cx.error_help_at(
                span,
                format!("`{key}` cannot be on a skipped field"),
                format!("a skipped field is neither stored nor queried: remove `skip` or `{key}`"),
            );
            continue;
        }
        if input.attrs.entity.is_none() {
            cx.error_help_at(
                span,
                format!(
                    "`{key}` belongs to an entity, and `{}` has no `#[entity]`",
                    unraw(input.ident)
                ),
                format!("add `#[entity(\"name\")]` to the struct, or remove `{key}`"),
            );
            continue;
        }
        let Some(entity) = entity else { continue };
        if entity.version == Some(pos) {
            misplaced(
                cx,
                span,
                key,
                "the version",
                "the version is a `u64`, stored as an integer",
            );
        } else if key == "json" && entity.id.as_ref().is_some_and(|id| id.pos == pos) {
            misplaced(cx, span, key, "the id", "the id is compared and ordered by, and JSON is not comparable: use `text` for an enum id");
        }
    }
}

/// `index` needs a stored column: a plain field of an entity.
fn check_index(cx: &mut Ctxt, input: &Input<'_>, field: &crate::ast::Field<'_>, span: Span) {
    let problem = if input.attrs.entity.is_none() {
        Some(format!("`{}` has no `#[entity]`", unraw(input.ident)))
    } else if field.is_skipped() {
        Some("a skipped field is not stored".to_string())
    } else if field.is_computed() {
        Some("a computed field is not stored".to_string())
    } else {
        None
    };
    if let Some(problem) = problem {
        cx.error_help_at(
            span,
            format!("`index` needs a stored column: {problem}"),
            "put `#[reactive(index)]` on a plain field of an `#[entity]` struct",
        );
    }
}

fn misplaced(cx: &mut Ctxt, span: Span, key: &str, what: &str, help: &str) {
    cx.error_help_at(span, format!("`{key}` cannot be on {what}"), help);
}
