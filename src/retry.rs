//! Bounded retries for API requests: 429 and 5xx answers are tried again, waiting as long
//! as the server's Retry-After (carried in the Status details) asks, else backing off.

use std::future::Future;
use std::time::Duration;

/// How many times one request is sent at most.
pub const MAX_TRIES: u32 = 5;
/// The longest single wait, whatever the server asks for.
const MAX_WAIT: Duration = Duration::from_secs(10);

/// Runs `op` until it succeeds, fails for good, or has been tried `MAX_TRIES` times.
pub async fn with_retries<T, F, Fut>(mut op: F) -> Result<T, kube::Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, kube::Error>>,
{
    let mut attempt = 1;
    loop {
        match op().await {
            Err(error) if attempt < MAX_TRIES => match retry_delay(&error, attempt) {
                Some(wait) => {
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                None => return Err(error),
            },
            other => return other,
        }
    }
}

/// How long to wait before trying again, or `None` when trying again cannot help.
pub fn retry_delay(error: &kube::Error, attempt: u32) -> Option<Duration> {
    let backoff = Duration::from_millis(100 * 2u64.pow(attempt.saturating_sub(1)));
    match error {
        kube::Error::Api(status) if status.code == 429 || status.code >= 500 => {
            let asked = status
                .details
                .as_ref()
                .map(|d| d.retry_after_seconds)
                .filter(|s| *s > 0)
                .map(|s| Duration::from_secs(s.into()));
            Some(asked.unwrap_or(backoff).min(MAX_WAIT))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kube::core::response::StatusDetails;
    use kube::core::Status;

    fn api_error(code: u16, retry_after: u32) -> kube::Error {
        let mut status = Status::failure("busy", "TooManyRequests").with_code(code);
        // Decoded the way the client decodes a server's answer.
        let details: StatusDetails =
            serde_json::from_value(serde_json::json!({ "retryAfterSeconds": retry_after }))
                .unwrap();
        status.details = Some(details);
        kube::Error::Api(Box::new(status))
    }

    #[test]
    fn honors_retry_after_and_backs_off() {
        assert_eq!(
            retry_delay(&api_error(429, 2), 1),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            retry_delay(&api_error(503, 0), 3),
            Some(Duration::from_millis(400))
        );
        assert_eq!(retry_delay(&api_error(429, 600), 1), Some(MAX_WAIT));
        assert_eq!(retry_delay(&api_error(404, 0), 1), None);
        assert_eq!(retry_delay(&api_error(403, 1), 1), None);
    }

    #[tokio::test]
    async fn stops_after_max_tries() {
        let mut calls = 0;
        let result: Result<(), _> = with_retries(|| {
            calls += 1;
            async { Err(api_error(500, 0)) }
            // Each retry waits a little; five tries take well under two seconds.
        })
        .await;
        assert!(result.is_err());
        assert_eq!(calls, MAX_TRIES);
    }
}
