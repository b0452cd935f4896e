//! The lossless live stream of a room: reconnects, and fills every gap from `recent.json`.

use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::Stream;
use reqwest::Method;

use super::Client;
use super::decoder::{StreamDecoder, StreamEvent};
use super::messages::{Message, RECENT_MAX};
use crate::error::{Error, Result};
use crate::ids::{MessageId, RoomId};

/// The default time without a byte (keep-alives count) after which the connection is presumed dead.
pub const DEFAULT_SILENCE_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_BACKOFF_INITIAL: Duration = Duration::from_secs(1);
const DEFAULT_BACKOFF_MAX: Duration = Duration::from_secs(30);

type BoxedStream = Pin<Box<dyn Stream<Item = Result<Message>> + Send>>;

/// The messages of a room as they are posted, from `https://streaming.campfirenow.com/room/{id}/live.json`.
/// Returned by [`Client::stream`]; configure it before the first poll.
///
/// - Splits the body on `\r` ([`StreamDecoder`]), skips keep-alives.
/// - A connection that sends nothing (not even a keep-alive) for the silence timeout (default 10 s) is dropped.
/// - Reconnects after any disconnect with capped, jittered exponential backoff (default 1 s doubling to 30 s).
/// - After every reconnect it asks `recent.json?since_message_id=<last seen>` first and yields what it missed,
///   then the stream's own messages newer than that: **every message once, in order**.
/// - `Access Denied`, 401 and 403 end the stream with [`Error::Authentication`]; a 404 (unknown room) ends it
///   with [`Error::Api`]. A frame that is not a message is yielded as an error item and the stream goes on.
/// - Any other failure, of the connection or of the catch-up (a 5xx, a timeout, a proxy's HTML page), is
///   retried; [`RoomStream::max_consecutive_failures`] bounds how often in a row.
///
/// The user must have [joined](Client::join) the room.
#[must_use = "streams do nothing unless polled"]
pub struct RoomStream {
    config: Option<LiveConfig>,
    inner: Option<BoxedStream>,
}

impl std::fmt::Debug for RoomStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RoomStream")
            .field("config", &self.config)
            .field("started", &self.inner.is_some())
            .finish()
    }
}

#[derive(Debug, Clone)]
struct LiveConfig {
    client: Client,
    room: RoomId,
    silence: Duration,
    backoff_initial: Duration,
    backoff_max: Duration,
    since: Option<MessageId>,
    max_failures: Option<u32>,
}

impl Client {
    /// Follows a room live; see [`RoomStream`].
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use futures_util::TryStreamExt;
    /// # async fn run(campfire: campfire_client::classic::Client) -> campfire_client::Result<()> {
    /// campfire.join(1001).await?;
    /// let mut live = campfire.stream(1001).silence_timeout(Duration::from_secs(15));
    /// while let Some(message) = live.try_next().await? {
    ///     println!("{:?}", message.body);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn stream(&self, room: impl Into<RoomId>) -> RoomStream {
        RoomStream {
            config: Some(LiveConfig {
                client: self.clone(),
                room: room.into(),
                silence: DEFAULT_SILENCE_TIMEOUT,
                backoff_initial: DEFAULT_BACKOFF_INITIAL,
                backoff_max: DEFAULT_BACKOFF_MAX,
                since: None,
                max_failures: None,
            }),
            inner: None,
        }
    }
}

impl RoomStream {
    fn with_config(mut self, f: impl FnOnce(&mut LiveConfig)) -> Self {
        if let Some(config) = self.config.as_mut() {
            f(config);
        }
        self
    }

    /// How long a connection may stay silent (no message, no keep-alive) before it is replaced
    /// (default 10 s).
    pub fn silence_timeout(self, timeout: Duration) -> Self {
        self.with_config(|c| c.silence = timeout)
    }

    /// The reconnect backoff: full jitter up to `initial * 2^(n-1)`, never above `max`
    /// (default 1 s and 30 s).
    pub fn reconnect_backoff(self, initial: Duration, max: Duration) -> Self {
        self.with_config(|c| {
            c.backoff_initial = initial;
            c.backoff_max = max;
        })
    }

    /// Also yields the messages after this id that were posted before the stream started (for a bot that
    /// restarts and remembers the last message it handled).
    pub fn since(self, id: impl Into<MessageId>) -> Self {
        let id = id.into();
        self.with_config(|c| c.since = Some(id))
    }

    /// Ends the stream with the last error after this many failed connections in a row (default: never).
    pub fn max_consecutive_failures(self, failures: u32) -> Self {
        self.with_config(|c| c.max_failures = Some(failures))
    }
}

impl Stream for RoomStream {
    type Item = Result<Message>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.inner.is_none() {
            let Some(config) = self.config.take() else {
                return Poll::Ready(None);
            };
            let live = Live::new(config);
            let stream = futures_util::stream::unfold(live, |mut live| async move {
                let item = live.next().await?;
                Some((item, live))
            });
            self.inner = Some(Box::pin(stream));
        }
        match self.inner.as_mut() {
            Some(inner) => inner.as_mut().poll_next(cx),
            None => Poll::Ready(None),
        }
    }
}

struct Connection {
    response: reqwest::Response,
    decoder: StreamDecoder,
}

enum Failure {
    /// Ends the stream.
    Fatal(Error),
    /// Reconnect after a pause.
    Retry(Error),
}

struct Live {
    config: LiveConfig,
    last_id: Option<MessageId>,
    pending: VecDeque<Result<Message>>,
    connection: Option<Connection>,
    /// After a reconnect: the next `recent.json` page to fetch (messages after this id) before the
    /// connection is read. One page at a time, so a long gap is delivered as it is fetched, never held whole.
    catch_up_from: Option<MessageId>,
    failures: u32,
    done: bool,
}

impl Live {
    fn new(config: LiveConfig) -> Self {
        Live {
            last_id: config.since,
            config,
            pending: VecDeque::new(),
            connection: None,
            catch_up_from: None,
            failures: 0,
            done: false,
        }
    }

    async fn next(&mut self) -> Option<Result<Message>> {
        loop {
            while let Some(item) = self.pending.pop_front() {
                match item {
                    Ok(message) if self.last_id.is_some_and(|last| message.id <= last) => {
                        tracing::trace!(id = %message.id, "already delivered; skipped");
                    }
                    Ok(message) => {
                        self.last_id = Some(message.id);
                        return Some(Ok(message));
                    }
                    Err(err) => return Some(Err(err)),
                }
            }
            if self.done {
                return None;
            }
            let result = match (self.catch_up_from.take(), self.connection.take()) {
                (Some(since), connection) => {
                    self.connection = connection;
                    self.catch_up_page(since).await
                }
                (None, None) => self.connect().await,
                (None, Some(connection)) => self.read(connection).await,
            };
            match result {
                Ok(()) => {}
                Err(Failure::Fatal(err)) => {
                    // Messages decoded before the failure are still delivered, then the error, then the end.
                    self.done = true;
                    self.connection = None;
                    self.pending.push_back(Err(err));
                }
                Err(Failure::Retry(err)) => {
                    self.connection = None;
                    self.failures += 1;
                    tracing::debug!(failures = self.failures, error = %err, "live stream interrupted");
                    if self
                        .config
                        .max_failures
                        .is_some_and(|max| self.failures > max)
                    {
                        tracing::warn!(failures = self.failures, "live stream gave up");
                        self.done = true;
                        self.pending.push_back(Err(err));
                    }
                }
            }
        }
    }

    async fn connect(&mut self) -> Result<(), Failure> {
        if self.failures > 0 {
            let delay = jittered_backoff(
                self.config.backoff_initial,
                self.config.backoff_max,
                self.failures,
            );
            tracing::debug!(?delay, "reconnecting the live stream");
            tokio::time::sleep(delay).await;
        }
        let client = &self.config.client;
        let url = client
            .streaming_live_url(self.config.room)
            .map_err(Failure::Fatal)?;
        let core = client.core();
        let request = core.raw_request(Method::GET, url);
        let response = match tokio::time::timeout(core.timeout(), request.send()).await {
            Err(_) => {
                return Err(Failure::Retry(Error::Timeout {
                    after: core.timeout(),
                }));
            }
            Ok(Err(err)) => return Err(Failure::Retry(core.transport_error(err))),
            Ok(Ok(response)) => response,
        };
        let status = response.status().as_u16();
        match status {
            200..=299 => {}
            401 | 403 => {
                return Err(Failure::Fatal(Error::Authentication {
                    reason: format!("the streaming server answered {status}"),
                }));
            }
            404 => {
                return Err(Failure::Fatal(Error::Api(Box::new(
                    crate::error::ApiError::from_response(404, b""),
                ))));
            }
            _ => {
                return Err(Failure::Retry(Error::Api(Box::new(
                    crate::error::ApiError::from_response(status, b""),
                ))));
            }
        }
        tracing::debug!(room = %self.config.room, "live stream connected");
        // Connected first, then caught up: a message posted in between is in both and is delivered once.
        self.catch_up_from = self.last_id;
        self.connection = Some(Connection {
            response,
            decoder: StreamDecoder::new(),
        });
        Ok(())
    }

    /// One page of the catch-up: queues the messages after `since` and notes where the next page starts.
    async fn catch_up_page(&mut self, since: MessageId) -> Result<(), Failure> {
        let batch = self
            .config
            .client
            .fetch_recent(self.config.room, Some(RECENT_MAX), Some(since))
            .await
            .map_err(classify)?;
        let count = batch.len();
        let mut batch: Vec<Message> = batch.into_iter().filter(|m| m.id > since).collect();
        batch.sort_by_key(|m| m.id);
        let Some(newest) = batch.last().map(|m| m.id) else {
            return Ok(());
        };
        tracing::debug!(missed = batch.len(), "caught up from recent.json");
        self.pending.extend(batch.into_iter().map(Ok));
        if count >= RECENT_MAX as usize {
            self.catch_up_from = Some(newest);
        }
        Ok(())
    }

    async fn read(&mut self, mut connection: Connection) -> Result<(), Failure> {
        let chunk = match tokio::time::timeout(self.config.silence, connection.response.chunk())
            .await
        {
            Err(_) => {
                tracing::warn!(silence = ?self.config.silence, "live stream went silent; reconnecting");
                return Err(Failure::Retry(Error::Timeout {
                    after: self.config.silence,
                }));
            }
            Ok(Err(err)) => {
                return Err(Failure::Retry(
                    self.config.client.core().transport_error(err),
                ));
            }
            Ok(Ok(chunk)) => chunk,
        };
        let Some(chunk) = chunk else {
            return match connection.decoder.finish() {
                Some(StreamEvent::AccessDenied) => Err(access_denied()),
                _ => Err(Failure::Retry(Error::UnexpectedResponse {
                    status: 200,
                    reason: "the live stream ended".into(),
                })),
            };
        };
        connection.decoder.push(&chunk);
        while let Some(event) = connection.decoder.next_event() {
            // Only a message or a keep-alive shows the connection works: a server that answers every
            // connection with something else (an HTML page) must still count as failing, or
            // `max_consecutive_failures` would never end the stream.
            match event {
                StreamEvent::Message(message) => {
                    self.failures = 0;
                    self.pending.push_back(Ok(*message));
                }
                StreamEvent::KeepAlive => self.failures = 0,
                StreamEvent::AccessDenied => return Err(access_denied()),
                StreamEvent::Invalid(err) => {
                    self.pending
                        .push_back(Err(self.config.client.core().redact(err)))
                }
                StreamEvent::Truncated(_) => {}
            }
        }
        self.connection = Some(connection);
        Ok(())
    }
}

fn access_denied() -> Failure {
    Failure::Fatal(Error::Authentication {
        reason: "the streaming server said Access Denied".into(),
    })
}

/// A failed catch-up: refused credentials, an unknown room or a request this client cannot make end the
/// stream; anything else (a 5xx, a timeout, a proxy's HTML page with status 200) is retried with the
/// reconnect backoff, and `max_consecutive_failures` bounds it.
fn classify(err: Error) -> Failure {
    let fatal =
        err.is_unauthorized() || err.is_not_found() || matches!(err, Error::InvalidInput { .. });
    if fatal {
        Failure::Fatal(err)
    } else {
        Failure::Retry(err)
    }
}

/// `random(0..=min(max, initial * 2^(retry-1)))`.
fn jittered_backoff(initial: Duration, max: Duration, retry: u32) -> Duration {
    let exp = retry.saturating_sub(1).min(30);
    let ceiling = initial.saturating_mul(1u32 << exp).min(max);
    let ceiling_ms = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
    Duration::from_millis(fastrand::u64(0..=ceiling_ms))
}
