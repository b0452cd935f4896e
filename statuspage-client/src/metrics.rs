//! System metrics shown on a page: `/pages/{page_id}/metrics`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde::{Deserialize, Serialize};

use crate::client::{Client, Request, Route};
use crate::error::{Error, Result};
use crate::ids::{MetricId, MetricsProviderId, PageId};
use crate::list::{List, Paging};

/// A metric shown on a page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Metric {
    /// The metric's id.
    pub id: MetricId,
    /// The provider that feeds it.
    #[serde(default)]
    pub metrics_provider_id: Option<MetricsProviderId>,
    /// The provider's name for it.
    #[serde(default)]
    pub metric_identifier: Option<String>,
    /// The display name.
    #[serde(default)]
    pub name: Option<String>,
    /// Whether it is shown.
    #[serde(default)]
    pub display: Option<bool>,
    /// The tooltip.
    #[serde(default)]
    pub tooltip_description: Option<String>,
    /// Whether it was backfilled.
    #[serde(default)]
    pub backfilled: Option<bool>,
    /// The y axis minimum.
    #[serde(default)]
    pub y_axis_min: Option<f64>,
    /// The y axis maximum.
    #[serde(default)]
    pub y_axis_max: Option<f64>,
    /// Whether the y axis is hidden.
    #[serde(default)]
    pub y_axis_hidden: Option<bool>,
    /// The unit suffix (`ms`).
    #[serde(default)]
    pub suffix: Option<String>,
    /// Decimal places shown.
    #[serde(default)]
    pub decimal_places: Option<u32>,
    /// When the newest point was recorded.
    #[serde(default)]
    pub most_recent_data_at: Option<DateTime<Utc>>,
    /// When it was created.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// When it last changed.
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    /// When the provider last fetched it.
    #[serde(default)]
    pub last_fetched_at: Option<DateTime<Utc>>,
    /// How far the backfill has got, in percent.
    #[serde(default)]
    pub backfill_percentage: Option<f64>,
    /// The reference name.
    #[serde(default)]
    pub reference_name: Option<String>,
}

/// One data point of a metric (the API snaps timestamps to 30 s).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MetricPoint {
    /// When (sent as Unix seconds).
    #[serde(with = "chrono::serde::ts_seconds")]
    pub timestamp: DateTime<Utc>,
    /// The value.
    pub value: f64,
}

impl MetricPoint {
    /// A data point.
    pub fn new(timestamp: DateTime<Utc>, value: f64) -> Self {
        MetricPoint { timestamp, value }
    }

    fn check(&self) -> Result<()> {
        if self.value.is_finite() {
            Ok(())
        } else {
            Err(Error::invalid("value", "must be a finite number"))
        }
    }
}

#[derive(Serialize)]
struct PointBody<'a> {
    data: &'a MetricPoint,
}

#[derive(Serialize)]
struct BulkBody<'a> {
    data: &'a BTreeMap<MetricId, Vec<MetricPoint>>,
}

/// The metrics of one page. Made by [`Client::metrics`].
#[derive(Debug, Clone)]
pub struct Metrics<'a> {
    client: &'a Client,
    page: PageId,
}

impl Client {
    /// The metrics of a page.
    ///
    /// ```no_run
    /// # async fn run() -> statuspage_client::Result<()> {
    /// use statuspage_client::MetricPoint;
    /// let client = statuspage_client::Client::new("my-api-key")?;
    /// client
    ///     .metrics("kctbh9vrtdwd")
    ///     .submit("z5xr4yk3b9rj", MetricPoint::new(chrono::Utc::now(), 182.0))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn metrics<'a>(&'a self, page: impl Into<PageId>) -> Metrics<'a> {
        Metrics {
            client: self,
            page: page.into(),
        }
    }
}

impl<'a> Metrics<'a> {
    fn item(&self, id: &str, template: &'static str) -> Route {
        Route::new(template, [self.page.as_str(), id])
    }

    /// One page of metrics (`page`, `per_page`); `.stream()` walks all pages.
    ///
    /// # Errors
    /// [`Error::Api`], [`Error::RateLimited`], [`Error::Decode`], [`Error::Transport`] or
    /// [`Error::Timeout`].
    pub fn list(&self) -> List<'a, Metric> {
        List::new(
            self.client,
            Route::new("/pages/{page_id}/metrics", [self.page.as_str()]),
            Paging::PER_PAGE,
        )
    }

    /// One metric.
    ///
    /// # Errors
    /// As for [`list`](Metrics::list); 404 for an unknown metric.
    pub async fn get(&self, id: impl Into<MetricId>) -> Result<Metric> {
        let request =
            Request::get(self.item(id.into().as_str(), "/pages/{page_id}/metrics/{metric_id}"));
        self.client.core.execute(request).await
    }

    /// Adds one data point to a metric.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a value that is not finite (nothing is sent); otherwise as
    /// for [`get`](Metrics::get).
    pub async fn submit(&self, id: impl Into<MetricId>, point: MetricPoint) -> Result<()> {
        point.check()?;
        let route = self.item(
            id.into().as_str(),
            "/pages/{page_id}/metrics/{metric_id}/data",
        );
        let request = Request::new(Method::POST, route).json(&PointBody { data: &point })?;
        self.client.core.execute_empty(request).await
    }

    /// Adds data points to several metrics in one request.
    ///
    /// ```no_run
    /// # async fn run() -> statuspage_client::Result<()> {
    /// # let client = statuspage_client::Client::new("my-api-key")?;
    /// use statuspage_client::{MetricId, MetricPoint};
    /// let now = chrono::Utc::now();
    /// client
    ///     .metrics("kctbh9vrtdwd")
    ///     .submit_bulk([(MetricId::from("z5xr4yk3b9rj"), vec![MetricPoint::new(now, 12.5)])])
    ///     .await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for no points or a value that is not finite; otherwise as for
    /// [`list`](Metrics::list).
    pub async fn submit_bulk<I>(&self, points: I) -> Result<()>
    where
        I: IntoIterator<Item = (MetricId, Vec<MetricPoint>)>,
    {
        let mut data: BTreeMap<MetricId, Vec<MetricPoint>> = BTreeMap::new();
        for (id, list) in points {
            data.entry(id).or_default().extend(list);
        }
        if data.values().all(Vec::is_empty) {
            return Err(Error::invalid("data", "no data points to submit"));
        }
        data.values().flatten().try_for_each(MetricPoint::check)?;
        let route = Route::new("/pages/{page_id}/metrics/data", [self.page.as_str()]);
        let request = Request::new(Method::POST, route).json(&BulkBody { data: &data })?;
        self.client.core.execute_empty(request).await
    }

    /// Deletes every data point of a metric.
    ///
    /// # Errors
    /// As for [`get`](Metrics::get).
    pub async fn reset(&self, id: impl Into<MetricId>) -> Result<()> {
        let route = self.item(
            id.into().as_str(),
            "/pages/{page_id}/metrics/{metric_id}/data",
        );
        self.client
            .core
            .execute_empty(Request::new(Method::DELETE, route))
            .await
    }
}
