//! The names of the generated items: valid, not reserved, and distinct across fields.

use std::collections::{BTreeMap, BTreeSet};

use crate::ast::{unraw, Field, Input};
use crate::ctxt::Ctxt;
use crate::reserved::{is_reserved_method, reserved_names, RESERVED_CONSTS};

/// The key const of a name: `userId` and `user_id` both give `USER_ID`.
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

/// Whether a `rename` can stem the generated items (`name()`, `set_name`, `NAME`): ASCII letters,
/// digits and `_`, not starting with a digit, and not a keyword that cannot be written raw.
/// Other keywords are fine: the getter is generated raw (`r#type()`).
pub(crate) fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c == '_' || c.is_ascii_alphabetic());
    first_ok
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
        && !matches!(name, "_" | "self" | "Self" | "super" | "crate")
}

/// How a field is named in messages: its identifier, and its event name when renamed.
fn describe(field: &Field<'_>) -> String {
    let member = unraw(field.member);
    if member == field.name {
        format!("`{member}`")
    } else {
        format!("`{member}` (renamed `{}`)", field.name)
    }
}

/// Checks every reactive field's name; returns the positions (in `Input::fields`) of the fields
/// whose items must not be generated, because their name is not an identifier or clashes with
/// an earlier field's (generating them would only add errors).
pub(crate) fn check_names(cx: &mut Ctxt, input: &Input<'_>) -> BTreeSet<usize> {
    let reserved = reserved_names();
    let mut omit = BTreeSet::new();
    // generated method or key const -> position of the field that generates it
    let mut methods: BTreeMap<String, usize> = BTreeMap::new();
    let mut consts: BTreeMap<String, usize> = BTreeMap::new();
    for (pos, field) in input.fields.iter().enumerate() {
        if field.is_skipped() {
            continue;
        }
        let name = &field.name;
        // After a rejected `rename` the field keeps its own name, which the user meant to
        // replace: report nothing more about it, only leave out items that would clash.
        let quiet = field.attrs.rename_rejected;
        // A field's own identifier is valid by construction; a `rename` may not be.
        if field.attrs.rename.is_some() && !is_valid_name(name) {
            let what = if name.is_empty() {
                "an empty name cannot name a reactive field".to_string()
            } else {
                format!("`{name}` cannot name a reactive field")
            };
            cx.error_help_at(
                field.name_span,
                what,
                "the name stems the key const and the methods (`name()`, `set_name`, `NAME`): use ASCII letters, digits and `_`, not starting with a digit",
            );
            omit.insert(pos);
            continue;
        }
        if name.starts_with("__") && !quiet {
            cx.error_help_at(
                field.name_span,
                format!("the field name `{name}` starts with `__`, which is reserved for generated items"),
                format!(
                    "rename it for the model: `#[reactive(rename = \"{}\")]`",
                    name.trim_start_matches('_')
                ),
            );
            omit.insert(pos);
            continue;
        }
        let key = const_name(name);
        // By the key const too: `typeName` and `FIELDS` are not reserved names, but their
        // consts (`TYPE_NAME`, `FIELDS`) are the trait's.
        let reserved_const = RESERVED_CONSTS.contains(&key.as_str());
        if (reserved_const || reserved.iter().any(|r| r == name)) && !quiet {
            let what = if reserved_const {
                format!("its key const `{key}` would hide `Reactive::{key}`")
            } else {
                let clash = ["", "set_", "on_"]
                    .iter()
                    .map(|p| format!("{p}{name}"))
                    .find(|m| is_reserved_method(m))
                    .unwrap_or_else(|| name.clone());
                format!("the live model already has a method `{clash}`")
            };
            cx.error_help_at(
                field.name_span,
                format!("the field name `{name}` is reserved: {what}"),
                format!("keep the Rust field and rename it for the model: `#[reactive(rename = \"{name}_value\")]`"),
            );
            continue;
        }
        let items = [name.clone(), format!("set_{name}"), format!("on_{name}")];
        let method_clash = items
            .iter()
            .find_map(|item| Some((item, *methods.get(item)?)));
        let clash = match method_clash {
            Some((_, other)) if input.fields.get(other).is_some_and(|o| o.name == *name) => {
                Some((other, format!("have the same name `{name}`")))
            }
            Some((item, other)) => Some((other, format!("both generate a method `{item}`"))),
            None => consts
                .get(&key)
                .map(|&other| (other, format!("both make the key const `{key}`"))),
        };
        if let Some((other, what)) = clash {
            omit.insert(pos);
            if quiet {
                continue;
            }
            let other = input.fields.get(other).map(describe).unwrap_or_default();
            cx.error_help_at(
                field.name_span,
                format!("the fields {other} and {} {what}", describe(field)),
                "give one of them another name for the model with `#[reactive(rename = \"..\")]`",
            );
            continue;
        }
        for item in items {
            methods.insert(item, pos);
        }
        consts.insert(key, pos);
    }
    omit
}
