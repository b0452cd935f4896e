//! Listing, streaming and counting alerts (`GET /v2/alerts`, `GET /v2/alerts/count`; JSM
//! `GET /v1/alerts`, whose `count` is the total).

use std::collections::{HashSet, VecDeque};

use futures_util::stream::{self, Stream};
use serde::{Deserialize, Serialize};

use super::{Alert, Alerts};
use crate::backend::{Backend, Endpoint};
use crate::client::Client;
use crate::common::Order;
use crate::error::{Error, Result};
use crate::ids::AlertId;
use crate::macros::into_future;
use crate::transport::Req;

opsbot_http::vendor_enum! {
    /// The field an alert list is sorted by. Opsgenie and JSM accept different fields: JSM's
    /// `listAlerts` takes only `createdAt`, `insertedAt`, `lastOccurredAt` and `priority`, and
    /// Opsgenie has no `insertedAt` or `priority` sort; another field is
    /// [`Error::Unsupported`] and nothing is sent (see [`AlertSort::supported_on`]).
    pub enum AlertSort as "alert sort" {
        /// `createdAt` (the default).
        CreatedAt => "createdAt",
        /// `updatedAt`.
        UpdatedAt => "updatedAt",
        /// `tinyId`.
        TinyId => "tinyId",
        /// `alias`.
        Alias => "alias",
        /// `message`.
        Message => "message",
        /// `status`.
        Status => "status",
        /// `acknowledged`.
        Acknowledged => "acknowledged",
        /// `isSeen`.
        IsSeen => "isSeen",
        /// `snoozed`.
        Snoozed => "snoozed",
        /// `snoozedUntil`.
        SnoozedUntil => "snoozedUntil",
        /// `count`.
        Count => "count",
        /// `lastOccurredAt`.
        LastOccurredAt => "lastOccurredAt",
        /// `source`.
        Source => "source",
        /// `owner`.
        Owner => "owner",
        /// `integration.name`.
        IntegrationName => "integration.name",
        /// `integration.type`.
        IntegrationType => "integration.type",
        /// `report.ackTime`.
        AckTime => "report.ackTime",
        /// `report.closeTime`.
        CloseTime => "report.closeTime",
        /// `report.acknowledgedBy`.
        AcknowledgedBy => "report.acknowledgedBy",
        /// `report.closedBy`.
        ClosedBy => "report.closedBy",
        /// `insertedAt` (JSM only, its default).
        InsertedAt => "insertedAt",
        /// `priority` (JSM only).
        Priority => "priority",
    }
}

impl AlertSort {
    /// Whether `backend` sorts alert lists by this field.
    pub fn supported_on(&self, backend: &Backend) -> bool {
        use AlertSort as S;
        match backend {
            Backend::Jsm { .. } => matches!(
                self,
                S::CreatedAt | S::InsertedAt | S::LastOccurredAt | S::Priority
            ),
            _ => !matches!(self, S::InsertedAt | S::Priority | S::Unknown(_)),
        }
    }
}

/// Saved searches (`searchIdentifier`) are Opsgenie's: JSM's list has no such parameter, and
/// leaving it out would widen the search (a `close all` would reach every alert), so it is
/// refused before anything is sent.
fn check_saved_search(client: &Client, search: &Option<(String, &'static str)>) -> Result<()> {
    if search.is_some() && client.is_jsm() {
        return Err(Error::Unsupported {
            backend: "jsm",
            operation: "saved searches (pass the search as a query instead)",
        });
    }
    Ok(())
}

impl<'a> Alerts<'a> {
    /// Lists one page of alerts (`GET /v2/alerts`); `.stream()` on the builder yields every match.
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// let page = client.alerts().list().query("status:open").limit(50).await?;
    /// for alert in &page.alerts {
    ///     println!("#{:?} {}", alert.tiny_id, alert.message);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list(self) -> ListAlerts<'a> {
        ListAlerts {
            client: self.client,
            query: None,
            offset: 0,
            limit: None,
            sort: None,
            order: None,
            search: None,
        }
    }

    /// Counts the alerts matching a query (`GET /v2/alerts/count`; JSM has no count call, so
    /// there it is a one-alert list, `GET /v1/alerts?size=1`, whose `count` is the total).
    ///
    /// # Errors
    /// Awaiting the request fails with [`Error::InvalidInput`] when a
    /// value breaks a documented limit (nothing is sent), or with the API's, transport or decode error.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// let n: u64 = client.alerts().count().query("status:open").await?;
    /// # Ok(()) }
    /// ```
    pub fn count(self) -> CountAlerts<'a> {
        CountAlerts {
            client: self.client,
            query: None,
            search: None,
        }
    }
}

/// A page of alerts.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct AlertPage {
    /// The alerts of this page.
    pub alerts: Vec<Alert>,
    /// Paging links, when the server sent them (JSM's `links`, relative URLs, land here too).
    pub paging: Option<Paging>,
    /// The total number of matches, when the server says (JSM's `count`).
    pub total: Option<u64>,
}

/// Paging links of a list answer (full URLs).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Paging {
    /// The next page.
    #[serde(default)]
    pub next: Option<String>,
    /// The previous page.
    #[serde(default)]
    pub prev: Option<String>,
    /// The first page.
    #[serde(default)]
    pub first: Option<String>,
    /// The last page.
    #[serde(default)]
    pub last: Option<String>,
}

#[derive(Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub(crate) struct ListEnvelope<T> {
    /// `data` on Opsgenie, `values` on JSM.
    #[serde(
        default = "Vec::new",
        alias = "values",
        deserialize_with = "crate::common::null_as_empty"
    )]
    pub(crate) data: Vec<T>,
    /// `paging` on Opsgenie, `links` (relative URLs) on JSM.
    #[serde(default, alias = "links")]
    pub(crate) paging: Option<Paging>,
    /// JSM's total number of matches.
    #[serde(default)]
    pub(crate) count: Option<u64>,
}

/// Builder of `GET /v2/alerts`; see [`Alerts::list`].
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct ListAlerts<'a> {
    client: &'a Client,
    query: Option<String>,
    offset: u32,
    limit: Option<u32>,
    sort: Option<AlertSort>,
    order: Option<Order>,
    search: Option<(String, &'static str)>,
}

impl ListAlerts<'_> {
    /// The search query, for example `status:open AND priority:P1`.
    pub fn query(mut self, query: impl Into<String>) -> Self {
        self.query = Some(query.into());
        self
    }

    /// The first item (offset + limit must stay within 20,000; `.stream()` goes past it).
    pub fn offset(mut self, offset: u32) -> Self {
        self.offset = offset;
        self
    }

    /// Items per page, 1 to 100 (Opsgenie's default is 20).
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// The sort field (ignored by `.stream()`, which pages by `createdAt`).
    pub fn sort(mut self, sort: AlertSort) -> Self {
        self.sort = Some(sort);
        self
    }

    /// The sort order (Opsgenie's default is descending).
    pub fn order(mut self, order: Order) -> Self {
        self.order = Some(order);
        self
    }

    /// Uses a saved search by id.
    pub fn saved_search_id(mut self, id: impl Into<String>) -> Self {
        self.search = Some((id.into(), "id"));
        self
    }

    /// Uses a saved search by name.
    pub fn saved_search_name(mut self, name: impl Into<String>) -> Self {
        self.search = Some((name.into(), "name"));
        self
    }

    fn validate(&self) -> Result<()> {
        if let Some(limit) = self.limit
            && !(1..=100).contains(&limit)
        {
            return Err(Error::invalid("limit", "must be between 1 and 100"));
        }
        let limit = self.limit.unwrap_or(20);
        if self.offset.saturating_add(limit) > self.client.backend().list_ceiling() {
            return Err(Error::invalid(
                "offset",
                "offset + limit must stay within 20000; use .stream() to go further",
            ));
        }
        Ok(())
    }

    fn request(&self, query: Option<&str>, offset: u32, sort: Option<&AlertSort>) -> Result<Req> {
        check_saved_search(self.client, &self.search)?;
        if let Some(sort) = sort
            && !sort.supported_on(self.client.backend())
        {
            return Err(Error::Unsupported {
                backend: self.client.backend().name(),
                operation: "sorting alerts by this field",
            });
        }
        let mut req = self
            .client
            .request(Endpoint::AlertList, &[])?
            .query_opt("query", query.map(str::to_owned))
            .query("offset", offset.to_string())
            .query_opt("limit", self.limit.map(|l| l.to_string()))
            .query_opt("sort", sort.map(|s| s.as_str().to_owned()))
            .query_opt("order", self.order.as_ref().map(|o| o.as_str().to_owned()));
        if let Some((value, kind)) = &self.search {
            req = req
                .query("searchIdentifier", value.clone())
                .query("searchIdentifierType", *kind);
        }
        Ok(req)
    }

    /// Every alert that matches, across all pages, fetched lazily.
    ///
    /// Pages are sorted by `createdAt` (descending unless `.order(Order::Asc)`); when a page
    /// would pass Opsgenie's 20,000 offset+limit ceiling the stream continues with a
    /// `createdAt` window starting at the last alert seen, so it goes past the ceiling without
    /// gaps, and it skips alerts it already yielded, so there are no duplicates. To do so it
    /// remembers only the ids of the previous page (offset paging repeats alerts when new ones
    /// push the list down) and of the alerts at the newest `createdAt` millisecond (where the
    /// next window starts), so its memory stays flat however many alerts there are.
    ///
    /// ```no_run
    /// # async fn run(client: opsgenie_client::Client) -> opsgenie_client::Result<()> {
    /// use futures_util::TryStreamExt;
    ///
    /// let mut open = std::pin::pin!(client.alerts().list().query("status:open").limit(100).stream());
    /// while let Some(alert) = open.try_next().await? {
    ///     println!("{}", alert.message);
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Each item is an error when a page fails; [`Error::InvalidInput`] for a bad limit.
    pub fn stream(self) -> impl Stream<Item = Result<Alert>> + Send + 'static {
        let state = StreamState {
            invalid: self.validate().err(),
            list: self.clone().into_owned(),
            offset: self.offset,
            window: None,
            last_created_ms: None,
            previous_page: HashSet::new(),
            boundary: HashSet::new(),
            buffer: VecDeque::new(),
            done: false,
            stale_pages: 0,
        };
        stream::try_unfold(state, |mut st| async move {
            // A bad limit is reported once, as the first item; nothing is sent.
            if let Some(e) = st.invalid.take() {
                return Err(e);
            }
            loop {
                if let Some(alert) = st.buffer.pop_front() {
                    return Ok(Some((alert, st)));
                }
                if st.done {
                    return Ok(None);
                }
                let limit = st.list.limit.unwrap_or(20);
                if st.offset.saturating_add(limit) > st.list.client.backend().list_ceiling() {
                    let Some(ms) = st.last_created_ms else {
                        return Err(Error::invalid(
                            "createdAt",
                            "alerts without createdAt cannot be paged past 20000",
                        ));
                    };
                    if st.window == Some(ms) {
                        return Err(Error::invalid(
                            "createdAt",
                            "more than 20000 alerts share one createdAt millisecond",
                        ));
                    }
                    st.window = Some(ms);
                    st.offset = 0;
                }
                let query = window_query(st.list.query.as_deref(), st.window, &st.list.order);
                let req =
                    st.list
                        .request(query.as_deref(), st.offset, Some(&AlertSort::CreatedAt))?;
                let raw = st.list.client.execute(req).await?;
                let page: ListEnvelope<Alert> = raw.decode()?;
                let n = page.data.len();
                let mut this_page = HashSet::with_capacity(n);
                for alert in page.data.into_iter().map(Alert::normalized) {
                    // Every id is remembered for the next page, repeat or not (a short-circuit
                    // here forgot repeats, so the page after a repeated one yielded them again).
                    let first_on_page = this_page.insert(alert.id.clone());
                    let repeat = !first_on_page
                        || st.previous_page.contains(&alert.id)
                        || st.boundary.contains(&alert.id);
                    if let Some(created) = alert.created_at {
                        let ms = created.timestamp_millis();
                        if st.last_created_ms != Some(ms) {
                            st.boundary.clear();
                            st.last_created_ms = Some(ms);
                        }
                        st.boundary.insert(alert.id.clone());
                    }
                    if !repeat {
                        st.buffer.push_back(alert);
                    }
                }
                st.previous_page = this_page;
                st.offset = st.offset.saturating_add(limit);
                if n < limit as usize {
                    st.done = true;
                } else if st.buffer.is_empty() {
                    // A full page of alerts already yielded. Once can be real (alerts shifted
                    // by new ones); again and again is a server ignoring `offset`, which would
                    // otherwise be asked until the 20,000 ceiling and beyond.
                    st.stale_pages += 1;
                    if st.stale_pages >= MAX_STALE_PAGES {
                        tracing::warn!(
                            offset = st.offset,
                            "the server keeps answering alerts already seen: ending the stream"
                        );
                        st.done = true;
                    }
                } else {
                    st.stale_pages = 0;
                }
            }
        })
    }
}

struct StreamState {
    invalid: Option<Error>,
    list: OwnedList,
    offset: u32,
    window: Option<i64>,
    last_created_ms: Option<i64>,
    /// The ids of the previous page.
    previous_page: HashSet<AlertId>,
    /// The ids of the alerts at `last_created_ms`, where the next `createdAt` window starts.
    boundary: HashSet<AlertId>,
    buffer: VecDeque<Alert>,
    done: bool,
    /// Full pages in a row that brought no alert not yielded before.
    stale_pages: u32,
}

/// How many full pages in a row may bring nothing new before a stream ends.
const MAX_STALE_PAGES: u32 = 2;

/// A `ListAlerts` that owns a client clone, for `'static` streams.
struct OwnedList {
    client: Client,
    query: Option<String>,
    limit: Option<u32>,
    order: Option<Order>,
    search: Option<(String, &'static str)>,
}

impl ListAlerts<'_> {
    fn into_owned(self) -> OwnedList {
        OwnedList {
            client: self.client.clone(),
            query: self.query,
            limit: self.limit,
            order: self.order,
            search: self.search,
        }
    }
}

impl OwnedList {
    fn request(&self, query: Option<&str>, offset: u32, sort: Option<&AlertSort>) -> Result<Req> {
        let borrowed = ListAlerts {
            client: &self.client,
            query: None,
            offset,
            limit: self.limit,
            sort: None,
            order: self.order.clone(),
            search: self.search.clone(),
        };
        borrowed.request(query, offset, sort)
    }
}

/// The user's query, restricted to alerts created at or before (descending) or at or after
/// (ascending) the window start.
fn window_query(query: Option<&str>, window: Option<i64>, order: &Option<Order>) -> Option<String> {
    let Some(ms) = window else {
        return query.map(str::to_owned);
    };
    let op = if *order == Some(Order::Asc) {
        ">="
    } else {
        "<="
    };
    let bound = format!("createdAt {op} {ms}");
    Some(match query.map(str::trim).filter(|q| !q.is_empty()) {
        Some(q) => format!("({q}) AND {bound}"),
        None => bound,
    })
}

into_future!(ListAlerts, AlertPage, |this| {
    this.validate()?;
    let req = this.request(this.query.as_deref(), this.offset, this.sort.as_ref())?;
    let raw = this.client.execute(req).await?;
    let page: ListEnvelope<Alert> = raw.decode()?;
    Ok(AlertPage {
        alerts: page.data.into_iter().map(Alert::normalized).collect(),
        paging: page.paging,
        total: page.count,
    })
});

/// Builder of `GET /v2/alerts/count` (JSM: `GET /v1/alerts?size=1`, reading `count`); see [`Alerts::count`].
#[derive(Debug)]
#[must_use = "a request does nothing until awaited"]
pub struct CountAlerts<'a> {
    client: &'a Client,
    query: Option<String>,
    search: Option<(String, &'static str)>,
}

impl CountAlerts<'_> {
    /// The search query.
    pub fn query(mut self, query: impl Into<String>) -> Self {
        self.query = Some(query.into());
        self
    }

    /// Uses a saved search by id.
    pub fn saved_search_id(mut self, id: impl Into<String>) -> Self {
        self.search = Some((id.into(), "id"));
        self
    }

    /// Uses a saved search by name.
    pub fn saved_search_name(mut self, name: impl Into<String>) -> Self {
        self.search = Some((name.into(), "name"));
        self
    }
}

into_future!(CountAlerts, u64, |this| {
    check_saved_search(this.client, &this.search)?;
    let mut req = this
        .client
        .request(Endpoint::AlertCount, &[])?
        .query_opt("query", this.query.clone());
    if this.client.is_jsm() {
        // JSM has no count call: a one-alert page carries the total in `count`.
        let raw = this.client.execute(req.query("limit", "1")).await?;
        let page: ListEnvelope<serde::de::IgnoredAny> = raw.decode()?;
        return page.count.ok_or_else(|| Error::Decode {
            status: raw.status,
            path: "count".to_owned(),
            excerpt: String::from_utf8_lossy(&raw.body)
                .chars()
                .take(200)
                .collect(),
            source: serde::de::Error::missing_field("count"),
        });
    }
    if let Some((value, kind)) = &this.search {
        req = req
            .query("searchIdentifier", value.clone())
            .query("searchIdentifierType", *kind);
    }
    #[derive(Deserialize)]
    struct CountData {
        count: u64,
    }
    let data: CountData = this.client.get_data(req).await?;
    Ok(data.count)
});
