//! Throughput of the classic live-stream decoder (row 5 of BENCHMARKS.md).
//!
//! ```sh
//! cargo bench -p campfire-client --bench decoder     # measure: a generated 50 MB live stream
//! cargo test -p campfire-client --bench decoder      # quick mode: a 1 MB stream, each benchmark once
//! ```
//!
//! The body is a generated live stream: text messages shaped like the recorded ones, each ending
//! in `\r`, with a lone-space keep-alive after every tenth. It is fed in chunks of several sizes
//! (a 7-byte chunk splits nearly every message and many UTF-8 characters; 1,460 bytes is one TCP
//! segment), once through [`StreamDecoder`] and once through the hand-written baseline: buffer the
//! chunks, split on `\r`, trim, `serde_json::from_slice` into the same [`Message`] type.

use std::sync::LazyLock;

use campfire_client::classic::{Message, StreamDecoder, StreamEvent};
use divan::Bencher;
use divan::counter::BytesCount;

/// 50 MB when measuring; 1 MB in quick mode (`cargo test`, no `--bench` argument).
static STREAM: LazyLock<(Vec<u8>, u64)> = LazyLock::new(|| {
    let measuring = std::env::args().any(|a| a == "--bench");
    live_body(if measuring { 50_000_000 } else { 1_000_000 })
});

/// A live body of at least `bytes` bytes and the number of messages in it.
fn live_body(bytes: usize) -> (Vec<u8>, u64) {
    let mut out = Vec::with_capacity(bytes + 512);
    let mut messages = 0u64;
    while out.len() < bytes {
        let id = messages;
        out.extend_from_slice(
            format!(
                "{{\"room_id\":1001,\"created_at\":\"2013/05/14 09:00:00 +0000\",\"body\":\"message number {id} with some text, caf\u{e9} \u{2713}\",\"id\":{},\"user_id\":5,\"type\":\"TextMessage\",\"starred\":\"false\"}}\r",
                2_000_000 + id
            )
            .as_bytes(),
        );
        messages += 1;
        if id.is_multiple_of(10) {
            out.push(b' ');
        }
    }
    (out, messages)
}

fn main() {
    divan::main();
}

const CHUNKS: [usize; 4] = [7, 1460, 16 * 1024, 64 * 1024];

/// The crate's decoder, chunk by chunk.
#[divan::bench(args = CHUNKS, sample_count = 10, sample_size = 1)]
fn stream_decoder(bencher: Bencher, chunk_size: usize) {
    let (body, messages) = &*STREAM;
    bencher
        .counter(BytesCount::new(body.len()))
        .bench_local(|| {
            let mut decoder = StreamDecoder::new();
            let mut decoded = 0u64;
            for chunk in divan::black_box(body.as_slice()).chunks(chunk_size) {
                decoder.push(chunk);
                while let Some(event) = decoder.next_event() {
                    match event {
                        StreamEvent::Message(m) => {
                            divan::black_box(m);
                            decoded += 1;
                        }
                        StreamEvent::KeepAlive => {}
                        other => panic!("unexpected {other:?}"),
                    }
                }
            }
            assert_eq!(decoded, *messages, "the decoder lost messages");
        });
}

/// The hand-written baseline: buffer, split on `\r`, `serde_json::from_slice`.
#[divan::bench(args = CHUNKS, sample_count = 10, sample_size = 1)]
fn split_and_from_slice(bencher: Bencher, chunk_size: usize) {
    let (body, messages) = &*STREAM;
    bencher
        .counter(BytesCount::new(body.len()))
        .bench_local(|| {
            let mut pending: Vec<u8> = Vec::new();
            let mut decoded = 0u64;
            for chunk in divan::black_box(body.as_slice()).chunks(chunk_size) {
                pending.extend_from_slice(chunk);
                let mut start = 0;
                while let Some(at) = pending[start..].iter().position(|b| *b == b'\r') {
                    let frame = pending[start..start + at].trim_ascii();
                    if !frame.is_empty() {
                        let message: Message = serde_json::from_slice(frame).expect("message");
                        divan::black_box(message);
                        decoded += 1;
                    }
                    start += at + 1;
                }
                pending.drain(..start);
            }
            assert_eq!(decoded, *messages, "the baseline lost messages");
        });
}
