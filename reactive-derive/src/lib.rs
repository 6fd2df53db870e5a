//! The derive macro of [`reactive`](https://docs.rs/reactive): `#[derive(Reactive)]`.
//!
//! Pipeline, after serde_derive: `ast` reads the input and its attributes (`attr`), `check`
//! runs the cross-field checks, `expand` generates; every error is collected in a
//! `ctxt::Ctxt` and reported in one compile, with a fallback expansion so that uses of the
//! generated API do not cascade into more errors. No input makes the macro panic (a proptest
//! in `tests/random.rs` feeds it random attribute tokens).
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod ast;
mod attr;
mod check;
mod ctxt;
mod expand;
mod reserved;

#[cfg(test)]
mod tests;

use proc_macro::TokenStream;

/// Makes a plain struct with named fields reactive: typed field keys (`User::NAME`), a
/// generated handle behind `Model<User>` (`name()`, `set_name(..)`, `on_name(..)`), a batch
/// handle, the field table, and computed fields. The struct itself is left as written.
///
/// Field attributes:
/// - `#[reactive(skip)]`: not reactive (no key, no events, never diffed or rolled back); its
///   type needs no `PartialEq`.
/// - `#[reactive(rename = "..")]`: the name in events, and the stem of the key and methods.
/// - `#[reactive(computed = Self::f, deps(a, b))]`: recomputed from `a` and `b`.
/// - `#[reactive(computed = self.a + self.b)]`: the dependencies are read off the expression,
///   which may use `self` only as `self.<field>`.
/// - `#[reactive(id)]`, `#[reactive(id, generated)]`, `#[reactive(version)]`: in an entity,
///   below.
///
/// Struct attributes:
/// - `#[reactive(crate = path)]` when the runtime is re-exported.
/// - `#[reactive(handle = "UserModel")]`: names the generated handle `UserModel` and the batch
///   handle `UserModelBatch` (instead of `UserHandle` and `UserBatch`), e.g. when the module
///   already has a type of that name (rustc then reports the name as defined twice).
/// - `#[reactive(hooks)]`: the type implements `reactive::ModelHooks` itself (its
///   `before_set` may rewrite or refuse a batch, its `after_set` observes it). Without it the
///   derive implements `ModelHooks` with the defaults and the write path skips the hooks.
/// - `#[reactive(validate)]`: writes are checked against the type's garde rules. The type also
///   derives `garde::Validate` (garde 0.22, a dependency of the user's crate, since garde's
///   derive names `::garde`), whose context, if any, implements `Default`. garde wants an
///   attribute on every field: rules on the plain fields, `#[garde(skip)]` on the others (or
///   `#[garde(allow_unvalidated)]` on the struct). Computed and `#[reactive(skip)]` fields may
///   not have rules: they are never written, so they are never validated input. Errors are
///   reported under the fields' names (`rename` applied, `r#` left out), with the path inside
///   a nested value (`#[garde(dive)]`) beside them. A rule may read other fields through
///   `self`: `#[garde(custom(at_most(&self.max)))]`.
///
/// ```ignore
/// #[derive(Reactive, garde::Validate, Clone, Debug)]
/// #[reactive(validate)]
/// struct Signup {
///     #[garde(length(chars, min = 2))]
///     name: String,
///     #[garde(email)]
///     email: String,
///     #[garde(skip)]
///     #[reactive(computed = self.name.chars().count())]
///     name_len: usize,
/// }
/// ```
///
/// Entities: `#[entity("users")]` on the struct (beside the derive) implements
/// `reactive::Entity`: the entity's name (non-empty, without whitespace or control
/// characters), its id and its version.
/// - The id is the field marked `#[reactive(id)]`, or else the field named `id` (its Rust
///   identifier; a `rename` does not change which field it is). When both exist, the marked
///   field is the id and `id` is an ordinary field. The id's type must be
///   `Clone + Eq + Hash + Debug + Send + Sync + 'static` (`reactive::entity::EntityId`); it is
///   `Entity::Id`.
/// - `#[reactive(id, generated)]`: the store assigns the id. The field is an `Option<X>`
///   (written so: `Option`, `std::option::Option` or `core::option::Option`), `Entity::Id` is
///   `X`, and `id()` is `None` until the first publish.
/// - `#[reactive(version)]` on a `u64` field: the version for optimistic concurrency. A field
///   named `version` without it is an ordinary field.
/// - The id and the version are plain reactive fields (not computed, not skipped), and keep
///   their key const and methods (`User::ID`, `model.id()`, `set_id`). In an entity, no field
///   may be named so that its key const is one of `Entity`'s (`entity`, `versioned`,
///   `id_generated`).
///
/// ```ignore
/// #[derive(Reactive, Clone, Debug)]
/// #[entity("posts")]
/// struct Post {
///     #[reactive(id, generated)]
///     id: Option<u64>,
///     title: String,
///     #[reactive(version)]
///     version: u64,
/// }
/// ```
///
/// Every reactive field's type must be `PartialEq + Clone + Send + Sync + 'static`, and a
/// `#[reactive(skip)]` field's type `Send + Sync` (`reactive::SkippedField`); an unmet bound is
/// reported at that type, once. A field's name may not be one the live model uses
/// (`reactive::RESERVED_NAMES`), and two fields may not make the same key const (`user_id`,
/// `userId`); `rename` resolves both. All mistakes of one struct are reported in one compile.
#[proc_macro_derive(Reactive, attributes(reactive, entity))]
pub fn derive_reactive(input: TokenStream) -> TokenStream {
    match syn::parse::<syn::DeriveInput>(input) {
        Ok(input) => expand::derive(&input).into(),
        Err(err) => err.to_compile_error().into(),
    }
}

/// The names a reactive field may not take, as a `&[&str]` literal (the runtime's
/// `RESERVED_NAMES`). Not a public API.
#[doc(hidden)]
#[proc_macro]
pub fn __reserved_names(_input: TokenStream) -> TokenStream {
    let names = reserved::reserved_names();
    quote::quote!(&[#(#names),*]).into()
}
