//! `#[entity("..")]`: which field is the id and the version, what the `Entity` impl is made of,
//! and one error per mistake.

use super::{compile_errors, derive_str};

fn errors_of(source: &str) -> Vec<String> {
    compile_errors(&derive_str(source))
}

/// The expansion as text, asserting it has no errors.
fn expansion(source: &str) -> String {
    let out = derive_str(source);
    assert_eq!(compile_errors(&out), Vec::<String>::new(), "{source}");
    out.to_string()
}

#[test]
fn an_entity_implements_entity_with_its_name_and_id() {
    let text =
        expansion(r#"#[entity("users")] pub struct User { pub name: String, pub id: String }"#);
    assert!(
        text.contains("impl :: reactive :: Entity for User"),
        "{text}"
    );
    assert!(
        text.contains(r#"const ENTITY : & 'static str = "users""#),
        "{text}"
    );
    assert!(text.contains("const __ID_FIELD : usize = 1"), "{text}");
    assert!(text.contains("const ID_GENERATED : bool = false"), "{text}");
    assert!(text.contains("const VERSIONED : bool = false"), "{text}");
    assert!(
        text.contains("type Id = < String as :: reactive :: entity :: IdField > :: Id"),
        "{text}"
    );
    // Without `#[entity]`, no impl, and a field `id` is an ordinary field.
    let plain = expansion("pub struct User { pub id: String }");
    assert!(!plain.contains("Entity"), "{plain}");
}

#[test]
fn a_marked_id_wins_over_a_field_named_id_and_skipped_fields_do_not_count() {
    let text = expansion(
        r#"#[entity("accounts")] struct Account {
            #[reactive(skip)] cache: u8,
            id: String,
            #[reactive(id)] number: u32,
        }"#,
    );
    assert!(text.contains("const __ID_FIELD : usize = 1"), "{text}");
    assert!(
        text.contains("< u32 as :: reactive :: entity :: IdField >"),
        "{text}"
    );
}

#[test]
fn a_generated_id_is_the_type_inside_its_option() {
    let text = expansion(
        r#"#[entity("posts")] struct Post { #[reactive(id, generated)] id: ::std::option::Option<u64> }"#,
    );
    assert!(text.contains("const ID_GENERATED : bool = true"), "{text}");
    assert!(text.contains("type Id = < u64 as"), "{text}");
    assert!(
        text.contains(":: core :: option :: Option :: Some ("),
        "{text}"
    );
}

#[test]
fn an_id_of_a_type_parameter_is_the_parameter() {
    let text = expansion(r#"#[entity("tagged")] struct Tagged<K, V> { id: K, value: V }"#);
    assert!(text.contains("type Id = K"), "{text}");
    assert!(
        text.contains("K : :: reactive :: entity :: EntityId"),
        "{text}"
    );
    let text = expansion(
        r#"#[entity("slots")] struct Slot<T> { #[reactive(id, generated)] id: Option<Vec<T>>, n: u8 }"#,
    );
    assert!(text.contains("type Id = Vec < T >"), "{text}");
    // A concrete id in a generic struct goes through `IdField`.
    let text = expansion(r#"#[entity("boxes")] struct Boxed<T> { id: u64, value: T }"#);
    assert!(
        text.contains("< u64 as :: reactive :: entity :: IdField >"),
        "{text}"
    );
}

#[test]
fn a_version_field_is_bounded_and_flagged() {
    let text = expansion(
        r#"#[entity("docs")] struct Doc { id: u64, #[reactive(version)] revision: u64 }"#,
    );
    assert!(text.contains("const VERSIONED : bool = true"), "{text}");
    assert!(
        text.contains("u64 : :: reactive :: entity :: VersionField"),
        "{text}"
    );
}

#[test]
fn a_crate_path_reaches_the_entity_items() {
    let text = expansion(
        r#"#[reactive(crate = app::rt)] #[entity("docs")] struct Doc { id: u64, #[reactive(version)] v: u64 }"#,
    );
    assert!(
        text.contains("__reactive_crate_of_Doc :: Entity for Doc"),
        "{text}"
    );
    assert!(
        text.contains("__reactive_crate_of_Doc :: entity :: IdField"),
        "{text}"
    );
    assert!(!text.contains(":: reactive ::"), "{text}");
}

/// Each case: the source, and the one error it must produce (a fragment of it).
#[test]
fn each_mistake_is_one_error() {
    let cases: &[(&str, &str)] = &[
        (
            r#"#[entity("users")] struct S { name: String }"#,
            "has no id",
        ),
        (r#"#[entity("")] struct S { id: u64 }"#, "name is empty"),
        (r#"#[entity(" users")] struct S { id: u64 }"#, "whitespace"),
        (
            "#[entity(\"a\\0b\")] struct S { id: u64 }",
            "control characters",
        ),
        (
            r#"#[entity(users)] struct S { id: u64 }"#,
            "must be a string literal",
        ),
        (
            r#"#[entity(5)] struct S { id: u64 }"#,
            "must be a string literal",
        ),
        (
            r#"#[entity] struct S { id: u64 }"#,
            "needs the entity's name",
        ),
        (
            r#"#[entity()] struct S { id: u64 }"#,
            "needs the entity's name",
        ),
        (
            r#"#[entity = "users"] struct S { id: u64 }"#,
            "goes in parentheses",
        ),
        (
            r#"#[entity("a", "b")] struct S { id: u64 }"#,
            "unexpected tokens",
        ),
        (
            r#"#[entity("a")] #[entity("b")] struct S { id: u64 }"#,
            "duplicate `#[entity]`",
        ),
        (
            r#"#[entity("a")] enum S { A }"#,
            "cannot be derived for an enum",
        ),
        (
            r#"#[reactive(entity = "a")] struct S { id: u64 }"#,
            "attribute of its own",
        ),
        (
            r#"#[entity("a")] #[reactive(id)] struct S { id: u64 }"#,
            "is a field attribute",
        ),
        (
            r#"#[entity("a")] struct S { #[reactive(id)] a: u64, #[reactive(id)] b: u64 }"#,
            "two ids: `a`",
        ),
        (
            r#"#[entity("a")] struct S { id: u64, #[reactive(version)] a: u64, #[reactive(version)] b: u64 }"#,
            "two versions: `a`",
        ),
        (
            r#"#[entity("a")] struct S { id: u64, #[reactive(version, version)] v: u64 }"#,
            "duplicate reactive attribute `version`",
        ),
        (
            r#"#[entity("a")] struct S { #[reactive(id = true)] key: u64 }"#,
            "takes no value",
        ),
        (
            r#"#[entity("a")] struct S { #[reactive(id, version)] id: u64 }"#,
            "both the id and the version",
        ),
        (
            r#"#[entity("a")] struct S { id: u64, #[reactive(computed = self.id + 1, version)] v: u64 }"#,
            "`version` cannot be on a computed field",
        ),
        (
            r#"#[entity("a")] struct S { #[reactive(skip, id)] key: u64 }"#,
            "`id` cannot be on a skipped field",
        ),
        (
            r#"#[entity("a")] struct S { #[reactive(skip)] id: u64 }"#,
            "but it is skipped",
        ),
        (
            r#"#[entity("a")] struct S { a: u64, #[reactive(computed = self.a)] id: u64 }"#,
            "but it is computed",
        ),
        (
            r#"#[entity("a")] struct S { #[reactive(generated)] id: Option<u64> }"#,
            "`generated` qualifies the id",
        ),
        (
            r#"#[entity("a")] struct S { #[reactive(id, generated)] id: u64 }"#,
            "must be an `Option`",
        ),
        (
            r#"#[entity("a")] struct S { #[reactive(id, generated)] id: Option<u64, u8> }"#,
            "must be an `Option`",
        ),
        (
            r#"struct S { #[reactive(id)] key: u64 }"#,
            "`id` belongs to an entity",
        ),
        (
            r#"struct S { #[reactive(version)] v: u64 }"#,
            "`version` belongs to an entity",
        ),
        (
            r#"struct S { #[reactive(id, generated)] id: Option<u64> }"#,
            "`id` belongs to an entity",
        ),
        (
            r#"#[entity("a")] struct S { id: u64, entity: String }"#,
            "would hide `Entity::ENTITY`",
        ),
        (
            r#"#[entity("a")] struct S { id: u64, #[reactive(rename = "idGenerated")] g: bool }"#,
            "would hide `Entity::ID_GENERATED`",
        ),
    ];
    for (source, expected) in cases {
        let errors = errors_of(source);
        assert_eq!(errors.len(), 1, "{source}: {errors:#?}");
        assert!(errors[0].contains(expected), "{source}: {errors:#?}");
        assert!(errors[0].contains("\n= help: "), "{source}: {errors:#?}");
    }
}

#[test]
fn fields_named_id_version_or_entity_are_free_outside_entities() {
    assert!(
        errors_of("struct S { id: u64, version: u64, entity: String, versioned: bool }").is_empty()
    );
}

#[test]
fn the_fallback_still_implements_entity() {
    let out = derive_str(r#"#[entity("users")] struct User { name: String }"#);
    assert_eq!(compile_errors(&out).len(), 1);
    let text = out.to_string();
    assert!(
        text.contains("impl :: reactive :: Entity for User"),
        "{text}"
    );
    assert!(text.contains("type Id = ()"), "{text}");
    assert!(text.contains("unreachable"), "{text}");
}
