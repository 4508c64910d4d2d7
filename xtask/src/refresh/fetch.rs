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

/// Today's date in UTC, `YYYY-MM-DD`.
pub fn today() -> String {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to a date.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::civil_from_days;

    #[test]
    fn dates_from_days() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(20_788), (2026, 12, 1));
    }
}
