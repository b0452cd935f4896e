//! Paged lists: one call fetches one page, `.stream()` walks every page lazily.

use std::collections::VecDeque;
use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::pin::Pin;

use futures_util::Stream;
use serde::de::DeserializeOwned;

use crate::client::{Client, Request, Route};
use crate::error::{Error, Result};

/// How an endpoint pages: the names of its parameters and where counting starts.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Paging {
    /// The page number parameter (`page`).
    pub(crate) page_param: &'static str,
    /// The page size parameter (`per_page` or `limit`).
    pub(crate) size_param: &'static str,
    /// The number of the first page (1 for most lists, 0 for subscribers).
    pub(crate) first_page: u32,
    /// The largest page size the API accepts.
    pub(crate) max_size: u32,
}

impl Paging {
    pub(crate) const PER_PAGE: Paging = Paging {
        page_param: "page",
        size_param: "per_page",
        first_page: 1,
        max_size: 100,
    };
    pub(crate) const LIMIT: Paging = Paging {
        page_param: "page",
        size_param: "limit",
        first_page: 1,
        max_size: 100,
    };
    pub(crate) const LIMIT_FROM_ZERO: Paging = Paging {
        page_param: "page",
        size_param: "limit",
        first_page: 0,
        max_size: 100,
    };
}

/// A request for one page of a list; await it for that page (a `Vec<T>`), or call
/// [`stream`](List::stream) for every item of every page.
///
/// Statuspage lists are bare arrays with no total, so the stream stops at the first empty or
/// short page.
#[must_use = "a list request does nothing until awaited or streamed"]
pub struct List<'a, T> {
    pub(crate) client: &'a Client,
    pub(crate) route: Route,
    pub(crate) paging: Paging,
    pub(crate) page: Option<u32>,
    pub(crate) size: Option<u32>,
    pub(crate) filters: Vec<(&'static str, String)>,
    pub(crate) error: Option<Error>,
    pub(crate) item: PhantomData<fn() -> T>,
}

impl<T> std::fmt::Debug for List<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("List")
            .field("route", &self.route)
            .field("page", &self.page)
            .field("size", &self.size)
            .field("filters", &self.filters)
            .finish_non_exhaustive()
    }
}

/// How many times in a row the same full page may come back before a stream ends.
const MAX_REPEATED_PAGES: u32 = 2;

impl<'a, T: DeserializeOwned + Send + 'static> List<'a, T> {
    pub(crate) fn new(client: &'a Client, route: Route, paging: Paging) -> Self {
        List {
            client,
            route,
            paging,
            page: None,
            size: None,
            filters: Vec::new(),
            error: None,
            item: PhantomData,
        }
    }

    /// The page to fetch (the API's numbering: 1-based, or 0-based for subscribers).
    pub fn page(mut self, page: u32) -> Self {
        self.page = Some(page);
        self
    }

    /// The number of items per page (1 to 100).
    pub fn per_page(mut self, size: u32) -> Self {
        if size == 0 || size > self.paging.max_size {
            self.error = Some(Error::invalid(
                self.paging.size_param,
                format!("must be between 1 and {}", self.paging.max_size),
            ));
        }
        self.size = Some(size);
        self
    }

    pub(crate) fn filter(mut self, name: &'static str, value: impl ToString) -> Self {
        self.filters.retain(|(n, _)| *n != name);
        self.filters.push((name, value.to_string()));
        self
    }

    pub(crate) fn reject(mut self, error: Error) -> Self {
        self.error.get_or_insert(error);
        self
    }

    fn request(
        route: &Route,
        paging: Paging,
        filters: &[(&'static str, String)],
        page: u32,
        size: Option<u32>,
    ) -> Request {
        let mut request = Request::get(route.clone()).query(paging.page_param, page);
        request = request.query_opt(paging.size_param, size);
        for (name, value) in filters {
            request = request.query(name, value);
        }
        request
    }

    /// Every item of every page, starting at the page set with [`page`](List::page), fetched
    /// lazily one page at a time.
    ///
    /// ```no_run
    /// # async fn run() -> statuspage_client::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let client = statuspage_client::Client::new("my-api-key")?;
    /// let all: Vec<_> = client.components("kctbh9vrtdwd").list().stream().try_collect().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// The stream yields the first error (of validation or of any page) and then ends.
    pub fn stream(self) -> impl Stream<Item = Result<T>> + Send + 'static
    where
        T: PartialEq + Clone,
    {
        struct State<T> {
            client: Client,
            route: Route,
            paging: Paging,
            filters: Vec<(&'static str, String)>,
            size: Option<u32>,
            next_page: u32,
            buffer: VecDeque<T>,
            done: bool,
            error: Option<Error>,
            /// The last full page and how many times in a row it came back.
            last_page: Vec<T>,
            repeats: u32,
        }
        let state = State {
            client: self.client.clone(),
            route: self.route,
            paging: self.paging,
            filters: self.filters,
            size: self.size,
            next_page: self.page.unwrap_or(self.paging.first_page),
            buffer: VecDeque::new(),
            done: false,
            error: self.error,
            last_page: Vec::new(),
            repeats: 0,
        };
        futures_util::stream::try_unfold(state, |mut state| async move {
            if let Some(error) = state.error.take() {
                return Err(error);
            }
            loop {
                if let Some(item) = state.buffer.pop_front() {
                    return Ok(Some((item, state)));
                }
                if state.done {
                    return Ok(None);
                }
                let request = Self::request(
                    &state.route,
                    state.paging,
                    &state.filters,
                    state.next_page,
                    state.size,
                );
                let items: Vec<T> = state.client.core.execute(request).await?;
                let expected = state.size.unwrap_or(state.paging.max_size) as usize;
                state.done = items.is_empty() || items.len() < expected;
                state.next_page = state.next_page.saturating_add(1);
                if state.done {
                    state.buffer.extend(items);
                    continue;
                }
                // A server that ignores `page` answers every page with the same full page:
                // without this the stream would ask forever. One repeat can be real (exactly a
                // page of new items arrived in front); three in a row is a server not paging.
                if items == state.last_page {
                    state.repeats += 1;
                    if state.repeats >= MAX_REPEATED_PAGES {
                        tracing::warn!(
                            page = state.next_page,
                            "the server keeps answering the same page: ending the stream"
                        );
                        state.done = true;
                    }
                    continue;
                }
                state.repeats = 0;
                state.buffer.extend(items.iter().cloned());
                state.last_page = items;
            }
        })
    }

    /// Every item of every page, collected (a shortcut for `stream()` + collect).
    ///
    /// ```no_run
    /// # async fn run() -> statuspage_client::Result<()> {
    /// let client = statuspage_client::Client::new("my-api-key")?;
    /// let every_component = client.components("kctbh9vrtdwd").list().all().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// The first error of any page.
    pub async fn all(self) -> Result<Vec<T>>
    where
        T: PartialEq + Clone,
    {
        use futures_util::TryStreamExt;
        self.stream().try_collect().await
    }

    async fn send(self) -> Result<Vec<T>> {
        if let Some(error) = self.error {
            return Err(error);
        }
        let page = self.page.unwrap_or(self.paging.first_page);
        let request = Self::request(&self.route, self.paging, &self.filters, page, self.size);
        self.client.core.execute(request).await
    }
}

impl<'a, T: DeserializeOwned + Send + 'static> IntoFuture for List<'a, T> {
    type Output = Result<Vec<T>>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// Implements `IntoFuture` for a request builder with an `async fn send(self) -> Result<T>`.
macro_rules! into_future {
    ($builder:ident => $output:ty) => {
        impl<'a> std::future::IntoFuture for $builder<'a> {
            type Output = $crate::Result<$output>;
            type IntoFuture =
                std::pin::Pin<Box<dyn std::future::Future<Output = Self::Output> + Send + 'a>>;

            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }
    };
}
pub(crate) use into_future;
