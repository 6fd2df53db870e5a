//! `reactive::RESERVED_NAMES` covers every method of the live model, its weak handle and its
//! batch, so a field can never generate a getter, `set_<field>` or `on_<field>` that collides
//! with (or is shadowed by) one. The list is read off the runtime's source, so a method added
//! later without reserving its name fails here.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use syn::{ImplItem, Item, Type, Visibility};

/// The types whose methods a user reaches on a model, through `Model<T>`'s or `Batch`'s `Deref`.
const HANDLES: &[&str] = &["Model", "WeakModel", "Batch"];

fn runtime_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("reactive/src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).expect("the runtime's source directory");
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The name of the type an impl block is for, when it is a plain path (`Model<T>` -> `Model`).
fn impl_target(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// The methods of the handles in `items`: `pub fn`s of inherent impls, and every fn of a trait
/// impl (callable wherever the trait is in scope).
fn handle_methods(items: &[Item], file: &Path, out: &mut BTreeSet<(String, String, String)>) {
    for item in items {
        match item {
            Item::Impl(block) => {
                let Some(target) = impl_target(&block.self_ty) else {
                    continue;
                };
                if !HANDLES.contains(&target.as_str()) {
                    continue;
                }
                for inner in &block.items {
                    let ImplItem::Fn(f) = inner else { continue };
                    let public = block.trait_.is_some() || matches!(f.vis, Visibility::Public(_));
                    if public {
                        let file = file.file_name().map(|n| n.to_string_lossy().into_owned());
                        out.insert((
                            f.sig.ident.to_string(),
                            target.clone(),
                            file.unwrap_or_default(),
                        ));
                    }
                }
            }
            Item::Mod(module) => {
                if let Some((_, items)) = &module.content {
                    handle_methods(items, file, out);
                }
            }
            _ => {}
        }
    }
}

/// (method, type, file) for every handle method in the runtime.
fn all_handle_methods() -> BTreeSet<(String, String, String)> {
    let mut files = Vec::new();
    rust_files(&runtime_src(), &mut files);
    let mut methods = BTreeSet::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("a runtime source file");
        let parsed = syn::parse_file(&text)
            .unwrap_or_else(|e| panic!("{} does not parse: {e}", file.display()));
        handle_methods(&parsed.items, file, &mut methods);
    }
    methods
}

#[test]
fn every_public_method_of_the_model_and_the_batch_is_reserved() {
    let methods = all_handle_methods();
    // The scan sees the files it must: the model's and the batch's methods.
    for (name, ty, file) in [
        ("set", "Model", "mod.rs"),
        ("on_change", "Model", "mod.rs"),
        ("upgrade", "WeakModel", "mod.rs"),
        ("trigger", "Batch", "batch.rs"),
        ("current", "Batch", "batch.rs"),
        ("deref", "Model", "mod.rs"),
    ] {
        assert!(
            methods.contains(&(name.into(), ty.into(), file.into())),
            "the scan missed {ty}::{name} in {file}: {methods:?}"
        );
    }
    let missing: Vec<String> = methods
        .iter()
        .filter(|(name, _, _)| !reactive::RESERVED_NAMES.contains(&name.as_str()))
        .map(|(name, ty, file)| format!("{ty}::{name} ({file})"))
        .collect();
    assert!(
        missing.is_empty(),
        "public methods missing from reactive::RESERVED_NAMES (add them to \
         reactive-derive/src/reserved.rs): {missing:?}"
    );
}

#[test]
fn the_stems_of_generated_forms_are_reserved() {
    let reserved = |name: &str| reactive::RESERVED_NAMES.contains(&name);
    // A field `unchecked` would generate `set_unchecked`; a field `change`, `on_change`.
    assert!(reserved("unchecked"));
    assert!(reserved("change"));
    // The same for every `set_*` / `on_*` method of the handles.
    for (name, ty, _) in all_handle_methods() {
        for prefix in ["set_", "on_"] {
            if let Some(stem) = name.strip_prefix(prefix) {
                assert!(
                    reserved(stem),
                    "`{stem}` is not reserved, yet a field so named would generate {ty}::{name}"
                );
            }
        }
    }
    // And for every reserved name itself: a reserved `set_x` reserves `x`.
    for name in reactive::RESERVED_NAMES {
        for prefix in ["set_", "on_"] {
            if let Some(stem) = name.strip_prefix(prefix) {
                assert!(reserved(stem), "`{name}` is reserved but `{stem}` is not");
            }
        }
    }
}

#[test]
fn the_reserved_names_are_sorted_distinct_identifiers() {
    let names = reactive::RESERVED_NAMES;
    assert!(names.windows(2).all(|w| w[0] < w[1]), "{names:?}");
    for name in names {
        assert!(
            syn::parse_str::<syn::Ident>(name).is_ok(),
            "`{name}` is not an identifier"
        );
    }
}
