//! The pure, incremental decoder of the classic live stream: bytes in, events out.

use super::messages::Message;
use crate::error::{Error, decode_json};

/// The default largest frame: a message longer than this without a `\r` is dropped as invalid.
const DEFAULT_MAX_FRAME_BYTES: usize = 1024 * 1024;

/// One thing the live stream said.
#[derive(Debug)]
#[non_exhaustive]
pub enum StreamEvent {
    /// A message.
    Message(Box<Message>),
    /// A keep-alive (a lone space, about every 3 seconds).
    KeepAlive,
    /// The server refused the credentials (`Access Denied` in plain text).
    AccessDenied,
    /// A complete frame that is not a message (the error says why: [`Error::Decode`] or
    /// [`Error::BodyTooLarge`]).
    Invalid(Error),
    /// The connection ended in the middle of a frame; this many bytes were dropped.
    Truncated(usize),
}

/// Splits the chunked body of `live.json` into messages.
///
/// Each message ends with `\r`; chunks may split a message anywhere (even inside a UTF-8 character) or
/// carry several. Whitespace between messages, lone `" "` keep-alives and `\n` are tolerated. The decoder
/// does no I/O, so it can be fed from anywhere, tested and benchmarked on its own.
///
/// ```
/// use campfire_client::classic::{StreamDecoder, StreamEvent};
///
/// let mut decoder = StreamDecoder::new();
/// decoder.push(br#" {"id":1,"type":"TextMessage","body":"he"#);
/// assert!(decoder.next_event().is_none()); // the message is not complete yet
/// decoder.push(b"llo\",\"starred\":\"false\"}\r ");
/// match decoder.next_event() {
///     Some(StreamEvent::Message(m)) => assert_eq!(m.body.as_deref(), Some("hello")),
///     other => panic!("unexpected {other:?}"),
/// }
/// assert!(matches!(decoder.next_event(), Some(StreamEvent::KeepAlive)));
/// assert!(decoder.next_event().is_none());
/// ```
#[derive(Debug, Clone)]
pub struct StreamDecoder {
    buf: Vec<u8>,
    /// Where the current frame starts.
    start: usize,
    /// Everything before this was searched for `\r` already.
    scanned: usize,
    max_frame_bytes: usize,
    /// Dropping the rest of an oversized frame (already reported) up to its `\r`.
    discarding: bool,
}

impl Default for StreamDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl StreamDecoder {
    /// A decoder with the default frame limit (1 MiB).
    pub fn new() -> Self {
        StreamDecoder {
            buf: Vec::new(),
            start: 0,
            scanned: 0,
            max_frame_bytes: DEFAULT_MAX_FRAME_BYTES,
            discarding: false,
        }
    }

    /// Sets the largest frame kept while waiting for its `\r`.
    #[must_use]
    pub fn with_max_frame_bytes(mut self, limit: usize) -> Self {
        self.max_frame_bytes = limit.max(1);
        self
    }

    /// Feeds bytes as they arrive.
    pub fn push(&mut self, chunk: &[u8]) {
        self.buf.extend_from_slice(chunk);
    }

    /// Bytes received that are not yet part of a complete frame.
    pub fn pending_bytes(&self) -> usize {
        self.buf.len().saturating_sub(self.start)
    }

    /// The next complete event, or `None` until more bytes arrive.
    pub fn next_event(&mut self) -> Option<StreamEvent> {
        loop {
            let unsearched = self.buf.get(self.scanned..).unwrap_or_default();
            if let Some(offset) = unsearched.iter().position(|b| *b == b'\r') {
                let end = self.scanned + offset;
                let frame = self.buf.get(self.start..end).unwrap_or_default();
                let event = if std::mem::take(&mut self.discarding) {
                    // The end of a frame that was already reported (too large, or Access Denied).
                    None
                } else if frame.trim_ascii().starts_with(ACCESS_DENIED) {
                    Some(StreamEvent::AccessDenied)
                } else if frame_len(frame) > self.max_frame_bytes {
                    // The same answer whether the frame arrived in one chunk or in many.
                    Some(StreamEvent::Invalid(Error::BodyTooLarge {
                        limit: self.max_frame_bytes,
                    }))
                } else {
                    classify(frame)
                };
                self.start = end + 1;
                self.scanned = self.start;
                if let Some(event) = event {
                    return Some(event);
                }
                continue;
            }
            self.scanned = self.buf.len();
            if self.discarding {
                self.buf.clear();
                self.start = 0;
                self.scanned = 0;
                return None;
            }
            let pending = self.buf.get(self.start..).unwrap_or_default();
            let trimmed = pending.trim_ascii();
            let event = if !pending.is_empty() && trimmed.is_empty() {
                Some(StreamEvent::KeepAlive)
            } else if trimmed.starts_with(ACCESS_DENIED) {
                // Reported now (the server may never send a `\r` after it); the rest of the frame is dropped,
                // as it is when the whole frame is there at once.
                self.discarding = true;
                Some(StreamEvent::AccessDenied)
            } else if frame_len(pending) > self.max_frame_bytes {
                // Report the frame once and drop the rest of it as it arrives, up to its `\r`.
                self.discarding = true;
                Some(StreamEvent::Invalid(Error::BodyTooLarge {
                    limit: self.max_frame_bytes,
                }))
            } else {
                None
            };
            if event.is_some() {
                self.buf.clear();
                self.start = 0;
                self.scanned = 0;
            } else {
                self.compact();
            }
            return event;
        }
    }

    /// The connection ended: reports what was left over and resets the decoder.
    pub fn finish(&mut self) -> Option<StreamEvent> {
        let pending = self.buf.get(self.start..).unwrap_or_default();
        let trimmed = pending.trim_ascii();
        let event = if std::mem::take(&mut self.discarding) || trimmed.is_empty() {
            None
        } else if trimmed.starts_with(ACCESS_DENIED) {
            Some(StreamEvent::AccessDenied)
        } else {
            Some(StreamEvent::Truncated(trimmed.len()))
        };
        self.buf.clear();
        self.start = 0;
        self.scanned = 0;
        event
    }

    fn compact(&mut self) {
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.scanned -= self.start;
            self.start = 0;
        }
    }
}

/// What the streaming server sends in plain text when it refuses the credentials.
const ACCESS_DENIED: &[u8] = b"Access Denied";

/// The size of a frame (complete or not) as the limit counts it: without the whitespace before it.
///
/// Keep-alives and line breaks between frames are not part of the next frame. When they arrive in a chunk
/// of their own they are reported as a keep-alive and dropped; when they arrive with the frame they must
/// not count either, or the same frame would be too large in one chunking and fine in another. The count
/// only grows as bytes arrive, so a frame that is too large is too large at its `\r` as well.
fn frame_len(frame: &[u8]) -> usize {
    frame.trim_ascii_start().len()
}

/// A complete frame (without its `\r`) within the limit.
fn classify(frame: &[u8]) -> Option<StreamEvent> {
    let trimmed = frame.trim_ascii();
    if trimmed.is_empty() {
        return (!frame.is_empty()).then_some(StreamEvent::KeepAlive);
    }
    Some(match decode_json::<Message>(200, trimmed) {
        Ok(message) => StreamEvent::Message(Box::new(message)),
        Err(err) => StreamEvent::Invalid(err),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drain(decoder: &mut StreamDecoder) -> Vec<StreamEvent> {
        std::iter::from_fn(|| decoder.next_event()).collect()
    }

    #[test]
    fn access_denied_without_terminator() {
        let mut d = StreamDecoder::new();
        d.push(b"Access ");
        assert!(d.next_event().is_none());
        d.push(b"Denied");
        assert!(matches!(d.next_event(), Some(StreamEvent::AccessDenied)));
    }

    #[test]
    fn invalid_frames_do_not_stop_the_decoder() {
        let mut d = StreamDecoder::new();
        d.push(b"{nope}\r{\"id\":2,\"type\":\"Weird\"}\r");
        let events = drain(&mut d);
        assert!(matches!(
            events.first(),
            Some(StreamEvent::Invalid(Error::Decode { .. }))
        ));
        match events.get(1) {
            Some(StreamEvent::Message(m)) => {
                assert_eq!(m.id.get(), 2);
                assert_eq!(m.message_type.as_str(), "Weird");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn oversized_frames_are_dropped() {
        let mut d = StreamDecoder::new().with_max_frame_bytes(8);
        d.push(b"{\"id\":1234567890");
        assert!(matches!(
            d.next_event(),
            Some(StreamEvent::Invalid(Error::BodyTooLarge { limit: 8 }))
        ));
        assert_eq!(d.pending_bytes(), 0);
    }

    #[test]
    fn an_oversized_frame_is_reported_once_however_it_arrives() {
        let big = format!("{{\"id\":1,\"body\":\"{}\"}}\r", "x".repeat(100));
        let next = "{\"id\":2,\"type\":\"TextMessage\"}\r";
        for chunk_size in [1, 7, 64, 1000] {
            let mut d = StreamDecoder::new().with_max_frame_bytes(50);
            let body = format!("{big}{next}");
            let mut events = Vec::new();
            for chunk in body.as_bytes().chunks(chunk_size) {
                d.push(chunk);
                events.extend(drain(&mut d));
            }
            assert_eq!(events.len(), 2, "chunks of {chunk_size}: {events:?}");
            assert!(matches!(
                events.first(),
                Some(StreamEvent::Invalid(Error::BodyTooLarge { limit: 50 }))
            ));
            assert!(matches!(events.get(1), Some(StreamEvent::Message(m)) if m.id.get() == 2));
        }
    }

    /// The minimal case proptest found (issue 12 §5): a keep-alive before a frame of exactly the limit made the
    /// frame too large when the body arrived whole and a message when the space arrived in a chunk of its own.
    #[test]
    fn whitespace_before_a_frame_does_not_count_against_the_limit() {
        let message = br#"{"id":2,"room_id":1001,"user_id":5,"body":"Access Denied","type":"TextMessage","starred":false,"created_at":"2013/05/14 09:00:00 +0000"}"#;
        let limit = message.len();
        assert_eq!(limit, 136);
        let mut body = b"{\"id\":\"not a number\"}\r \n".to_vec();
        let space = body.len() - 2;
        body.extend_from_slice(message);
        body.push(b'\r');
        let (before, after) = body.split_at(space);
        let (gap, rest) = after.split_at(2);
        for chunks in [
            vec![&body[..]],
            vec![before, after],
            vec![before, gap, rest],
        ] {
            let mut d = StreamDecoder::new().with_max_frame_bytes(limit);
            let mut events = Vec::new();
            for chunk in &chunks {
                d.push(chunk);
                events.extend(
                    drain(&mut d)
                        .into_iter()
                        .filter(|e| !matches!(e, StreamEvent::KeepAlive)),
                );
            }
            assert_eq!(events.len(), 2, "{} chunks: {events:?}", chunks.len());
            assert!(matches!(
                events.first(),
                Some(StreamEvent::Invalid(Error::Decode { .. }))
            ));
            assert!(
                matches!(events.get(1), Some(StreamEvent::Message(m)) if m.id.get() == 2),
                "{} chunks: {events:?}",
                chunks.len()
            );
        }
        // One byte more is too large however it arrives.
        for chunks in [vec![&body[..]], vec![before, gap, rest]] {
            let mut d = StreamDecoder::new().with_max_frame_bytes(limit - 1);
            let mut events = Vec::new();
            for chunk in &chunks {
                d.push(chunk);
                events.extend(drain(&mut d));
            }
            assert!(
                matches!(events.last(), Some(StreamEvent::Invalid(Error::BodyTooLarge { limit: l })) if *l == limit - 1),
                "{events:?}"
            );
        }
    }

    #[test]
    fn access_denied_is_one_event_however_it_arrives() {
        let body = b"Access Denied, and more words than the limit allows\r{\"id\":3,\"type\":\"TextMessage\"}\r";
        for chunk_size in [1, 5, 13, 14, 100] {
            let mut d = StreamDecoder::new().with_max_frame_bytes(40);
            let mut events = Vec::new();
            for chunk in body.chunks(chunk_size) {
                d.push(chunk);
                events.extend(drain(&mut d));
            }
            assert_eq!(events.len(), 2, "chunks of {chunk_size}: {events:?}");
            assert!(matches!(events.first(), Some(StreamEvent::AccessDenied)));
            assert!(matches!(events.get(1), Some(StreamEvent::Message(m)) if m.id.get() == 3));
        }
    }

    #[test]
    fn finish_reports_a_cut_message() {
        let mut d = StreamDecoder::new();
        d.push(b"{\"id\":1,\"ty");
        assert!(d.next_event().is_none());
        assert!(matches!(d.finish(), Some(StreamEvent::Truncated(11))));
        assert!(d.finish().is_none());
    }
}
