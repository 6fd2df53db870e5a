//! Random attribute tokens on random structs, through parse, check and expand: the macro
//! returns errors as tokens (valid Rust, each message with a help line), never panics.

use proptest::collection::vec;
use proptest::prelude::*;

use super::compile_errors;

/// One token, or a short run that is often meaningful to the macro.
fn leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        // keys and near-keys
        prop::sample::select(vec![
            "skip",
            "rename",
            "computed",
            "deps",
            "crate",
            "hooks",
            "validate",
            "foo",
            "self",
            "Self",
            "r#type",
            "super",
            "_",
            "id",
            "generated",
            "version",
            "entity",
        ]),
        // punctuation, including garbage
        prop::sample::select(vec![
            "=", ",", ",", ".", "::", ";", "#", "@", "$", "?", "!", "<", ">", "-", "+", "*", "&",
            "|", "..", "=>", "'a", "~", "^", "%", "/",
        ]),
        // literals
        prop::sample::select(vec![
            "\"x\"",
            "\"\"",
            "\"full name\"",
            "\"set\"",
            "\"user_id\"",
            "\"r#x\"",
            "\"a::b\"",
            "\"self\"",
            "\"__raw\"",
            "\"FIELDS\"",
            "5",
            "1.5",
            "true",
            "'c'",
            "b\"x\"",
            "-1",
        ]),
        // paths and field reads
        prop::sample::select(vec![
            "Self::f",
            "::core::x",
            "a::b::<T>",
            "self.a",
            "self.b",
            "self.total",
            "self.0",
            "self.f()",
            "self.a.len()",
            "format!(\"{}\", self.a)",
            "vec![self.b]",
        ]),
        // whole keys, so that well-formed combinations come up often
        prop::sample::select(vec![
            "skip",
            "rename = \"x\"",
            "rename = \"a\"",
            "computed = self.a + self.b",
            "computed = Self::f",
            "computed = self.total",
            "deps(a, b)",
            "deps(a)",
            "deps(zz)",
            "deps()",
            "crate = reactive",
            "crate = \"app::rt\"",
            "computed = 1",
        ]),
    ]
    .prop_map(str::to_string)
}

/// A sequence of tokens with nested groups.
fn tokens() -> impl Strategy<Value = String> {
    let tree = leaf().prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            3 => inner.clone(),
            1 => vec(inner.clone(), 0..6).prop_map(|v| format!("({})", v.join(" "))),
            1 => vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(" "))),
            1 => vec(inner, 0..4).prop_map(|v| format!("{{{}}}", v.join(" "))),
        ]
    });
    vec(tree, 0..8).prop_map(|v| v.join(" "))
}

/// A well-formed key, as users write them.
fn key() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "skip",
        "rename = \"x\"",
        "rename = \"a\"",
        "rename = \"userId\"",
        "rename = \"type\"",
        "computed = self.a + self.b",
        "computed = self.total * 2",
        "computed = Self::f",
        "computed = Self::f, deps(a, total)",
        "computed = format!(\"{}\", self.b)",
        "computed = self.c",
        "deps(a, b)",
        "deps(total)",
        "deps(zz)",
        "crate = reactive",
        "hooks",
        "validate",
        "validate = true",
        "id",
        "id, generated",
        "generated",
        "version",
        "id = 1",
    ])
    .prop_map(str::to_string)
}

/// The inside of `#[reactive(..)]`: mostly comma-separated keys, some of them random tokens.
fn attr_args() -> impl Strategy<Value = String> {
    let item = prop_oneof![4 => key(), 1 => tokens()];
    prop_oneof![
        4 => vec(item, 1..4).prop_map(|v| v.join(", ")),
        1 => tokens(),
    ]
}

/// Zero to two `#[reactive..]` attributes on a field, mostly none or one.
fn attrs() -> impl Strategy<Value = String> {
    let one = prop_oneof![
        12 => attr_args().prop_map(|t| format!("#[reactive({t})]")),
        1 => Just("#[reactive]".to_string()),
        1 => tokens().prop_map(|t| format!("#[reactive = {t:?}]")),
        2 => Just("/// A doc comment.".to_string()),
        2 => prop::sample::select(vec![
            "#[garde(skip)]",
            "#[garde(length(min = 1))]",
            "#[garde(skip, email)]",
            "#[garde(custom(|v: &u64, _: &()| Ok(())))]",
            "#[garde]",
            "#[garde(,)]",
        ])
        .prop_map(str::to_string),
    ];
    prop_oneof![
        3 => Just(String::new()),
        3 => one.clone(),
        1 => vec(one, 2..3).prop_map(|v| v.join("\n")),
    ]
}

/// The struct's own attributes: mostly none, sometimes `crate = ..`, sometimes anything.
fn container_attrs() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => Just(String::new()),
        1 => Just("#[reactive(crate = ::reactive)]".to_string()),
        1 => Just("#[reactive(crate = \"app::rt\")]".to_string()),
        1 => Just("#[reactive(hooks)]".to_string()),
        2 => Just("#[reactive(validate)]".to_string()),
        1 => Just("#[reactive(hooks, validate)]".to_string()),
        2 => attr_args().prop_map(|t| format!("#[reactive({t})]")),
        3 => entity_attrs(),
        1 => (entity_attrs(), attr_args())
            .prop_map(|(e, t)| format!("{e}\n#[reactive({t})]")),
    ]
}

/// `#[entity(..)]`, well-formed or not.
fn entity_attrs() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just("#[entity(\"users\")]".to_string()),
        3 => prop::sample::select(vec![
            "#[entity(\"\")]",
            "#[entity(\" \")]",
            "#[entity]",
            "#[entity()]",
            "#[entity(users)]",
            "#[entity = \"users\"]",
            "#[entity(\"a\", \"b\")]",
            "#[entity(\"a\")]\n#[entity(\"b\")]",
        ])
        .prop_map(str::to_string),
        1 => tokens().prop_map(|t| format!("#[entity({t})]")),
    ]
}

/// Fields with distinct identifiers (a clash, if any, comes from the names the macro derives).
fn fields() -> impl Strategy<Value = Vec<String>> {
    let names = vec![
        "a", "b", "c", "total", "user_id", "userId", "r#type", "_x", "x1", "y", "z", "set", "id",
        "version", "entity",
    ];
    prop::sample::subsequence(names, 0..7)
        .prop_shuffle()
        .prop_flat_map(|names| {
            names
                .into_iter()
                .map(|name| field(name).boxed())
                .collect::<Vec<_>>()
        })
}

fn field(name: &'static str) -> impl Strategy<Value = String> {
    let ty = prop::sample::select(vec![
        "u64",
        "u64",
        "String",
        "Vec<u8>",
        "Option<String>",
        "Option<u64>",
        "T",
        "&'a str",
        "[u8; N]",
        "f64",
        "Vec<Self>",
        "<Self as K>::Id",
        "Self::Assoc",
    ]);
    let vis = prop::sample::select(vec!["", "pub ", "pub(crate) "]);
    (attrs(), vis, ty).prop_map(move |(a, v, t)| format!("{a}\n{v}{name}: {t},"))
}

/// A struct (sometimes not a named-field struct) with random generics and attributes.
fn input() -> impl Strategy<Value = String> {
    let generics = prop::sample::select(vec![
        "",
        "",
        "",
        "",
        "<T>",
        "<'a>",
        "<T: Clone>",
        "<const N: usize>",
        "<'a, T>",
        "<T> where T: Send",
        "<T = u64>",
    ]);
    let kind = prop::sample::select(vec![0u8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4]);
    (container_attrs(), generics, fields(), kind).prop_map(|(attrs, generics, fields, kind)| {
        let body = fields.join("\n");
        match kind {
            1 => format!("{attrs}\nenum S {generics} {{ A, B }}"),
            2 => format!("{attrs}\nstruct S {generics} (u64, String);"),
            3 => format!("{attrs}\nstruct S {generics};"),
            4 => format!("{attrs}\nunion S {generics} {{ {body} }}"),
            _ => match generics.split_once(" where ") {
                Some((params, clause)) => {
                    format!("{attrs}\npub struct S {params} where {clause} {{ {body} }}")
                }
                None => format!("{attrs}\npub struct S {generics} {{ {body} }}"),
            },
        }
    })
}

/// Names the generated code uses that a message must never show.
const GENERATED: &[&str] = &[
    "__private",
    "__raw",
    "SHandle",
    "SBatch",
    "__reactive",
    "'__",
    "IdField",
    "VersionField",
    "__ID_FIELD",
];

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 1000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_attributes_give_errors_never_panics(source in input()) {
        let Ok(input) = syn::parse_str::<syn::DeriveInput>(&source) else {
            // Not a derive input at all (rustc would not call the macro).
            return Ok(());
        };
        let output = crate::expand::derive(&input);
        let parsed = syn::parse2::<syn::File>(output.clone());
        prop_assert!(parsed.is_ok(), "the expansion is not valid Rust: {output}");
        let errors = compile_errors(&output);
        for error in &errors {
            prop_assert!(error.contains("\n= help: "), "no help line: {error}");
            // A name the user wrote may be quoted back; a generated one never.
            for name in GENERATED.iter().filter(|n| !source.contains(**n)) {
                prop_assert!(!error.contains(name), "{error} mentions {name}");
            }
        }
        let text = output.to_string();
        if errors.is_empty() {
            prop_assert!(!text.contains("unreachable"), "fallback without an error: {text}");
        } else {
            // The user's computed expressions are still type-checked (their mistakes are
            // reported), but never called from the fallback's bodies.
            prop_assert!(!text.contains("self . __reactive_compute"), "a fallback calls a user expression: {text}");
        }
    }
}
