//! What the derive costs the compiler: a crate of N plain structs of 10 fields each, built with
//! `derive(Reactive, Clone)` against the same crate built with `derive(Serialize, Deserialize,
//! Clone)`, and the same structs as `#[entity]`s (reported, not gated).
//!
//! Each crate is built in debug (`cargo build`, incremental compilation off) with its
//! dependencies built beforehand, three times; the median of the three is compared. Exits
//! non-zero when the plain structs cost more than 1.5x serde's. Run from the workspace:
//!
//! ```sh
//! cargo run -p reactive-benches --release --bin compile_cost [-- --structs N]
//! ```
//!
//! The crates live in `target/compile-cost/`, resolved against the workspace's lock file and
//! built offline, so a second run reuses their dependencies.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

/// The bar: `derive(Reactive, Clone)` over `derive(Serialize, Deserialize, Clone)`.
const MAX_RATIO: f64 = 1.5;
const RUNS: usize = 3;
const FIELDS: usize = 10;
const FIELD_TYPES: [&str; 5] = ["String", "u64", "bool", "Option<String>", "Vec<u32>"];

/// One crate of generated structs.
struct Variant {
    package: &'static str,
    label: &'static str,
    /// Its dependency lines in `Cargo.toml`.
    dependencies: fn(&Path) -> String,
    /// The source of struct `index`.
    item: fn(usize) -> String,
    /// What the crate root starts with.
    prelude: &'static str,
}

fn fields(out: &mut String, first: usize) {
    for j in first..FIELDS {
        let _ = writeln!(out, "    pub f{j}: {},", FIELD_TYPES[j % FIELD_TYPES.len()]);
    }
}

fn reactive_dependency(root: &Path) -> String {
    format!(
        "reactive = {{ path = {:?} }}\n",
        root.join("reactive").display().to_string()
    )
}

fn plain_reactive(i: usize) -> String {
    let mut out = format!("#[derive(Reactive, Clone)]\npub struct S{i} {{\n");
    fields(&mut out, 0);
    out.push_str("}\n");
    out
}

fn entity_reactive(i: usize) -> String {
    let mut out = format!("#[derive(Reactive, Clone)]\n#[entity(\"s{i}\")]\npub struct S{i} {{\n");
    // The id is the first of the ten fields.
    out.push_str("    pub id: String,\n");
    fields(&mut out, 1);
    out.push_str("}\n");
    out
}

fn plain_serde(i: usize) -> String {
    let mut out =
        format!("#[derive(serde::Serialize, serde::Deserialize, Clone)]\npub struct S{i} {{\n");
    fields(&mut out, 0);
    out.push_str("}\n");
    out
}

const VARIANTS: [Variant; 3] = [
    Variant {
        package: "cost-reactive",
        label: "derive(Reactive, Clone)",
        dependencies: reactive_dependency,
        item: plain_reactive,
        prelude: "use reactive::prelude::*;\n",
    },
    Variant {
        package: "cost-serde",
        label: "derive(Serialize, Deserialize, Clone)",
        dependencies: |_| "serde = { version = \"1\", features = [\"derive\"] }\n".into(),
        item: plain_serde,
        prelude: "",
    },
    Variant {
        package: "cost-entity",
        label: "#[entity] + derive(Reactive, Clone)",
        dependencies: reactive_dependency,
        item: entity_reactive,
        prelude: "use reactive::prelude::*;\n",
    },
];

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn source(variant: &Variant, structs: usize) -> String {
    let mut out = String::from("#![allow(dead_code, missing_docs)]\n");
    out.push_str(variant.prelude);
    for i in 0..structs {
        out.push_str(&(variant.item)(i));
    }
    out
}

/// Writes the workspace: one package per variant, each with an empty crate root (so the
/// first build compiles the dependencies only).
fn set_up(root: &Path, work: &Path) -> Result<(), String> {
    let members: Vec<String> = VARIANTS
        .iter()
        .map(|v| format!("{:?}", v.package))
        .collect();
    write(
        &work.join("Cargo.toml"),
        &format!(
            "[workspace]\nresolver = \"2\"\nmembers = [{}]\n",
            members.join(", ")
        ),
    )?;
    for variant in &VARIANTS {
        let dir = work.join(variant.package);
        write(
            &dir.join("Cargo.toml"),
            &format!(
                "[package]\nname = {:?}\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[dependencies]\n{}",
                variant.package,
                (variant.dependencies)(root)
            ),
        )?;
        write(
            &dir.join("src/lib.rs"),
            variant
                .prelude
                .replace("use", "#[allow(unused_imports)]\nuse")
                .as_str(),
        )?;
    }
    // The workspace's versions, so that the build resolves offline.
    let lock = root.join("Cargo.lock");
    std::fs::copy(&lock, work.join("Cargo.lock"))
        .map_err(|e| format!("{}: {e}", lock.display()))?;
    Ok(())
}

fn cargo_build(work: &Path, package: &str) -> Result<Duration, String> {
    let started = Instant::now();
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["build", "--offline", "--quiet", "-p", package])
        .current_dir(work)
        .env("CARGO_INCREMENTAL", "0")
        .env_remove("RUSTFLAGS")
        .output()
        .map_err(|e| format!("cargo: {e}"))?;
    let elapsed = started.elapsed();
    if !output.status.success() {
        return Err(format!(
            "building {package} failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(elapsed)
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn run(structs: usize) -> Result<bool, String> {
    let root: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("the benches package has no parent directory")?
        .to_path_buf();
    let work = root.join("target").join("compile-cost");
    set_up(&root, &work)?;
    println!(
        "compile cost: {structs} structs of {FIELDS} fields ({}), debug build, dependencies prebuilt, incremental off, median of {RUNS}",
        FIELD_TYPES.join(", ")
    );
    for variant in &VARIANTS {
        cargo_build(&work, variant.package)?;
    }
    let mut medians = Vec::new();
    for variant in &VARIANTS {
        let src = work.join(variant.package).join("src/lib.rs");
        let text = source(variant, structs);
        let mut runs = Vec::new();
        for _ in 0..RUNS {
            // Rewritten before each build: cargo rebuilds the crate and nothing else.
            write(&src, &text)?;
            runs.push(cargo_build(&work, variant.package)?);
        }
        let m = median(runs.clone());
        let all: Vec<String> = runs
            .iter()
            .map(|r| format!("{:.2}", r.as_secs_f64()))
            .collect();
        println!(
            "  {:<40} {:>6.2} s   (runs: {})",
            variant.label,
            m.as_secs_f64(),
            all.join(", ")
        );
        medians.push(m.as_secs_f64());
    }
    let ratio = medians[0] / medians[1];
    let met = ratio <= MAX_RATIO;
    println!(
        "  {} / {}: {ratio:.2} (at most {MAX_RATIO:.2}) {}",
        VARIANTS[0].label,
        VARIANTS[1].label,
        if met { "ok" } else { "MISS" }
    );
    println!(
        "  {} / {}: {:.2} (reported)",
        VARIANTS[2].label,
        VARIANTS[1].label,
        medians[2] / medians[1]
    );
    Ok(met)
}

fn main() -> ExitCode {
    let mut structs = 100;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next().map(|n| n.parse::<usize>())) {
            ("--structs", Some(Ok(n))) if n > 0 => structs = n,
            _ => {
                eprintln!("usage: compile_cost [--structs N]");
                return ExitCode::from(2);
            }
        }
    }
    match run(structs) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}
