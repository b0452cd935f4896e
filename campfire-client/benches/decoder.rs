//! Throughput of the classic stream decoder on its own: `cargo bench -p campfire-client --bench decoder`.
//!
//! A plain `harness = false` benchmark (no extra dependencies): it feeds a synthetic live body of 20,000
//! messages with keep-alives, cut into chunks of several sizes, and prints messages and megabytes per second.

use std::time::Instant;

use campfire_client::classic::{StreamDecoder, StreamEvent};

fn body(messages: u64) -> Vec<u8> {
    let mut out = Vec::new();
    for id in 0..messages {
        out.extend_from_slice(
            format!(
                "{{\"room_id\":1001,\"created_at\":\"2013/05/14 09:00:00 +0000\",\"body\":\"message number {id} with some text\",\"id\":{},\"user_id\":5,\"type\":\"TextMessage\",\"starred\":\"false\"}}\r",
                2_000_000 + id
            )
            .as_bytes(),
        );
        if id % 10 == 0 {
            out.push(b' ');
        }
    }
    out
}

fn main() {
    let messages = 20_000;
    let body = body(messages);
    for chunk_size in [7usize, 64, 1024, 16 * 1024] {
        let started = Instant::now();
        let mut decoder = StreamDecoder::new();
        let mut decoded = 0u64;
        for chunk in body.chunks(chunk_size) {
            decoder.push(chunk);
            while let Some(event) = decoder.next_event() {
                if matches!(event, StreamEvent::Message(_)) {
                    decoded += 1;
                }
            }
        }
        let secs = started.elapsed().as_secs_f64().max(f64::EPSILON);
        assert_eq!(
            decoded, messages,
            "the benchmark decoded the wrong number of messages"
        );
        println!(
            "chunks of {chunk_size:>6} bytes: {:>10.0} messages/s, {:>7.1} MB/s",
            decoded as f64 / secs,
            body.len() as f64 / secs / 1e6
        );
    }
}
