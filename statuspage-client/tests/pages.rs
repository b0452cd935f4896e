//! Pages: request construction.

mod common;

use common::{PAGE, call, catch_all, client, json, server};
use serde_json::json;
use statuspage_client::Error;
use wiremock::matchers::body_json;

#[tokio::test]
async fn list_get_and_update() {
    let server = server().await;
    call("GET", "/pages")
        .respond_with(json(200, "pages/list.json"))
        .expect(1)
        .mount(&server)
        .await;
    call("GET", "/pages/fakepage0001")
        .respond_with(json(200, "pages/get.json"))
        .expect(1)
        .mount(&server)
        .await;
    call("PATCH", "/pages/fakepage0001")
        .and(body_json(json!({"page": {
            "headline": "Builds are back to normal",
            "allow_rss_atom_feeds": true,
            "time_zone": "UTC"
        }})))
        .respond_with(json(200, "pages/update.json"))
        .expect(1)
        .mount(&server)
        .await;
    catch_all(&server).await;

    let client = client(&server);
    let pages = client.pages().list().await.expect("list");
    assert_eq!(pages.len(), 2);
    assert_eq!(
        client.pages().get(PAGE).await.expect("get").name,
        "Example Corp (fake)"
    );
    let updated = client
        .pages()
        .update(PAGE)
        .headline("Builds are back to normal")
        .allow_rss_atom_feeds(true)
        .time_zone("UTC")
        .await
        .expect("update");
    assert_eq!(
        updated.headline.as_deref(),
        Some("Builds are back to normal")
    );
    assert!(matches!(
        client.pages().update(PAGE).await,
        Err(Error::InvalidInput { field: "page", .. })
    ));
    assert!(matches!(
        client.pages().update(PAGE).name("").await,
        Err(Error::InvalidInput { field: "name", .. })
    ));
}
