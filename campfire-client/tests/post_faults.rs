//! Posting through faults, against FakeCampfire's seeded knobs: 503s, dropped connections and a rate limit.
//! A post is retried only when the server refused it (429, classic 503 with `Retry-After`) or the connection
//! never opened, so every post reported as done is in the room exactly once, and every post reported as
//! failed is not in the room at all.
#![cfg(feature = "fake")]

mod common;

use std::collections::HashSet;
use std::time::Duration;

use campfire_client::fake::{FakeCampfire, Faults};
use common::*;

const POSTS: usize = 300;

fn faults() -> Faults {
    Faults::seeded(0x0CA3_F12E)
        .error_503(0.2)
        .drop_connection(0.05)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bot_posts_through_faults_are_reported_exactly_as_they_happened() {
    let fake = FakeCampfire::builder()
        .rate_limit(150)
        .start()
        .await
        .expect("fake");
    let ops = fake.room_id("Ops").expect("ops");
    let bot = campfire_client::once::BotClient::builder(fake.base_url().as_str(), fake.key())
        .retry_policy(fast_retries())
        .timeout(Duration::from_secs(5))
        .build()
        .expect("bot");
    let before = fake.messages(ops).len();
    fake.set_faults(faults());

    let mut done = Vec::new();
    let mut failed = Vec::new();
    for i in 0..POSTS {
        let text = format!("post {i}");
        match bot.post_text(ops, &text).await {
            Ok(posted) => done.push((text, posted.id)),
            Err(err) => {
                assert!(err.status().is_none_or(|s| s >= 500 || s == 429), "{err:?}");
                failed.push(text);
            }
        }
    }
    fake.set_faults(Faults::default());

    let stored: Vec<String> = fake
        .messages(ops)
        .into_iter()
        .skip(before)
        .map(|m| m.plain)
        .collect();
    let stored_set: HashSet<&String> = stored.iter().collect();
    assert_eq!(stored.len(), stored_set.len(), "a post was stored twice");
    for (text, id) in &done {
        assert!(
            stored_set.contains(text),
            "{text} reported done but not stored"
        );
        assert!(id.is_some(), "{text} has no id");
    }
    for text in &failed {
        assert!(
            !stored_set.contains(text),
            "{text} reported failed but stored"
        );
    }
    assert_eq!(stored.len(), done.len());
    println!(
        "bot posts through faults: {} done, {} failed, {} stored",
        done.len(),
        failed.len(),
        stored.len()
    );
    assert!(
        !failed.is_empty() && done.len() > POSTS / 2,
        "the faults happened"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn classic_speak_through_faults_is_reported_exactly_as_it_happened() {
    let fake = FakeCampfire::builder()
        .rate_limit(150)
        .start()
        .await
        .expect("fake");
    let ops = fake.room_id("Ops").expect("ops");
    let classic =
        campfire_client::classic::Client::builder(fake.base_url().as_str(), fake.api_token())
            .retry_policy(fast_retries())
            .timeout(Duration::from_secs(5))
            .build()
            .expect("classic");
    classic.join(ops).await.expect("join");
    let before = fake.messages(ops).len();
    fake.set_faults(faults());

    let mut done = Vec::new();
    let mut failed = Vec::new();
    for i in 0..POSTS {
        let text = format!("speak {i}");
        match classic.speak(ops, &text).await {
            Ok(message) => done.push((text, message.id)),
            Err(_) => failed.push(text),
        }
    }
    fake.set_faults(Faults::default());

    let stored: Vec<(String, campfire_client::MessageId)> = fake
        .messages(ops)
        .into_iter()
        .skip(before)
        .map(|m| (m.plain, m.id))
        .collect();
    let texts: HashSet<&String> = stored.iter().map(|(t, _)| t).collect();
    assert_eq!(stored.len(), texts.len(), "a message was stored twice");
    for (text, id) in &done {
        assert!(
            stored.iter().any(|(t, i)| t == text && i == id),
            "{text} reported done as {id} but not stored so"
        );
    }
    for text in &failed {
        assert!(!texts.contains(text), "{text} reported failed but stored");
    }
    assert_eq!(stored.len(), done.len());
    println!(
        "classic speak through faults: {} done, {} failed, {} stored",
        done.len(),
        failed.len(),
        stored.len()
    );
    assert!(
        !failed.is_empty() && done.len() > POSTS / 2,
        "the faults happened"
    );
}
