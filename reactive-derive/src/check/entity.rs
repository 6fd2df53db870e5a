//! `#[entity("..")]`: which field is the id and which the version, and the misuse of their keys.

use proc_macro2::Span;
use syn::{GenericArgument, PathArguments, Type};

use crate::ast::{unraw, Field, Input};
use crate::check::const_name;
use crate::ctxt::Ctxt;

/// What the `Entity` impl is generated from.
pub(crate) struct EntitySpec {
    /// The entity's name.
    pub(crate) name: String,
    /// The id, unless an error left the entity without one.
    pub(crate) id: Option<IdSpec>,
    /// Position in `Input::fields` of the version field.
    pub(crate) version: Option<usize>,
}

/// The id field.
pub(crate) struct IdSpec {
    /// Position in `Input::fields`.
    pub(crate) pos: usize,
    /// `Entity::Id`: the field's type, or for a generated id the type inside its `Option`.
    pub(crate) ty: Type,
    /// `#[reactive(id, generated)]`: the field is an `Option` the store fills.
    pub(crate) generated: bool,
}

/// The associated consts of `Entity` a field's key const could hide (`User::ENTITY`).
const ENTITY_CONSTS: &[&str] = &["ENTITY", "ID_GENERATED", "VERSIONED"];

/// Checks the entity keys of every field and finds the id and the version; `None` when the
/// struct has no `#[entity]`.
pub(crate) fn check_entity(cx: &mut Ctxt, input: &Input<'_>) -> Option<EntitySpec> {
    // Fields whose `id` / `version` key stands (on a plain field, with an entity).
    let mut ids = Vec::new();
    let mut versions = Vec::new();
    // An `id` was written but rejected: the entity is not also "without an id".
    let mut id_rejected = false;
    for (pos, field) in input.fields.iter().enumerate() {
        let attrs = &field.attrs;
        if let (Some(generated), None) = (attrs.generated, attrs.id) {
            cx.error_help_at(
                generated,
                "`generated` qualifies the id",
                "write `#[reactive(id, generated)]` on the id field (an `Option` the store fills on the first publish)",
            );
        }
        let keys = [("id", attrs.id), ("version", attrs.version)];
        let mut accepted = [false, false];
        for ((key, span), accepted) in keys.into_iter().zip(&mut accepted) {
            let Some(span) = span else { continue };
            if let Some((kind, kind_key)) = not_plain(field) {
                cx.error_help_at(
                    span,
                    format!("`{key}` cannot be on a {kind} field"),
                    format!("the {key} is stored and loaded, so it must be a plain reactive field; remove `{kind_key}` or `{key}`"),
                );
            } else if input.attrs.entity.is_none() {
                cx.error_help_at(
                    span,
                    format!(
                        "`{key}` belongs to an entity, and `{}` has no `#[entity]`",
                        unraw(input.ident)
                    ),
                    format!("add `#[entity(\"name\")]` to the struct, or remove `{key}`"),
                );
            } else {
                *accepted = true;
            }
        }
        if accepted == [true, true] {
            if let Some(span) = attrs.version {
                cx.error_help_at(
                    span,
                    "a field cannot be both the id and the version",
                    "the version changes on every publish and the id never does: give the version a field of its own",
                );
            }
            accepted[1] = false;
        }
        if attrs.id.is_some() && !accepted[0] {
            id_rejected = true;
        }
        if accepted[0] {
            ids.push(pos);
        }
        if accepted[1] {
            versions.push(pos);
        }
    }
    let entity = input.attrs.entity.as_ref()?;
    check_entity_consts(cx, input);

    if let Some((first, extras)) = ids.split_first() {
        let first = field_at(input, *first)
            .map(|f| unraw(f.member))
            .unwrap_or_default();
        for span in extras
            .iter()
            .filter_map(|&pos| field_at(input, pos)?.attrs.id)
        {
            cx.error_help_at(
                span,
                format!("two ids: `{first}` is already the id"),
                "an entity has one id; for a composite key, make the id one field of a struct type (`id: OrderKey`)",
            );
        }
    }
    if let Some((first, extras)) = versions.split_first() {
        let first = field_at(input, *first)
            .map(|f| unraw(f.member))
            .unwrap_or_default();
        for span in extras
            .iter()
            .filter_map(|&pos| field_at(input, pos)?.attrs.version)
        {
            cx.error_help_at(
                span,
                format!("two versions: `{first}` is already the version"),
                "an entity has at most one `#[reactive(version)]` field",
            );
        }
    }

    // `#[reactive(id)]` wins over a field named `id`.
    let id_pos = match ids.first() {
        Some(&pos) => Some(pos),
        None if id_rejected => None,
        None => implicit_id(cx, input, entity.span),
    };
    let id = id_pos.and_then(|pos| {
        let field = field_at(input, pos)?;
        let generated = field.attrs.generated.is_some();
        let ty = if generated {
            match option_inner(&field.ty) {
                Some(inner) => inner.clone(),
                None => {
                    cx.error_help(
                        &field.ty,
                        "a generated id must be an `Option`",
                        "the store assigns the id on the first publish and it is `None` until then: write `Option<u64>` (or `Option` of the id's type)",
                    );
                    field.ty.clone()
                }
            }
        } else {
            field.ty.clone()
        };
        Some(IdSpec { pos, ty, generated })
    });
    Some(EntitySpec {
        name: entity.name.clone(),
        id,
        version: versions.first().copied(),
    })
}

fn field_at<'i, 'a>(input: &'i Input<'a>, pos: usize) -> Option<&'i Field<'a>> {
    input.fields.get(pos)
}

/// For a field that is not a plain reactive field: what it is, and the key that makes it so.
fn not_plain(field: &Field<'_>) -> Option<(&'static str, &'static str)> {
    if field.is_skipped() {
        Some(("skipped", "skip"))
    } else if field.is_computed() {
        Some(("computed", "computed"))
    } else {
        None
    }
}

/// The field named `id` (its Rust identifier), when no field is marked `#[reactive(id)]`.
fn implicit_id(cx: &mut Ctxt, input: &Input<'_>, entity: Span) -> Option<usize> {
    let found = input
        .fields
        .iter()
        .enumerate()
        .find(|(_, f)| unraw(f.member) == "id");
    match found {
        Some((pos, field)) => match not_plain(field) {
            None => Some(pos),
            Some((kind, kind_key)) => {
                cx.error_help(
                    field.member,
                    format!("the field `id` is the entity's id, but it is {kind}"),
                    format!("the id is stored and loaded, so it must be a plain reactive field: remove `{kind_key}`, or mark another field `#[reactive(id)]`"),
                );
                None
            }
        },
        None => {
            cx.error_help_at(
                entity,
                format!("the entity `{}` has no id", unraw(input.ident)),
                "add a field `id`, or mark the id field `#[reactive(id)]` (`#[reactive(id, generated)]` for an `Option` the store fills)",
            );
            None
        }
    }
}

/// A field whose key const would hide one of `Entity`'s consts (`entity` makes `ENTITY`).
fn check_entity_consts(cx: &mut Ctxt, input: &Input<'_>) {
    for field in &input.fields {
        if field.is_skipped() || field.attrs.rename_rejected {
            continue;
        }
        let key = const_name(&field.name);
        if ENTITY_CONSTS.contains(&key.as_str()) {
            cx.error_help_at(
                field.name_span,
                format!(
                    "the field name `{}` is reserved in an entity: its key const `{key}` would hide `Entity::{key}`",
                    field.name
                ),
                format!(
                    "keep the Rust field and rename it for the model: `#[reactive(rename = \"{}_value\")]`",
                    field.name
                ),
            );
        }
    }
}

/// `X` of `Option<X>` (also spelled `std::option::Option<X>` or `core::option::Option<X>`), read
/// off the tokens: the macro cannot resolve types.
fn option_inner(ty: &Type) -> Option<&Type> {
    let path = match ty {
        Type::Path(path) => path,
        // A type passed through a `macro_rules!` `$t:ty` arrives in an invisible group, and
        // `(Option<u64>)` means the same type.
        Type::Group(group) => return option_inner(&group.elem),
        Type::Paren(paren) => return option_inner(&paren.elem),
        _ => return None,
    };
    if path.qself.is_some() {
        return None;
    }
    let segments: Vec<_> = path.path.segments.iter().collect();
    let (last, prefix) = segments.split_last()?;
    let prefix: Vec<String> = prefix.iter().map(|s| s.ident.to_string()).collect();
    let prefix_ok = prefix.is_empty()
        || (matches!(prefix.as_slice(), [krate, module] if (krate == "std" || krate == "core") && module == "option"));
    if last.ident != "Option" || !prefix_ok {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    let mut args = args.args.iter();
    match (args.next(), args.next()) {
        (Some(GenericArgument::Type(inner)), None) => Some(inner),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::option_inner;

    fn inner(source: &str) -> Option<String> {
        let ty: syn::Type = syn::parse_str(source).ok()?;
        option_inner(&ty).map(|t| quote::quote!(#t).to_string())
    }

    #[test]
    fn option_is_read_off_the_tokens() {
        assert_eq!(inner("Option<u64>").as_deref(), Some("u64"));
        assert_eq!(
            inner("std::option::Option<String>").as_deref(),
            Some("String")
        );
        assert_eq!(
            inner("::core::option::Option<Uuid>").as_deref(),
            Some("Uuid")
        );
        assert_eq!(inner("Option<Vec<u8> >").as_deref(), Some("Vec < u8 >"));
        assert_eq!(inner("(Option<u64>)").as_deref(), Some("u64"));
        let grouped = syn::Type::Group(syn::TypeGroup {
            group_token: Default::default(),
            elem: Box::new(syn::parse_quote!(Option<u64>)),
        });
        assert_eq!(
            option_inner(&grouped).map(|t| quote::quote!(#t).to_string()),
            Some("u64".to_string())
        );
        for not in [
            "u64",
            "Vec<u64>",
            "Option",
            "Option<'a>",
            "my::Option<u64>",
            "<T as X>::Option<u64>",
            "&Option<u64>",
        ] {
            assert_eq!(inner(not), None, "{not}");
        }
    }
}
