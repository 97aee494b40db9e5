//! Label selectors (`-l`, a target's `trackingLabel`): parsed as the API server parses
//! them, and matched locally against Git manifests and live objects.

/// A parsed label selector, matched locally against Git manifests and live objects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelSelector {
    pub text: String,
    requirements: Vec<Requirement>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

impl LabelSelector {
    /// Parses `a=b,c!=d,e in (f,g),h notin (i),j,!k`.
    pub fn parse(text: &str) -> Result<LabelSelector, String> {
        let mut requirements = Vec::new();
        for part in split_top_level(text) {
            let part = part.trim();
            if part.is_empty() {
                return Err(format!("empty requirement in {text:?}"));
            }
            let req = if let Some(key) = part.strip_prefix('!') {
                Requirement::NotExists(check_key(key.trim())?)
            } else if let Some((k, v)) = part.split_once("!=") {
                Requirement::NotEquals(check_key(k.trim())?, v.trim().to_string())
            } else if let Some((k, v)) = part.split_once("==").or_else(|| part.split_once('=')) {
                Requirement::Equals(check_key(k.trim())?, v.trim().to_string())
            } else if let Some((k, set)) = split_set(part, " notin ") {
                Requirement::NotIn(check_key(k)?, set?)
            } else if let Some((k, set)) = split_set(part, " in ") {
                Requirement::In(check_key(k)?, set?)
            } else {
                Requirement::Exists(check_key(part)?)
            };
            requirements.push(req);
        }
        Ok(LabelSelector {
            text: text.to_string(),
            requirements,
        })
    }

    /// Whether an object's labels (a JSON map, or none) satisfy every requirement.
    pub fn matches(&self, labels: Option<&serde_json::Map<String, serde_json::Value>>) -> bool {
        let get = |k: &str| labels.and_then(|l| l.get(k)).and_then(|v| v.as_str());
        self.requirements.iter().all(|r| match r {
            Requirement::Equals(k, v) => get(k) == Some(v.as_str()),
            Requirement::NotEquals(k, v) => get(k) != Some(v.as_str()),
            Requirement::In(k, set) => get(k).is_some_and(|x| set.iter().any(|s| s == x)),
            Requirement::NotIn(k, set) => get(k).is_none_or(|x| !set.iter().any(|s| s == x)),
            Requirement::Exists(k) => get(k).is_some(),
            Requirement::NotExists(k) => get(k).is_none(),
        })
    }
}

fn split_top_level(text: &str) -> Vec<&str> {
    let (mut parts, mut depth, mut start) = (Vec::new(), 0, 0);
    for (i, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

fn split_set<'a>(part: &'a str, op: &str) -> Option<(&'a str, Result<Vec<String>, String>)> {
    let (key, rest) = part.split_once(op)?;
    let rest = rest.trim();
    let set = rest
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .map(|inner| inner.split(',').map(|s| s.trim().to_string()).collect())
        .ok_or_else(|| format!("expected a (set) after {:?} in {part:?}", op.trim()));
    Some((key.trim(), set))
}

fn check_key(key: &str) -> Result<String, String> {
    if key.is_empty() || key.contains(char::is_whitespace) || key.contains(['(', ')', '!', '=']) {
        return Err(format!("invalid label key {key:?}"));
    }
    Ok(key.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn label_selectors_match_like_the_server() {
        let s = LabelSelector::parse("app=web,tier!=cache,env in (prod, staging),!legacy").unwrap();
        let labels = json!({"app": "web", "env": "prod"});
        assert!(s.matches(labels.as_object()));
        let labels = json!({"app": "web", "env": "dev"});
        assert!(!s.matches(labels.as_object()));
        assert!(!s.matches(None));
        assert!(LabelSelector::parse("a=b,").is_err());
        assert!(LabelSelector::parse("a in b").is_err());
        assert!(LabelSelector::parse("!a").unwrap().matches(None));
    }
}
