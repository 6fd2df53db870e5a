//! What the macro generates, as formatted source, for a reviewer to read: a plain struct, one
//! with computed fields, a generic one, one with hooks and validation, an entity. The README shows the
//! plain one; a test keeps it equal.

use std::path::PathBuf;

use crate::expand::expand_to_string;

const PLAIN: &str = r#"
pub struct User {
    /// The display name.
    pub name: String,
    pub admin: bool,
}
"#;

const COMPUTED: &str = r#"
pub struct SyncJob {
    pub processed_items: u64,
    pub total_items: u64,
    #[reactive(computed = Self::progress_of, deps(processed_items, total_items))]
    pub progress: f64,
    #[reactive(computed = self.total_items - self.processed_items)]
    pub remaining: u64,
    #[reactive(skip)]
    pub started: Option<std::time::Instant>,
}
"#;

const GENERIC: &str = r#"
pub struct Labeled<T: Clone>
where
    T: PartialEq,
{
    pub(crate) label: String,
    pub value: T,
}
"#;

const RULES: &str = r#"
#[reactive(hooks, validate)]
pub struct Signup {
    #[garde(length(chars, min = 2))]
    pub name: String,
    #[garde(email)]
    #[reactive(rename = "mail")]
    pub email_address: String,
}
"#;

const ENTITY: &str = r#"
#[entity("users")]
pub struct User {
    #[reactive(id, generated)]
    pub id: Option<u64>,
    pub name: String,
    #[reactive(version)]
    pub version: u64,
}
"#;

fn snapshot(name: &str, source: &str) {
    let expansion = expand_to_string(source);
    insta::with_settings!({
        prepend_module_to_snapshot => false,
        description => source.trim(),
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, expansion);
    });
}

#[test]
fn plain_struct() {
    snapshot("plain", PLAIN);
}

#[test]
fn computed_fields() {
    snapshot("computed", COMPUTED);
}

#[test]
fn generic_struct() {
    snapshot("generic", GENERIC);
}

#[test]
fn hooks_and_validation() {
    snapshot("rules", RULES);
}

#[test]
fn entity() {
    snapshot("entity", ENTITY);
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The body of a committed snapshot: what follows its `---` header.
fn snapshot_body(name: &str) -> String {
    let path = manifest_dir().join(format!("src/tests/snapshots/{name}.snap"));
    let text = std::fs::read_to_string(&path).expect("the snapshot is committed");
    let body = text
        .strip_prefix("---\n")
        .and_then(|rest| rest.split_once("\n---\n"))
        .map(|(_, body)| body)
        .expect("a snapshot starts with a `---` header");
    body.trim_end().to_string()
}

const START: &str = "<!-- expansion:start -->";
const END: &str = "<!-- expansion:end -->";

/// Where the README's expansion block is: the byte range between the two markers.
fn markers(readme: &str) -> Option<(usize, usize)> {
    let start = readme.find(START)? + START.len();
    let end = start + readme.get(start..)?.find(END)?;
    Some((start, end))
}

/// The code of the ```rust fence between the markers.
fn fenced_code(between: &str) -> Option<String> {
    let code = between
        .trim()
        .strip_prefix("```rust")?
        .strip_suffix("```")?;
    Some(code.trim().to_string())
}

/// The README's "What the macro generates" shows the plain snapshot. Run with
/// `REACTIVE_UPDATE_README=1` to rewrite the block (and only it) from the snapshot.
#[test]
fn readme_shows_the_plain_snapshot() {
    let path = manifest_dir().join("../README.md");
    let readme = std::fs::read_to_string(&path).expect("the root README exists");
    let body = snapshot_body("plain");
    let Some((start, end)) = markers(&readme) else {
        panic!("README.md needs the markers `{START}` and `{END}` around the expansion");
    };
    if fenced_code(&readme[start..end]).as_deref() == Some(body.as_str()) {
        return;
    }
    if std::env::var_os("REACTIVE_UPDATE_README").is_some() {
        let updated = format!(
            "{}\n```rust\n{body}\n```\n{}",
            &readme[..start],
            &readme[end..]
        );
        std::fs::write(&path, updated).expect("README.md is writable");
        return;
    }
    panic!(
        "README.md's expansion block is not a ```rust block equal to \
         reactive-derive/src/tests/snapshots/plain.snap; rerun with REACTIVE_UPDATE_README=1 \
         to copy the snapshot into it"
    );
}
