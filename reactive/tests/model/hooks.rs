//! `#[reactive(hooks)]`: `before_set` sees, rewrites or refuses a batch; `after_set` observes
//! the committed batch before any listener.

use crate::common;

use std::cell::RefCell;

use common::Log;
use reactive::prelude::*;

thread_local! {
    /// What the hooks saw, in order (hooks get values, not handles: they record here). Hooks
    /// run on the writing thread, so each test sees only its own.
    static SEEN: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

fn see(entry: String) {
    SEEN.with(|s| s.borrow_mut().push(entry));
}

fn seen() -> Vec<String> {
    SEEN.with(|s| std::mem::take(&mut *s.borrow_mut()))
}

#[derive(Reactive, Clone, Debug, PartialEq, Serialize)]
#[reactive(hooks)]
struct Account {
    owner: String,
    balance: i64,
    limit: i64,
    #[reactive(computed = self.balance + self.limit)]
    available: i64,
    /// Only this test's models use the hooks' recording (tests run in parallel).
    #[serde(skip)]
    #[reactive(skip)]
    record: bool,
}

impl ModelHooks for Account {
    fn before_set(&self, pending: &mut Pending<'_, Self>) -> Result<(), Error> {
        if self.record {
            let fields: Vec<String> = pending
                .changed()
                .map(|f| match f {
                    "owner" => format!(
                        "owner {:?}->{:?}",
                        pending.previous(Account::OWNER),
                        pending.get(Account::OWNER)
                    ),
                    "balance" => format!(
                        "balance {}->{}",
                        pending.previous(Account::BALANCE),
                        pending.get(Account::BALANCE)
                    ),
                    other => other.to_string(),
                })
                .collect();
            see(format!("before {fields:?}"));
        }
        // Rewrite: owners are stored trimmed.
        if pending.contains(Account::OWNER) {
            let trimmed = pending.get(Account::OWNER).trim().to_string();
            pending.set(Account::OWNER, trimmed)?;
        }
        // Refuse: no overdraft beyond the limit.
        if *pending.get(Account::BALANCE) < -*pending.get(Account::LIMIT) {
            return Err(Error::rejected("over the limit"));
        }
        Ok(())
    }

    fn after_set(&self, changes: &Changes) {
        if self.record {
            see(format!("after {:?} balance={}", changes, self.balance));
        }
    }
}

fn account(record: bool) -> Model<Account> {
    Model::new(Account {
        owner: "ada".into(),
        balance: 0,
        limit: 100,
        available: 0,
        record,
    })
}

#[test]
fn before_set_sees_the_pending_batch_and_after_set_runs_before_listeners() {
    let m = account(true);
    let log = Log::default();
    let l = log.clone();
    let _sub = m.on_change(move |_, c| {
        see(format!("listener {c:?}"));
        l.push("listener");
    });
    m.update(|a| {
        a.owner = "grace".into();
        a.balance = 50;
    })
    .unwrap();
    assert_eq!(
        seen(),
        vec![
            "before [\"owner \\\"ada\\\"->\\\"grace\\\"\", \"balance 0->50\"]",
            "after [\"owner\", \"balance\", \"available\"] balance=50",
            "listener [\"owner\", \"balance\", \"available\"]",
        ]
    );
    assert_eq!(log.len(), 1);
}

#[test]
fn a_hook_may_rewrite_values() {
    let m = account(false);
    m.set_owner("  grace  ").unwrap();
    assert_eq!(m.owner(), "grace");
    // A rewrite back to the committed value leaves nothing to commit.
    let log = Log::default();
    let _subs = common::record_events(&m, &log, &[]);
    m.set_owner(" grace ").unwrap();
    assert!(log.take().is_empty());
}

#[test]
fn a_refused_batch_changes_nothing_and_emits_nothing() {
    let m = account(false);
    m.set_balance(-50).unwrap();
    let before = m.snapshot();
    let dirty = m.dirty_fields();
    let log = Log::default();
    let _subs = common::record_events(&m, &log, &["custom"]);
    let err = m.set_balance(-500).unwrap_err();
    assert!(
        matches!(&err, Error::Rejected { model: "Account", reason } if reason == "over the limit"),
        "{err:?}"
    );
    let err = m
        .batch(|b| {
            b.set_owner("eve")?;
            b.set_balance(-1000)?;
            b.trigger("custom", serde_json::json!(1));
            Ok(())
        })
        .unwrap_err();
    assert!(matches!(err, Error::Rejected { .. }));
    assert_eq!(m.snapshot(), before);
    assert_eq!(m.dirty_fields(), dirty);
    assert!(log.take().is_empty());
}

#[test]
fn hooks_run_once_per_batch() {
    let m = account(true);
    m.batch(|b| {
        b.set_balance(10)?;
        b.set_balance(20)?;
        b.set_limit(5)
    })
    .unwrap();
    let seen = seen();
    assert_eq!(
        seen.iter().filter(|s| s.starts_with("before")).count(),
        1,
        "{seen:?}"
    );
    assert_eq!(
        seen.iter().filter(|s| s.starts_with("after")).count(),
        1,
        "{seen:?}"
    );
    assert_eq!(m.available(), 25);
}

/// A set whose hook rewrites the value runs the hook once, on the fast path (a field nothing
/// depends on) as on the ruled one (a field a computed field depends on), with one `after`.
#[test]
fn a_rewriting_hook_runs_once_per_set() {
    let m = account(true);
    m.set_owner("  grace  ").unwrap();
    assert_eq!(
        seen(),
        vec![
            "before [\"owner \\\"ada\\\"->\\\"  grace  \\\"\"]",
            "after [\"owner\"] balance=0",
        ]
    );
    assert_eq!(m.owner(), "grace");
    // Rewritten back to the committed value: the hook ran, nothing was committed.
    m.set_owner(" grace ").unwrap();
    let once = seen();
    assert_eq!(once.len(), 1, "{once:?}");
    assert!(once[0].starts_with("before"), "{once:?}");
    m.update(|a| a.owner = " eve ".into()).unwrap();
    let batch = seen();
    assert_eq!(batch.len(), 2, "{batch:?}");
    assert_eq!(m.owner(), "eve");
}

#[derive(Reactive, Clone, Debug)]
struct Plain {
    n: u64,
}

#[test]
fn without_the_attribute_the_default_hooks_do_nothing() {
    // The derive implements `ModelHooks` with the defaults; calling them is harmless.
    let p = Plain { n: 1 };
    let mut next = p.clone();
    let _ = &mut next;
    const { assert!(!<Plain as Reactive>::__HOOKS) };
    let m = Model::new(p);
    m.set_n(2).unwrap();
    assert_eq!(m.n(), 2);
}
