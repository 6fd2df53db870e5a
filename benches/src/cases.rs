//! The cases of the issue, each with its benches and targets.

use crate::measure::Bench;
use std::process::ExitCode;

use crate::{entity, floor, ours, peers, rules, sql, subscriptions};

/// What a ratio (our time / the other's time) must satisfy.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Target {
    /// At most this many times the other's time.
    AtMost(f64),
    /// At least this many times faster than the other.
    FasterBy(f64),
    /// Shown, not checked.
    Info,
}

impl Target {
    /// Whether `ratio` (ours / other) meets the target; `None` for [`Target::Info`].
    pub fn met(self, ratio: f64) -> Option<bool> {
        match self {
            Target::AtMost(max) => Some(ratio <= max),
            Target::FasterBy(factor) => Some(ratio * factor <= 1.0),
            Target::Info => None,
        }
    }

    /// How the report prints it.
    pub fn describe(self) -> String {
        match self {
            Target::AtMost(max) => format!("<= {max:.2}"),
            Target::FasterBy(factor) => format!("<= {:.2} ({factor}x faster)", 1.0 / factor),
            Target::Info => "info".into(),
        }
    }
}

/// One row of the report: bench `ours` against bench `other` of the same case.
#[derive(Clone, Copy, Debug)]
pub struct Comparison {
    /// The row's name.
    pub label: &'static str,
    /// Index of our bench in [`Case::benches`].
    pub ours: usize,
    /// Index of the floor or peer.
    pub other: usize,
    /// What the ratio must satisfy.
    pub target: Target,
}

/// Benches sampled together (interleaved) and the comparisons made between them.
pub struct Case {
    /// The criterion group name.
    pub id: &'static str,
    /// Our bench first, then floors and peers.
    pub benches: Vec<Bench>,
    /// The report's rows for this case.
    pub comparisons: Vec<Comparison>,
    /// Benches that must not allocate once warmed up.
    pub allocation_free: &'static [usize],
    /// How much of each bench the report runs.
    pub limits: Limits,
    /// Why the case cannot run here (no benches then): its rows say so instead of a ratio.
    pub skipped: Option<&'static str>,
}

/// How much of a case's benches the report runs: all of it for operations of nanoseconds,
/// less for operations of milliseconds.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// At most this many samples per bench (`None`: the plan's).
    pub samples: Option<usize>,
    /// Operations run before counting allocations.
    pub alloc_warm_up: u64,
    /// Operations whose allocations are counted (0: not counted).
    pub alloc_ops: u64,
    /// Sampling processes whose samples are pooled. An operation that hops between threads
    /// (an SQL call on a blocking thread) varies with where the scheduler places those
    /// threads, which a process keeps for its life: its median moved by up to 12% from one
    /// process to the next, so such a case pools three.
    pub processes: usize,
}

impl Limits {
    /// The plan's samples; allocations counted over 10,000 operations after 1,000.
    pub const DEFAULT: Limits = Limits {
        samples: None,
        alloc_warm_up: 1_000,
        alloc_ops: 10_000,
        processes: 1,
    };

    /// The sampling processes, at least one.
    pub fn process_count(&self) -> usize {
        self.processes.max(1)
    }
}

pub(crate) const fn row(
    label: &'static str,
    ours: usize,
    other: usize,
    target: Target,
) -> Comparison {
    Comparison {
        label,
        ours,
        other,
        target,
    }
}

/// Every case, freshly set up: the live model's, [`rules`]'s, the entities', then the SQL
/// providers'.
pub fn all() -> Vec<Case> {
    selected(&[])
}

/// Whether the case `id` is selected by `filters`: it contains one of them (every case when
/// there are none).
pub fn is_selected(filters: &[String], id: &str) -> bool {
    filters.is_empty() || filters.iter().any(|f| id.contains(f.as_str()))
}

/// The cases [`is_selected`] by `filters`, freshly set up. The SQL cases are built only when
/// selected (each seeds a database).
pub fn selected(filters: &[String]) -> Vec<Case> {
    built(|id: &str| is_selected(filters, id))
}

/// The case named `id` exactly (none if there is no such case), freshly set up: what one
/// sampling process runs.
pub fn named(id: &str) -> Vec<Case> {
    built(|case: &str| case == id)
}

fn built(keep: impl Fn(&str) -> bool) -> Vec<Case> {
    let mut cases = core();
    cases.extend(rules());
    cases.extend(entity::cases());
    cases.retain(|c| keep(c.id));
    cases.extend(sql::cases(&keep));
    cases
}

/// The model rules' case (hooks, dirty tracking): each bench beside the core set. Checked by
/// instruction count (the `instructions` binary); here the times are for information.
pub fn rules() -> Vec<Case> {
    vec![Case {
        id: "rules",
        benches: vec![
            ours::set(1).with_id("core"),
            rules::hooked_set(),
            rules::later_writes(),
            rules::first_write(),
            rules::mark_saved(),
        ],
        comparisons: vec![
            row(
                "set, empty #[reactive(hooks)] / no hooks (1 typed listener)",
                1,
                0,
                Target::Info,
            ),
            row(
                "set, later writes (already dirty) / core set (the same path)",
                2,
                0,
                Target::Info,
            ),
            row(
                "mark_saved() + set (first write) / core set",
                3,
                0,
                Target::Info,
            ),
        ],
        allocation_free: &[1, 2],
        limits: Limits::DEFAULT,
        skipped: None,
    }]
}

/// The live model's cases: sets, computed fields, batches, creation.
pub fn core() -> Vec<Case> {
    vec![
        Case {
            id: "set_1_listener",
            benches: vec![
                ours::set(1),
                floor::set(1),
                ours::set_json(),
                peers::signals_set_pool(),
                peers::signals_set_poll(),
                peers::graph_set(),
            ],
            comparisons: vec![
                // 3.5x, not the 2.5x: docs/adr/0003-set-with-one-listener-bar.md.
                row("set, 1 typed listener / floor", 0, 1, Target::AtMost(3.5)),
                row(
                    "set, 1 typed listener / futures-signals (LocalPool)",
                    0,
                    3,
                    Target::FasterBy(5.0),
                ),
                row(
                    "set, 1 typed listener / futures-signals (hand-polled)",
                    0,
                    4,
                    Target::Info,
                ),
                row(
                    "set, 1 typed listener / reactive_graph",
                    0,
                    5,
                    Target::FasterBy(5.0),
                ),
                row(
                    "set, 1 on_event listener (JSON) / floor",
                    2,
                    1,
                    Target::Info,
                ),
            ],
            allocation_free: &[0],
            limits: Limits::DEFAULT,
            skipped: None,
        },
        Case {
            id: "set_0_listeners",
            benches: vec![ours::set(0), floor::set(0)],
            comparisons: vec![row("set, 0 listeners / floor", 0, 1, Target::AtMost(2.5))],
            allocation_free: &[],
            limits: Limits::DEFAULT,
            skipped: None,
        },
        Case {
            id: "set_10_listeners",
            benches: vec![ours::set(10), floor::set(10)],
            comparisons: vec![row(
                "set, 10 typed listeners / floor",
                0,
                1,
                Target::AtMost(2.5),
            )],
            allocation_free: &[],
            limits: Limits::DEFAULT,
            skipped: None,
        },
        Case {
            id: "computed_2_deps",
            benches: vec![
                ours::computed(),
                floor::computed(),
                peers::signals_map_ref_pool(),
                peers::signals_map_ref_poll(),
                peers::graph_memo(),
            ],
            comparisons: vec![
                row("computed of 2 deps / floor", 0, 1, Target::AtMost(3.0)),
                row(
                    "computed of 2 deps / futures-signals map_ref! (LocalPool)",
                    0,
                    2,
                    Target::FasterBy(5.0),
                ),
                row(
                    "computed of 2 deps / futures-signals map_ref! (hand-polled)",
                    0,
                    3,
                    Target::Info,
                ),
                row(
                    "computed of 2 deps / reactive_graph Memo",
                    0,
                    4,
                    Target::FasterBy(5.0),
                ),
            ],
            allocation_free: &[],
            limits: Limits::DEFAULT,
            skipped: None,
        },
        Case {
            id: "batch_3_sets",
            benches: vec![ours::batch3(), floor::batch3()],
            comparisons: vec![row(
                "batch of 3 sets, 1 on_change / floor",
                0,
                1,
                Target::AtMost(4.0),
            )],
            allocation_free: &[],
            limits: Limits::DEFAULT,
            skipped: None,
        },
        Case {
            id: "subscribe_unsubscribe",
            benches: vec![
                subscriptions::ours_subscribe_unsubscribe(),
                subscriptions::floor_subscribe_unsubscribe(),
            ],
            // At most 10% above the ratio measured before unsubscribing stopped waiting
            // (1.86): docs/adr/0002-event-delivery.md.
            comparisons: vec![row(
                "Model::on + drop / Mutex<Vec> push + remove",
                0,
                1,
                Target::AtMost(2.05),
            )],
            allocation_free: &[],
            limits: Limits::DEFAULT,
            skipped: None,
        },
        Case {
            id: "drop_during_delivery",
            benches: vec![
                subscriptions::ours_drop_during_delivery(),
                subscriptions::floor_drop_during_delivery(),
            ],
            // As above, from 2.48 before the change.
            comparisons: vec![row(
                "set whose listener drops and re-subscribes / floor",
                0,
                1,
                Target::AtMost(2.73),
            )],
            allocation_free: &[],
            limits: Limits::DEFAULT,
            skipped: None,
        },
        Case {
            id: "create",
            benches: vec![ours::create(), floor::create()],
            comparisons: vec![row(
                "Model::new / Arc::new(RwLock::new)",
                0,
                1,
                Target::AtMost(2.0),
            )],
            allocation_free: &[],
            limits: Limits::DEFAULT,
            skipped: None,
        },
    ]
}

/// The bench `CASE/BENCH` (criterion's group and id) among `cases`.
pub fn find<'a>(cases: &'a mut [Case], which: &str) -> Option<&'a mut Bench> {
    cases
        .iter_mut()
        .flat_map(|c| {
            let id = c.id;
            c.benches.iter_mut().map(move |b| (id, b))
        })
        .find(|(case, b)| format!("{case}/{}", b.id()) == which)
        .map(|(_, b)| b)
}

/// `--run CASE/BENCH OPS`: runs that bench of `cases` OPS times, prints its time per
/// operation, and fails when it did not do its work.
pub fn run_one(mut cases: Vec<Case>, which: Option<&String>, ops: Option<&String>) -> ExitCode {
    let (Some(which), Some(Ok(ops))) = (which, ops.map(|o| o.parse::<u64>())) else {
        eprintln!("usage: --run CASE/BENCH OPS   (e.g. set_1_listener/ours 1000000)");
        return ExitCode::FAILURE;
    };
    let Some(bench) = find(&mut cases, which) else {
        eprintln!("no bench {which}");
        return ExitCode::FAILURE;
    };
    let elapsed = bench.time(ops);
    println!(
        "{}: {ops} ops, {:.1} ns/op",
        bench.label(),
        elapsed.as_nanos() as f64 / ops.max(1) as f64
    );
    match bench.check() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("work check failed: {e}");
            ExitCode::FAILURE
        }
    }
}
