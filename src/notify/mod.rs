//! Notifications: tell people about drift after a run, on Slack, on a generic webhook or by
//! email, without telling them the same thing every few minutes.
//!
//! [`notify`] takes the finished [`Report`] and decides, from a small state file, whether
//! an alert is due (see [`state`]); builds the messages (see [`message`], pure); and sends
//! them (see [`send`], the only I/O besides the state file). A failed delivery is reported
//! in its [`Delivery`], never as an error of the whole call, so that it cannot hide the drift
//! itself: the caller still decides the exit code from the report.
//!
//! Secret values never reach a message: the report has them hidden already, and for
//! Secrets the messages leave out field values altogether and show only field paths.

pub mod message;
pub mod send;
pub mod state;

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use lettre::message::Mailbox;
use lettre::Address;
use reqwest::Url;

use crate::report::Report;
use message::Alert;
use state::Decision;

/// Where an alert goes.
#[derive(Clone, PartialEq, Eq)]
pub enum Channel {
    /// A Slack incoming-webhook URL.
    Slack(String),
    /// Any URL that takes the JSON document described in [`message`].
    Webhook(String),
    /// An email address; needs [`NotifySettings::smtp`].
    Email(String),
}

/// Why a `--notify` value could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChannelError {
    #[error("\"{0}\": expected KIND=TARGET: slack=URL, webhook=URL or email=ADDRESS")]
    NoKind(String),
    #[error("unknown channel \"{0}\": expected slack=URL, webhook=URL or email=ADDRESS")]
    UnknownKind(String),
    // The URL itself is left out: its path is the webhook's secret.
    #[error("{kind} URL: {reason}")]
    BadUrl { kind: &'static str, reason: String },
    #[error("email address \"{address}\": {reason}")]
    BadAddress { address: String, reason: String },
}

impl FromStr for Channel {
    type Err = ChannelError;

    /// Reads `slack=URL`, `webhook=URL` or `email=ADDRESS`.
    fn from_str(s: &str) -> Result<Channel, ChannelError> {
        // A URL given without its kind carries its secret path: never echo it whole.
        let shown = |text: &str| {
            if text.contains("://") {
                redacted_url(text)
            } else {
                text.to_string()
            }
        };
        let Some((kind, target)) = s.split_once('=') else {
            return Err(ChannelError::NoKind(shown(s)));
        };
        let target = target.trim();
        match kind.trim() {
            "slack" => http_url("slack", target).map(Channel::Slack),
            "webhook" => http_url("webhook", target).map(Channel::Webhook),
            "email" => target
                .parse::<Address>()
                .map(|_| Channel::Email(target.to_string()))
                .map_err(|e| ChannelError::BadAddress {
                    address: target.to_string(),
                    reason: e.to_string(),
                }),
            other => Err(ChannelError::UnknownKind(shown(other))),
        }
    }
}

fn http_url(kind: &'static str, text: &str) -> Result<String, ChannelError> {
    let bad = |reason: String| ChannelError::BadUrl { kind, reason };
    let url = Url::parse(text).map_err(|e| bad(format!("not a valid URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad(format!(
            "scheme \"{}\" is not http or https",
            url.scheme()
        )));
    }
    if url.host_str().is_none() {
        return Err(bad("no host".to_string()));
    }
    // As Git refuses to: credentials in the URL would travel as Basic auth in clear text.
    if url.scheme() == "http" && (!url.username().is_empty() || url.password().is_some()) {
        return Err(bad(
            "has credentials (user:password@) over plain http://, where anyone on the way can read them; use https://".to_string(),
        ));
    }
    Ok(text.to_string())
}

impl Channel {
    /// How the channel is named in deliveries and errors: the kind, and for webhooks the
    /// scheme, host and port only, since a webhook URL's path and query are its password.
    pub fn label(&self) -> String {
        match self {
            Channel::Slack(_) => "slack".to_string(),
            Channel::Webhook(url) => format!("webhook {}", redacted_url(url)),
            Channel::Email(address) => format!("email {address}"),
        }
    }
}

/// `https://host:port/…`: enough to tell endpoints apart, without the secret parts.
pub fn redacted_url(url: &str) -> String {
    match Url::parse(url) {
        Ok(url) => {
            let host = url.host_str().unwrap_or("?");
            let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
            let rest = if url.path() == "/" && url.query().is_none() {
                "/"
            } else {
                "/…"
            };
            format!("{}://{host}{port}{rest}", url.scheme())
        }
        Err(_) => "(invalid URL)".to_string(),
    }
}

// By hand, so that a settings dump in a log never shows a webhook's token.
impl fmt::Debug for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Channel({})", self.label())
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// The SMTP server email alerts go through.
#[derive(Clone, PartialEq, Eq)]
pub struct Smtp {
    pub server: String,
    pub port: u16,
    /// Upgrade the connection with STARTTLS, and fail rather than send in the clear.
    pub starttls: bool,
    pub username: Option<String>,
    pub password: Option<String>,
    /// The From address, `ops@example.com` or `Drift <ops@example.com>`.
    pub from: String,
}

impl fmt::Debug for Smtp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Smtp")
            .field("server", &self.server)
            .field("port", &self.port)
            .field("starttls", &self.starttls)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "(hidden)"))
            .field("from", &self.from)
            .finish()
    }
}

/// What to notify, where, and how often.
#[derive(Debug, Clone, Default)]
pub struct NotifySettings {
    pub channels: Vec<Channel>,
    /// Required when a channel is an email address.
    pub smtp: Option<Smtp>,
    /// Repeat an unchanged drift alert once this much time has passed since the last one;
    /// never when `None`.
    pub every: Option<Duration>,
    /// Send one "resolved" message when drift that was alerted on is gone.
    pub on_resolve: bool,
    /// Where what was last alerted is remembered. Without it every run with drift alerts,
    /// and nothing is ever resolved.
    pub state_file: Option<PathBuf>,
    /// `--state configmap/[NAMESPACE/]NAME`: the same, kept in a ConfigMap of the first
    /// checked cluster, so that a restarted pod does not alert again.
    pub state_configmap: Option<state::ConfigMapRef>,
}

/// What was decided and done; one entry per channel that was due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// `slack`, `webhook https://host/…`, `email ops@example.com`.
    pub channel: String,
    /// The last failure after the retries, naming the channel and the HTTP status or
    /// connection error, without the webhook's path or the SMTP password.
    pub result: Result<(), String>,
}

/// Why notifying could not be attempted at all.
#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("email alerts to {0} need an SMTP server")]
    NoSmtp(String),
    #[error("SMTP from address \"{address}\": {reason}")]
    BadFrom { address: String, reason: String },
    #[error("email address \"{address}\": {reason}")]
    BadTo { address: String, reason: String },
    #[error(
        "refusing to send the SMTP password to {0} in the clear: turn on STARTTLS \
         (plain-text AUTH is only allowed to localhost)"
    )]
    PlainTextAuth(String),
    #[error("SMTP password given without a user name")]
    PasswordWithoutUser,
    #[error("cannot set up the HTTP client: {0}")]
    HttpClient(String),
    #[error("cannot read the notification state file {}: {source}", path.display())]
    StateRead {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the notification state file {} is corrupt ({reason}); delete it to start over", path.display())]
    StateCorrupt { path: PathBuf, reason: String },
    #[error("notification state in ConfigMap {name}: {message}")]
    StateConfigMap { name: String, message: String },
    #[error("the notification state in ConfigMap {name} is corrupt: {reason}; delete the ConfigMap to start over")]
    StateConfigMapCorrupt { name: String, reason: String },
    #[error("cannot write the notification state file {}: {source}", path.display())]
    StateWrite {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl NotifyError {
    /// Whether the state that remembers what was alerted could not be read: the file, or
    /// the ConfigMap's content (a ConfigMap the cluster does not answer for is not).
    pub fn is_unreadable_state(&self) -> bool {
        matches!(
            self,
            NotifyError::StateRead { .. }
                | NotifyError::StateCorrupt { .. }
                | NotifyError::StateConfigMapCorrupt { .. }
        )
    }
}

/// What a `notify` call came to, in words for the log: one line per delivery (or one for
/// a failure before any), and whether anything failed.
pub fn outcome_lines(result: &Result<Vec<Delivery>, NotifyError>) -> (Vec<String>, bool) {
    match result {
        Ok(deliveries) => {
            let lines = deliveries
                .iter()
                .map(|d| match &d.result {
                    Ok(()) => format!("alert sent: {}", d.channel),
                    Err(e) => format!("error: alert not sent: {e}"),
                })
                .collect();
            (lines, deliveries.iter().any(|d| d.result.is_err()))
        }
        Err(e) => (vec![format!("error: alerts: {e}")], true),
    }
}

/// Where what was last alerted is kept: the state file (`--state`), or, for `watch`
/// without one, memory across its rounds.
#[derive(Debug)]
pub enum Memory<'a> {
    File(&'a std::path::Path),
    Rounds(&'a mut state::State),
    ConfigMap(&'a state::ConfigMapStore),
    /// Nothing kept: every run with drift alerts, and nothing is ever resolved.
    Nothing,
}

/// Decides whether an alert is due, sends it to every channel, and remembers it; with the
/// state file of the settings, if any.
pub async fn notify(
    report: &Report,
    settings: &NotifySettings,
    now: DateTime<Utc>,
) -> Result<Vec<Delivery>, NotifyError> {
    let memory = match &settings.state_file {
        Some(path) => Memory::File(path),
        None => Memory::Nothing,
    };
    notify_with(report, settings, now, memory).await
}

/// `notify`, with a ConfigMap state (`--state configmap/NAME`) reached through `cluster`'s
/// kubeconfig settings, in the report's first context.
pub async fn notify_in_cluster(
    report: &Report,
    settings: &NotifySettings,
    cluster: &crate::settings::ClusterSettings,
    now: DateTime<Utc>,
) -> Result<Vec<Delivery>, NotifyError> {
    match configmap_store(settings, report, cluster).await? {
        Some(store) => notify_with(report, settings, now, Memory::ConfigMap(&store)).await,
        None => notify(report, settings, now).await,
    }
}

/// The ConfigMap the state is kept in, reached through the report's first context; `None`
/// without `--state configmap/…`.
pub async fn configmap_store(
    settings: &NotifySettings,
    report: &Report,
    cluster: &crate::settings::ClusterSettings,
) -> Result<Option<state::ConfigMapStore>, NotifyError> {
    let Some(at) = &settings.state_configmap else {
        return Ok(None);
    };
    let failed = |message: String| NotifyError::StateConfigMap {
        name: at.name.clone(),
        message,
    };
    let context = report
        .contexts
        .first()
        .map(|c| c.context.clone())
        .ok_or_else(|| failed("no context was checked to keep it in".into()))?;
    let config = crate::cluster::kubeconfig::load_kubeconfig(cluster.kubeconfig.as_deref())
        .map_err(|e| failed(e.to_string()))?;
    let client = crate::cluster::kubeconfig::connect_with_timeout(
        &config,
        &context,
        cluster.request_timeout,
    )
    .await
    .map_err(|e| failed(e.to_string()))?;
    Ok(Some(state::ConfigMapStore::new(client, at)))
}

/// Decides, per channel, whether an alert is due, sends it to the channels it is due on,
/// and remembers each channel's outcome.
///
/// Returns one [`Delivery`] per channel an alert was due on. A channel whose send failed
/// keeps the alert due, and is tried again after a backoff (30 s, doubling, at most 30 min)
/// until it gets through or the drift is gone; the channels that got it are not sent it
/// again. A state file is written (atomically) after every decision that changed it.
pub async fn notify_with(
    report: &Report,
    settings: &NotifySettings,
    now: DateTime<Utc>,
    memory: Memory<'_>,
) -> Result<Vec<Delivery>, NotifyError> {
    if settings.channels.is_empty() {
        return Ok(Vec::new());
    }
    let email = email_setup(settings)?;
    let scope = state::scope(report);
    let fingerprint = state::fingerprint(report);
    let mut loaded = match &memory {
        Memory::File(path) => Some(state::load(path)?),
        Memory::ConfigMap(store) => Some(store.load().await?),
        _ => None,
    };
    let store = match &memory {
        Memory::ConfigMap(store) => Some(*store),
        _ => None,
    };
    let remembered: Option<&mut state::State> = match memory {
        Memory::File(_) | Memory::ConfigMap(_) => loaded.as_mut(),
        Memory::Rounds(state) => Some(state),
        Memory::Nothing => None,
    };
    let Some(saved) = remembered else {
        // Nothing remembered: every run with drift alerts, and nothing can be resolved.
        if fingerprint.is_none() {
            return Ok(Vec::new());
        }
        let all: Vec<&Channel> = settings.channels.iter().collect();
        return deliver(report, &all, email.as_ref(), Alert::Drift, now).await;
    };
    let before = saved.clone();
    let mut due: Vec<(Alert, Vec<&Channel>)> = Vec::new();
    for channel in &settings.channels {
        let key = state::channel_scope(&scope, channel);
        let previous = saved.entry_for(&key, &scope).cloned();
        // A retry is pending until its time, unless the saved time is further off than any
        // backoff gives (a corrupted or hand-edited state must not mute a channel for good).
        let pending = previous.as_ref().is_some_and(|e| {
            e.retry_at
                .is_some_and(|at| now < at && at - now <= state::backoff(e.failures))
        });
        if pending && fingerprint.is_some() {
            continue;
        }
        match state::decide(
            previous.as_ref(),
            fingerprint.as_deref(),
            report.has_errors(),
            settings.every,
            settings.on_resolve,
            now,
        ) {
            Decision::Nothing => {}
            Decision::Forget => {
                if saved.scopes.contains_key(&key) {
                    saved.forget(&key);
                } else if let Some(entry) = previous {
                    saved.scopes.insert(key.clone(), entry);
                    saved.forget(&key);
                }
            }
            Decision::Send(alert) => match due.iter_mut().find(|(a, _)| *a == alert) {
                Some((_, channels)) => channels.push(channel),
                None => due.push((alert, vec![channel])),
            },
        }
    }
    let mut deliveries = Vec::new();
    for (alert, channels) in due {
        let sent = deliver(report, &channels, email.as_ref(), alert, now).await?;
        for (channel, delivery) in channels.iter().zip(&sent) {
            let key = state::channel_scope(&scope, channel);
            if delivery.result.is_ok() {
                saved.record(&key, alert, fingerprint.clone(), now);
            } else {
                let fallback = saved.scopes.get(&scope).cloned();
                saved.failed(&key, fallback.as_ref(), now);
            }
        }
        deliveries.extend(sent);
    }
    if let Some(state) = loaded.as_ref().filter(|s| **s != before) {
        match (store, &settings.state_file) {
            (Some(store), _) => store.save(state).await?,
            (None, Some(path)) => state::save(path, state)?,
            (None, None) => {}
        }
    }
    Ok(deliveries)
}

/// The checked From address and SMTP settings, when any channel is an email address.
fn email_setup(settings: &NotifySettings) -> Result<Option<send::Mail>, NotifyError> {
    let Some(first) = settings.channels.iter().find_map(|c| match c {
        Channel::Email(a) => Some(a),
        _ => None,
    }) else {
        return Ok(None);
    };
    let smtp = settings
        .smtp
        .as_ref()
        .ok_or_else(|| NotifyError::NoSmtp(first.clone()))?;
    let from: Mailbox = smtp
        .from
        .parse()
        .map_err(|e: lettre::address::AddressError| NotifyError::BadFrom {
            address: smtp.from.clone(),
            reason: e.to_string(),
        })?;
    if smtp.password.is_some() && smtp.username.is_none() {
        return Err(NotifyError::PasswordWithoutUser);
    }
    if smtp.username.is_some() && !smtp.starttls && !send::is_loopback(&smtp.server) {
        return Err(NotifyError::PlainTextAuth(smtp.server.clone()));
    }
    for channel in &settings.channels {
        if let Channel::Email(address) = channel {
            address.parse::<Address>().map_err(|e| NotifyError::BadTo {
                address: address.clone(),
                reason: e.to_string(),
            })?;
        }
    }
    Ok(Some(send::Mail {
        smtp: smtp.clone(),
        from,
    }))
}

/// Builds each kind of message once and sends to all channels at the same time, so that
/// one slow endpoint does not add its retries to everyone else's.
async fn deliver(
    report: &Report,
    channels: &[&Channel],
    mail: Option<&send::Mail>,
    alert: Alert,
    now: DateTime<Utc>,
) -> Result<Vec<Delivery>, NotifyError> {
    let needs_http = channels
        .iter()
        .any(|c| matches!(c, Channel::Slack(_) | Channel::Webhook(_)));
    let client = if needs_http {
        Some(send::http_client().map_err(NotifyError::HttpClient)?)
    } else {
        None
    };
    let slack = message::slack(report, alert, now).to_string();
    let webhook = message::webhook(report, alert, now).to_string();
    let subject = message::subject(report, alert);
    let body = message::email_body(report, alert, now);
    let policy = send::Policy::default();

    let sends = channels.iter().map(|channel| {
        let (client, slack, webhook, subject, body) = (&client, &slack, &webhook, &subject, &body);
        async move {
            let result = match (channel, client) {
                (Channel::Slack(url), Some(client)) => {
                    send::post_json(client, url, slack, &policy).await
                }
                (Channel::Webhook(url), Some(client)) => {
                    send::post_json(client, url, webhook, &policy).await
                }
                (Channel::Email(to), _) => match mail {
                    Some(mail) => send::email(mail, to, subject, body, &policy).await,
                    None => Err("no SMTP server".to_string()),
                },
                (_, None) => Err("no HTTP client".to_string()),
            };
            // The label names the channel (for webhooks, the host) in every error.
            let label = channel.label();
            Delivery {
                result: result.map_err(|e| format!("{label}: {e}")),
                channel: label,
            }
        }
    });
    Ok(futures::future::join_all(sends).await)
}

/// The alert flags, checked before anything runs; `None` when no `--notify` is given.
pub fn from_args(
    args: &crate::cli::NotifyArgs,
    smtp_password: Option<String>,
) -> Result<Option<NotifySettings>, crate::settings::SettingsError> {
    use crate::cli::parse_duration;
    let flag = |flag: &'static str| {
        move |message: String| crate::settings::SettingsError::Flag { flag, message }
    };
    if args.channels.is_empty() {
        let stray = [
            (args.notify_every.is_some(), "--notify-every"),
            (args.notify_on_resolve, "--notify-on-resolve"),
            (args.state.is_some(), "--state"),
        ];
        if let Some((_, name)) = stray.iter().find(|(given, _)| *given) {
            return Err(crate::settings::SettingsError::Flag {
                flag: name,
                message: "only means something with --notify".into(),
            });
        }
        return Ok(None);
    }
    let channels = args
        .channels
        .iter()
        .map(|c| c.parse::<Channel>().map_err(|e| e.to_string()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(flag("--notify"))?;
    let every = args
        .notify_every
        .as_deref()
        .map(parse_duration)
        .transpose()
        .map_err(flag("--notify-every"))?;
    let smtp = match &args.smtp_server {
        Some(server) => {
            let default_port = if args.smtp_starttls { 587 } else { 25 };
            let (host, port) = match server.rsplit_once(':') {
                Some((host, port)) if !host.contains(':') || host.ends_with(']') => {
                    let port = port
                        .parse::<u16>()
                        .map_err(|_| format!("{port:?} is not a port number"))
                        .map_err(flag("--smtp-server"))?;
                    (host.trim_matches(['[', ']']).to_string(), port)
                }
                _ => (server.clone(), default_port),
            };
            if host.is_empty() {
                return Err(crate::settings::SettingsError::Flag {
                    flag: "--smtp-server",
                    message: "needs a host name".into(),
                });
            }
            Some(Smtp {
                server: host,
                port,
                starttls: args.smtp_starttls,
                username: args.smtp_username.clone(),
                password: smtp_password,
                from: args.smtp_from.clone(),
            })
        }
        None => None,
    };
    if smtp.is_none() {
        if let Some(Channel::Email(address)) =
            channels.iter().find(|c| matches!(c, Channel::Email(_)))
        {
            return Err(crate::settings::SettingsError::Flag {
                flag: "--smtp-server",
                message: format!("email alerts to {address} need an SMTP server"),
            });
        }
    }
    Ok(Some(NotifySettings {
        channels,
        smtp,
        every,
        on_resolve: args.notify_on_resolve,
        state_file: args
            .state
            .clone()
            .filter(|p| state::ConfigMapRef::parse(&p.to_string_lossy()).is_none()),
        state_configmap: match &args.state {
            Some(path) => state::ConfigMapRef::parse(&path.to_string_lossy())
                .transpose()
                .map_err(|message| crate::settings::SettingsError::Flag {
                    flag: "--state",
                    message,
                })?,
            None => None,
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_channels() {
        assert_eq!(
            "slack=https://hooks.slack.com/services/T/B/x".parse::<Channel>(),
            Ok(Channel::Slack(
                "https://hooks.slack.com/services/T/B/x".to_string()
            ))
        );
        assert_eq!(
            "email=ops@example.com".parse::<Channel>(),
            Ok(Channel::Email("ops@example.com".to_string()))
        );
        assert!(matches!(
            "teams=https://x".parse::<Channel>(),
            Err(ChannelError::UnknownKind(k)) if k == "teams"
        ));
        assert!(matches!(
            "https://x".parse::<Channel>(),
            Err(ChannelError::NoKind(_))
        ));
        let err = "webhook=ftp://host/secret-token"
            .parse::<Channel>()
            .unwrap_err()
            .to_string();
        assert!(err.contains("webhook URL") && err.contains("ftp"), "{err}");
        assert!(!err.contains("secret-token"), "{err}");
        let err = "email=not an address".parse::<Channel>().unwrap_err();
        assert!(err.to_string().contains("not an address"), "{err}");
    }

    #[test]
    fn labels_hide_webhook_secrets() {
        let hook = Channel::Webhook("https://user:pw@hooks.example.com:8443/T/B/tok?k=v".into());
        assert_eq!(hook.label(), "webhook https://hooks.example.com:8443/…");
        assert!(!format!("{hook:?}").contains("tok"));
        assert_eq!(
            Channel::Slack("https://hooks.slack.com/services/T/B/tok".into()).label(),
            "slack"
        );
        let smtp = Smtp {
            server: "mail".into(),
            port: 25,
            starttls: true,
            username: Some("u".into()),
            password: Some("hunter2".into()),
            from: "a@b".into(),
        };
        assert!(!format!("{smtp:?}").contains("hunter2"));
    }
}
