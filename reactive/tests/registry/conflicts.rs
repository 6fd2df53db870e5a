//! Optimistic concurrency across registries: of two conflicting writers of one entity, the
//! second gets `Error::Conflict` with both versions, and nothing is lost.

use std::sync::Arc;

use reactive::prelude::*;
use reactive::provider::testing::{Method, TestProvider};

#[derive(Reactive, Clone, Debug, PartialEq, Serialize)]
#[entity("accounts")]
struct Account {
    id: u32,
    owner: String,
    email: String,
    #[reactive(version)]
    version: u64,
}

/// One store, two servers (registries) over it, each with the account live.
async fn two_servers() -> (
    Arc<TestProvider<Account>>,
    (Registry, Model<Account>),
    (Registry, Model<Account>),
) {
    let store = Arc::new(TestProvider::<Account>::new());
    store.insert(Account {
        id: 1,
        owner: "Ada".into(),
        email: "ada@example.com".into(),
        version: 1,
    });
    let (a, b) = (Registry::new(), Registry::new());
    a.provide(store.clone());
    b.provide(store.clone());
    let in_a = a.get_or_load::<Account>(&1).await.unwrap();
    let in_b = b.get_or_load::<Account>(&1).await.unwrap();
    assert!(!in_a.ptr_eq(&in_b), "two registries, two live models");
    (store, (a, in_a), (b, in_b))
}

async fn within<F: std::future::Future>(what: &str, f: F) -> F::Output {
    tokio::time::timeout(std::time::Duration::from_secs(20), f)
        .await
        .unwrap_or_else(|_| panic!("watchdog: {what} did not finish within 20 s"))
}

fn is_conflict(err: &Error, expected: u64, actual: u64) -> bool {
    matches!(err, Error::Conflict { expected: e, actual: a, .. } if *e == Some(expected) && *a == Some(actual))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_two_publishes_in_flight_together_the_second_conflicts_and_nothing_is_lost() {
    let (store, (_a, in_a), (_b, in_b)) = two_servers().await;
    in_a.set_owner("Ada Lovelace").unwrap();
    in_b.set_email("ada@lovelace.org").unwrap();
    // Both publishes reach the store before either is let through.
    let gate = store.hold(Method::Publish);
    let first = tokio::spawn({
        let m = in_a.clone();
        async move { m.publish().await }
    });
    let second = tokio::spawn({
        let m = in_b.clone();
        async move { m.publish().await }
    });
    within("both publishes at the gate", gate.wait_for(2)).await;
    store.unhold(Method::Publish);
    gate.release(2);
    let results = [
        within("the first publish", first).await.unwrap(),
        within("the second publish", second).await.unwrap(),
    ];

    let (winner, loser, err) = match results {
        [Ok(()), Err(err)] => (&in_a, &in_b, err),
        [Err(err), Ok(())] => (&in_b, &in_a, err),
        other => panic!("exactly one publish wins: {other:?}"),
    };
    assert!(is_conflict(&err, 1, 2), "both versions: {err:?}");
    assert_eq!(winner.version(), 2);
    // The loser is as it was: its edit kept, dirty, at the version it had.
    assert_eq!(loser.version(), 1);
    assert_eq!(loser.dirty_fields().len(), 1);
    assert!(!loser.flags().processing);

    // After loading the stored state (which keeps its unpublished edit), its publish goes
    // through: the store has both writers' changes.
    within("the reload", loser.load()).await.unwrap();
    within("the second try", loser.publish()).await.unwrap();
    let stored = store.get(&1).unwrap();
    assert_eq!(
        (stored.owner.as_str(), stored.email.as_str(), stored.version),
        ("Ada Lovelace", "ada@lovelace.org", 3)
    );
}

#[tokio::test]
async fn a_stale_delete_conflicts_and_the_entity_stays() {
    let (store, (_a, in_a), (b, in_b)) = two_servers().await;
    in_a.set_owner("Ada Lovelace").unwrap();
    in_a.publish().await.unwrap();

    let err = in_b.delete().await.unwrap_err();
    assert!(is_conflict(&err, 1, 2), "{err:?}");
    assert!(!in_b.flags().deleted);
    assert!(b.get::<Account>(&1).is_some());
    assert_eq!(store.get(&1).unwrap().owner, "Ada Lovelace");

    // B's unchanged copy can be refreshed by a load, and then deleted.
    in_b.load().await.unwrap();
    assert_eq!(in_b.owner(), "Ada Lovelace");
    in_b.delete().await.unwrap();
    assert!(store.get(&1).is_none());
}

#[tokio::test]
async fn a_store_failure_is_not_a_conflict_and_a_retry_succeeds() {
    let (store, (_a, in_a), _) = two_servers().await;
    in_a.set_owner("Ada L.").unwrap();
    store.fail_next(Method::Publish, 1);
    let err = in_a.publish().await.unwrap_err();
    assert!(!matches!(err, Error::Conflict { .. }), "{err:?}");
    assert_eq!((in_a.version(), in_a.dirty_fields()), (1, vec!["owner"]));
    in_a.publish().await.unwrap();
    assert_eq!(store.get(&1).unwrap().owner, "Ada L.");
    assert_eq!(store.count(Method::Publish), 2);
}
