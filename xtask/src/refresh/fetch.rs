//! Getting a description's bytes: over HTTP(S), or from a local file.

use std::time::Duration;

/// Where a description comes from this time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Downloaded from a URL.
    Url(String),
    /// Read from a file (a copy fetched elsewhere).
    File(String),
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Url(url) => write!(f, "{url}"),
            Origin::File(path) => write!(f, "file {path}"),
        }
    }
}

/// Descriptions are a few hundred kilobytes; anything near this is not one.
const LIMIT: u64 = 64 * 1024 * 1024;

/// The bytes at `origin`, or a message saying what failed.
pub fn fetch(origin: &Origin) -> Result<Vec<u8>, String> {
    match origin {
        Origin::File(path) => std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}")),
        Origin::Url(url) => {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .timeout_global(Some(Duration::from_secs(60)))
                .http_status_as_error(false)
                .user_agent(concat!("dealpos-rs-xtask/", env!("CARGO_PKG_VERSION")))
                .build()
                .into();
            let mut response = agent.get(url).call().map_err(|e| format!("GET {url}: {}", cause(&e)))?;
            let status = response.status();
            if !status.is_success() {
                return Err(format!("GET {url}: HTTP {status}"));
            }
            response
                .body_mut()
                .with_config()
                .limit(LIMIT)
                .read_to_vec()
                .map_err(|e| format!("GET {url}: reading the body: {}", cause(&e)))
        }
    }
}

fn cause(error: &ureq::Error) -> String {
    match error {
        ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            "connection refused (offline, or nothing listens there)".into()
        }
        ureq::Error::HostNotFound => "host not found (offline?)".into(),
        other => other.to_string(),
    }
}
