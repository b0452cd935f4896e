//! The HTTP client every SDK builds: one place that makes the TLS choice of the crate features real.
//!
//! With `rustls-ring`, reqwest is built without a crypto provider of its own
//! (`rustls-no-provider`), and a `reqwest::Client` built before a provider is installed panics.
//! [`http_client_builder`] installs ring's provider first (unless the process already chose one),
//! so building a client through an SDK can never panic on it.

/// A `reqwest::ClientBuilder` with the TLS provider of the enabled features ready.
///
/// Every SDK and fake of this workspace builds its `reqwest::Client` through this function. A
/// caller that brings its own `reqwest::Client` (the SDKs' `http_client(..)` option) and enables
/// only `rustls-ring` calls [`install_tls_provider`] before building it.
pub fn http_client_builder() -> reqwest::ClientBuilder {
    install_tls_provider();
    reqwest::Client::builder()
}

/// Installs the crypto provider the `rustls-ring` feature stands for, as the process default,
/// unless one is installed already. Does nothing with the other TLS features (reqwest brings
/// aws-lc-rs with `rustls`; `native-tls` needs no provider). Cheap to call repeatedly.
pub fn install_tls_provider() {
    #[cfg(feature = "rustls-ring")]
    {
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            // Losing a race with another thread that installed one is fine: one is installed.
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_builds_with_every_tls_feature() {
        // Under `rustls-ring` alone this panicked inside reqwest before the provider was installed.
        let client = http_client_builder().build();
        assert!(client.is_ok(), "{client:?}");
    }

    #[cfg(feature = "rustls-ring")]
    #[test]
    fn rustls_ring_installs_a_process_provider() {
        install_tls_provider();
        assert!(rustls::crypto::CryptoProvider::get_default().is_some());
    }
}
