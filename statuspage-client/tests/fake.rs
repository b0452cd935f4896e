//! The fake Statuspage, exercised through this crate's own clients and through raw HTTP.

use std::time::{Duration, Instant};

use chrono::Utc;
use futures_util::TryStreamExt;
use serde_json::json;
use statuspage_client::fake::{DEFAULT_FAKE_KEY, FakeStatuspage, Faults};
use statuspage_client::{
    Client, ComponentStatus, Error, IncidentStatus, MetricId, MetricPoint, RetryPolicy,
    StatusIndicator, SubscriberType,
};

async fn fake() -> FakeStatuspage {
    FakeStatuspage::start().await.expect("fake starts")
}

fn id_of(fake: &FakeStatuspage, name: &str) -> statuspage_client::ComponentId {
    fake.component_by_name(name).expect("demo component").id
}

#[tokio::test]
async fn demo_data_reads_like_a_small_company() {
    let fake = fake().await;
    let client = fake.client().expect("client");
    let page = fake.page_id();
    let names: Vec<String> = client
        .components(&page)
        .list()
        .await
        .expect("list")
        .into_iter()
        .map(|c| c.name)
        .collect();
    for name in ["API", "Build Processing", "Website", "Log Streaming"] {
        assert!(
            names.iter().any(|n| n == name),
            "{name} missing from {names:?}"
        );
    }
    let groups = client.component_groups(&page).list().await.expect("groups");
    assert_eq!(groups.len(), 2);
    assert!(
        groups
            .iter()
            .any(|g| g.name == "Platform" && g.components.len() == 3)
    );
    assert!(
        client
            .incidents(&page)
            .unresolved()
            .await
            .expect("unresolved")
            .is_empty()
    );
    assert_eq!(
        client
            .incidents(&page)
            .upcoming()
            .await
            .expect("upcoming")
            .len(),
        1
    );
    let history = client.incidents(&page).list().await.expect("all");
    assert!(history.iter().any(|i| i.status == IncidentStatus::Resolved));
    assert_eq!(client.pages().list().await.expect("pages").len(), 1);
    let summary = fake
        .public_client()
        .expect("public")
        .summary()
        .await
        .expect("summary");
    assert_eq!(summary.status.indicator, StatusIndicator::None);
    assert_eq!(summary.scheduled_maintenances.len(), 1);
}

#[tokio::test]
async fn setting_a_component_status_shows_everywhere() {
    let fake = fake().await;
    let client = fake.client().expect("client");
    let page = fake.page_id();
    let api = id_of(&fake, "API");
    let updated = client
        .components(&page)
        .set_status(&api, ComponentStatus::MajorOutage)
        .await
        .expect("set");
    assert_eq!(updated.status, ComponentStatus::MajorOutage);
    assert_eq!(
        client
            .components(&page)
            .get(&api)
            .await
            .expect("get")
            .status,
        ComponentStatus::MajorOutage
    );
    assert_eq!(
        fake.component_by_name("API").map(|c| c.status),
        Some(ComponentStatus::MajorOutage)
    );
    let public = fake.public_client().expect("public");
    let status = public.status().await.expect("status");
    assert_eq!(status.status.indicator, StatusIndicator::Major);
    let platform = public
        .components()
        .await
        .expect("components")
        .into_iter()
        .find(|c| c.name == "Platform")
        .expect("group");
    assert!(platform.group);
    assert_eq!(
        platform.status,
        ComponentStatus::MajorOutage,
        "a group shows its worst member"
    );
}

#[tokio::test]
async fn incident_lifecycle_appends_updates_and_applies_the_components_map() {
    let fake = fake().await;
    let client = fake.client().expect("client");
    let page = fake.page_id();
    let builds = id_of(&fake, "Build Processing");
    let incidents = client.incidents(&page);

    let incident = incidents
        .create("Builds are slow")
        .status(IncidentStatus::Investigating)
        .body("Looking into slow builds.")
        .component(&builds, ComponentStatus::DegradedPerformance)
        .await
        .expect("create");
    assert_eq!(incident.incident_updates.len(), 1);
    let first = &incident.incident_updates[0];
    let affected = first.affected_components.clone().expect("recorded");
    assert_eq!(affected[0].code, builds);
    assert_eq!(affected[0].old_status, Some(ComponentStatus::Operational));
    assert_eq!(
        affected[0].new_status,
        Some(ComponentStatus::DegradedPerformance)
    );
    assert_eq!(
        fake.component_by_name("Build Processing").map(|c| c.status),
        Some(ComponentStatus::DegradedPerformance)
    );
    assert_eq!(incidents.unresolved().await.expect("unresolved").len(), 1);
    let public = fake.public_client().expect("public");
    assert_eq!(
        public
            .unresolved_incidents()
            .await
            .expect("public unresolved")[0]
            .id,
        incident.id
    );
    assert_eq!(
        public.summary().await.expect("summary").status.indicator,
        StatusIndicator::Minor
    );

    let updated = incidents
        .update(&incident.id)
        .status(IncidentStatus::Identified)
        .body("A queue is backed up.")
        .await
        .expect("update");
    assert_eq!(updated.incident_updates.len(), 2);
    assert_eq!(
        updated.incident_updates[0].status,
        Some(IncidentStatus::Identified)
    );
    assert_eq!(updated.incident_updates[0].affected_components, None);

    let resolved = incidents
        .resolve(&incident.id)
        .body("Builds run normally again.")
        .component(&builds, ComponentStatus::Operational)
        .await
        .expect("resolve");
    assert_eq!(resolved.status, IncidentStatus::Resolved);
    assert!(resolved.resolved_at.is_some());
    assert_eq!(resolved.incident_updates.len(), 3);
    assert!(incidents.unresolved().await.expect("unresolved").is_empty());
    assert_eq!(
        fake.component_by_name("Build Processing").map(|c| c.status),
        Some(ComponentStatus::Operational)
    );

    let found = incidents.list().q("queue is backed").await.expect("search");
    assert_eq!(found.len(), 1);
    let update_id = resolved.incident_updates[0].id.clone();
    let edited = incidents
        .edit_update(&incident.id, &update_id)
        .body("Corrected text.")
        .await
        .expect("edit");
    assert_eq!(edited.body.as_deref(), Some("Corrected text."));

    let postmortem = incidents.postmortem(&incident.id);
    assert!(
        postmortem
            .clone()
            .get()
            .await
            .expect_err("none yet")
            .is_not_found()
    );
    postmortem
        .clone()
        .save_draft("A full disk.")
        .await
        .expect("draft");
    let published = postmortem
        .clone()
        .publish()
        .notify_subscribers(true)
        .await
        .expect("publish");
    assert_eq!(published.body.as_deref(), Some("A full disk."));
    let after = incidents.get(&incident.id).await.expect("get");
    assert_eq!(after.status, IncidentStatus::Postmortem);
    assert!(after.postmortem_published_at.is_some());
    postmortem.revert().await.expect("revert");
    assert_eq!(
        incidents.get(&incident.id).await.expect("get").status,
        IncidentStatus::Resolved
    );
    postmortem.delete().await.expect("delete postmortem");

    let deleted = incidents.delete(&incident.id).await.expect("delete");
    assert_eq!(deleted.id, incident.id);
    assert!(
        incidents
            .get(&incident.id)
            .await
            .expect_err("gone")
            .is_not_found()
    );
}

#[tokio::test]
async fn maintenances_move_from_upcoming_to_active() {
    let fake = fake().await;
    let client = fake.client().expect("client");
    let page = fake.page_id();
    let website = id_of(&fake, "Website");
    let incidents = client.incidents(&page);
    let start = Utc::now() + chrono::Duration::hours(1);
    let maintenance = incidents
        .schedule_maintenance(
            "Website migration",
            start,
            start + chrono::Duration::hours(1),
        )
        .body("The site will be read-only.")
        .component(&website, ComponentStatus::UnderMaintenance)
        .await
        .expect("schedule");
    assert_eq!(maintenance.status, IncidentStatus::Scheduled);
    assert_eq!(
        maintenance.impact,
        Some(statuspage_client::Impact::Maintenance)
    );
    assert_eq!(incidents.upcoming().await.expect("upcoming").len(), 2);
    assert!(
        incidents
            .active_maintenance()
            .await
            .expect("active")
            .is_empty()
    );

    incidents
        .update(&maintenance.id)
        .status(IncidentStatus::InProgress)
        .await
        .expect("start");
    let active = incidents.active_maintenance().await.expect("active");
    assert_eq!(active.len(), 1);
    assert_eq!(incidents.scheduled().await.expect("scheduled").len(), 2);
    let public = fake.public_client().expect("public");
    assert_eq!(
        public
            .active_maintenances()
            .await
            .expect("public active")
            .len(),
        1
    );
    assert_eq!(
        public
            .upcoming_maintenances()
            .await
            .expect("public upcoming")
            .len(),
        1
    );
    assert_eq!(
        public
            .scheduled_maintenances()
            .await
            .expect("public all")
            .len(),
        2
    );
}

#[tokio::test]
async fn maintenances_can_start_and_complete_on_their_own() {
    let fake = fake().await;
    let client = fake.client().expect("client");
    let page = fake.page_id();
    let api = id_of(&fake, "API");
    let start = Utc::now() + chrono::Duration::milliseconds(300);
    let maintenance = client
        .incidents(&page)
        .schedule_maintenance(
            "Quick restart",
            start,
            start + chrono::Duration::milliseconds(300),
        )
        .component_ids([&api])
        .scheduled_auto_in_progress(true)
        .scheduled_auto_completed(true)
        .auto_transition_to_maintenance_state(true)
        .auto_transition_to_operational_state(true)
        .await
        .expect("schedule");
    assert_eq!(maintenance.status, IncidentStatus::Scheduled);

    // Wide windows, so a slow machine still sees each state.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let active = client
        .incidents(&page)
        .active_maintenance()
        .await
        .expect("active");
    assert_eq!(active.len(), 1);
    assert_eq!(active[0].id, maintenance.id);
    assert_eq!(
        fake.component_by_name("API").map(|c| c.status),
        Some(ComponentStatus::UnderMaintenance)
    );

    tokio::time::sleep(Duration::from_millis(1500)).await;
    let done = client
        .incidents(&page)
        .get(&maintenance.id)
        .await
        .expect("get");
    assert_eq!(done.status, IncidentStatus::Completed);
    assert_eq!(
        fake.component_by_name("API").map(|c| c.status),
        Some(ComponentStatus::Operational)
    );
    let updates: Vec<_> = done
        .incident_updates
        .iter()
        .filter_map(|u| u.status.clone())
        .collect();
    assert_eq!(
        updates,
        [
            IncidentStatus::Completed,
            IncidentStatus::InProgress,
            IncidentStatus::Scheduled
        ]
    );
}

#[tokio::test]
async fn paging_and_streams_cover_every_item() {
    let fake = FakeStatuspage::builder()
        .without_demo_data()
        .start()
        .await
        .expect("fake");
    let client = fake.client().expect("client");
    let page = fake.page_id();
    for i in 0..5 {
        client
            .components(&page)
            .create(format!("Component {i}"))
            .await
            .expect("create");
    }
    let third = client
        .components(&page)
        .list()
        .per_page(2)
        .page(3)
        .await
        .expect("page 3");
    assert_eq!(third.len(), 1);
    assert_eq!(third[0].name, "Component 4");
    let all: Vec<_> = client
        .components(&page)
        .list()
        .per_page(2)
        .stream()
        .try_collect()
        .await
        .expect("stream");
    assert_eq!(all.len(), 5);
    for i in 0..3 {
        client
            .incidents(&page)
            .create(format!("Incident {i}"))
            .body("x")
            .await
            .expect("incident");
    }
    let incidents: Vec<_> = client
        .incidents(&page)
        .list()
        .limit(1)
        .stream()
        .try_collect()
        .await
        .expect("stream");
    assert_eq!(incidents.len(), 3);
    assert_eq!(incidents[0].name, "Incident 2", "newest first");
}

#[tokio::test]
async fn groups_templates_subscribers_metrics_and_pages() {
    let fake = fake().await;
    let client = fake.client().expect("client");
    let page = fake.page_id();
    let api = id_of(&fake, "API");
    let website = id_of(&fake, "Website");

    let groups = client.component_groups(&page);
    let group = groups
        .create("Edge", [&website])
        .description("At the edge")
        .await
        .expect("group");
    assert_eq!(group.description.as_deref(), Some("At the edge"));
    assert_eq!(
        fake.component_by_name("Website").and_then(|c| c.group_id),
        Some(group.id.clone())
    );
    let renamed = groups
        .update(&group.id)
        .name("Edge network")
        .await
        .expect("rename");
    assert_eq!(renamed.name, "Edge network");
    assert_eq!(groups.delete(&group.id).await.expect("delete").id, group.id);
    assert_eq!(
        fake.component_by_name("Website").and_then(|c| c.group_id),
        None
    );
    groups
        .uptime(&fake.groups()[0].id, None, None)
        .await
        .expect("group uptime");
    client
        .components(&page)
        .uptime(&api, None, None)
        .await
        .expect("uptime");

    let template = client
        .incident_templates(&page)
        .create("Slow API", "The API is slow")
        .component_ids([&api])
        .update_status(IncidentStatus::Investigating)
        .await
        .expect("template");
    assert_eq!(template.components.len(), 1);
    assert_eq!(
        client
            .incident_templates(&page)
            .list()
            .await
            .expect("templates")
            .len(),
        1
    );

    let subscribers = client.subscribers(&page);
    let email = subscribers
        .clone()
        .create()
        .email("oncall@example.invalid")
        .await
        .expect("email");
    subscribers
        .clone()
        .create()
        .endpoint("https://hooks.example.invalid/x")
        .email("ops@example.invalid")
        .await
        .expect("hook");
    let hooks = subscribers
        .clone()
        .list()
        .kind(SubscriberType::Webhook)
        .await
        .expect("webhooks");
    assert_eq!(hooks.len(), 1);
    assert_eq!(
        subscribers
            .clone()
            .list()
            .q("oncall")
            .await
            .expect("q")
            .len(),
        1
    );
    assert_eq!(
        subscribers
            .clone()
            .get(&email.id)
            .await
            .expect("get")
            .email
            .as_deref(),
        Some("oncall@example.invalid")
    );
    subscribers
        .clone()
        .delete(&email.id, false)
        .await
        .expect("delete");
    assert!(
        subscribers
            .clone()
            .get(&email.id)
            .await
            .expect_err("gone")
            .is_not_found()
    );
    let invalid = subscribers
        .create()
        .email("not-an-address")
        .await
        .expect_err("422");
    assert_eq!(invalid.status(), Some(422));

    let incident = client
        .incidents(&page)
        .create("Subscribed")
        .await
        .expect("incident");
    let per_incident = client.incidents(&page).subscribers(&incident.id);
    let sub = per_incident
        .clone()
        .create()
        .email("watcher@example.invalid")
        .await
        .expect("sub");
    assert_eq!(per_incident.list().await.expect("list").len(), 1);
    per_incident.get(&sub.id).await.expect("get");
    per_incident.delete(&sub.id, true).await.expect("delete");

    let metric = fake.metrics().into_iter().next().expect("demo metric");
    let metrics = client.metrics(&page);
    assert_eq!(metrics.list().await.expect("list").len(), 1);
    metrics.get(&metric.id).await.expect("get");
    let now = Utc::now();
    metrics
        .submit(&metric.id, MetricPoint::new(now, 120.0))
        .await
        .expect("submit");
    metrics
        .submit_bulk([(
            metric.id.clone(),
            vec![MetricPoint::new(now - chrono::Duration::minutes(1), 80.0)],
        )])
        .await
        .expect("bulk");
    assert_eq!(fake.metric_points(&metric.id).len(), 2);
    let unknown = metrics
        .submit_bulk([(
            MetricId::from("nosuchmetric"),
            vec![MetricPoint::new(now, 1.0)],
        )])
        .await;
    assert_eq!(unknown.expect_err("422").status(), Some(422));
    metrics.reset(&metric.id).await.expect("reset");
    assert!(fake.metric_points(&metric.id).is_empty());

    let updated = client
        .pages()
        .update(&page)
        .headline("All good")
        .await
        .expect("page");
    assert_eq!(updated.headline.as_deref(), Some("All good"));
    assert_eq!(
        client
            .pages()
            .get(&page)
            .await
            .expect("get")
            .headline
            .as_deref(),
        Some("All good")
    );
}

#[tokio::test]
async fn the_fake_is_strict() {
    let fake = fake().await;
    let http = reqwest::Client::new();
    let url = format!("{}/pages/{}/components", fake.base_url(), fake.page_id());

    let missing = http.get(&url).send().await.expect("send");
    assert_eq!(missing.status().as_u16(), 401);
    let wrong = http
        .get(&url)
        .header("authorization", "OAuth wrong-key")
        .send()
        .await
        .expect("send");
    assert_eq!(wrong.status().as_u16(), 401);
    let wrong_client = Client::builder("wrong-key")
        .base_url(fake.base_url())
        .without_pacing()
        .build()
        .expect("client");
    assert!(
        wrong_client
            .pages()
            .list()
            .await
            .expect_err("401")
            .is_unauthorized()
    );

    let auth = format!("OAuth {DEFAULT_FAKE_KEY}");
    let malformed = http
        .post(&url)
        .header("authorization", &auth)
        .header("content-type", "application/json")
        .body("{\"component\": {\"name\": ")
        .send()
        .await
        .expect("send");
    assert_eq!(malformed.status().as_u16(), 400);

    let invalid = http
        .post(&url)
        .header("authorization", &auth)
        .json(&json!({"component": {"name": "X", "status": "sideways"}}))
        .send()
        .await
        .expect("send");
    assert_eq!(invalid.status().as_u16(), 422);
    let body: serde_json::Value = invalid.json().await.expect("json");
    assert!(body["error"].is_array(), "the vendor's error shape: {body}");

    let blank = http
        .post(&url)
        .header("authorization", &auth)
        .json(&json!({"component": {"name": ""}}))
        .send()
        .await
        .expect("send");
    assert_eq!(blank.status().as_u16(), 422);
    let no_wrapper = http
        .post(&url)
        .header("authorization", &auth)
        .json(&json!({"name": "X"}))
        .send()
        .await
        .expect("send");
    assert_eq!(no_wrapper.status().as_u16(), 400);

    let other_page = format!("{}/pages/otherpage/components", fake.base_url());
    assert_eq!(
        http.get(&other_page)
            .header("authorization", &auth)
            .send()
            .await
            .expect("send")
            .status()
            .as_u16(),
        404
    );
    let public = http
        .get(format!("{}/api/v2/status.json", fake.page_url()))
        .send()
        .await
        .expect("send");
    assert_eq!(public.status().as_u16(), 200, "the public API needs no key");

    let unknown_component = fake
        .client()
        .expect("client")
        .components(fake.page_id())
        .get("nosuchcomp")
        .await;
    assert!(unknown_component.expect_err("404").is_not_found());
}

#[tokio::test]
async fn rate_limit_answers_420_or_429_with_retry_after() {
    let fake = FakeStatuspage::builder()
        .rate_limit(3)
        .start()
        .await
        .expect("fake");
    let client = Client::builder(fake.key())
        .base_url(fake.base_url())
        .without_pacing()
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    for _ in 0..3 {
        client.pages().list().await.expect("under the limit");
    }
    match client.pages().list().await {
        Err(Error::RateLimited {
            status: 420,
            retry_after,
            ..
        }) => assert_eq!(retry_after, Some(Duration::from_secs(1))),
        other => panic!("expected 420, got {other:?}"),
    }

    // With retries on, the client waits out Retry-After and gets through.
    let patient = fake.client().expect("client");
    let started = Instant::now();
    patient.pages().list().await.expect("after waiting");
    assert!(started.elapsed() >= Duration::from_millis(500));

    let fake = FakeStatuspage::builder()
        .rate_limit(1)
        .rate_limit_with_429()
        .start()
        .await
        .expect("fake");
    let http = reqwest::Client::new();
    let url = format!("{}/api/v2/status.json", fake.page_url());
    assert_eq!(
        http.get(&url).send().await.expect("send").status().as_u16(),
        200
    );
    let refused = http.get(&url).send().await.expect("send");
    assert_eq!(refused.status().as_u16(), 429);
    assert_eq!(
        refused
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("1")
    );
}

#[tokio::test]
async fn latency_is_added() {
    let fake = FakeStatuspage::builder()
        .latency(Duration::from_millis(150))
        .start()
        .await
        .expect("fake");
    let client = fake.client().expect("client");
    let started = Instant::now();
    client.pages().list().await.expect("slow");
    assert!(started.elapsed() >= Duration::from_millis(150));
    fake.set_latency(Duration::ZERO);
    let started = Instant::now();
    client.pages().list().await.expect("fast");
    assert!(started.elapsed() < Duration::from_millis(150));
}

async fn outcomes(faults: Faults) -> Vec<String> {
    let fake = FakeStatuspage::builder()
        .faults(faults)
        .start()
        .await
        .expect("fake");
    let http = reqwest::Client::new();
    let url = format!("{}/api/v2/status.json", fake.page_url());
    let mut seen = Vec::new();
    for _ in 0..30 {
        let outcome = match http.get(&url).send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                match response.bytes().await {
                    Ok(_) => status.to_string(),
                    Err(_) => "dropped".to_owned(),
                }
            }
            Err(_) => "dropped".to_owned(),
        };
        seen.push(outcome);
    }
    seen
}

#[tokio::test]
async fn a_seeded_fault_sequence_repeats() {
    let faults = Faults::seeded(42).error_503(0.3).drop_connection(0.2);
    let first = outcomes(faults.clone()).await;
    let second = outcomes(faults).await;
    assert_eq!(first, second);
    assert!(first.iter().any(|o| o == "503"), "{first:?}");
    assert!(first.iter().any(|o| o == "dropped"), "{first:?}");
    assert!(first.iter().any(|o| o == "200"), "{first:?}");
    let other = outcomes(Faults::seeded(7).error_503(0.3).drop_connection(0.2)).await;
    assert_ne!(first, other, "another seed, another sequence");
}

#[tokio::test]
async fn the_client_retries_through_faults() {
    let fake = FakeStatuspage::builder()
        .faults(Faults::seeded(3).error_503(0.3).drop_connection(0.3))
        .start()
        .await
        .expect("fake");
    let client = Client::builder(fake.key())
        .base_url(fake.base_url())
        .without_pacing()
        .retry_policy(
            RetryPolicy::default()
                .with_max_attempts(10)
                .with_initial_backoff(Duration::from_millis(1))
                .with_max_backoff(Duration::from_millis(5)),
        )
        .build()
        .expect("client");
    for _ in 0..10 {
        client
            .components(fake.page_id())
            .list()
            .await
            .expect("retried to success");
    }
    assert!(fake.requests_served() > 10, "some requests were retried");
}

#[tokio::test]
async fn the_fake_stops_when_dropped() {
    let fake = fake().await;
    let client = Client::builder(fake.key())
        .base_url(fake.base_url())
        .without_pacing()
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    client.pages().list().await.expect("running");
    drop(fake);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let fresh = Client::builder(DEFAULT_FAKE_KEY)
        .base_url(client.base_url().as_str())
        .without_pacing()
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    assert!(matches!(
        fresh.pages().list().await,
        Err(Error::Transport(_))
    ));
}

#[tokio::test]
async fn seeding_and_inspecting_state() {
    let fake = FakeStatuspage::builder()
        .without_demo_data()
        .page_id("mypage000001")
        .key("my-fake-key")
        .start()
        .await
        .expect("fake");
    assert_eq!(fake.page_id().as_str(), "mypage000001");
    assert_eq!(fake.key(), "my-fake-key");
    assert!(fake.components().is_empty());
    let db = fake
        .add_component("Database", ComponentStatus::Operational, None)
        .expect("component");
    let group = fake
        .add_group("Storage", std::slice::from_ref(&db.id))
        .expect("group");
    assert_eq!(
        fake.component_by_name("database").and_then(|c| c.group_id),
        Some(group.id)
    );
    fake.set_component_status(&db.id, ComponentStatus::PartialOutage)
        .expect("set");
    let client = fake.client().expect("client");
    assert_eq!(
        client
            .components("mypage000001")
            .get(&db.id)
            .await
            .expect("get")
            .status,
        ComponentStatus::PartialOutage
    );
    assert!(fake.add_group("Empty", &[]).is_err());
    assert!(fake.incidents().is_empty());
    assert!(fake.subscribers().is_empty());
}
