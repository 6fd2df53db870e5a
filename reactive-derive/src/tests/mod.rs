//! Unit tests of the parse, check and expand stages: targeted cases here, random attribute
//! tokens in [`random`], expansion snapshots (and the README's copy of one) in [`snapshots`].
// Tests may panic; the lint denials are for the macro's own code paths.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod entity;
mod random;
mod snapshots;

use proc_macro2::TokenStream;

use crate::check::const_name;
use crate::check::names::is_valid_name;
use crate::reserved::reserved_names;

/// Runs the derive on `source` (a struct without its `#[derive]` line).
pub(crate) fn derive_str(source: &str) -> TokenStream {
    let input: syn::DeriveInput = syn::parse_str(source).expect("test input parses");
    crate::expand::derive(&input)
}

/// The messages of the `compile_error!`s in an expansion, in order.
pub(crate) fn compile_errors(output: &TokenStream) -> Vec<String> {
    let file: syn::File = syn::parse2(output.clone()).expect("the expansion is valid Rust");
    file.items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Macro(m) if m.mac.path.segments.last()?.ident == "compile_error" => Some(
                m.mac
                    .parse_body::<syn::LitStr>()
                    .expect("a message")
                    .value(),
            ),
            _ => None,
        })
        .collect()
}

fn errors_of(source: &str) -> Vec<String> {
    compile_errors(&derive_str(source))
}

#[test]
fn a_plain_struct_has_no_errors_and_no_fallback() {
    let out = derive_str("pub struct User { pub id: String, pub name: String }");
    assert_eq!(compile_errors(&out), Vec::<String>::new());
    let text = out.to_string();
    assert!(text.contains("const NAME"), "{text}");
    assert!(!text.contains("unreachable"), "{text}");
}

#[test]
fn key_consts_join_words_like_rustc_style() {
    assert_eq!(const_name("user_id"), "USER_ID");
    assert_eq!(const_name("userId"), "USER_ID");
    assert_eq!(const_name("HTTPPort"), "HTTPPORT");
    assert_eq!(const_name("x2y"), "X2Y");
    assert_eq!(const_name("type"), "TYPE");
}

#[test]
fn renames_must_be_ascii_identifiers_that_can_be_written() {
    for ok in ["name", "_x", "type", "a1", "camelCase"] {
        assert!(is_valid_name(ok), "{ok}");
    }
    for bad in [
        "",
        "_",
        "1a",
        "full name",
        "a-b",
        "r#x",
        "self",
        "Self",
        "super",
        "crate",
        "naïve",
    ] {
        assert!(!is_valid_name(bad), "{bad}");
    }
}

#[test]
fn every_reserved_name_is_rejected_as_a_field_name() {
    for name in reserved_names() {
        let errors = errors_of(&format!(
            "struct S {{ ok: u8, #[reactive(rename = \"{name}\")] x: u8 }}"
        ));
        assert_eq!(errors.len(), 1, "{name}: {errors:?}");
        assert!(errors[0].contains("is reserved"), "{name}: {errors:?}");
    }
}

#[test]
fn every_method_of_the_std_traits_of_a_model_is_reserved() {
    for (the_trait, methods) in crate::reserved::STD_TRAIT_METHODS {
        for method in *methods {
            assert!(
                crate::reserved::is_reserved_method(method),
                "`{the_trait}::{method}` is not reserved"
            );
        }
    }
}

/// A name whose key const is one of the trait's consts, however it is spelled.
#[test]
fn names_whose_key_const_is_a_trait_const_are_rejected() {
    for name in ["typeName", "FIELDS", "Type_Name"] {
        let errors = errors_of(&format!("struct S {{ ok: u8, {name}: u8 }}"));
        assert_eq!(errors.len(), 1, "{name}: {errors:?}");
        assert!(
            errors[0].contains("would hide `Reactive::"),
            "{name}: {errors:?}"
        );
    }
}

#[test]
fn a_field_named_field_names_is_a_plain_field() {
    // The trait has no `FIELD_NAMES` (the table's rows carry the names).
    assert!(errors_of("struct S { field_names: u8 }").is_empty());
}

#[test]
fn all_mistakes_of_one_input_are_reported_together() {
    let errors = errors_of(
        r#"struct Order {
            #[reactive(colour)] id: u64,
            #[reactive(rename = 5)] total: u64,
            #[reactive(computed = Self::tax_of, deps(totl))] tax: u64,
            #[reactive(skip, rename = "x")] cache: u64,
            set: bool,
            #[reactive(computed = self.b + 1)] a: u64,
            #[reactive(computed = self.a + 1)] b: u64,
        }"#,
    );
    assert_eq!(errors.len(), 6, "{errors:#?}");
}

#[test]
fn a_three_field_cycle_names_every_field_once() {
    let errors = errors_of(
        "struct S { x: u64,
            #[reactive(computed = self.c + self.x)] a: u64,
            #[reactive(computed = self.a)] b: u64,
            #[reactive(computed = self.b)] c: u64 }",
    );
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(
        errors[0].contains("`a` -> `c` -> `b` -> `a`"),
        "{errors:#?}"
    );
}

#[test]
fn computed_fields_are_ordered_after_their_computed_dependencies() {
    let out = derive_str(
        "struct S { x: u64,
            #[reactive(computed = self.b * 2)] a: u64,
            #[reactive(computed = self.x + 1)] b: u64 }",
    )
    .to_string();
    let b = out.find("self . b = ").expect("b is recomputed");
    let a = out.find("self . a = ").expect("a is recomputed");
    assert!(b < a, "{out}");
    assert!(
        out.contains("__EVENT_ORDER : & 'static [u16] = & [0 , 2 , 1]"),
        "{out}"
    );
}

#[test]
fn more_fields_than_the_table_holds_is_an_error() {
    let fields: String = (0..257).map(|i| format!("f{i}: u8,")).collect();
    let errors = errors_of(&format!("struct Wide {{ {fields} }}"));
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(errors[0].contains("at most 256"), "{errors:#?}");
    // Skipped fields do not count.
    let skipped: String = (0..300)
        .map(|i| format!("#[reactive(skip)] s{i}: u8,"))
        .collect();
    assert!(errors_of(&format!("struct Wide {{ a: u8, {skipped} }}")).is_empty());
}

#[test]
fn the_fallback_keeps_the_api_and_type_checks_the_users_expressions() {
    let out = derive_str(
        "struct Job { #[reactive(colour)] done: u64, total: u64,
            #[reactive(computed = self.total - self.done)] left: u64 }",
    );
    assert_eq!(compile_errors(&out).len(), 1);
    let text = out.to_string();
    for item in [
        "const DONE",
        "const LEFT",
        "fn set_total",
        "fn on_left",
        "impl :: reactive :: Reactive",
    ] {
        assert!(text.contains(item), "{item} missing: {text}");
    }
    // Still type-checked (a typo in it is reported beside the attribute error), never called.
    assert!(text.contains("self . total - self . done"), "{text}");
    assert!(!text.contains("self . __reactive_compute"), "{text}");
}

#[test]
fn a_clashing_field_gets_no_items_so_rustc_adds_no_duplicate_errors() {
    let out = derive_str("struct S { user_id: u64, userId: u64 }");
    assert_eq!(compile_errors(&out).len(), 1);
    assert_eq!(out.to_string().matches("const USER_ID").count(), 1);
}

#[test]
fn a_crate_path_is_used_for_every_runtime_item() {
    let out = derive_str("#[reactive(crate = app::rt)] struct S { a: u64 }").to_string();
    assert!(!out.contains(":: reactive ::"), "{out}");
    // Imported once (a wrong path is one error there), then used through the import.
    assert!(
        out.contains("use app :: rt :: reactive_runtime as __reactive_crate_of_S ;"),
        "{out}"
    );
    assert!(out.contains("__reactive_crate_of_S :: Field"), "{out}");
    assert!(!out.contains("__reactive_runtime"), "{out}");
}

#[test]
fn a_method_call_on_self_inside_a_macro_hides_dependencies() {
    let errors = errors_of(
        r#"struct S { a: u64,
            #[reactive(computed = format!("{}", self.helper()))] label: String,
            #[reactive(computed = format!("{} {:?}", self.a, vec![self.a]))] ok: String }"#,
    );
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(
        errors[0].contains("hides the computed field's dependencies"),
        "{errors:#?}"
    );
}

#[test]
fn a_rejected_key_is_reported_once_not_again_as_its_consequences() {
    // The rename was meant to avoid the reserved name: no second error about `set`.
    assert_eq!(
        errors_of("struct S { #[reactive(rename = 5)] set: bool }").len(),
        1
    );
    // A rejected `computed` does not make its `deps` "without computed".
    let errors = errors_of(r#"struct S { a: u8, #[reactive(computed = "a", deps(a))] b: u8 }"#);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    // A rejected `deps` is not also missing.
    let errors = errors_of("struct S { a: u8, #[reactive(computed = Self::f, deps())] b: u8 }");
    assert_eq!(errors.len(), 1, "{errors:#?}");
    // A rejected rename that leaves two fields with one name: one error, no duplicate items.
    let out = derive_str("struct S { a: u8, #[reactive(rename = 1)] r#a: u8 }");
    assert_eq!(compile_errors(&out).len(), 1);
}

#[test]
fn hooks_leaves_model_hooks_to_the_user_and_sets_the_flag() {
    let plain = derive_str("struct S { a: u64 }").to_string();
    assert!(plain.contains("WithoutHooksAttribute for S"), "{plain}");
    assert!(!plain.contains("ModelHooks for S"), "{plain}");
    assert!(!plain.contains("__HOOKS"), "{plain}");
    let hooked = derive_str("#[reactive(hooks)] struct S { a: u64 }").to_string();
    assert!(!hooked.contains("ModelHooks for S"), "{hooked}");
    assert!(!hooked.contains("WithoutHooksAttribute for S"), "{hooked}");
    assert!(hooked.contains("const __HOOKS : bool = true"), "{hooked}");
    // Given a value, `hooks` is an error but still taken as meant: no clashing impl.
    let out = derive_str("#[reactive(hooks = true)] struct S { a: u64 }");
    assert_eq!(compile_errors(&out).len(), 1);
    assert!(!out.to_string().contains("WithoutHooksAttribute for S"));
}

#[test]
fn validate_runs_garde_with_the_renamed_fields_only() {
    let out = derive_str(
        r#"#[reactive(validate)] struct S {
            #[garde(length(min = 1))] a: String,
            #[garde(skip)] #[reactive(rename = "bee")] b: u64,
            #[garde(email)] r#type: String,
        }"#,
    );
    assert_eq!(compile_errors(&out), Vec::<String>::new());
    let text = out.to_string();
    assert!(text.contains("const __VALIDATE : bool = true"), "{text}");
    assert!(text.contains(r#"& [("b" , "bee")]"#), "{text}");
    assert!(!derive_str("struct S { a: u64 }")
        .to_string()
        .contains("__validate"));
}

#[test]
fn validate_needs_a_garde_rule_on_a_plain_field() {
    let none = errors_of("#[reactive(validate)] struct S { #[garde(skip)] a: u64, b: u64 }");
    assert_eq!(none.len(), 1, "{none:#?}");
    assert!(none[0].contains("no field has one"), "{none:#?}");
    // A rule among other keys counts; `skip` alone does not.
    assert!(errors_of(
        "#[reactive(validate)] struct S { #[garde(skip)] a: u64, #[garde(range(max = 9))] b: u64 }"
    )
    .is_empty());
    let misplaced = errors_of(
        "#[reactive(validate)] struct S {
            #[garde(range(max = 9))] a: u64,
            #[garde(range(max = 9))] #[reactive(computed = self.a * 2)] double: u64,
            #[garde(length(max = 9))] #[reactive(skip)] note: String,
            #[garde(skip)] #[reactive(computed = self.a + 1)] next: u64,
        }",
    );
    assert_eq!(misplaced.len(), 2, "{misplaced:#?}");
    assert!(
        misplaced[0].contains("`double` is computed"),
        "{misplaced:#?}"
    );
    assert!(
        misplaced[1].contains("`note` is `#[reactive(skip)]`"),
        "{misplaced:#?}"
    );
    // Without `validate`, garde's attributes are garde's business.
    assert!(errors_of("struct S { #[garde(skip)] a: u64 }").is_empty());
}
