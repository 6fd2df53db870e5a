//! The provider conformance suite: the reference semantics of the memory provider (design
//! §6-7, `reactive::query`) as cases generic over a [`Backend`](backend::Backend), run with the
//! same case list against every provider.
//!
//! Each case builds its own stores through the backend (no shared state) and runs under a
//! watchdog; `conformance!` turns the list into one test per case per backend, named
//! `<backend>::<module>::<case>`.

pub mod backend;
pub mod entities;
pub mod hostile_strings;

pub mod cursors;
pub mod field_values;
pub mod filters;
pub mod hostile;
pub mod nulls;
pub mod order;
pub mod registry;
pub mod types;
pub mod values;
pub mod writes;

/// Calls `$then!` with `($args)` and every case, by module: the one list of cases.
macro_rules! cases {
    ($then:ident ! ($($args:tt)*)) => {
        $then! {
            ($($args)*)
            filters: [
                eq_matches_equal_values,
                ne_excludes_equal_values,
                gt_ge_lt_le_on_integers,
                gt_ge_lt_le_on_strings,
                in_matches_listed_values,
                not_in_excludes_listed_values,
                in_of_an_empty_list_matches_nothing,
                contains_is_case_sensitive,
                starts_with_is_case_sensitive,
                ends_with_is_case_sensitive,
                is_null_on_option_and_json_fields,
                and_or_not_nest_to_any_depth,
                several_filter_calls_must_all_hold,
                empty_all_matches_everything_and_empty_any_nothing,
                filters_on_a_computed_field,
                queries_sent_as_json_give_the_same_pages,
                unknown_fields_and_misapplied_operators_are_invalid_queries,
            ],
            nulls: [
                eq_none_matches_only_null,
                ne_matches_null,
                not_in_matches_null_unless_null_is_listed,
                in_with_null_listed_matches_null,
                range_operators_never_match_null,
                string_operators_never_match_null,
                not_is_plain_negation,
                null_and_non_null_strings_are_distinct,
            ],
            values: [
                strings_compare_by_bytes,
                unicode_is_compared_unnormalized,
                enums_compare_by_their_serde_string,
                floats_compare_numerically,
                negative_zero_equals_zero,
                integer_operands_of_float_fields_compare_exactly,
                large_integers_compare_exactly,
                u64_fields_compare_up_to_i64_max,
                booleans_compare_false_before_true,
                nan_in_a_query_is_an_invalid_value,
                nul_in_a_query_is_an_invalid_value,
                u64_above_i64_max_in_a_query_is_an_invalid_value,
            ],
            order: [
                without_keys_rows_come_by_id,
                null_sorts_last_ascending,
                null_sorts_first_descending,
                several_keys_then_id,
                ties_are_ordered_by_id_ascending_in_both_directions,
                strings_order_by_bytes_case_sensitive,
                enums_order_by_their_serde_string,
                numbers_order_numerically,
                booleans_order_false_first,
                ordering_by_json_or_unknown_fields_is_invalid,
                limit_defaults_to_15,
                limit_is_at_most_1000_and_not_0,
                order_by_keyword_named_fields,
            ],
            cursors: [
                pages_walk_every_row_exactly_once,
                the_last_page_has_no_next,
                an_empty_result_has_no_next,
                a_tampered_cursor_is_an_invalid_cursor,
                another_querys_cursor_is_an_invalid_cursor,
                cursors_are_stable_across_stores,
                cursors_pass_through_null_sort_values,
                total_is_counted_only_when_asked,
                pages_stay_consistent_while_rows_change,
            ],
            writes: [
                insert_then_load_returns_the_value,
                load_many_returns_the_stored_ones,
                inserting_a_stored_id_is_already_stored,
                an_insert_starts_at_version_1,
                each_update_increments_the_version,
                an_update_writes_only_the_dirty_fields,
                fields_outside_the_dirty_set_are_not_written,
                a_stale_version_is_a_conflict_with_both_versions,
                updating_an_unknown_id_is_not_found,
                delete_removes_the_row,
                deleting_an_unknown_id_is_not_found,
                deleting_with_a_stale_version_is_a_conflict,
                deleting_without_a_version_is_unconditional,
                updating_a_deleted_row_is_not_found,
                generated_ids_are_assigned_on_insert,
                computed_fields_are_recomputed_after_an_update,
                keyword_named_fields_round_trip_and_filter,
                every_column_kind_round_trips,
                every_column_kind_is_updated,
                every_scalar_kind_filters,
                lists_see_every_write,
            ],
            hostile: [
                hostile_strings_round_trip_as_every_field,
                hostile_strings_round_trip_through_updates,
                hostile_ids_are_updated_and_deleted,
                eq_and_ne_match_hostile_values_exactly,
                in_and_not_in_match_hostile_values_exactly,
                range_operators_order_hostile_values_by_bytes,
                contains_matches_hostile_needles_literally,
                starts_with_matches_hostile_prefixes_literally,
                ends_with_matches_hostile_suffixes_literally,
                wildcards_match_literally,
                hostile_values_order_and_page_by_bytes,
                a_megabyte_round_trips_in_a_field_without_an_index,
                hostile_strings_round_trip_inside_json,
            ],
            registry: [
                a_load_sets_fetched_and_found,
                loading_a_missing_id_sets_found_false,
                a_load_applies_stored_values_with_events,
                flags_emit_flag_events_never_change,
                publishing_a_draft_inserts_it,
                publishing_sends_only_the_dirty_fields,
                a_conflicting_publish_keeps_the_edit_dirty,
                a_delete_sets_deleted_and_the_registry_forgets,
                a_stale_delete_is_a_conflict_and_changes_nothing,
                publishing_a_draft_assigns_its_generated_id,
                a_failed_publish_leaves_the_model_as_it_was,
                load_many_registers_what_exists,
                a_collection_pages_through_the_store,
                computed_fields_are_current_after_a_publish,
            ],
            field_values: [
                nul_in_a_field_is_refused_on_publish,
                nul_in_an_id_is_refused_on_insert,
                nan_in_a_field_is_refused_on_publish,
                u64_above_i64_max_is_refused_on_publish,
            ],
            types: [
                uuids_and_timestamps_round_trip_and_query_alike,
            ],
        }
    };
}

/// `item` with the attributes in the parentheses (how a backend's attributes reach each of its
/// tests from inside the case repetition).
macro_rules! with_attributes {
    (($(#[$meta:meta])*) $item:item) => {
        $(#[$meta])*
        $item
    };
}

/// The tests of one backend: a module `$name` with one module per case module and one test
/// per case (each on a Tokio runtime of its own, see [`backend::run`]) carrying the backend's
/// attributes; `CASES`, the names it runs; and a test that they are the whole list.
macro_rules! backend_tests {
    (($name:ident, $backend:ty, $attributes:tt) $($group:ident : [$($case:ident),* $(,)?]),* $(,)?) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            $(
                mod $group {
                    #[allow(unused_imports)]
                    use super::*;

                    $(
                        with_attributes! {
                            $attributes
                            #[test]
                            fn $case() {
                                $crate::conformance::backend::run::<$backend, _, _>(
                                    concat!(stringify!($group), "::", stringify!($case)),
                                    |b| async move { $crate::conformance::$group::$case(&b).await },
                                );
                            }
                        }
                    )*
                }
            )*

            /// The cases this backend runs, as `<module>::<case>`.
            pub const CASES: &[&str] = &[$($(concat!(stringify!($group), "::", stringify!($case)),)*)*];

            /// This backend runs every listed case, at least 60, and the list holds every case
            /// the suite's files define, once.
            #[test]
            fn runs_every_listed_case() {
                $crate::conformance::check_the_list(stringify!($name), CASES);
            }
        }
    };
}

/// The case list as `<module>::<case>` names.
macro_rules! case_names {
    (() $($group:ident : [$($case:ident),* $(,)?]),* $(,)?) => {
        /// Every listed case, as `<module>::<case>`.
        pub const LISTED: &[&str] = &[$($(concat!(stringify!($group), "::", stringify!($case)),)*)*];
    };
}

cases!(case_names!());

/// Case modules whose cases are not in the list yet. `field_values` joins the list when
/// providers check field values on publish: then list its cases and remove it here.
pub const PENDING: &[&str] = &[];

/// The cases the suite's files define: every `pub async fn` of each case module.
pub fn defined() -> Vec<String> {
    const SOURCES: &[(&str, &str)] = &[
        ("filters", include_str!("filters.rs")),
        ("nulls", include_str!("nulls.rs")),
        ("values", include_str!("values.rs")),
        ("order", include_str!("order.rs")),
        ("cursors", include_str!("cursors.rs")),
        ("writes", include_str!("writes.rs")),
        ("hostile", include_str!("hostile.rs")),
        ("registry", include_str!("registry.rs")),
        ("field_values", include_str!("field_values.rs")),
        ("types", include_str!("types.rs")),
    ];
    let mut names = Vec::new();
    for (module, source) in SOURCES {
        for line in source.lines() {
            if let Some(rest) = line.strip_prefix("pub async fn ") {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                names.push(format!("{module}::{name}"));
            }
        }
    }
    names
}

/// Asserts that `cases`, what backend `name` runs, are the listed cases (at least 60), and
/// that the list holds every case the suite's files define, once (but those of [`PENDING`]
/// modules).
pub fn check_the_list(name: &str, cases: &[&str]) {
    use std::collections::BTreeSet;
    assert!(LISTED.len() >= 60, "only {} cases", LISTED.len());
    let listed: BTreeSet<&str> = LISTED.iter().copied().collect();
    assert_eq!(listed.len(), LISTED.len(), "a case is listed twice");
    let pending = |case: &str| PENDING.iter().any(|m| case.split("::").next() == Some(m));
    let files = defined();
    let files: BTreeSet<&str> = files.iter().map(String::as_str).collect();
    let unlisted: Vec<&&str> = files
        .iter()
        .filter(|c| !pending(c) && !listed.contains(**c))
        .collect();
    assert!(unlisted.is_empty(), "defined but not listed: {unlisted:?}");
    let undefined: Vec<&&str> = listed.iter().filter(|c| !files.contains(**c)).collect();
    assert!(
        undefined.is_empty(),
        "listed but not defined: {undefined:?}"
    );
    let early: Vec<&&str> = listed.iter().filter(|c| pending(c)).collect();
    assert!(
        early.is_empty(),
        "listed, from a module still in PENDING: {early:?}"
    );
    assert!(cases == LISTED, "`{name}` does not run the listed cases");
}

/// One test per case per backend, each named `<backend>::<module>::<case>`; attributes
/// before a backend apply to each of its cases:
///
/// ```ignore
/// conformance! {
///     memory: MemoryBackend,
///     #[ignore = "needs a PostgreSQL server: run the README's test command"]
///     postgres: PostgresBackend,
/// }
/// ```
macro_rules! conformance {
    ($($(#[$meta:meta])* $name:ident : $backend:ty),+ $(,)?) => {
        $( cases!(backend_tests!($name, $backend, ($(#[$meta])*))); )+
    };
}
