//! Sending: an HTTP POST for Slack and webhooks, SMTP for email. Each delivery is tried a
//! bounded number of times with a short backoff and a timeout per attempt, so that a dead
//! endpoint costs seconds, not minutes; only failures that another try could fix (no
//! connection, timeouts, 5xx, 429, SMTP 4xx) are tried again.
//!
//! Error texts never carry a webhook URL's path or query (Slack's token is the path) or
//! the SMTP password: they end up in logs.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};
use reqwest::{StatusCode, Url};

use super::Smtp;

/// How hard to try.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Attempts per delivery, the first included.
    pub tries: u32,
    /// For one attempt: connecting, sending and reading the answer.
    pub timeout: Duration,
    /// The wait before the second attempt; doubled for each one after.
    pub backoff: Duration,
    /// The longest wait between attempts, whatever a server's Retry-After asks for.
    pub max_wait: Duration,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            tries: 3,
            timeout: Duration::from_secs(10),
            backoff: Duration::from_millis(250),
            max_wait: Duration::from_secs(5),
        }
    }
}

impl Policy {
    fn wait(&self, attempt: u32, asked: Option<Duration>) -> Duration {
        let backoff = self
            .backoff
            .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)));
        asked.unwrap_or(backoff).min(self.max_wait)
    }
}

/// How much of an error answer's body to quote: enough for Slack's `invalid_payload`.
const BODY_SNIPPET: usize = 200;

/// The HTTP client for all webhooks of a run.
pub fn http_client() -> Result<reqwest::Client, String> {
    // reqwest is built without a crypto provider of its own (see Cargo.toml): use ring,
    // like the kube client. Installing twice is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .user_agent(concat!("kubectl-drift/", env!("CARGO_PKG_VERSION")))
        // A redirected POST turns into a GET and loses the alert: report it instead.
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| root_cause(&e.without_url()))
}

/// POSTs `body` as JSON to `url`, trying again where that can help.
pub async fn post_json(
    client: &reqwest::Client,
    url: &str,
    body: &str,
    policy: &Policy,
) -> Result<(), String> {
    let mut attempt = 1;
    loop {
        let sent = client
            .post(url)
            .timeout(policy.timeout)
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_string())
            .send()
            .await;
        let (error, again, asked) = match sent {
            Ok(response) if response.status().is_success() => return Ok(()),
            Ok(response) => {
                let status = response.status();
                let asked = response
                    .headers()
                    .get(RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                let snippet = snippet(response).await;
                let again = status == StatusCode::REQUEST_TIMEOUT
                    || status == StatusCode::TOO_MANY_REQUESTS
                    || status.is_server_error();
                let mut error = format!("HTTP {status}");
                if !snippet.is_empty() {
                    error.push_str(&format!(": {snippet}"));
                }
                (error, again, asked)
            }
            Err(e) if e.is_timeout() => (
                format!("no answer within {}s", policy.timeout.as_secs_f32()),
                true,
                None,
            ),
            Err(e) => {
                let kind = if e.is_connect() {
                    "cannot connect"
                } else {
                    "request failed"
                };
                let again = !e.is_builder();
                (
                    format!("{kind}: {}", root_cause(&e.without_url())),
                    again,
                    None,
                )
            }
        };
        if !again || attempt >= policy.tries {
            let text = format!("{error}; {}", tries_text(attempt));
            return Err(scrub(&text, &url_secrets(url)));
        }
        tokio::time::sleep(policy.wait(attempt, asked)).await;
        attempt += 1;
    }
}

/// The start of an error answer's body on one line, read no further than needed.
async fn snippet(mut response: reqwest::Response) -> String {
    let mut bytes = Vec::new();
    while bytes.len() < BODY_SNIPPET * 4 {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            _ => break,
        }
    }
    let text = String::from_utf8_lossy(&bytes);
    let line: String = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    crate::report::truncate(&line, BODY_SNIPPET)
}

/// The parts of a URL that must not be shown: the path, the query and any credentials.
fn url_secrets(url: &str) -> Vec<String> {
    let mut secrets = vec![url.to_string()];
    if let Ok(parsed) = Url::parse(url) {
        let path = parsed.path();
        if path.len() > 1 {
            secrets.push(path.to_string());
            // Each piece of a Slack path (`/services/T…/B…/token`) alone is secret enough.
            secrets.extend(path.split('/').filter(|p| p.len() >= 8).map(str::to_string));
        }
        if let Some(query) = parsed.query().filter(|q| !q.is_empty()) {
            secrets.push(format!("{path}?{query}"));
            secrets.push(query.to_string());
        }
        if !parsed.username().is_empty() {
            secrets.push(parsed.username().to_string());
        }
        if let Some(password) = parsed.password() {
            secrets.push(password.to_string());
        }
    }
    // Longest first, so that a whole URL goes before its pieces.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    secrets
}

/// `text` with every secret replaced by `…`.
fn scrub(text: &str, secrets: &[String]) -> String {
    let mut text = text.to_string();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        text = text.replace(secret.as_str(), "…");
    }
    text
}

fn tries_text(attempts: u32) -> String {
    match attempts {
        1 => "tried once".to_string(),
        n => format!("tried {n} times"),
    }
}

/// The innermost cause of an error: `Connection refused (os error 111)` rather than the
/// layers of "error sending request: client error (Connect): …" around it.
fn root_cause(error: &dyn std::error::Error) -> String {
    let mut error = error;
    while let Some(cause) = error.source() {
        error = cause;
    }
    error.to_string()
}

/// Whether `server` is this machine, where a password in the clear stays local.
pub fn is_loopback(server: &str) -> bool {
    let host = server.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The checked settings for email alerts.
#[derive(Debug, Clone)]
pub struct Mail {
    pub smtp: Smtp,
    pub from: Mailbox,
}

/// Sends one plain-text email to `to` through the configured server.
pub async fn email(
    mail: &Mail,
    to: &str,
    subject: &str,
    body: &str,
    policy: &Policy,
) -> Result<(), String> {
    let smtp = &mail.smtp;
    let secrets: Vec<String> = smtp.password.iter().cloned().collect();
    let to: Mailbox = to.parse().map_err(|e| format!("address \"{to}\": {e}"))?;
    let message = Message::builder()
        .from(mail.from.clone())
        .to(to)
        .subject(subject)
        .header(ContentType::TEXT_PLAIN)
        .body(body.to_string())
        .map_err(|e| format!("cannot build the email: {e}"))?;
    let tls = if smtp.starttls {
        // STARTTLS required: a server that does not offer it gets nothing, not even the
        // password.
        let parameters = TlsParameters::new(smtp.server.clone())
            .map_err(|e| scrub(&format!("TLS setup for {}: {e}", smtp.server), &secrets))?;
        Tls::Required(parameters)
    } else {
        Tls::None
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(smtp.server.as_str())
        .port(smtp.port)
        .tls(tls)
        .timeout(Some(policy.timeout));
    if let Some(user) = &smtp.username {
        builder = builder.credentials(Credentials::new(
            user.clone(),
            smtp.password.clone().unwrap_or_default(),
        ));
    }
    let transport = builder.build();
    let mut attempt = 1;
    loop {
        // The whole exchange is bounded too: lettre's timeout does not cover every read.
        let sent = tokio::time::timeout(
            policy.timeout.saturating_mul(2),
            transport.send(message.clone()),
        )
        .await;
        let (error, again) = match sent {
            Ok(Ok(_)) => return Ok(()),
            Ok(Err(e)) => {
                let again = !(e.is_permanent() || e.is_client() || e.is_tls() || e.is_response());
                (e.to_string(), again)
            }
            Err(_) => (
                format!("no answer within {}s", (policy.timeout * 2).as_secs_f32()),
                true,
            ),
        };
        if !again || attempt >= policy.tries {
            let text = format!(
                "via {}:{}: {error}; {}",
                smtp.server,
                smtp.port,
                tries_text(attempt)
            );
            return Err(scrub(&text, &secrets));
        }
        tokio::time::sleep(policy.wait(attempt, None)).await;
        attempt += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::net::TcpListener;
    use std::time::Instant;

    fn quick() -> Policy {
        Policy {
            tries: 2,
            timeout: Duration::from_millis(300),
            backoff: Duration::from_millis(10),
            max_wait: Duration::from_millis(50),
        }
    }

    #[tokio::test]
    async fn times_out_a_server_that_never_answers() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        // Accepts and reads, never answers; keeps the connections open.
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for mut stream in listener.incoming().flatten() {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf);
                held.push(stream);
            }
        });
        let url = format!("http://127.0.0.1:{port}/hooks/T0001/B0001/sekrit-token");
        let started = Instant::now();
        let err = post_json(&http_client().unwrap(), &url, "{}", &quick())
            .await
            .unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(3));
        assert!(
            err.contains("no answer within") && err.contains("tried 2 times"),
            "{err}"
        );
        assert!(!err.contains("sekrit") && !err.contains("T0001"), "{err}");
    }

    #[test]
    fn scrubs_url_parts() {
        let url = "https://u:pw1234@hooks.example.com/services/T0AAA/B0BBB/tok3n?sig=abcdef";
        let text = format!("failed for {url} and /services/T0AAA/B0BBB/tok3n and sig=abcdef");
        let clean = scrub(&text, &url_secrets(url));
        for secret in ["T0AAA", "tok3n", "abcdef", "pw1234"] {
            assert!(!clean.contains(secret), "{clean}");
        }
    }

    #[test]
    fn loopback() {
        assert!(is_loopback("localhost"));
        assert!(is_loopback("127.0.0.1"));
        assert!(is_loopback("[::1]"));
        assert!(!is_loopback("smtp.example.com"));
    }

    #[test]
    fn backs_off_within_bounds() {
        let p = Policy::default();
        assert_eq!(p.wait(1, None), Duration::from_millis(250));
        assert_eq!(p.wait(2, None), Duration::from_millis(500));
        assert_eq!(p.wait(1, Some(Duration::from_secs(60))), p.max_wait);
    }
}
