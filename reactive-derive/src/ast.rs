//! The derive input as the macro sees it: a named-field struct, its fields and attributes.

use proc_macro2::Span;
use syn::visit_mut::VisitMut;
use syn::{Data, DeriveInput, Fields, Generics, Ident, Type, TypePath, Visibility};

use crate::attr::{self, Computed, Container, FieldAttrs};
use crate::ctxt::Ctxt;

/// The struct.
pub(crate) struct Input<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) vis: &'a Visibility,
    /// The struct's generics, with `Self` in the where clause spelled out as the struct's type
    /// (the same clause is written on the generated handles, where `Self` is the handle).
    pub(crate) generics: Generics,
    pub(crate) attrs: Container,
    pub(crate) fields: Vec<Field<'a>>,
    /// Not a struct with named fields (an enum, a tuple struct, ...): already reported; the
    /// expansion is the fallback of a struct without fields, so uses do not cascade.
    pub(crate) malformed: bool,
}

/// One field of the struct.
pub(crate) struct Field<'a> {
    pub(crate) member: &'a Ident,
    pub(crate) vis: &'a Visibility,
    /// The field's type, with `Self` spelled out as the struct's type: the same tokens mean
    /// the same type in the generated handles, where `Self` is the handle.
    pub(crate) ty: Type,
    /// The name in events, reports and queries, and the stem of the generated items.
    pub(crate) name: String,
    /// Where the name comes from: the `rename` literal or the field's identifier.
    pub(crate) name_span: Span,
    pub(crate) attrs: FieldAttrs,
    /// The field's doc comments, repeated on the generated items.
    pub(crate) docs: Vec<&'a syn::Attribute>,
    /// Position in the field table (`None` for skipped fields).
    pub(crate) index: Option<usize>,
    /// The field's first garde rule (a `#[garde(..)]` key other than `skip`).
    pub(crate) garde_rule: Option<proc_macro2::TokenStream>,
}

impl Field<'_> {
    pub(crate) fn is_computed(&self) -> bool {
        self.attrs.computed.is_some() && self.attrs.skip.is_none()
    }

    pub(crate) fn is_skipped(&self) -> bool {
        self.attrs.skip.is_some()
    }

    pub(crate) fn computed(&self) -> Option<&Computed> {
        self.attrs.computed.as_ref().map(|(c, _)| c)
    }
}

/// Reads the input. Input that is not a struct with named fields is reported in `cx` and read
/// as a struct without fields, marked `malformed`.
pub(crate) fn parse<'a>(cx: &mut Ctxt, input: &'a DeriveInput) -> Input<'a> {
    let attrs = attr::container(cx, &input.attrs);
    let named = match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(named) => Some(named),
            Fields::Unnamed(unnamed) => {
                cx.error_help(
                    unnamed,
                    "`Reactive` needs a struct with named fields; this is a tuple struct",
                    "name the fields: `struct Point { x: i64, y: i64 }` (their names become event names and keys)",
                );
                None
            }
            Fields::Unit => {
                cx.error_help(
                    &input.ident,
                    "`Reactive` needs a struct with named fields; this is a unit struct",
                    "add named fields: `struct Point { x: i64, y: i64 }`",
                );
                None
            }
        },
        Data::Enum(data) => {
            cx.error_help(
                data.enum_token,
                "`Reactive` cannot be derived for an enum",
                "wrap the enum in a struct field: `struct Job { status: Status }`; a field's type may be any enum",
            );
            None
        }
        Data::Union(data) => {
            cx.error_help(
                data.union_token,
                "`Reactive` cannot be derived for a union",
                "use a struct with named fields",
            );
            None
        }
    };
    let malformed = named.is_none();
    let mut fields = Vec::new();
    let mut next_index = 0usize;
    for field in named.iter().flat_map(|named| named.named.iter()) {
        let Some(member) = field.ident.as_ref() else {
            continue;
        };
        let attrs = attr::field(cx, &field.attrs);
        let (name, name_span) = match &attrs.rename {
            Some((name, span)) => (name.clone(), *span),
            None => (unraw(member), member.span()),
        };
        let index = if attrs.skip.is_some() {
            None
        } else {
            next_index += 1;
            Some(next_index - 1)
        };
        fields.push(Field {
            member,
            vis: &field.vis,
            ty: replace_self(&field.ty, &input.ident, &input.generics),
            name,
            name_span,
            attrs,
            docs: field
                .attrs
                .iter()
                .filter(|a| a.path().is_ident("doc"))
                .collect(),
            index,
            garde_rule: attr::garde_rule(&field.attrs),
        });
    }
    let mut generics = input.generics.clone();
    if let Some(clause) = generics.where_clause.as_mut() {
        ReplaceSelf {
            name: &input.ident,
            generics: &input.generics,
        }
        .visit_where_clause_mut(clause);
    }
    Input {
        ident: &input.ident,
        vis: &input.vis,
        generics,
        attrs,
        fields,
        malformed,
    }
}

/// An identifier's text without `r#`.
pub(crate) fn unraw(ident: &Ident) -> String {
    let s = ident.to_string();
    s.strip_prefix("r#").map(str::to_string).unwrap_or(s)
}

/// `ty` with every `Self` replaced by `Name<G>` (and `Self::Assoc` by `<Name<G>>::Assoc`),
/// keeping the span of the `Self` token.
fn replace_self(ty: &Type, name: &Ident, generics: &Generics) -> Type {
    let mut ty = ty.clone();
    ReplaceSelf { name, generics }.visit_type_mut(&mut ty);
    ty
}

/// Replaces `Self` in the types it visits with `Name<G>`.
struct ReplaceSelf<'a> {
    name: &'a Ident,
    generics: &'a Generics,
}

impl VisitMut for ReplaceSelf<'_> {
    fn visit_type_mut(&mut self, ty: &mut Type) {
        if let Type::Path(TypePath { qself: None, path }) = ty {
            if let Some(first) = path.segments.first().filter(|s| s.ident == "Self") {
                let span = first.ident.span();
                let (_, args, _) = self.generics.split_for_impl();
                let name = Ident::new(&self.name.to_string(), span);
                let rest: Vec<_> = path.segments.iter().skip(1).cloned().collect();
                *ty = if rest.is_empty() {
                    syn::parse_quote_spanned!(span=> #name #args)
                } else {
                    syn::parse_quote_spanned!(span=> <#name #args>::#(#rest)::*)
                };
            }
        }
        syn::visit_mut::visit_type_mut(self, ty);
    }
}
