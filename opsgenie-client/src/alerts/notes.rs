//! Notes and the activity log of an alert (`GET .../notes`, `GET .../logs`), paged by an
//! opaque cursor: Opsgenie's `offset` (with `direction`, `limit`, `order`), JSM's `after`
//! (with `size`), both read from the answer's next link.

use std::collections::VecDeque;
use std::marker::PhantomData;

use chrono::{DateTime, Utc};
use futures_util::stream::{self, Stream};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::{AlertRef, Alerts, ListEnvelope};
use crate::backend::Endpoint;
use crate::client::Client;
use crate::common::{Order, next_cursor};
use crate::error::{Error, Result};
use crate::transport::Req;

impl<'a> Alerts<'a> {
    /// Lists the notes of an alert, one page (`GET .../notes`); `.stream()` yields all.
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// let page = client.alerts().notes(opsgenie_client::AlertRef::tiny("42")).limit(20).await?;
    /// for note in page.items { println!("{}: {}", note.owner.unwrap_or_default(), note.note); }
    /// # Ok(()) }
    /// ```
    pub fn notes(self, alert: impl Into<AlertRef>) -> ListNotes<'a> {
        CursorList::new(self.client, alert.into(), Endpoint::ListNotes)
    }

    /// Lists the activity log of an alert, one page (`GET .../logs`); `.stream()` yields all.
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// let page = client.alerts().logs(opsgenie_client::AlertRef::tiny("42")).await?;
    /// # Ok(()) }
    /// ```
    pub fn logs(self, alert: impl Into<AlertRef>) -> ListLogs<'a> {
        CursorList::new(self.client, alert.into(), Endpoint::ListLogs)
    }
}

/// A note on an alert (JSM's `AlertNote` also has an `id` and `updatedAt`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Note {
    /// The text.
    #[serde(default)]
    pub note: String,
    /// Who wrote it.
    #[serde(default)]
    pub owner: Option<String>,
    /// When.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// The paging offset of this entry.
    #[serde(default)]
    pub offset: Option<String>,
}

/// An entry of an alert's activity log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LogEntry {
    /// The text.
    #[serde(default)]
    pub log: String,
    /// The kind of entry, for example `system` or `alertRecipient` (JSM's `logType`).
    #[serde(default, rename = "type", alias = "logType")]
    pub kind: Option<String>,
    /// Who caused it.
    #[serde(default)]
    pub owner: Option<String>,
    /// When (JSM's `logTime`).
    #[serde(default, alias = "logTime")]
    pub created_at: Option<DateTime<Utc>>,
    /// The paging offset of this entry.
    #[serde(default)]
    pub offset: Option<String>,
}

/// A page of notes or log entries, with the opaque offset of the next page.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct CursorPage<T> {
    /// The entries.
    pub items: Vec<T>,
    /// The cursor of the next page, when there is one (Opsgenie's `offset`, JSM's `after`,
    /// read from the answer's next link); pass it to [`CursorList::offset`].
    pub next_offset: Option<String>,
}

/// Builder of `GET .../notes` or `GET .../logs`; see [`Alerts::notes`] and [`Alerts::logs`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct CursorList<'a, T> {
    client: &'a Client,
    spec: CursorSpec,
    _item: PhantomData<fn() -> T>,
}

#[derive(Clone, Debug)]
struct CursorSpec {
    alert: AlertRef,
    endpoint: Endpoint,
    offset: Option<String>,
    direction: Option<&'static str>,
    limit: Option<u32>,
    order: Option<Order>,
}

impl CursorSpec {
    fn request(&self, client: &Client, offset: Option<&String>) -> Result<Req> {
        self.alert.check()?;
        if let Some(limit) = self.limit
            && !(1..=100).contains(&limit)
        {
            return Err(Error::invalid("limit", "must be between 1 and 100"));
        }
        let backend = client.backend();
        if backend.is_jsm() && (self.direction.is_some() || self.order.is_some()) {
            // getAlertNotes / getAlertLogs page forwards only, in the server's order.
            return Err(Error::Unsupported {
                backend: "jsm",
                operation: "paging notes or logs backwards or in a chosen order",
            });
        }
        Ok(client
            .request(self.endpoint, &[&self.alert.value])?
            .query("identifierType", self.alert.kind.as_str())
            .query_opt(backend.cursor_param(), offset.cloned())
            .query_opt("direction", self.direction)
            .query_opt("limit", self.limit.map(|l| l.to_string()))
            .query_opt("order", self.order.as_ref().map(|o| o.as_str().to_owned())))
    }
}

/// Lists notes; see [`Alerts::notes`].
pub type ListNotes<'a> = CursorList<'a, Note>;
/// Lists log entries; see [`Alerts::logs`].
pub type ListLogs<'a> = CursorList<'a, LogEntry>;

impl<'a, T> CursorList<'a, T>
where
    T: DeserializeOwned + Send + 'static,
{
    fn new(client: &'a Client, alert: AlertRef, endpoint: Endpoint) -> Self {
        CursorList {
            client,
            spec: CursorSpec {
                alert,
                endpoint,
                offset: None,
                direction: None,
                limit: None,
                order: None,
            },
            _item: PhantomData,
        }
    }

    /// Starts at an opaque cursor from an earlier page ([`CursorPage::next_offset`]).
    pub fn offset(mut self, offset: impl Into<String>) -> Self {
        self.spec.offset = Some(offset.into());
        self
    }

    /// Pages backwards from the offset instead of forwards (Opsgenie only).
    pub fn backwards(mut self) -> Self {
        self.spec.direction = Some("prev");
        self
    }

    /// Entries per page, 1 to 100.
    pub fn limit(mut self, limit: u32) -> Self {
        self.spec.limit = Some(limit);
        self
    }

    /// The order of entries (Opsgenie only).
    pub fn order(mut self, order: Order) -> Self {
        self.spec.order = Some(order);
        self
    }

    async fn page(client: &Client, req: Req) -> Result<CursorPage<T>> {
        let raw = client.execute(req).await?;
        let env: ListEnvelope<T> = raw.decode()?;
        let next = next_cursor(
            env.paging.as_ref().and_then(|p| p.next.as_deref()),
            client.backend().cursor_param(),
        );
        Ok(CursorPage {
            items: env.data,
            next_offset: next,
        })
    }

    /// Every entry across pages, fetched lazily.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// use futures_util::TryStreamExt;
    /// use opsgenie_client::AlertRef;
    /// let notes: Vec<_> = client.alerts().notes(AlertRef::tiny("42")).stream().try_collect().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Each item is an error when a page fails.
    pub fn stream(self) -> impl Stream<Item = Result<T>> + Send + 'static {
        struct St<T> {
            client: Client,
            spec: CursorSpec,
            offset: Option<String>,
            buffer: VecDeque<T>,
            started: bool,
            done: bool,
        }
        let st = St {
            client: self.client.clone(),
            offset: self.spec.offset.clone(),
            spec: self.spec,
            buffer: VecDeque::new(),
            started: false,
            done: false,
        };
        stream::try_unfold(st, |mut st| async move {
            loop {
                if let Some(item) = st.buffer.pop_front() {
                    return Ok(Some((item, st)));
                }
                if st.done || (st.started && st.offset.is_none()) {
                    return Ok(None);
                }
                if !st.started {
                    st.spec.alert = st.spec.alert.resolve(&st.client).await?;
                }
                st.started = true;
                let req = st.spec.request(&st.client, st.offset.as_ref())?;
                let page = Self::page(&st.client, req).await?;
                st.done = page.items.is_empty() || page.next_offset == st.offset;
                st.offset = page.next_offset;
                st.buffer.extend(page.items);
            }
        })
    }
}

impl<'a, T> std::future::IntoFuture for CursorList<'a, T>
where
    T: DeserializeOwned + Send + 'static,
{
    type Output = Result<CursorPage<T>>;
    type IntoFuture = futures_util::future::BoxFuture<'a, Result<CursorPage<T>>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let mut spec = self.spec;
            spec.alert = spec.alert.resolve(self.client).await?;
            let req = spec.request(self.client, spec.offset.as_ref())?;
            Self::page(self.client, req).await
        })
    }
}
