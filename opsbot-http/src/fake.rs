//! What the SDKs' in-process fakes share (feature `fake`): seeded faults, a dropped connection
//! and the outgoing webhook delivery core ([`webhooks`]).

pub mod webhooks;

use axum::body::{Body, Bytes};
use axum::http::HeaderValue;
use axum::response::Response;

/// Seeded faults: the same seed and the same requests give the same fault sequence.
///
/// ```
/// use opsbot_http::fake::Faults;
/// let faults = Faults::seeded(7).error_503(0.2).drop_connection(0.05);
/// assert_eq!(faults.error_503, 0.2);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct Faults {
    /// The seed of the fault sequence.
    pub seed: u64,
    /// Probability (0..=1) of answering 503 instead of handling a request.
    pub error_503: f64,
    /// Probability (0..=1) of dropping the connection after the answer's headers.
    pub drop_connection: f64,
    /// Probability, per message on a live stream, of cutting the connection in the middle of it.
    pub stream_cut: f64,
    /// Probability, per message on a live stream, of going silent instead of sending it (no more
    /// messages and no keep-alives on that connection until the client hangs up).
    pub stream_stall: f64,
}

impl Faults {
    /// No faults.
    pub fn none() -> Self {
        Faults::default()
    }

    /// No faults yet, with this seed.
    pub fn seeded(seed: u64) -> Self {
        Faults {
            seed,
            ..Faults::default()
        }
    }

    /// Sets the probability of a 503.
    #[must_use]
    pub fn error_503(mut self, probability: f64) -> Self {
        self.error_503 = probability;
        self
    }

    /// Sets the probability of a dropped connection.
    #[must_use]
    pub fn drop_connection(mut self, probability: f64) -> Self {
        self.drop_connection = probability;
        self
    }

    /// Sets the probability of a live-stream cut in the middle of a message.
    #[must_use]
    pub fn stream_cut(mut self, probability: f64) -> Self {
        self.stream_cut = probability;
        self
    }

    /// Sets the probability of a live stream going silent instead of sending a message.
    #[must_use]
    pub fn stream_stall(mut self, probability: f64) -> Self {
        self.stream_stall = probability;
        self
    }
}

/// What the gate decided for one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Handle the request.
    None,
    /// Answer 503 (in the service's own words).
    Unavailable,
    /// Send the headers, then drop the connection ([`dropped_connection`]).
    Drop,
}

/// Draws faults from a seeded sequence.
#[derive(Debug)]
pub struct FaultGate {
    faults: Faults,
    rng: fastrand::Rng,
}

impl FaultGate {
    /// A gate at the start of the sequence of `faults.seed`.
    pub fn new(faults: Faults) -> Self {
        FaultGate {
            rng: fastrand::Rng::with_seed(faults.seed),
            faults,
        }
    }

    /// Replaces the faults and restarts the sequence from their seed.
    pub fn reset(&mut self, faults: Faults) {
        *self = FaultGate::new(faults);
    }

    /// The faults in force.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// The fault of the next request. Without request faults the sequence does not advance.
    pub fn draw(&mut self) -> Fault {
        let Faults {
            error_503,
            drop_connection,
            ..
        } = self.faults;
        if error_503 <= 0.0 && drop_connection <= 0.0 {
            return Fault::None;
        }
        let draw = self.rng.f64();
        if draw < error_503 {
            Fault::Unavailable
        } else if draw < error_503 + drop_connection {
            Fault::Drop
        } else {
            Fault::None
        }
    }

    /// `true` with the probability `p`, from the same sequence (stream cuts and stalls).
    pub fn chance(&mut self, p: f64) -> bool {
        p > 0.0 && self.rng.f64() < p
    }
}

/// An answer whose headers arrive and whose body then breaks (a connection reset).
pub fn dropped_connection() -> Response {
    let broken = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "fault injected by the fake",
        ))
    });
    let mut response = Response::new(Body::from_stream(broken));
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_sequence() {
        let faults = Faults::seeded(42).error_503(0.3).drop_connection(0.2);
        let draw = |gate: &mut FaultGate| (0..64).map(|_| gate.draw()).collect::<Vec<_>>();
        let mut a = FaultGate::new(faults.clone());
        let mut b = FaultGate::new(faults.clone());
        let first = draw(&mut a);
        assert_eq!(first, draw(&mut b));
        assert!(first.contains(&Fault::Unavailable) && first.contains(&Fault::Drop));
        assert!(first.contains(&Fault::None));
        a.reset(faults);
        assert_eq!(draw(&mut a), first);
    }

    #[test]
    fn no_faults_never_fault() {
        let mut gate = FaultGate::new(Faults::seeded(1));
        assert!((0..100).all(|_| gate.draw() == Fault::None));
        assert!(!gate.chance(0.0));
    }
}
