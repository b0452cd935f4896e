//! Notifications end to end, in process through the library: the vendors' payloads (the
//! fixtures) POSTed to a running bot's listener, the lines checked in the Campfire fake's room;
//! duplicates, bursts, wrong secrets, bad and oversized bodies, a Campfire that is down and
//! comes back; and the demo's fakes driving the bot with their own webhooks.

mod common;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use campfire_client::RoomId;
use campfire_client::fake::{FakeCampfire, Faults};
use common::eventually;
use opsbot::adapter::{self, Chat};
use opsbot::config::Config;
use opsbot::health::Health;
use opsbot::lifecycle::Lifecycle;
use opsbot::notify::{self, Notifier, NotifySettings};
use opsbot::{Bot, Operators, Speaker, Store};

const SECRET: &str = "fake-notify-secret-0001";

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(format!("{}/fixtures/{path}", env!("CARGO_MANIFEST_DIR"))).expect("a fixture")
}

fn room_lines(campfire: &FakeCampfire, room: RoomId) -> Vec<String> {
    campfire
        .messages(room)
        .into_iter()
        .filter(|m| m.user == Some(campfire.bot_user_id()))
        .map(|m| m.plain)
        .collect()
}

/// Waits until the room holds `n` messages from the bot, and returns them.
async fn wait_for_lines(campfire: &FakeCampfire, room: RoomId, n: usize) -> Vec<String> {
    eventually(Duration::from_secs(30), || {
        let lines = room_lines(campfire, room);
        (lines.len() >= n).then_some(lines)
    })
    .await
}

struct Running {
    campfire: FakeCampfire,
    room: RoomId,
    base: String,
    http: reqwest::Client,
    lifecycle: Lifecycle,
    task: tokio::task::JoinHandle<Result<(), String>>,
}

impl Running {
    async fn post(&self, path: &str, body: impl Into<reqwest::Body>) -> u16 {
        self.http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("the bot answers")
            .status()
            .as_u16()
    }

    async fn stop(self) {
        self.lifecycle.stop();
        let _ = self.task.await;
    }
}

/// The bot on the current-Campfire adapter, configured as a user would (environment
/// variables), notifications into the demo room `Ops`, run through `adapter::run_listening`.
async fn running_bot(extra: &[(&str, &str)]) -> Running {
    let campfire = FakeCampfire::start().await.expect("campfire fake");
    let room = campfire.room_id("Ops").expect("demo room");
    let mut vars: HashMap<String, String> = [
        ("BOT_ADAPTER", "campfire".to_owned()),
        ("CAMPFIRE_URL", campfire.base_url().to_string()),
        ("CAMPFIRE_BOT_KEY", campfire.key().to_owned()),
        ("BOT_WEBHOOK_SECRET", SECRET.to_owned()),
        ("BOT_LISTEN", "127.0.0.1:0".to_owned()),
        ("BOT_NOTIFY_ROOMS", room.to_string()),
        ("BOT_OPERATORS", "*".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    for (k, v) in extra {
        vars.insert((*k).to_owned(), (*v).to_owned());
    }
    let config = Config::from_vars(|name| vars.get(name).cloned()).expect("a valid configuration");
    let bot = Arc::new(
        Bot::builder("opsbot")
            .store(Store::in_memory())
            .health(Arc::new(Health::new("campfire", &["campfire"])))
            .build(),
    );
    let lifecycle = Lifecycle::new();
    let (tx, rx) = tokio::sync::oneshot::channel::<SocketAddr>();
    let task = {
        let lifecycle = lifecycle.clone();
        tokio::spawn(async move {
            adapter::run_listening(&config, bot, &lifecycle, move |addr| {
                let _ = tx.send(addr);
            })
            .await
        })
    };
    let addr = rx.await.expect("the bot listens");
    Running {
        campfire,
        room,
        base: format!("http://{addr}"),
        http: reqwest::Client::new(),
        lifecycle,
        task,
    }
}

#[tokio::test]
async fn the_vendors_payloads_become_lines_in_the_room() {
    let t = running_bot(&[("OPSGENIE_APP_URL", "https://acme.app.opsgenie.com")]).await;
    let og = format!("/opsgenie/{SECRET}");
    let sp = format!("/statuspage/{SECRET}");
    assert_eq!(
        t.post(&og, fixture("opsgenie/webhooks/create.json")).await,
        200
    );
    let lines = wait_for_lines(&t.campfire, t.room, 1).await;
    assert_eq!(
        lines[0],
        "[P3] #23 Disk full on db-3 (db-3) \
         https://acme.app.opsgenie.com/alert/detail/ec03fake-0000-4000-8000-000000000001/details \
         · to acknowledge: genie ack 23",
        "got {lines:?}"
    );

    for (name, expected) in [
        (
            "acknowledge",
            "#23 acknowledged by ann@example.invalid: Disk full on db-3",
        ),
        (
            "add_note",
            "#23 note by ann@example.invalid: Rotating logs now",
        ),
        ("escalate", "escalated to ops_escalation"),
        ("assign_ownership", "#23 assigned to bob@example.invalid"),
    ] {
        let before = room_lines(&t.campfire, t.room).len();
        let path = format!("opsgenie/webhooks/{name}.json");
        assert_eq!(t.post(&og, fixture(&path)).await, 200, "{name}");
        let lines = wait_for_lines(&t.campfire, t.room, before + 1).await;
        let last = lines.last().expect("a line");
        assert!(last.contains(expected), "{name}: {last:?}");
    }

    // JSM's payload is read by the same decoder.
    let before = room_lines(&t.campfire, t.room).len();
    assert_eq!(
        t.post(&og, fixture("opsgenie/webhooks/jsm_create.json"))
            .await,
        200
    );
    let lines = wait_for_lines(&t.campfire, t.room, before + 1).await;
    let last = lines.last().expect("a line");
    assert!(
        last.starts_with("[P2] #7 Checkout latency high"),
        "{last:?}"
    );
    assert!(last.contains("genie ack 7"), "{last:?}");

    // Statuspage: a component change and an incident update, from a page that is not the
    // bot's own (none is configured here), so the page is named.
    let before = room_lines(&t.campfire, t.room).len();
    assert_eq!(
        t.post(&sp, fixture("statuspage/webhooks/component_update.json"))
            .await,
        200
    );
    assert_eq!(
        t.post(&sp, fixture("statuspage/webhooks/incident_updated.json"))
            .await,
        200
    );
    let lines = wait_for_lines(&t.campfire, t.room, before + 2).await;
    assert_eq!(
        lines[before],
        "[page fakepage0001 (Service Under Maintenance)] Database component is now under \
         maintenance, was operational"
    );
    assert!(
        lines[before + 1].contains("Incident Database is down is now identified: A failed disk")
            && lines[before + 1].ends_with("https://stspg.example.invalid/fake9"),
        "{:?}",
        lines[before + 1]
    );
    t.stop().await;
}

#[tokio::test]
async fn the_bots_own_actions_are_not_echoed_unless_asked() {
    // close.json was made through the API with source `opsbot`, the bot's name.
    let t = running_bot(&[]).await;
    let og = format!("/opsgenie/{SECRET}");
    assert_eq!(
        t.post(&og, fixture("opsgenie/webhooks/close.json")).await,
        200
    );
    assert_eq!(
        t.post(&og, fixture("opsgenie/webhooks/acknowledge.json"))
            .await,
        200
    );
    let lines = wait_for_lines(&t.campfire, t.room, 1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(room_lines(&t.campfire, t.room).len(), 1, "{lines:?}");
    assert!(lines[0].contains("acknowledged"), "{lines:?}");
    t.stop().await;

    let t = running_bot(&[("BOT_NOTIFY_OWN", "1")]).await;
    assert_eq!(
        t.post(&og, fixture("opsgenie/webhooks/close.json")).await,
        200
    );
    let lines = wait_for_lines(&t.campfire, t.room, 1).await;
    assert!(lines[0].contains("#23 closed by opsbot"), "{lines:?}");
    t.stop().await;
}

#[tokio::test]
async fn a_delivery_retried_by_the_vendor_is_posted_once() {
    let t = running_bot(&[]).await;
    let og = format!("/opsgenie/{SECRET}");
    let sp = format!("/statuspage/{SECRET}");
    for _ in 0..3 {
        assert_eq!(
            t.post(&og, fixture("opsgenie/webhooks/create.json")).await,
            200
        );
        assert_eq!(
            t.post(&sp, fixture("statuspage/webhooks/incident_created.json"))
                .await,
            200
        );
    }
    // The same payload with its keys in another order and other white space is the same.
    let reordered: serde_json::Value =
        serde_json::from_slice(&fixture("opsgenie/webhooks/create.json")).unwrap();
    assert_eq!(
        t.post(&og, serde_json::to_vec_pretty(&reordered).unwrap())
            .await,
        200
    );
    // A different delivery still goes through.
    assert_eq!(
        t.post(&og, fixture("opsgenie/webhooks/acknowledge.json"))
            .await,
        200
    );
    let lines = wait_for_lines(&t.campfire, t.room, 3).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(room_lines(&t.campfire, t.room).len(), 3, "{lines:?}");
    t.stop().await;
}

#[tokio::test]
async fn wrong_secrets_bad_bodies_and_oversized_bodies_are_refused() {
    let t = running_bot(&[]).await;
    let create = fixture("opsgenie/webhooks/create.json");
    assert_eq!(t.post("/opsgenie/wrong-secret", create.clone()).await, 404);
    assert_eq!(
        t.post(&format!("/opsgenie/{SECRET}x"), create.clone())
            .await,
        404
    );
    assert_eq!(
        t.post("/statuspage/wrong-secret", create.clone()).await,
        404
    );
    // A wrong secret is 404 even with a huge body: nothing is read before the secret.
    assert_eq!(
        t.post("/opsgenie/wrong-secret", vec![b' '; 100_000]).await,
        404
    );
    let og = format!("/opsgenie/{SECRET}");
    let sp = format!("/statuspage/{SECRET}");
    for bad in [
        &b""[..],
        b"not json",
        b"[1,2]",
        b"{\"alert\":{}}",
        b"{\"action\":7}",
    ] {
        assert_eq!(
            t.post(&og, bad.to_vec()).await,
            400,
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
    for bad in [&b""[..], b"{}", b"{\"page\":{\"id\":\"p\"}}", b"\"x\""] {
        assert_eq!(
            t.post(&sp, bad.to_vec()).await,
            400,
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
    // An Opsgenie payload sent to the Statuspage URL is not a notification.
    assert_eq!(t.post(&sp, create.clone()).await, 400);
    let mut big = br#"{"action":"Create","alert":{"message":""#.to_vec();
    big.extend(std::iter::repeat_n(b'x', 70 * 1024));
    big.extend(br#""}}"#);
    assert_eq!(t.post(&og, big.clone()).await, 413);
    assert_eq!(t.post(&sp, big).await, 413);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(room_lines(&t.campfire, t.room).is_empty());
    t.stop().await;
}

/// A notifier on its own listener with quick settings (the defaults wait seconds).
async fn quick_notifier(
    campfire: &FakeCampfire,
    room: RoomId,
    tune: impl FnOnce(&mut NotifySettings),
) -> (String, Lifecycle) {
    let mut settings = NotifySettings::new(vec![room.get()], "opsbot");
    settings.post_backoff = Duration::from_millis(50);
    settings.post_backoff_max = Duration::from_millis(400);
    settings.burst_window = Duration::from_secs(2);
    tune(&mut settings);
    let lifecycle = Lifecycle::new();
    let notifier = Notifier::start(
        Chat::Campfire(campfire.bot_client().expect("a bot client")),
        settings,
        Arc::new(Health::new("campfire", &["campfire"])),
        lifecycle.clone(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(opsbot::listener::serve(
        listener,
        notify::routes(notifier, SECRET.to_owned()),
        lifecycle.clone(),
    ));
    (base, lifecycle)
}

fn alert_payload(tiny: u32) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "action": "Create",
        "alert": {"alertId": format!("fake-{tiny}"), "tinyId": tiny.to_string(),
                  "message": format!("Alert number {tiny}"), "priority": "P3"},
        "source": {"name": "nagios", "type": "API"},
    }))
    .unwrap()
}

#[tokio::test]
async fn a_burst_becomes_one_summary_and_nothing_is_dropped() {
    let campfire = FakeCampfire::start().await.unwrap();
    let room = campfire.room_id("Ops").unwrap();
    let (base, _lifecycle) = quick_notifier(&campfire, room, |_| {}).await;
    let http = reqwest::Client::new();
    for tiny in 1..=12 {
        let status = http
            .post(format!("{base}/opsgenie/{SECRET}"))
            .body(alert_payload(tiny))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 200);
    }
    // Five lines, then one summary of the seven others.
    let lines = wait_for_lines(&campfire, room, 6).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let lines_now = room_lines(&campfire, room);
    assert_eq!(lines_now.len(), 6, "{lines:?}");
    for (i, line) in lines_now.iter().take(5).enumerate() {
        assert!(
            line.contains(&format!("Alert number {}", i + 1)),
            "{line:?}"
        );
    }
    let summary = &lines_now[5];
    assert!(
        summary.starts_with("7 notifications in a burst:"),
        "{summary:?}"
    );
    for tiny in 6..=12 {
        assert!(
            summary.contains(&format!("Alert number {tiny} ")),
            "{tiny} in {summary:?}"
        );
    }
}

#[tokio::test]
async fn a_campfire_that_is_down_gets_the_notification_when_it_comes_back() {
    let campfire = FakeCampfire::start().await.unwrap();
    let room = campfire.room_id("Ops").unwrap();
    let (base, lifecycle) = quick_notifier(&campfire, room, |s| {
        s.post_attempts = 40;
    })
    .await;
    campfire.set_faults(Faults::seeded(1).error_503(1.0));
    let status = reqwest::Client::new()
        .post(format!("{base}/opsgenie/{SECRET}"))
        .body(alert_payload(41))
        .send()
        .await
        .unwrap()
        .status();
    // Answered at once, though the chat is down.
    assert_eq!(status, 200);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(room_lines(&campfire, room).is_empty());
    // The notification is work in flight while it waits.
    assert!(lifecycle.in_flight() >= 1);
    campfire.set_faults(Faults::default());
    let lines = wait_for_lines(&campfire, room, 1).await;
    assert!(lines[0].contains("Alert number 41"), "{lines:?}");
    eventually(Duration::from_secs(10), || {
        (lifecycle.in_flight() == 0).then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_campfire_that_stays_down_is_given_up_and_the_work_ends() {
    let campfire = FakeCampfire::start().await.unwrap();
    let room = campfire.room_id("Ops").unwrap();
    let (base, lifecycle) = quick_notifier(&campfire, room, |s| s.post_attempts = 2).await;
    campfire.set_faults(Faults::seeded(1).error_503(1.0));
    let status = reqwest::Client::new()
        .post(format!("{base}/opsgenie/{SECRET}"))
        .body(alert_payload(42))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 200);
    // Given up (and logged with the reason): nothing in flight is left behind.
    eventually(Duration::from_secs(60), || {
        (lifecycle.in_flight() == 0).then_some(())
    })
    .await;
    campfire.set_faults(Faults::default());
    assert!(room_lines(&campfire, room).is_empty());
}

#[tokio::test]
async fn the_demo_fakes_webhooks_drive_the_bot() {
    // The demo configuration: the fakes' webhooks point at the bot, the bot's own actions are
    // said (the demo user acts through the bot); here the room is a Campfire fake's.
    let (demo, statuspage, opsgenie) = opsbot::demo::start().await.expect("the demo starts");
    let page = statuspage.page.clone();
    let bot = Bot::builder("opsbot")
        .statuspage(statuspage.client, statuspage.page)
        .opsgenie(opsgenie)
        .operators(Operators::Everyone)
        .store(Store::in_memory())
        .build();
    let campfire = FakeCampfire::start().await.unwrap();
    let room = campfire.room_id("Ops").unwrap();
    let (base, _lifecycle) = quick_notifier(&campfire, room, |s| {
        s.own = true;
        s.page_id = Some(page);
    })
    .await;
    let addr: SocketAddr = base.trim_start_matches("http://").parse().unwrap();
    demo.send_webhooks_to(addr, SECRET).unwrap();

    let shell = Speaker::shell("shell");
    let answer = bot.handle(&shell, "genie alert P2 Disk full on db-3").await;
    let tiny = demo
        .opsgenie()
        .alerts()
        .into_iter()
        .find(|a| a.message == "Disk full on db-3")
        .and_then(|a| a.tiny_id)
        .unwrap_or_else(|| panic!("the alert was created: {answer}"));
    let lines = wait_for_lines(&campfire, room, 1).await;
    assert!(
        lines[0].starts_with(&format!("[P2] #{tiny} Disk full on db-3"))
            && lines[0].ends_with(&format!("genie ack {tiny}")),
        "{lines:?}"
    );
    bot.handle(&shell, &format!("genie ack {tiny}")).await;
    let lines = wait_for_lines(&campfire, room, 2).await;
    assert!(
        lines[1].starts_with(&format!("#{tiny} acknowledged by ")),
        "{lines:?}"
    );
    // The Statuspage fake announces a component change made from chat; it is the bot's own
    // page, so the page is not named.
    let answer = bot.handle(&shell, "status API maintenance").await;
    demo.statuspage().webhooks().idle().await;
    let attempts = demo.statuspage().webhooks().attempts();
    assert!(
        attempts.iter().all(|a| a.outcome.is_delivered()) && !attempts.is_empty(),
        "{answer}: {attempts:?}"
    );
    let lines = wait_for_lines(&campfire, room, 3).await;
    assert_eq!(
        lines[2], "API component is now under maintenance, was operational",
        "{lines:?}"
    );
}

/// Reads the bot's stdout until a line satisfies `wanted`; returns every line read.
async fn read_until(
    lines: &mut tokio::io::Lines<tokio::io::BufReader<tokio::process::ChildStdout>>,
    seen: &mut Vec<String>,
    wanted: impl Fn(&str) -> bool,
) {
    let found = tokio::time::timeout(Duration::from_secs(60), async {
        while let Ok(Some(line)) = lines.next_line().await {
            let hit = wanted(&line);
            seen.push(line);
            if hit {
                return true;
            }
        }
        false
    })
    .await;
    assert!(
        matches!(found, Ok(true)),
        "not found in:\n{}",
        seen.join("\n")
    );
}

#[tokio::test]
async fn the_demo_shell_prints_the_alert_and_the_ack_notifications() {
    use std::process::Stdio;
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt};

    let mut child = tokio::process::Command::new(common::bot_exe())
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("the bot starts");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut lines = tokio::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut seen = Vec::new();
    stdin
        .write_all(b"genie alert P2 Disk full on db-3\n")
        .await
        .unwrap();
    read_until(&mut lines, &mut seen, |l| {
        l.starts_with("[P2] #") && l.contains("Disk full on db-3") && l.contains("genie ack ")
    })
    .await;
    let line = seen.last().cloned().unwrap_or_default();
    let tiny = line
        .rsplit("genie ack ")
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned();
    stdin
        .write_all(format!("genie ack {tiny}\n").as_bytes())
        .await
        .unwrap();
    read_until(&mut lines, &mut seen, |l| {
        l.starts_with(&format!("#{tiny} acknowledged by "))
    })
    .await;
    drop(stdin);
    let status = tokio::time::timeout(Duration::from_secs(60), child.wait())
        .await
        .expect("the bot stops when stdin closes")
        .expect("an exit status");
    assert!(status.success(), "{}", seen.join("\n"));
}
