//! Names a field may not take: every public method of the live model, its handle and its
//! batch (present or planned), so the generated getter, `set_<name>` and `on_<name>` never
//! collide with one. The runtime re-exports this list as `reactive::RESERVED_NAMES`.

/// Methods of `Model<T>`, `Batch<'_, T>` and the std traits they implement, present or planned.
pub(crate) const RESERVED_METHODS: &[&str] = &[
    // construction and access
    "new",
    "try_new",
    "draft",
    "with",
    "snapshot",
    "get",
    "current",
    "ptr_eq",
    "downgrade",
    "upgrade",
    // writes
    "set",
    "set_unchecked",
    "update",
    "try_update",
    "batch",
    "trigger",
    // listeners and streams
    "on",
    "on_with_priority",
    "on_change",
    "on_change_with_priority",
    "on_event",
    "on_event_with_priority",
    "off",
    "changes",
    "changes_with_capacity",
    // entity operations through a named registry, and with a timeout
    "load_from",
    "load_within",
    "publish_to",
    "publish_within",
    "delete_from",
    // rules, dirty state and lifecycle (model rules and entities)
    "validate",
    "validate_value",
    "is_valid",
    "is_dirty",
    "is_field_dirty",
    "dirty_fields",
    "saved",
    "saved_value",
    "revert",
    "mark_saved",
    "is_draft",
    "flags",
    "load",
    "reload",
    "publish",
    "delete",
    "registry",
    "entity_name",
    // std traits on the handle
    "clone",
    "clone_from",
    "fmt",
    "deref",
    "deref_mut",
    "serialize",
    "to_owned",
    "clone_into",
    "borrow",
    "borrow_mut",
    "into",
    "try_into",
    "from",
    "try_from",
    "type_id",
    "eq",
    "ne",
    "hash",
];

/// The std traits whose methods every `Model<T>` has (implemented by the runtime, or blanket
/// implementations for every type), and those methods: a field named like one would have its
/// getter shadowed, since the model's own method is found first. A unit test checks that
/// each is in [`RESERVED_METHODS`].
#[cfg(test)]
pub(crate) const STD_TRAIT_METHODS: &[(&str, &[&str])] = &[
    ("Clone", &["clone", "clone_from"]),
    ("Debug", &["fmt"]),
    ("Deref", &["deref"]),
    ("PartialEq", &["eq", "ne"]),
    ("Hash", &["hash"]),
    ("Serialize", &["serialize"]),
    ("ToOwned", &["to_owned", "clone_into"]),
    ("Borrow", &["borrow"]),
    ("BorrowMut", &["borrow_mut"]),
    ("From", &["from"]),
    ("Into", &["into"]),
    ("TryFrom", &["try_from"]),
    ("TryInto", &["try_into"]),
    ("Any", &["type_id"]),
];

/// Associated consts of the `Reactive` trait: a field whose key const had one of these names
/// would hide it behind `User::FIELDS`.
pub(crate) const RESERVED_CONSTS: &[&str] = &["TYPE_NAME", "FIELDS"];

/// Every name reserved for a field: the methods, the `<name>` of each `set_<name>` and
/// `on_<name>` method (a field `unchecked` would generate `set_unchecked`), and the names whose
/// key const is one of [`RESERVED_CONSTS`].
pub(crate) fn reserved_names() -> Vec<String> {
    let mut names: Vec<String> = RESERVED_METHODS.iter().map(|m| m.to_string()).collect();
    names.extend(RESERVED_CONSTS.iter().map(|c| c.to_lowercase()));
    for method in RESERVED_METHODS {
        for prefix in ["set_", "on_"] {
            if let Some(rest) = method.strip_prefix(prefix) {
                names.push(rest.to_string());
            }
        }
    }
    names.sort();
    names.dedup();
    names
}

/// Whether `method` is a method name of the model, its handle or its batch.
pub(crate) fn is_reserved_method(method: &str) -> bool {
    RESERVED_METHODS.contains(&method)
}
