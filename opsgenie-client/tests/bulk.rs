//! Bulk actions (issue 14), on both backends through the fake: every outcome produced on
//! purpose (a deleted alert, a closed alert, an outcome that never comes, a failure reason),
//! the request count of confirmation by state, the retry rounds, and under the fault mix of
//! RELIABILITY.md every reported outcome against the fake's final state, including alerts
//! deleted or closed by someone else during the run. Seeded faults; no timing is asserted.

use std::collections::HashMap;
use std::time::Duration;

use futures_util::TryStreamExt;
use opsgenie_client::alerts::{BulkResult, BulkSummary, ConfirmedBy, GoneCause};
use opsgenie_client::fake::{FakeOpsgenie, Faults, NextAction, SeedAlert};
use opsgenie_client::{Alert, AlertAction, AlertId, AlertRef, Client, Error};

const PENDING_ACK: &str = "status:open AND acknowledged:false";

#[derive(Clone, Copy, Debug)]
enum Face {
    Opsgenie,
    Jsm,
}

const FACES: [Face; 2] = [Face::Opsgenie, Face::Jsm];

fn client(fake: &FakeOpsgenie, face: Face) -> Client {
    let builder = match face {
        Face::Opsgenie => fake.client_builder(),
        Face::Jsm => fake.jsm_client_builder(),
    };
    builder
        .outcome_timeout(Duration::from_secs(2))
        .build()
        .expect("client")
}

async fn fake_with(alerts: usize) -> (FakeOpsgenie, Vec<AlertId>) {
    let fake = FakeOpsgenie::builder()
        .without_demo_data()
        .start()
        .await
        .expect("fake");
    let ids = (0..alerts)
        .map(|i| fake.add_alert(SeedAlert::new(format!("alert {i}"))).id)
        .collect();
    (fake, ids)
}

fn by_id(fake: &FakeOpsgenie) -> HashMap<AlertId, Alert> {
    fake.alerts()
        .into_iter()
        .map(|a| (a.id.clone(), a))
        .collect()
}

/// The scripted alerts of the four-outcome tests: index -> what happens to its action.
fn script(fake: &FakeOpsgenie, ids: &[AlertId]) {
    let plan = [
        (0, NextAction::DeleteFirst),
        (1, NextAction::CloseFirstThenFail("Alert is closed".into())),
        (2, NextAction::NeverProcess),
        (
            3,
            NextAction::Fail("Integration may not acknowledge".into()),
        ),
        (4, NextAction::CloseFirst),
    ];
    for (i, next) in plan {
        fake.on_next_action(&ids[i], next);
    }
}

#[tokio::test]
async fn each_outcome_produced_on_purpose_is_told_apart_when_confirmed_by_state() {
    for face in FACES {
        let (fake, ids) = fake_with(8).await;
        script(&fake, &ids);
        let c = client(&fake, face);
        let outcomes = c
            .alerts()
            .bulk(ids.iter().map(AlertRef::from), AlertAction::Acknowledge)
            .confirm_by(PENDING_ACK)
            .max_rounds(1)
            .await;
        assert_eq!(outcomes.len(), 8, "{face:?}");
        let state = by_id(&fake);
        for (i, o) in outcomes.iter().enumerate() {
            assert_eq!(o.alert, AlertRef::from(&ids[i]), "{face:?}: order kept");
            assert_eq!(o.alert_id.as_ref(), Some(&ids[i]), "{face:?}: typed id out");
            assert_eq!(o.attempts, 1, "{face:?}");
            match (i, &o.result) {
                (0, BulkResult::Gone { cause, reason }) => {
                    assert_eq!(*cause, GoneCause::Deleted, "{face:?}");
                    assert_eq!(reason.as_deref(), Some("Alert does not exist"), "{face:?}");
                    assert!(!state.contains_key(&ids[0]), "{face:?}: really deleted");
                }
                (1, BulkResult::Gone { cause, reason }) => {
                    assert_eq!(*cause, GoneCause::Closed, "{face:?}");
                    assert_eq!(reason.as_deref(), Some("Alert is closed"), "{face:?}");
                    let a = &state[&ids[1]];
                    assert!(!a.is_open() && !a.acknowledged, "{face:?}: {a:?}");
                }
                (2, BulkResult::NotConfirmed(e)) => {
                    assert!(matches!(e, Error::OutcomeTimeout { .. }), "{face:?}: {e}");
                    assert!(!state[&ids[2]].acknowledged, "{face:?}");
                }
                (
                    3,
                    BulkResult::Failed {
                        reason,
                        status,
                        error,
                    },
                ) => {
                    assert!(error.is_none(), "{face:?}: a processed failure");
                    assert_eq!(reason, "Integration may not acknowledge", "{face:?}");
                    assert!(status.as_ref().is_some_and(|s| !s.succeeded()), "{face:?}");
                    assert!(
                        !state[&ids[3]].acknowledged,
                        "{face:?}: failed changes nothing"
                    );
                }
                // Closed by someone else first, then acknowledged as the pager does it: the
                // state shows it acknowledged, so it is done.
                (4, BulkResult::Done { .. }) => {
                    let a = &state[&ids[4]];
                    assert!(!a.is_open() && a.acknowledged, "{face:?}: {a:?}");
                }
                (
                    5..,
                    BulkResult::Done {
                        confirmed_by,
                        status,
                    },
                ) => {
                    assert_eq!(*confirmed_by, ConfirmedBy::State, "{face:?}");
                    assert!(status.is_none(), "{face:?}: no outcome read for these");
                    assert!(state[&ids[i]].acknowledged, "{face:?}");
                }
                (i, other) => panic!("{face:?}: alert {i}: {other:?}"),
            }
        }
        assert_eq!(
            BulkSummary::of(&outcomes),
            summary(4, 1, 2, 1),
            "{face:?}: counts per kind"
        );
    }
}

fn summary(done: usize, failed: usize, gone: usize, not_confirmed: usize) -> BulkSummary {
    let mut s = BulkSummary::default();
    s.done = done;
    s.failed = failed;
    s.gone = gone;
    s.not_confirmed = not_confirmed;
    s
}

#[tokio::test]
async fn each_outcome_is_told_apart_from_the_request_outcomes_without_a_query() {
    for face in FACES {
        let (fake, ids) = fake_with(6).await;
        script(&fake, &ids);
        let c = client(&fake, face);
        let outcomes = c
            .alerts()
            .bulk(ids.iter().map(AlertRef::from), AlertAction::Acknowledge)
            .outcome_timeout(Duration::from_millis(300))
            .max_rounds(1)
            .await;
        let results: Vec<&BulkResult> = outcomes.iter().map(|o| &o.result).collect();
        assert!(
            matches!(
                results[0],
                BulkResult::Gone {
                    cause: GoneCause::Deleted,
                    ..
                }
            ),
            "{face:?}: {:?}",
            results[0]
        );
        // Without the state, a refusal on a closed alert is the failure it says it is.
        assert!(
            matches!(results[1], BulkResult::Failed { reason, .. } if reason == "Alert is closed"),
            "{face:?}: {:?}",
            results[1]
        );
        assert!(
            matches!(
                results[2],
                BulkResult::NotConfirmed(Error::OutcomeTimeout { .. })
            ),
            "{face:?}: {:?}",
            results[2]
        );
        assert!(
            matches!(results[3], BulkResult::Failed { reason, .. } if reason == "Integration may not acknowledge"),
            "{face:?}: {:?}",
            results[3]
        );
        for r in &results[4..] {
            assert!(
                matches!(
                    r,
                    BulkResult::Done {
                        status: Some(_),
                        confirmed_by: ConfirmedBy::Outcome
                    }
                ),
                "{face:?}: {r:?}"
            );
        }
    }
}

#[tokio::test]
async fn an_outcome_that_never_comes_is_sent_again_in_the_next_round() {
    for face in FACES {
        let (fake, ids) = fake_with(3).await;
        fake.on_next_action(&ids[1], NextAction::NeverProcess);
        let c = client(&fake, face);
        let outcomes = c
            .alerts()
            .bulk(ids.iter().map(AlertRef::from), AlertAction::Acknowledge)
            .confirm_by(PENDING_ACK)
            .await;
        assert!(
            outcomes.iter().all(|o| o.succeeded()),
            "{face:?}: {outcomes:?}"
        );
        let attempts: Vec<u32> = outcomes.iter().map(|o| o.attempts).collect();
        assert_eq!(
            attempts,
            [1, 2, 1],
            "{face:?}: only the unconfirmed one again"
        );
        assert!(fake.alerts().iter().all(|a| a.acknowledged), "{face:?}");
    }
}

#[tokio::test]
async fn confirmation_by_state_costs_at_most_one_point_one_requests_per_alert() {
    const N: usize = 300;
    for face in FACES {
        let (fake, ids) = fake_with(N).await;
        let c = client(&fake, face);
        let before = fake.requests_served();
        let outcomes = c
            .alerts()
            .bulk(ids.iter().map(AlertRef::from), AlertAction::Acknowledge)
            .confirm_by(PENDING_ACK)
            .await;
        let requests = fake.requests_served() - before;
        eprintln!("{face:?}: {requests} requests for {N} alerts confirmed by state");
        assert_eq!(BulkSummary::of(&outcomes).done, N, "{face:?}");
        assert!(fake.alerts().iter().all(|a| a.acknowledged), "{face:?}");
        assert!(
            requests as f64 <= 1.1 * N as f64,
            "{face:?}: {requests} requests for {N} alerts"
        );
        // Without the query: the action and at least one read of its outcome per alert.
        let (fake, ids) = fake_with(N).await;
        let c = client(&fake, face);
        let before = fake.requests_served();
        let outcomes = c
            .alerts()
            .bulk(ids.iter().map(AlertRef::from), AlertAction::Close)
            .await;
        assert_eq!(BulkSummary::of(&outcomes).done, N, "{face:?}");
        assert!(fake.requests_served() - before >= 2 * N as u64, "{face:?}");
    }
}

#[tokio::test]
async fn close_all_confirmed_by_state_reports_deleted_alerts_as_gone() {
    for face in FACES {
        let (fake, ids) = fake_with(20).await;
        fake.on_next_action(&ids[3], NextAction::DeleteFirst);
        // Listed by the caller, then deleted by someone else before the bulk began.
        assert!(fake.delete_alert(&ids[7]));
        let c = client(&fake, face);
        let outcomes = c
            .alerts()
            .bulk(ids.iter().map(AlertRef::from), AlertAction::Close)
            .confirm_by("status:open")
            .await;
        for (i, o) in outcomes.iter().enumerate() {
            if i == 3 || i == 7 {
                assert!(
                    matches!(
                        o.result,
                        BulkResult::Gone {
                            cause: GoneCause::Deleted,
                            ..
                        }
                    ),
                    "{face:?}: {i}: {:?}",
                    o.result
                );
            } else {
                assert!(o.succeeded(), "{face:?}: {i}: {:?}", o.result);
            }
        }
        assert!(fake.alerts().iter().all(|a| !a.is_open()), "{face:?}");
        assert_eq!(fake.alerts().len(), 18, "{face:?}");
    }
}

/// Under the fault mix of RELIABILITY.md (20% 503, 5% dropped connections, a throttling
/// rate limit), with alerts deleted and closed by someone else during the run, every alert's
/// reported outcome matches the fake's final state exactly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_faults_every_reported_outcome_matches_the_final_state() {
    const N: usize = 400;
    for (face, seed) in [(Face::Opsgenie, 8), (Face::Jsm, 9)] {
        let fake = FakeOpsgenie::builder()
            .without_demo_data()
            .processing_delay(Duration::from_millis(20))
            .rate_limit(400)
            .start()
            .await
            .expect("fake");
        for i in 0..N {
            fake.add_alert(SeedAlert::new(format!("disk full on host {i}")));
        }
        let c = match face {
            Face::Opsgenie => fake.client_builder(),
            Face::Jsm => fake.jsm_client_builder(),
        }
        .outcome_timeout(Duration::from_secs(10))
        .build()
        .expect("client");
        // The caller's own listing, before the faults begin.
        let listed: Vec<Alert> = c
            .alerts()
            .list()
            .query(PENDING_ACK)
            .limit(100)
            .stream()
            .try_collect()
            .await
            .expect("list");
        assert_eq!(listed.len(), N);
        let ids: Vec<AlertId> = listed.iter().map(|a| a.id.clone()).collect();
        // Someone else: deletes or closes some alerts between acceptance and processing,
        // some before the bulk begins, and makes the pager refuse a few.
        let mut rng = fastrand::Rng::with_seed(seed);
        for id in &ids {
            match rng.u32(0..100) {
                0..=2 => fake.on_next_action(id, NextAction::DeleteFirst),
                3..=5 => fake.on_next_action(id, NextAction::CloseFirst),
                6..=7 => fake
                    .on_next_action(id, NextAction::CloseFirstThenFail("Alert is closed".into())),
                8 => fake.on_next_action(
                    id,
                    NextAction::Fail("Integration may not acknowledge".into()),
                ),
                9 => {
                    fake.delete_alert(id);
                }
                10 => {
                    fake.close_alert(id);
                }
                _ => {}
            }
        }
        fake.set_faults(Faults::seeded(seed).error_503(0.20).drop_connection(0.05));
        let outcomes = c
            .alerts()
            .bulk(ids.iter().map(AlertRef::from), AlertAction::Acknowledge)
            .confirm_by(PENDING_ACK)
            .user("opsbot")
            // Once the client's retry budget runs dry every fault is final for its request:
            // rounds send again what was lost, and there are enough of them here that a
            // quarter of faults cannot defeat every one.
            .max_rounds(10)
            .await;
        fake.set_faults(Faults::none());
        let state = by_id(&fake);
        assert_eq!(outcomes.len(), N);
        let mut mismatches = Vec::new();
        for (o, id) in outcomes.iter().zip(&ids) {
            assert_eq!(o.alert, AlertRef::from(id), "{face:?}: order kept");
            let alert = state.get(id);
            let matches = match &o.result {
                BulkResult::Done { .. } => alert.is_some_and(|a| a.acknowledged),
                BulkResult::Gone {
                    cause: GoneCause::Deleted,
                    ..
                } => alert.is_none(),
                BulkResult::Gone {
                    cause: GoneCause::Closed,
                    ..
                } => alert.is_some_and(|a| !a.is_open() && !a.acknowledged),
                BulkResult::Failed { .. } => alert.is_some_and(|a| !a.acknowledged),
                _ => false,
            };
            if !matches {
                mismatches.push(format!("{id}: reported {:?}, state {alert:?}", o.result));
            }
        }
        // And the other way round: every alert still there and not acknowledged was reported
        // failed or gone, every deleted one gone.
        for (o, id) in outcomes.iter().zip(&ids) {
            let acknowledged = state.get(id).is_some_and(|a| a.acknowledged);
            assert_eq!(
                o.succeeded(),
                acknowledged,
                "{face:?}: {id}: {:?}",
                o.result
            );
        }
        let s = BulkSummary::of(&outcomes);
        let sent: u32 = outcomes.iter().map(|o| o.attempts).sum();
        let rounds = outcomes.iter().map(|o| o.attempts).max().unwrap_or(0);
        eprintln!(
            "{face:?}: {s:?}, {sent} actions sent in {rounds} rounds, {} requests served, {} throttled",
            fake.requests_served(),
            fake.requests_throttled()
        );
        assert!(mismatches.is_empty(), "{face:?}: {mismatches:#?}");
        assert_eq!(s.not_confirmed, 0, "{face:?}: every outcome learned");
        assert!(s.gone > 0 && s.failed > 0 && s.done > 0, "{face:?}: {s:?}");
    }
}
