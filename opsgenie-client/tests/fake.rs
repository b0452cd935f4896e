//! The fake Opsgenie, exercised through this crate's client and through raw HTTP.

use std::time::{Duration, Instant};

use chrono::{Duration as ChronoDuration, Utc};
use futures_util::TryStreamExt;
use opsgenie_client::fake::{FakeOpsgenie, Faults, SeedAlert};
use opsgenie_client::heartbeats::IntervalUnit;
use opsgenie_client::incidents::IncidentRef;
use opsgenie_client::schedules::ScheduleRef;
use opsgenie_client::{
    AlertAction, AlertRef, AlertStatus, Error, NamedRef, Priority, Responder, RetryPolicy, UserRef,
};

async fn fake() -> FakeOpsgenie {
    FakeOpsgenie::builder().start().await.expect("fake starts")
}

#[tokio::test]
async fn demo_data_reads_like_a_small_company() {
    let fake = fake().await;
    let client = fake.client().expect("client");
    let open: Vec<_> = client
        .alerts()
        .list()
        .query("status:open")
        .stream()
        .try_collect()
        .await
        .expect("open");
    assert_eq!(open.len(), 5);
    let acked = client
        .alerts()
        .count()
        .query("status:open AND acknowledged:true")
        .await
        .expect("count");
    assert_eq!(acked, 2);
    let p1 = client
        .alerts()
        .list()
        .query("priority:P1")
        .await
        .expect("p1");
    assert_eq!(p1.alerts.len(), 1);
    assert_eq!(p1.alerts[0].source.as_deref(), Some("sentry"));
    let schedules = client
        .schedules()
        .list()
        .expand_rotations()
        .await
        .expect("schedules");
    assert_eq!(schedules[0].name, "ops");
    assert_eq!(schedules[0].rotations[0].participants.len(), 3);
    let now = client
        .schedules()
        .on_calls(ScheduleRef::name("ops"))
        .flat(true)
        .await
        .expect("on call");
    assert_eq!(now.users().len(), 1);
    assert_eq!(
        client.heartbeats().list().await.expect("heartbeats").len(),
        1
    );
}

#[tokio::test]
async fn alert_lifecycle_through_the_client() {
    let fake = FakeOpsgenie::builder()
        .without_demo_data()
        .start()
        .await
        .expect("fake");
    let c = fake.client().expect("client");
    let created = c
        .alerts()
        .create("Database down")
        .alias("db/down now")
        .priority(Priority::P1)
        .tag("db")
        .source("opsbot")
        .action("Restart")
        .detail("host", "db1")
        .note("paging")
        .await
        .expect("accepted")
        .wait()
        .await
        .expect("created");
    assert_eq!(created.status, "Created alert");
    let id = created.alert_id().expect("alert id");
    // Alias de-duplication bumps the count of the open alert.
    let again = c
        .alerts()
        .create("Database down")
        .alias("db/down now")
        .await
        .expect("accepted")
        .wait()
        .await
        .expect("dedup");
    assert_eq!(again.alert_id().as_ref(), Some(&id));
    let alert = c
        .alerts()
        .get(AlertRef::alias("db/down now"))
        .await
        .expect("by alias");
    assert_eq!(alert.count, Some(2));
    assert_eq!(alert.tiny_id.as_deref(), Some("1"));
    assert_eq!(alert.priority, Some(Priority::P1));
    let tiny = || AlertRef::tiny("1");

    c.alerts()
        .acknowledge(tiny())
        .user("ann")
        .note("on it")
        .await
        .expect("ack")
        .wait()
        .await
        .expect("acked");
    assert!(c.alerts().get(tiny()).await.expect("get").acknowledged);
    c.alerts()
        .unacknowledge(tiny())
        .user("ann")
        .await
        .expect("unack")
        .wait()
        .await
        .expect("unacked");
    c.alerts()
        .add_note(tiny(), "rolled back")
        .user("bob")
        .await
        .expect("note")
        .wait()
        .await
        .expect("noted");
    c.alerts()
        .add_tags(tiny(), ["prod"])
        .await
        .expect("tags")
        .wait()
        .await
        .expect("tagged");
    c.alerts()
        .remove_tags(tiny(), ["db"])
        .await
        .expect("untag")
        .wait()
        .await
        .expect("untagged");
    c.alerts()
        .add_details(tiny(), [("region", "eu")])
        .await
        .expect("details")
        .wait()
        .await
        .expect("detailed");
    c.alerts()
        .remove_details(tiny(), ["host"])
        .await
        .expect("undetail")
        .wait()
        .await
        .expect("undetailed");
    c.alerts()
        .update_priority(tiny(), Priority::P2)
        .await
        .expect("prio")
        .wait()
        .await
        .expect("prioritised");
    c.alerts()
        .update_message(tiny(), "DB down (primary)")
        .await
        .expect("msg")
        .wait()
        .await
        .expect("renamed");
    c.alerts()
        .update_description(tiny(), "failover running")
        .await
        .expect("desc")
        .wait()
        .await
        .expect("described");
    c.alerts()
        .snooze(tiny(), Utc::now() + ChronoDuration::hours(1))
        .await
        .expect("snooze")
        .wait()
        .await
        .expect("snoozed");
    c.alerts()
        .escalate(tiny(), NamedRef::name("ops-escalation"))
        .await
        .expect("esc")
        .wait()
        .await
        .expect("escalated");
    c.alerts()
        .assign(tiny(), UserRef::username("bob@example.com"))
        .await
        .expect("assign")
        .wait()
        .await
        .expect("assigned");
    c.alerts()
        .add_team(tiny(), NamedRef::name("ops"))
        .await
        .expect("team")
        .wait()
        .await
        .expect("teamed");
    c.alerts()
        .add_responder(tiny(), Responder::user("cid@example.com"))
        .await
        .expect("resp")
        .wait()
        .await
        .expect("responded");
    c.alerts()
        .custom_action(tiny(), "Restart")
        .await
        .expect("custom")
        .wait()
        .await
        .expect("ran");
    let err = c
        .alerts()
        .custom_action(tiny(), "Reboot")
        .await
        .expect("custom")
        .wait()
        .await
        .expect_err("unknown action");
    assert!(matches!(err, Error::RequestFailed(_)));

    let a = c.alerts().get(tiny()).await.expect("get");
    assert!(!a.acknowledged);
    assert_eq!(a.tags, ["prod"]);
    assert_eq!(a.details.get("region").map(String::as_str), Some("eu"));
    assert!(!a.details.contains_key("host"));
    assert_eq!(a.priority, Some(Priority::P2));
    assert_eq!(a.message, "DB down (primary)");
    assert_eq!(a.description.as_deref(), Some("failover running"));
    assert!(a.snoozed && a.snoozed_until.is_some());
    assert_eq!(a.owner(), Some("bob@example.com"));
    assert_eq!(a.responders.len(), 2);

    let notes: Vec<_> = c
        .alerts()
        .notes(tiny())
        .limit(1)
        .stream()
        .map_ok(|n| n.note)
        .try_collect()
        .await
        .expect("notes");
    assert_eq!(notes, ["paging", "on it", "rolled back"]);
    let logs = c.alerts().logs(tiny()).limit(100).await.expect("logs");
    assert!(
        logs.items
            .iter()
            .any(|l| l.log.starts_with("Acknowledged alert by ann"))
    );

    c.alerts()
        .close(tiny())
        .user("ann")
        .await
        .expect("close")
        .wait()
        .await
        .expect("closed");
    assert_eq!(
        fake.alert_by_tiny("1").and_then(|a| a.status),
        Some(AlertStatus::Closed)
    );
    // An alias only names an open alert: a closed one is gone for alias actions.
    let gone = c
        .alerts()
        .acknowledge(AlertRef::alias("db/down now"))
        .await
        .expect("accepted")
        .wait()
        .await;
    match gone {
        Err(Error::RequestFailed(f)) => assert_eq!(f.status, "Alert does not exist"),
        other => panic!("expected failure, got {other:?}"),
    }
    c.alerts()
        .delete(tiny())
        .user("ann")
        .await
        .expect("delete")
        .wait()
        .await
        .expect("deleted");
    assert!(
        c.alerts()
            .get(tiny())
            .await
            .expect_err("gone")
            .is_not_found()
    );
}

#[tokio::test]
async fn outcomes_are_not_processed_for_the_configured_moment() {
    let fake = FakeOpsgenie::builder()
        .processing_delay(Duration::from_millis(300))
        .start()
        .await
        .expect("fake");
    let c = fake.client().expect("client");
    let handle = c
        .alerts()
        .acknowledge(AlertRef::tiny("2"))
        .await
        .expect("accepted");
    assert_eq!(
        handle.status().await.expect("poll"),
        None,
        "404 RequestNotProcessed at first"
    );
    assert!(
        !fake.alert_by_tiny("2").expect("alert").acknowledged,
        "not applied yet"
    );
    let started = Instant::now();
    let done = handle.wait().await.expect("processed");
    assert!(started.elapsed() >= Duration::from_millis(200));
    assert_eq!(done.status, "Acknowledged alert");
    assert!(fake.alert_by_tiny("2").expect("alert").acknowledged);
    let missing = c
        .alerts()
        .acknowledge(AlertRef::tiny("999"))
        .await
        .expect("accepted")
        .wait()
        .await;
    assert!(matches!(missing, Err(Error::RequestFailed(f)) if f.status == "Alert does not exist"));
}

#[tokio::test]
async fn bulk_acknowledge_every_open_alert_reports_each_outcome() {
    let fake = fake().await;
    let c = fake.client().expect("client");
    let open: Vec<_> = c
        .alerts()
        .list()
        .query("status:open AND acknowledged:false")
        .stream()
        .try_collect()
        .await
        .expect("open");
    let mut targets: Vec<AlertRef> = open.iter().map(AlertRef::from).collect();
    targets.push(AlertRef::tiny("404"));
    let outcomes = c
        .alerts()
        .bulk(targets, AlertAction::Acknowledge)
        .user("opsbot")
        .await;
    assert_eq!(outcomes.len(), 4);
    assert_eq!(outcomes.iter().filter(|o| o.succeeded()).count(), 3);
    assert!(
        matches!(&outcomes[3].result, Err(Error::RequestFailed(f)) if f.status == "Alert does not exist")
    );
    assert_eq!(
        c.alerts()
            .count()
            .query("acknowledged:false")
            .await
            .expect("count"),
        0
    );
}

#[tokio::test]
async fn paging_links_and_the_20000_ceiling() {
    let fake = FakeOpsgenie::builder()
        .without_demo_data()
        .start()
        .await
        .expect("fake");
    let base = Utc::now() - ChronoDuration::days(1);
    for i in 0..20_150i64 {
        // Two alerts per millisecond, so windows share boundaries.
        fake.add_alert(
            SeedAlert::new(format!("a{i}")).created_at(base + ChronoDuration::milliseconds(i / 2)),
        );
    }
    let c = fake.client().expect("client");
    let page = c
        .alerts()
        .list()
        .limit(100)
        .offset(19_800)
        .await
        .expect("page");
    assert_eq!(page.alerts.len(), 100);
    let next = page.paging.and_then(|p| p.next).expect("next link");
    assert!(
        next.starts_with(fake.base_url().as_str()) && next.contains("offset=19900"),
        "{next}"
    );
    let last = c
        .alerts()
        .list()
        .limit(100)
        .offset(19_900)
        .await
        .expect("page");
    assert!(
        last.paging.and_then(|p| p.next).is_none(),
        "no next link past the ceiling"
    );
    // Past the ceiling the raw API refuses...
    let raw = reqwest::Client::new()
        .get(
            fake.base_url()
                .join("v2/alerts?offset=20000&limit=100")
                .expect("url"),
        )
        .header("authorization", format!("GenieKey {}", fake.key()))
        .send()
        .await
        .expect("raw");
    assert_eq!(raw.status().as_u16(), 422);
    // ...and the stream goes on by createdAt windows, without gaps or duplicates.
    let all: Vec<_> = c
        .alerts()
        .list()
        .limit(100)
        .stream()
        .try_collect()
        .await
        .expect("stream");
    assert_eq!(all.len(), 20_150);
    let unique: std::collections::HashSet<_> = all.iter().map(|a| a.id.clone()).collect();
    assert_eq!(unique.len(), 20_150);
}

#[tokio::test]
async fn overrides_change_who_is_on_call() {
    let fake = FakeOpsgenie::builder()
        .without_demo_data()
        .start()
        .await
        .expect("fake");
    let start = Utc::now() - ChronoDuration::days(3);
    fake.add_schedule(
        "ops",
        "primary",
        start,
        &["ann@example.com", "bob@example.com"],
    );
    let c = fake.client().expect("client");
    let ops = || ScheduleRef::name("ops");
    let before = c
        .schedules()
        .on_calls(ops())
        .flat(true)
        .await
        .expect("before");
    assert_eq!(before.users(), ["ann@example.com"]);
    let next = c.schedules().next_on_calls(ops()).await.expect("next");
    assert_eq!(next.names(), ["bob@example.com"]);
    let now = Utc::now();
    let alias = c
        .schedules()
        .overrides(ops())
        .create(
            UserRef::username("cid@example.com"),
            now - ChronoDuration::minutes(1),
            now + ChronoDuration::hours(2),
        )
        .await
        .expect("override");
    let during = c.schedules().on_calls(ops()).await.expect("nested");
    assert_eq!(during.users(), ["cid@example.com"]);
    let all = c.schedules().all_on_calls().flat(true).await.expect("all");
    assert_eq!(all[0].users(), ["cid@example.com"]);
    let later = c
        .schedules()
        .on_calls(ops())
        .flat(true)
        .date(now + ChronoDuration::hours(3))
        .await
        .expect("later");
    assert_eq!(later.users(), ["ann@example.com"], "the override ends");
    assert_eq!(
        c.schedules()
            .overrides(ops())
            .list()
            .await
            .expect("list")
            .len(),
        1
    );
    assert_eq!(
        c.schedules()
            .overrides(ops())
            .get(&alias)
            .await
            .expect("get")
            .alias,
        alias
    );
    c.schedules()
        .overrides(ops())
        .update(
            &alias,
            UserRef::username("dan@example.com"),
            now - ChronoDuration::minutes(1),
            now + ChronoDuration::hours(1),
        )
        .await
        .expect("update");
    assert_eq!(fake.on_call_at("ops", now), ["dan@example.com"]);
    c.schedules()
        .overrides(ops())
        .delete(&alias)
        .await
        .expect("delete");
    assert_eq!(fake.on_call_at("ops", now), ["ann@example.com"]);
    assert!(
        c.schedules()
            .overrides(ops())
            .get(&alias)
            .await
            .expect_err("gone")
            .is_not_found()
    );
    let id = fake.schedules()[0].id.clone();
    assert_eq!(
        c.schedules()
            .get(ScheduleRef::from(id))
            .await
            .expect("by id")
            .name,
        "ops"
    );
}

#[tokio::test]
async fn heartbeats_and_incidents_through_the_client() {
    let fake = FakeOpsgenie::builder()
        .without_demo_data()
        .start()
        .await
        .expect("fake");
    let c = fake.client().expect("client");
    let hb = c.heartbeats();
    hb.create("deploys", 10, IntervalUnit::Minutes)
        .alert_priority(Priority::P2)
        .await
        .expect("create");
    assert!(
        matches!(hb.create("deploys", 10, IntervalUnit::Minutes).await, Err(e) if e.status() == Some(409))
    );
    hb.ping("deploys").await.expect("ping");
    assert!(fake.heartbeats()[0].last_ping_time.is_some());
    hb.update("deploys")
        .description("every deploy pings")
        .await
        .expect("update");
    assert_eq!(
        hb.disable("deploys").await.expect("disable").enabled,
        Some(false)
    );
    assert_eq!(
        hb.enable("deploys").await.expect("enable").enabled,
        Some(true)
    );
    assert_eq!(
        hb.get("deploys").await.expect("get").description.as_deref(),
        Some("every deploy pings")
    );
    assert_eq!(hb.list().await.expect("list").len(), 1);
    hb.delete("deploys").await.expect("delete");
    assert!(hb.get("deploys").await.expect_err("gone").is_not_found());

    let inc = c.incidents();
    let done = inc
        .create("Checkout down", "fake-service-1")
        .priority(Priority::P1)
        .await
        .expect("accepted")
        .wait()
        .await
        .expect("created");
    let id = done.incident_id().expect("incident id");
    assert_eq!(inc.get(IncidentRef::tiny("1")).await.expect("get").id, id);
    inc.add_note(IncidentRef::from(id.clone()), "rolling back")
        .await
        .expect("note")
        .wait()
        .await
        .expect("noted");
    inc.resolve(IncidentRef::from(id.clone()))
        .note("fixed")
        .await
        .expect("resolve")
        .wait()
        .await
        .expect("resolved");
    let page = inc.list().query("status:resolved").await.expect("list");
    assert_eq!(page.incidents.len(), 1);
    inc.close(IncidentRef::from(id))
        .await
        .expect("close")
        .wait()
        .await
        .expect("closed");
    let missing = inc
        .close(IncidentRef::id("nope"))
        .await
        .expect("accepted")
        .wait()
        .await;
    assert!(
        matches!(missing, Err(Error::RequestFailed(f)) if f.status == "Incident does not exist")
    );
}

async fn raw(
    fake: &FakeOpsgenie,
    method: reqwest::Method,
    path: &str,
    key: &str,
    body: &str,
) -> (u16, serde_json::Value) {
    let r = reqwest::Client::new()
        .request(method, fake.base_url().join(path).expect("url"))
        .header("authorization", format!("GenieKey {key}"))
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .expect("send");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or_default())
}

#[tokio::test]
async fn strict_like_the_real_service() {
    let fake = fake().await;
    let key = fake.key().to_owned();
    let (s, body) = raw(
        &fake,
        reqwest::Method::GET,
        "/v2/alerts",
        "wrong-fake-key",
        "",
    )
    .await;
    assert_eq!(s, 401);
    assert_eq!(body["message"], "Could not authenticate");
    let (s, _) = raw(
        &fake,
        reqwest::Method::POST,
        "/v2/alerts",
        &key,
        "{not json",
    )
    .await;
    assert_eq!(s, 400);
    let (s, body) = raw(
        &fake,
        reqwest::Method::POST,
        "/v2/alerts",
        &key,
        r#"{"message":"m","priority":"P9","details":{"a":{"nested":1}}}"#,
    )
    .await;
    assert_eq!(s, 422);
    assert_eq!(
        body["errors"]["priority"],
        "should be one of [P1, P2, P3, P4, P5]"
    );
    assert!(body["errors"]["details"].is_string());
    let (s, body) = raw(
        &fake,
        reqwest::Method::POST,
        "/v2/alerts",
        &key,
        r#"{"priority":"P1"}"#,
    )
    .await;
    assert_eq!(
        (s, body["errors"]["message"].as_str()),
        (422, Some("Message can not be empty."))
    );
    let (s, _) = raw(
        &fake,
        reqwest::Method::GET,
        "/v2/alerts?query=teams%3Aops",
        &key,
        "",
    )
    .await;
    assert_eq!(
        s, 422,
        "queries outside the subset are refused, not ignored"
    );
    let (s, _) = raw(
        &fake,
        reqwest::Method::GET,
        "/v2/alerts?limit=101",
        &key,
        "",
    )
    .await;
    assert_eq!(s, 422);
    // A wrong key through the client is a typed 401.
    let c = fake
        .client_builder()
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    let wrong = opsgenie_client::Client::builder("wrong-fake-key")
        .base_url(fake.base_url().as_str())
        .build()
        .expect("client");
    assert!(
        wrong
            .alerts()
            .count()
            .await
            .expect_err("401")
            .is_unauthorized()
    );
    assert!(c.alerts().count().await.is_ok());
}

#[tokio::test]
async fn rate_limit_answers_429_with_headers_at_the_configured_rate() {
    let fake = FakeOpsgenie::builder()
        .rate_limit(5)
        .start()
        .await
        .expect("fake");
    let key = fake.key().to_owned();
    let mut statuses = Vec::new();
    let mut headers = None;
    for _ in 0..8 {
        let r = reqwest::Client::new()
            .get(fake.base_url().join("v2/alerts/count").expect("url"))
            .header("authorization", format!("GenieKey {key}"))
            .send()
            .await
            .expect("send");
        statuses.push(r.status().as_u16());
        if r.status().as_u16() == 429 {
            headers = Some(r.headers().clone());
        }
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        5,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        3,
        "{statuses:?}"
    );
    let h = headers.expect("a 429");
    assert_eq!(
        h.get("x-ratelimit-state").and_then(|v| v.to_str().ok()),
        Some("THROTTLED")
    );
    assert_eq!(
        h.get("x-ratelimit-period-in-sec")
            .and_then(|v| v.to_str().ok()),
        Some("1")
    );
    assert_eq!(
        h.get("retry-after").and_then(|v| v.to_str().ok()),
        Some("1")
    );
    assert_eq!(fake.requests_throttled(), 3);
    // The client waits out the throttle and succeeds.
    let c = fake.client().expect("client");
    assert_eq!(
        c.alerts()
            .count()
            .query("status:open")
            .await
            .expect("count"),
        5
    );
}

#[tokio::test]
async fn latency_is_added() {
    let fake = FakeOpsgenie::builder()
        .without_demo_data()
        .latency(Duration::from_millis(150))
        .start()
        .await
        .expect("fake");
    let c = fake.client().expect("client");
    let started = Instant::now();
    c.alerts().count().await.expect("count");
    assert!(started.elapsed() >= Duration::from_millis(150));
    fake.set_latency(Duration::ZERO);
    let started = Instant::now();
    c.alerts().count().await.expect("count");
    assert!(started.elapsed() < Duration::from_millis(150));
}

async fn fault_sequence(seed: u64) -> Vec<String> {
    let fake = FakeOpsgenie::builder()
        .without_demo_data()
        .faults(Faults::seeded(seed).error_503(0.3).drop_connection(0.2))
        .start()
        .await
        .expect("fake");
    let c = fake
        .client_builder()
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    let mut seq = Vec::new();
    for _ in 0..30 {
        seq.push(match c.alerts().count().await {
            Ok(_) => "ok".to_owned(),
            Err(Error::Api(e)) if e.status == 503 => "503".to_owned(),
            Err(Error::Transport(_) | Error::Decode { .. }) => "dropped".to_owned(),
            Err(other) => format!("other: {other}"),
        });
    }
    seq
}

#[tokio::test]
async fn seeded_faults_repeat_and_the_client_rides_them_out() {
    let a = fault_sequence(7).await;
    let b = fault_sequence(7).await;
    assert_eq!(a, b, "same seed, same faults");
    assert!(
        a.iter().any(|s| s == "503")
            && a.iter().any(|s| s == "dropped")
            && a.iter().any(|s| s == "ok"),
        "{a:?}"
    );
    assert!(a.iter().all(|s| !s.starts_with("other")), "{a:?}");
    assert_ne!(a, fault_sequence(8).await, "another seed, another sequence");
    // With retries on, GETs get through.
    let fake = FakeOpsgenie::builder()
        .faults(Faults::seeded(1).error_503(0.3).drop_connection(0.2))
        .start()
        .await
        .expect("fake");
    let patient = RetryPolicy::default()
        .with_max_attempts(12)
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(5));
    let c = fake
        .client_builder()
        .retry_policy(patient)
        .build()
        .expect("client");
    for _ in 0..10 {
        assert_eq!(
            c.alerts()
                .count()
                .query("status:open")
                .await
                .expect("retried"),
            5
        );
    }
}

#[tokio::test]
async fn stops_when_dropped() {
    let fake = FakeOpsgenie::builder()
        .without_demo_data()
        .start()
        .await
        .expect("fake");
    let addr = fake.addr();
    drop(fake);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let connect = tokio::net::TcpStream::connect(addr).await;
    assert!(connect.is_err(), "still listening after drop");
}

#[tokio::test]
async fn a_heartbeat_without_pings_expires_raises_an_alert_and_recovers() {
    let fake = FakeOpsgenie::builder()
        .without_demo_data()
        .start()
        .await
        .expect("fake");
    fake.add_heartbeat(
        "nightly-backup",
        25,
        IntervalUnit::Hours,
        Some(Utc::now() - ChronoDuration::hours(26)),
    );
    fake.add_heartbeat("cron", 10, IntervalUnit::Minutes, None);
    let c = fake.client().expect("client");
    let hb = c.heartbeats().get("nightly-backup").await.expect("get");
    assert_eq!(hb.expired, Some(true));
    assert_eq!(
        c.heartbeats().get("cron").await.expect("get").expired,
        Some(false)
    );
    let open = c.alerts().list().query("status:open").await.expect("list");
    assert_eq!(open.alerts.len(), 1);
    assert_eq!(
        open.alerts[0].message,
        "Heartbeat [nightly-backup] is expired"
    );
    c.heartbeats().ping("nightly-backup").await.expect("ping");
    assert_eq!(
        c.heartbeats()
            .get("nightly-backup")
            .await
            .expect("get")
            .expired,
        Some(false)
    );
    assert_eq!(
        c.alerts()
            .count()
            .query("status:open")
            .await
            .expect("count"),
        0,
        "the ping closes it"
    );
}
