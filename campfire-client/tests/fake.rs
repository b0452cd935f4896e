//! The fake Campfire, exercised through this crate's own clients and through raw HTTP for strictness and knobs.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use campfire_client::Error;
use campfire_client::classic::MessageType;
use campfire_client::fake::{FakeCampfire, Faults};
use campfire_client::once::{Reply, WebhookEvent};
use futures_util::StreamExt;
use tokio::sync::Mutex;

/// A bot webhook on loopback that answers with `answer` and records every payload.
async fn webhook(
    answer: impl Fn(WebhookEvent) -> axum::response::Response + Send + Sync + 'static,
) -> (url::Url, Arc<Mutex<Vec<WebhookEvent>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let recorded = seen.clone();
    let answer = Arc::new(answer);
    let app = axum::Router::new().route(
        "/hook/fake-secret",
        axum::routing::post(move |body: Bytes| {
            let recorded = recorded.clone();
            let answer = answer.clone();
            async move {
                let event = WebhookEvent::from_json(&body).expect("a real webhook payload");
                recorded.lock().await.push(event.clone());
                answer(event)
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let url = url::Url::parse(&format!("http://{addr}/hook/fake-secret")).expect("url");
    (url, seen)
}

fn reply(r: Reply) -> axum::response::Response {
    let http = r.into_http();
    let (parts, body) = http.into_parts();
    axum::response::Response::from_parts(parts, axum::body::Body::from(body))
}

#[tokio::test]
async fn the_bot_api_through_the_bot_client() {
    let fake = FakeCampfire::start().await.expect("fake");
    let ops = fake.room_id("Ops").expect("demo room Ops");
    assert!(fake.room_id("Dev").is_some(), "demo room Dev");
    let bot = fake.bot_client().expect("client");

    let posted = bot
        .post_text(ops, "API <v2> & web\nok")
        .await
        .expect("post");
    let stored = fake.messages(ops).last().cloned().expect("stored");
    assert_eq!(Some(stored.id), posted.id);
    assert_eq!(
        stored.html, "API &lt;v2&gt; &amp; web<br>ok",
        "the body is stored as HTML"
    );
    assert_eq!(stored.plain, "API <v2> & web\nok");

    let file =
        campfire_client::FilePart::new("deploy.log", b"ok\n".to_vec()).content_type("text/plain");
    bot.post_attachment(ops, file).await.expect("attachment");
    let attachment = fake
        .messages(ops)
        .last()
        .and_then(|m| m.attachment.clone())
        .expect("attachment stored");
    assert_eq!(
        (attachment.file_name.as_str(), attachment.data.as_ref()),
        ("deploy.log", b"ok\n".as_ref())
    );

    let id = posted.id.expect("id");
    let sound = bot.play_sound(ops, "tada").await.expect("sound");
    let stored_sound = fake
        .messages(ops)
        .into_iter()
        .find(|m| Some(m.id) == sound.id)
        .expect("stored");
    assert_eq!(stored_sound.html, "/play tada");
    bot.update_text(ops, id, "a < b")
        .await
        .expect("update text");
    assert_eq!(
        fake.messages(ops)
            .iter()
            .find(|m| m.id == id)
            .map(|m| m.html.clone()),
        Some("a &lt; b".into())
    );
    let before = bot.messages(ops).before(id).await.expect("before");
    assert!(before.messages.iter().all(|m| m.id < id) && !before.messages.is_empty());
    let edited = bot
        .update_html(ops, id, "<em>edited</em>")
        .await
        .expect("update");
    assert_eq!(edited.body.plain_text.as_deref(), Some("edited"));
    let boost = bot.boost(ops, id, "🎉").await.expect("boost");
    assert_eq!(
        fake.messages(ops)
            .iter()
            .find(|m| m.id == id)
            .map(|m| m.boosts.len()),
        Some(1)
    );
    bot.unboost(ops, id, boost.id).await.expect("unboost");
    bot.delete_message(ops, id).await.expect("delete");
    assert!(fake.messages(ops).iter().all(|m| m.id != id));

    // Someone else's message cannot be deleted.
    let ada = fake.user_id("Ada Example").expect("ada");
    let hers = fake.seed_message(ops, ada, "mine");
    let err = bot.delete_message(ops, hers).await.expect_err("403");
    assert_eq!(err.status(), Some(403));
    // Someone else's boost is not among the bot's boosts: 404 as on the real server, and it stays.
    let her_boost = fake.seed_boost(hers, ada, "👀").expect("seeded");
    let err = bot
        .unboost(ops, hers, her_boost)
        .await
        .expect_err("not the bot's");
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    assert_eq!(
        fake.messages(ops)
            .iter()
            .find(|m| m.id == hers)
            .map(|m| m.boosts.len()),
        Some(1)
    );

    // Paging: 45 more messages, 40 per page, oldest first, Link to the older page.
    for i in 0..45 {
        fake.seed_message(ops, ada, &format!("filler {i}"));
    }
    let page = bot.messages(ops).await.expect("page");
    assert_eq!(page.messages.len(), 40);
    assert!(page.next.is_some());
    // The cursor is a message of the room (the real server looks it up: any other id is a 404).
    let err = bot.messages(ops).after(0).await.expect_err("no message 0");
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    let oldest = fake.messages(ops).first().map(|m| m.id).expect("oldest");
    let all: Vec<_> = bot.messages(ops).after(oldest).stream().collect().await;
    let total = fake.messages(ops).len();
    assert_eq!(all.len(), total - 1, "every message after the oldest");
    let ids: Vec<u64> = all
        .iter()
        .filter_map(|m| m.as_ref().ok())
        .map(|m| m.id.get())
        .collect();
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "oldest first across pages"
    );
}

#[tokio::test]
async fn strict_like_campfire() {
    let fake = FakeCampfire::start().await.expect("fake");
    let ops = fake.room_id("Ops").expect("ops");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http");
    let base = fake.base_url().as_str().trim_end_matches('/').to_owned();

    let wrong_key = http
        .post(format!(
            "{base}/rooms/{ops}/{}-WrongToken00/messages",
            fake.bot_user_id()
        ))
        .body("hi")
        .send()
        .await
        .expect("send");
    assert_eq!(wrong_key.status(), 302);
    assert!(
        wrong_key.headers()["location"]
            .to_str()
            .unwrap_or("")
            .ends_with("/session/new")
    );
    let bad = campfire_client::once::BotClient::new(&base, "3-WrongToken00").expect("client");
    assert!(matches!(
        bad.post_text(ops, "hi").await,
        Err(Error::Authentication { .. })
    ));

    let empty = http
        .post(format!("{base}/rooms/{ops}/{}/messages", fake.key()))
        .body("")
        .send()
        .await
        .expect("send");
    assert_eq!(empty.status(), 422);

    fake.remove_bot_from_room(ops);
    let bot = fake.bot_client().expect("client");
    let err = bot.post_text(ops, "hi").await.expect_err("not in the room");
    assert!(
        matches!(&err, Error::Api(api) if api.is_not_found()),
        "{err:?}"
    );

    let no_auth = http
        .get(format!("{base}/rooms.json"))
        .send()
        .await
        .expect("send");
    assert_eq!(no_auth.status(), 401);
    let wrong = http
        .get(format!("{base}/rooms.json"))
        .basic_auth("wrong", Some("X"))
        .send()
        .await
        .expect("send");
    assert_eq!(wrong.status(), 401);
    let malformed = http
        .post(format!("{base}/room/{ops}/speak.json"))
        .basic_auth(fake.api_token(), Some("X"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("send");
    assert_eq!(malformed.status(), 400);
    let invalid = http
        .post(format!("{base}/room/{ops}/speak.json"))
        .basic_auth(fake.api_token(), Some("X"))
        .json(&serde_json::json!({"message": {"type": "TextMessage", "body": " "}}))
        .send()
        .await
        .expect("send");
    assert_eq!(invalid.status(), 422);
}

#[tokio::test]
async fn say_delivers_the_webhook_and_posts_the_reply_as_campfire_does() {
    let fake = FakeCampfire::builder()
        .webhook_timeout(Duration::from_millis(300))
        .start()
        .await
        .expect("fake");
    let ops = fake.room_id("Ops").expect("ops");
    let ada = fake.user_id("Ada Example").expect("ada");
    let (url, seen) = webhook(|event| match event.text() {
        "status?" => reply(Reply::text("All <good>")),
        "html" => reply(Reply::html("<strong>bold</strong>")),
        "quiet" => reply(Reply::none()),
        "json" => axum::response::Response::builder()
            .status(500)
            .header("content-type", "application/json")
            .body(axum::body::Body::from("{\"oops\":true}"))
            .unwrap_or_default(),
        _ => {
            std::thread::sleep(Duration::from_millis(10));
            reply(Reply::text("?"))
        }
    })
    .await;
    fake.set_webhook_url(Some(url));

    let outcome = fake.say(ops, ada, "@Opsbot status?").await;
    assert!(outcome.delivered);
    let answer = outcome.reply.expect("a reply");
    assert_eq!(answer.user, Some(fake.bot_user_id()));
    assert_eq!(answer.html, "All &lt;good&gt;");
    let event = seen.lock().await.last().cloned().expect("payload");
    assert_eq!(event.user.name, "Ada Example");
    assert_eq!(event.room.name.as_deref(), Some("Ops"));
    assert_eq!(event.text(), "status?");
    assert!(
        event
            .message
            .body
            .html
            .contains("application/vnd.campfire.mention")
    );
    // The bot can post later through room.path.
    let later = campfire_client::once::BotClient::from_room_path(
        fake.base_url().as_str(),
        &event.room.path,
    )
    .expect("client");
    later
        .post_text(event.room.id, "later")
        .await
        .expect("post later");

    assert_eq!(
        fake.say(ops, ada, "@Opsbot html")
            .await
            .reply
            .map(|m| m.html),
        Some("<strong>bold</strong>".into())
    );
    let quiet = fake.say(ops, ada, "@opsbot quiet").await;
    let lower = fake
        .messages(ops)
        .into_iter()
        .find(|m| m.id == quiet.message)
        .expect("stored");
    assert!(
        lower.html.contains("application/vnd.campfire.mention"),
        "{}",
        lower.html
    );
    let own = fake.say(ops, fake.bot_user_id(), "@Opsbot status?").await;
    assert!(!own.delivered, "never for the bot's own messages");
    assert!(
        quiet.delivered && quiet.reply.is_none(),
        "no content type: nothing posted"
    );
    let json = fake
        .say(ops, ada, "@Opsbot json")
        .await
        .reply
        .expect("an attachment");
    assert_eq!(
        json.attachment.map(|a| a.file_name),
        Some("attachment.json".into())
    );
    let not_for_bot = fake.say(ops, ada, "lunch?").await;
    assert!(!not_for_bot.delivered);

    let direct = fake.add_direct_room(ada);
    let outcome = fake.say(direct, ada, "status?").await;
    assert!(
        outcome.delivered,
        "every message in a direct room goes to the bot"
    );
    assert!(seen.lock().await.last().is_some_and(|e| e.is_direct()));
}

#[tokio::test]
async fn a_slow_webhook_gets_the_timeout_notice() {
    let fake = FakeCampfire::builder()
        .webhook_timeout(Duration::from_millis(200))
        .start()
        .await
        .expect("fake");
    let ops = fake.room_id("Ops").expect("ops");
    let ada = fake.user_id("Ada Example").expect("ada");
    let app = axum::Router::new().route(
        "/slow",
        axum::routing::post(|| async {
            tokio::time::sleep(Duration::from_secs(2)).await;
            "late"
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    fake.set_webhook_url(Some(
        url::Url::parse(&format!("http://{addr}/slow")).expect("url"),
    ));
    let outcome = fake.say(ops, ada, "@Opsbot status?").await;
    let notice = outcome.reply.expect("the timeout notice");
    assert!(
        notice.plain.starts_with("Failed to respond within"),
        "{}",
        notice.plain
    );
}

#[tokio::test]
async fn classic_calls_and_the_live_stream() {
    let fake = FakeCampfire::builder()
        .keep_alive_interval(Duration::from_millis(50))
        .start()
        .await
        .expect("fake");
    let ops = fake.room_id("Ops").expect("ops");
    let ada = fake.user_id("Ada Example").expect("ada");
    let campfire = fake.classic_client().expect("client");

    let me = campfire.me().await.expect("me");
    assert_eq!(me.id, fake.bot_user_id());
    let rooms = campfire.rooms().await.expect("rooms");
    assert_eq!(
        rooms.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        ["Ops", "Dev"]
    );
    assert!(campfire.presence().await.expect("presence").is_empty());
    let created = campfire
        .create_room(
            campfire_client::classic::RoomUpdate::new()
                .name("Incidents")
                .topic("one per outage"),
        )
        .await
        .expect("create");
    assert_eq!(fake.room_id("Incidents"), Some(created.id));
    campfire
        .update_room(
            created.id,
            campfire_client::classic::RoomUpdate::new().topic("quiet"),
        )
        .await
        .expect("update");
    assert_eq!(
        campfire
            .room(created.id)
            .await
            .expect("room")
            .topic
            .as_deref(),
        Some("quiet")
    );
    assert!(campfire.account().await.is_ok());

    // The stream refuses a room the user has not joined.
    let mut refused = campfire.stream(ops);
    assert!(matches!(
        refused.next().await,
        Some(Err(Error::Authentication { .. }))
    ));

    campfire.join(ops).await.expect("join");
    assert_eq!(campfire.room(ops).await.expect("room").users.len(), 1);
    let spoken = campfire.speak(ops, "hello").await.expect("speak");
    let recent = campfire
        .recent(ops)
        .since(spoken.id.get() - 1)
        .await
        .expect("recent");
    assert_eq!(recent.first().map(|m| m.id), Some(spoken.id));
    campfire.paste(ops, "a\nb").await.expect("paste");
    campfire.play_sound(ops, "tada").await.expect("sound");
    campfire.highlight(spoken.id).await.expect("star");
    let latest = campfire.recent(ops).limit(3).await.expect("recent");
    assert_eq!(
        latest
            .iter()
            .map(|m| m.message_type.clone())
            .collect::<Vec<_>>(),
        [MessageType::Text, MessageType::Paste, MessageType::Sound]
    );
    assert!(latest.first().is_some_and(|m| m.starred));
    assert_eq!(
        latest.get(2).and_then(|m| m.body.clone()),
        Some("tada".into())
    );
    assert_eq!(campfire.search("hello").await.expect("search").len(), 1);
    assert!(
        !campfire
            .transcript_today(ops)
            .await
            .expect("transcript")
            .is_empty()
    );
    let today = chrono::Utc::now().date_naive();
    assert!(
        !campfire
            .transcript(ops, today)
            .await
            .expect("transcript")
            .is_empty()
    );
    let upload = campfire
        .upload(
            ops,
            campfire_client::FilePart::new("graph.png", b"fake".to_vec()).content_type("image/png"),
        )
        .await
        .expect("upload");
    assert_eq!(
        campfire
            .uploads(ops)
            .await
            .expect("uploads")
            .first()
            .map(|u| u.id),
        Some(upload.id)
    );
    let upload_message = fake
        .messages(ops)
        .last()
        .map(|m| m.id)
        .expect("upload message");
    assert_eq!(
        campfire
            .upload_of_message(ops, upload_message)
            .await
            .expect("upload")
            .name,
        "graph.png"
    );
    assert_eq!(campfire.user(me.id).await.expect("user").name, "Opsbot");
    campfire
        .tweet(ops, "https://twitter.com/example/status/1")
        .await
        .expect("tweet");
    campfire.unhighlight(spoken.id).await.expect("unstar");
    campfire.lock(ops).await.expect("lock");
    assert_eq!(campfire.room(ops).await.expect("room").locked, Some(true));
    campfire.unlock(ops).await.expect("unlock");
    assert_eq!(campfire.presence().await.expect("presence").len(), 1);
    campfire.leave(ops).await.expect("leave");
    assert!(campfire.presence().await.expect("presence").is_empty());
    campfire.join(ops).await.expect("join again");

    let mut live = campfire.stream(ops).silence_timeout(Duration::from_secs(2));
    // Keep-alives flow; nothing is yielded for them.
    assert!(
        tokio::time::timeout(Duration::from_millis(200), live.next())
            .await
            .is_err()
    );
    fake.say(ops, ada, "deploy?").await;
    let message = tokio::time::timeout(Duration::from_secs(5), live.next())
        .await
        .expect("in time")
        .expect("item")
        .expect("message");
    assert_eq!(message.body.as_deref(), Some("deploy?"));
    assert_eq!(message.user_id, Some(ada));
    assert_eq!(message.message_type, MessageType::Text);
}

#[tokio::test]
async fn seeded_stream_cuts_lose_nothing_with_the_client() {
    let fake = FakeCampfire::builder()
        .keep_alive_interval(Duration::from_millis(50))
        .faults(Faults::seeded(7).stream_cut(0.4))
        .start()
        .await
        .expect("fake");
    let ops = fake.room_id("Ops").expect("ops");
    let ada = fake.user_id("Ada Example").expect("ada");
    let campfire = fake.classic_client().expect("client");
    campfire.join(ops).await.expect("join");
    let mut live = campfire
        .stream(ops)
        .reconnect_backoff(Duration::from_millis(5), Duration::from_millis(20));
    // Connect the stream before posting.
    assert!(
        tokio::time::timeout(Duration::from_millis(150), live.next())
            .await
            .is_err()
    );

    let mut expected = Vec::new();
    for i in 0..20 {
        expected.push(fake.seed_message(ops, ada, &format!("line {i}")));
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let mut received = Vec::new();
    while received.len() < expected.len() {
        let item = tokio::time::timeout(Duration::from_secs(10), live.next())
            .await
            .expect("in time")
            .expect("item");
        received.push(item.expect("message").id);
    }
    assert_eq!(
        received, expected,
        "every message once and in order despite cuts"
    );
}

#[tokio::test]
async fn knobs_rate_limit_latency_and_seeded_faults() {
    let fake = FakeCampfire::builder()
        .rate_limit(5)
        .start()
        .await
        .expect("fake");
    let http = reqwest::Client::new();
    let base = fake.base_url().as_str().trim_end_matches('/').to_owned();
    let ops = fake.room_id("Ops").expect("ops");
    let mut statuses = Vec::new();
    for _ in 0..7 {
        let r = http
            .get(format!("{base}/rooms/{ops}/{}/messages", fake.key()))
            .send()
            .await
            .expect("send");
        statuses.push((
            r.status().as_u16(),
            r.headers().get("retry-after").is_some(),
        ));
    }
    assert_eq!(
        statuses.iter().filter(|(s, _)| *s == 200).count(),
        5,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().skip(5).all(|s| *s == (429, true)),
        "{statuses:?}"
    );
    let classic = http
        .get(format!("{base}/rooms.json"))
        .basic_auth(fake.api_token(), Some("X"))
        .send()
        .await
        .expect("send");
    assert_eq!(
        classic.status(),
        503,
        "classic signals its rate limit with 503"
    );
    assert!(classic.headers().get("retry-after").is_some());
    fake.set_rate_limit(None);

    fake.set_latency(Duration::from_millis(150));
    let started = Instant::now();
    let _ = http
        .get(format!("{base}/rooms.json"))
        .send()
        .await
        .expect("send");
    assert!(started.elapsed() >= Duration::from_millis(150));
    fake.set_latency(Duration::ZERO);

    let statuses_with = |seed: u64| {
        let http = http.clone();
        let fake = &fake;
        async move {
            fake.set_faults(Faults::seeded(seed).error_503(0.3).drop_connection(0.2));
            let mut out = Vec::new();
            for _ in 0..24 {
                let code = match http
                    .get(format!("{}rooms.json", fake.base_url()))
                    .basic_auth(fake.api_token(), Some("X"))
                    .send()
                    .await
                {
                    Ok(r) => {
                        let code = r.status().as_u16();
                        if r.bytes().await.is_ok() { code } else { 0 }
                    }
                    Err(_) => 0,
                };
                out.push(code);
            }
            out
        }
    };
    let first = statuses_with(42).await;
    let again = statuses_with(42).await;
    let other = statuses_with(43).await;
    assert_eq!(first, again, "the same seed repeats the fault sequence");
    assert_ne!(first, other);
    assert!(
        first.contains(&503) && first.contains(&0) && first.contains(&200),
        "{first:?}"
    );
}

#[tokio::test]
async fn stops_when_dropped() {
    let fake = FakeCampfire::start().await.expect("fake");
    let addr = fake.addr();
    assert!(tokio::net::TcpStream::connect(addr).await.is_ok());
    drop(fake);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "still listening after drop"
    );
}

/// The fake's answers in the shapes of the real server's source (`basecamp/once-campfire`): the jbuilder views
/// of messages and boosts, the statuses of `messages/by_bots_controller.rb` and
/// `messages/boosts/by_bots_controller.rb`, and the payload of `app/models/webhook.rb`.
#[tokio::test]
async fn raw_answers_have_the_real_servers_shapes() {
    let fake = FakeCampfire::start().await.expect("fake");
    let ops = fake.room_id("Ops").expect("ops");
    let ada = fake.user_id("Ada Example").expect("ada");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http");
    let messages = format!("{}rooms/{ops}/{}/messages", fake.base_url(), fake.key());
    let hers = fake.seed_message(ops, ada, "look");

    // Boost: 201 with the `_boost` partial; the content is the raw body, as sent.
    let boost = http
        .post(format!("{messages}/{hers}/boosts"))
        .body(" 👀 ")
        .send()
        .await
        .expect("send");
    assert_eq!(boost.status(), 201);
    let boost: serde_json::Value = boost.json().await.expect("json");
    let keys: Vec<&str> = boost
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    assert_eq!(keys, ["booster", "content", "created_at", "id", "message"]);
    assert_eq!(boost["content"], " 👀 ");
    assert_eq!(boost["booster"]["role"], "bot");
    assert!(boost["booster"]["avatar_url"].is_string());
    assert_eq!(
        boost["message"]["url"].as_str(),
        Some(format!("{}rooms/{ops}/messages/{hers}", fake.base_url()).as_str()),
        "room_message_url"
    );

    // Someone else's boost: 404 (looked up among the bot's boosts), never 403.
    let her_boost = fake.seed_boost(hers, ada, "+1").expect("seeded");
    let status = |r: reqwest::Response| r.status().as_u16();
    let other = http
        .delete(format!("{messages}/{hers}/boosts/{her_boost}"))
        .send()
        .await
        .map(status);
    assert_eq!(other.ok(), Some(404));
    let unknown = http
        .delete(format!("{messages}/{hers}/boosts/999999"))
        .send()
        .await
        .map(status);
    assert_eq!(unknown.ok(), Some(404));
    let own = boost["id"].as_u64().expect("boost id");
    let own = http
        .delete(format!("{messages}/{hers}/boosts/{own}"))
        .send()
        .await
        .map(status);
    assert_eq!(own.ok(), Some(204));

    // List: an array of `_message` partials; a cursor that is not a message of the room is a 404.
    let page = http.get(&messages).send().await.expect("send");
    assert_eq!(page.status(), 200);
    let page: serde_json::Value = page.json().await.expect("json");
    let last = page
        .as_array()
        .and_then(|a| a.last())
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        last["url"].as_str(),
        Some(format!("{}rooms/{ops}/messages/{hers}", fake.base_url()).as_str())
    );
    assert!(last["body"]["plain_text"].is_string() && last["body"]["html"].is_string());
    for cursor in ["before=999999", "after=999999", "before=abc"] {
        let r = http
            .get(format!("{messages}?{cursor}"))
            .send()
            .await
            .map(status);
        assert_eq!(r.ok(), Some(404), "{cursor}");
    }

    // The webhook payload: user, room and message, no event type.
    let payloads = Arc::new(Mutex::new(Vec::<serde_json::Value>::new()));
    let recorded = payloads.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: Bytes| {
            let recorded = recorded.clone();
            async move {
                if let Ok(value) = serde_json::from_slice(&body) {
                    recorded.lock().await.push(value);
                }
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    fake.set_webhook_url(Some(
        url::Url::parse(&format!("http://{addr}/hook")).expect("url"),
    ));
    let outcome = fake.say(ops, ada, "@Opsbot status?").await;
    assert!(outcome.delivered);
    let payload = payloads.lock().await.first().cloned().expect("a payload");
    let keys: Vec<&str> = payload
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    assert_eq!(keys, ["message", "room", "user"], "{payload}");
    assert_eq!(payload["message"]["body"]["plain"], "status?");
    assert_eq!(
        payload["message"]["path"].as_str(),
        Some(format!("/rooms/{ops}/@{}", outcome.message).as_str())
    );
}

/// The surface every fake of the workspace shares: `start()` with demo data, a builder with
/// `without_demo_data`, `key`, `addr`, `latency`, `rate_limit`, `faults`, and `base_url()`, `key()`, `addr()`,
/// `requests_served()`.
#[tokio::test]
async fn the_uniform_fake_surface() {
    let fake = FakeCampfire::builder()
        .without_demo_data()
        .key("12-FakeBotKey00")
        .api_token("fake-classic-token")
        .addr(std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
        .latency(Duration::ZERO)
        .rate_limit(1000)
        .faults(Faults::seeded(1))
        .start()
        .await
        .expect("fake");
    assert_eq!(fake.key(), "12-FakeBotKey00");
    assert_eq!(fake.api_token(), "fake-classic-token");
    assert_eq!(fake.bot_user_id().get(), 12, "the bot is the key's user");
    assert_eq!(fake.base_url().port(), Some(fake.addr().port()));
    assert!(fake.rooms().is_empty(), "no demo rooms");
    assert_eq!(fake.user_id("Ada Example"), None, "no demo users");
    assert_eq!(fake.requests_served(), 0);

    let room = fake.add_room("Alerts");
    let bot = fake.bot_client().expect("client");
    bot.post_text(room, "hello").await.expect("post");
    assert!(
        matches!(
            campfire_client::once::BotClient::new(fake.base_url().as_str(), "12-WrongToken00")
                .expect("client")
                .post_text(room, "hi")
                .await,
            Err(Error::Authentication { .. })
        ),
        "only the configured key is accepted"
    );
    assert_eq!(fake.requests_served(), 2, "both answers are counted");

    let demo = FakeCampfire::start().await.expect("fake");
    assert!(demo.room_id("Ops").is_some() && demo.user_id("Ada Example").is_some());
    assert!(demo.key().starts_with(&format!("{}-", demo.bot_user_id())));
    for bad in ["nonsense", "12-", "x-FakeBotKey00"] {
        let err = FakeCampfire::builder().key(bad).start().await.err();
        assert_eq!(
            err.map(|e| e.kind()),
            Some(std::io::ErrorKind::InvalidInput),
            "{bad}"
        );
    }
}
