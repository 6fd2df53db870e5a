//! The runtime's layers point one way. Each top-level module of `reactive/src` may use only
//! the modules below it in [`ORDER`]; this test reads every `crate::..` path in each module's
//! source (with syn, so comments and docs do not count), resolves the crate root's re-exports
//! (`crate::Model` is `model`'s), and fails on an arrow that points up (which is also how a
//! cycle would show).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// Top to bottom: a module may depend on the modules after it.
const ORDER: &[&str] = &[
    "prelude",
    "collection",
    "registry",
    "provider",
    "sql",
    "query",
    "entity",
    "model",
    "computed",
    "event",
    "sync",
    "error",
    "validate",
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn parse(path: &Path) -> syn::File {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The `.rs` files of a top-level module: `name.rs` and everything under `name/`.
fn files_of(module: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let file = src().join(format!("{module}.rs"));
    if file.exists() {
        out.push(file);
    }
    let mut dirs = vec![src().join(module)];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out
}

/// Every `crate::<first>` segment a file names, in `use` trees and in paths.
#[derive(Default)]
struct CratePaths(BTreeSet<String>);

impl CratePaths {
    fn tree(&mut self, tree: &syn::UseTree, at_root: bool) {
        match tree {
            syn::UseTree::Path(p) if at_root && p.ident == "crate" => self.below_crate(&p.tree),
            syn::UseTree::Group(g) if at_root => g.items.iter().for_each(|t| self.tree(t, true)),
            _ => {}
        }
    }

    fn below_crate(&mut self, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                self.0.insert(p.ident.to_string());
            }
            syn::UseTree::Name(n) => {
                self.0.insert(n.ident.to_string());
            }
            syn::UseTree::Rename(r) => {
                self.0.insert(r.ident.to_string());
            }
            syn::UseTree::Group(g) => g.items.iter().for_each(|t| self.below_crate(t)),
            syn::UseTree::Glob(_) => {}
        }
    }
}

impl<'ast> Visit<'ast> for CratePaths {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        self.tree(&item.tree, true);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let mut segments = path.segments.iter();
        if let (Some(first), Some(second)) = (segments.next(), segments.next()) {
            if first.ident == "crate" {
                self.0.insert(second.ident.to_string());
            }
        }
        syn::visit::visit_path(self, path);
    }
}

/// The crate root's re-exports, by name: `pub use model::{Model, WeakModel}` maps `Model` to
/// `model`.
fn root_reexports() -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    fn names(tree: &syn::UseTree, module: Option<&str>, out: &mut BTreeMap<String, String>) {
        match tree {
            syn::UseTree::Path(p) => {
                let module = module.map_or_else(|| p.ident.to_string(), str::to_string);
                names(&p.tree, Some(&module), out);
            }
            syn::UseTree::Name(n) => {
                if let Some(module) = module {
                    out.insert(n.ident.to_string(), module.to_string());
                }
            }
            syn::UseTree::Rename(r) => {
                if let Some(module) = module {
                    out.insert(r.rename.to_string(), module.to_string());
                }
            }
            syn::UseTree::Group(g) => g.items.iter().for_each(|t| names(t, module, out)),
            syn::UseTree::Glob(_) => {}
        }
    }
    for item in parse(&src().join("lib.rs")).items {
        if let syn::Item::Use(u) = item {
            names(&u.tree, None, &mut out);
        }
    }
    out
}

#[test]
fn each_module_uses_only_the_modules_below_it() {
    let reexports = root_reexports();
    let position = |m: &str| ORDER.iter().position(|o| *o == m);
    let mut wrong = Vec::new();
    let mut seen_modules = 0;
    for (at, module) in ORDER.iter().enumerate() {
        let files = files_of(module);
        assert!(!files.is_empty(), "no source for the module `{module}`");
        seen_modules += 1;
        for file in files {
            let mut paths = CratePaths::default();
            paths.visit_file(&parse(&file));
            for name in paths.0 {
                let target = if position(&name).is_some() {
                    name.clone()
                } else if let Some(module) = reexports.get(&name) {
                    module.clone()
                } else {
                    // The root's own items (`__private`, macros): the facade, not a layer.
                    continue;
                };
                let Some(to) = position(&target) else {
                    continue;
                };
                if to < at {
                    let shown = file
                        .strip_prefix(src())
                        .unwrap_or(&file)
                        .display()
                        .to_string();
                    wrong.push(format!(
                        "{shown}: `{module}` uses `crate::{name}` (`{target}`, a layer above it)"
                    ));
                }
            }
        }
    }
    assert_eq!(seen_modules, ORDER.len());
    assert!(
        wrong.is_empty(),
        "arrows against the layer order:\n{}",
        wrong.join("\n")
    );
}

/// Every top-level module of the source is placed in [`ORDER`], so a new one cannot slip past.
#[test]
fn every_module_has_a_place_in_the_order() {
    let mut missing = Vec::new();
    for item in parse(&src().join("lib.rs")).items {
        if let syn::Item::Mod(m) = item {
            let name = m.ident.to_string();
            // Inline modules of the root (re-export facades such as `hooks`, `__private`).
            if m.content.is_some() {
                continue;
            }
            if !ORDER.contains(&name.as_str()) {
                missing.push(name);
            }
        }
    }
    assert!(missing.is_empty(), "modules without a layer: {missing:?}");
}

/// The check itself: an arrow against the order is found.
#[test]
fn an_upward_arrow_is_reported() {
    let file: syn::File = syn::parse_quote! {
        use crate::registry::Registry;
        fn f(model: crate::Model<u8>) -> crate::Model<u8> { model }
    };
    let mut paths = CratePaths::default();
    paths.visit_file(&file);
    assert!(paths.0.contains("registry"));
    assert!(paths.0.contains("Model"));
    assert_eq!(
        root_reexports().get("Model").map(String::as_str),
        Some("model")
    );
}
