//! How a failed API request reads in output. Connection failures name their cause
//! (unknown authority, name mismatch, expired certificate, refused, timed out) instead of
//! the client's layers; an API answer gives the server's message, never the client's dump
//! of its Status. For a Secret the server's message is never passed on at all: servers
//! quote the offending value (`expected string, got …{Value:12345}`), so only the HTTP
//! code, the reason and the field paths are kept.

use std::error::Error as StdError;

/// Whether a resource of this group and kind holds secret values.
pub fn is_secret(group: &str, kind: &str) -> bool {
    group.is_empty() && kind == "Secret"
}

/// One line describing `error`. With `secret`, nothing of the server's own text is kept.
pub fn describe(error: &kube::Error, secret: bool) -> String {
    match error {
        kube::Error::Api(status) => status_text(status, secret),
        other => connection_text(other),
    }
}

/// One line for an API server's error answer. With `secret`, only its code, reason and
/// field paths.
pub fn status_text(status: &kube::core::Status, secret: bool) -> String {
    if secret {
        reduced(status)
    } else {
        api_text(status)
    }
}

/// The server's message with what its code means where the message alone is vague.
fn api_text(status: &kube::core::Status) -> String {
    let message = status.message.trim();
    match status.code {
        401 => format!(
            "401 Unauthorized: the server did not accept the kubeconfig user's credentials{}",
            if message.is_empty() || message == "Unauthorized" {
                String::new()
            } else {
                format!(" ({message})")
            }
        ),
        // The server's message names the user, the verb and the resource.
        403 if !message.is_empty() => format!("403 Forbidden: {message}"),
        403 => "403 Forbidden".to_string(),
        _ if message.is_empty() => format!("{} {}", status.code, word(&status.reason)),
        _ => message.to_string(),
    }
}

/// A Secret's error: the code, the reason and the field paths, from the structured causes
/// and from paths under `data`/`stringData` named in the message. Every piece is checked to
/// be a plain word or path, so no value can pass.
fn reduced(status: &kube::core::Status) -> String {
    let mut fields: Vec<String> = Vec::new();
    let mut reasons: Vec<String> = Vec::new();
    if let Some(details) = &status.details {
        for cause in &details.causes {
            if let Some(path) = safe_path(cause.field.trim_start_matches('.')) {
                if !fields.contains(&path) {
                    fields.push(path);
                }
            }
            let reason = word(&cause.reason);
            if !reason.is_empty() && !reasons.contains(&reason) {
                reasons.push(reason);
            }
        }
    }
    for path in paths_in(&status.message) {
        if !fields.contains(&path) {
            fields.push(path);
        }
    }
    let mut text = format!("{} {}", status.code, word(&status.reason))
        .trim_end()
        .to_string();
    if !reasons.is_empty() {
        text.push_str(&format!(" ({})", reasons.join(", ")));
    }
    if !fields.is_empty() {
        text.push_str(&format!(" at {}", fields.join(", ")));
    }
    text.push_str("; the server's message is not shown for Secrets, as it may quote a value");
    text
}

/// A reason such as `Invalid` or `FieldValueInvalid`: letters only, else nothing.
fn word(text: &str) -> String {
    if !text.is_empty() && text.len() <= 64 && text.chars().all(|c| c.is_ascii_alphabetic()) {
        text.to_string()
    } else {
        String::new()
    }
}

/// A field path made of Secret key characters, dots and brackets, else nothing.
fn safe_path(text: &str) -> Option<String> {
    let ok = !text.is_empty()
        && text.len() <= 300
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '[' | ']'));
    ok.then(|| text.to_string())
}

/// `data.KEY` and `stringData.KEY` paths named in a server message.
fn paths_in(message: &str) -> Vec<String> {
    let mut paths = Vec::new();
    for section in ["stringData", "data"] {
        let mut rest = message;
        while let Some(at) = rest.find(section) {
            let before = rest[..at].chars().next_back();
            let after = &rest[at + section.len()..];
            rest = after;
            // Whole word only: `stringData` must not count as `data`.
            if before.is_some_and(|c| c.is_ascii_alphanumeric()) {
                continue;
            }
            let Some(tail) = after.strip_prefix('.').or_else(|| after.strip_prefix('[')) else {
                continue;
            };
            let key: String = tail
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
                .collect();
            let key = key.trim_end_matches('.');
            if key.is_empty() {
                continue;
            }
            let path = format!("{section}.{key}");
            if !paths.contains(&path) {
                paths.push(path);
            }
        }
    }
    paths
}

/// Why a request got no answer, in the words a person acts on.
fn connection_text(error: &kube::Error) -> String {
    if let Some(text) = find_cause(error, 0) {
        return text;
    }
    // No known cause: the whole chain, each distinct layer once.
    let mut parts: Vec<String> = Vec::new();
    let mut current: Option<&(dyn StdError + 'static)> = Some(error);
    while let Some(err) = current {
        let text = err.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = err.source();
    }
    parts.join(": ")
}

/// The first layer of the chain that names a known cause.
fn find_cause(err: &(dyn StdError + 'static), depth: usize) -> Option<String> {
    if depth > 16 {
        return None;
    }
    if let Some(text) = cause_text(err) {
        return Some(text);
    }
    // `io::Error::source` skips the error it wraps (itself often an `io::Error`): look inside.
    if let Some(inner) = err
        .downcast_ref::<std::io::Error>()
        .and_then(|io| io.get_ref())
    {
        if let Some(text) = find_cause(inner, depth + 1) {
            return Some(text);
        }
    }
    find_cause(err.source()?, depth + 1)
}

fn cause_text(err: &(dyn StdError + 'static)) -> Option<String> {
    use rustls::CertificateError as Cert;
    if err.is::<tokio::time::error::Elapsed>()
        || err.is::<super::TimedOut>()
        || err.is::<super::OverLimit>()
    {
        return Some(err.to_string());
    }
    if let Some(tls) = err.downcast_ref::<rustls::Error>() {
        return Some(match tls {
            rustls::Error::InvalidCertificate(cert) => match cert {
                Cert::UnknownIssuer | Cert::BadSignature => "TLS: the server's certificate is signed by an unknown authority (check certificate-authority-data in the kubeconfig)".to_string(),
                Cert::NotValidForName | Cert::NotValidForNameContext { .. } => "TLS: the server's certificate is not valid for the server's host name (a name mismatch)".to_string(),
                Cert::Expired | Cert::ExpiredContext { .. } => "TLS: the server's certificate has expired".to_string(),
                Cert::NotValidYet | Cert::NotValidYetContext { .. } => "TLS: the server's certificate is not valid yet".to_string(),
                other => format!("TLS: the server's certificate is not accepted: {other:?}"),
            },
            other => format!("TLS: {other}"),
        });
    }
    if let Some(io) = err.downcast_ref::<std::io::Error>() {
        match io.kind() {
            std::io::ErrorKind::ConnectionRefused => {
                return Some("connection refused: nothing listens at the server's address".into())
            }
            std::io::ErrorKind::TimedOut => {
                return Some("timed out: the server did not answer".into())
            }
            std::io::ErrorKind::ConnectionReset => {
                return Some("the server closed the connection".into())
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use kube::core::Status;

    fn api(code: u16, reason: &str, message: &str) -> kube::Error {
        kube::Error::Api(Box::new(Status::failure(message, reason).with_code(code)))
    }

    #[test]
    fn secret_messages_keep_only_paths_and_reason() {
        let error = api(
            500,
            "InternalError",
            "failed to create typed patch object (ns/s; /v1, Kind=Secret): .stringData.password: expected string, got &value.valueUnstructured{Value:987654321}",
        );
        let text = describe(&error, true);
        assert!(!text.contains("987654321"), "{text}");
        assert!(text.contains("stringData.password"), "{text}");
        assert!(text.contains("500 InternalError"), "{text}");
        // Other kinds keep the server's words.
        assert!(describe(&error, false).contains("987654321"));
    }

    #[test]
    fn paths_are_whole_words() {
        assert_eq!(
            paths_in("data[tls.crt]: x; metadata.name; stringData.a-b_c.d: y"),
            vec!["stringData.a-b_c.d".to_string(), "data.tls.crt".to_string()]
        );
    }

    #[test]
    fn api_errors_read_as_the_server_message() {
        let text = describe(
            &api(
                403,
                "Forbidden",
                "secrets is forbidden: User \"viewer\" cannot patch resource",
            ),
            false,
        );
        assert_eq!(
            text,
            "403 Forbidden: secrets is forbidden: User \"viewer\" cannot patch resource"
        );
        assert!(!text.contains("Status {"));
        assert!(describe(&api(401, "Unauthorized", "Unauthorized"), false)
            .starts_with("401 Unauthorized"));
    }
}
