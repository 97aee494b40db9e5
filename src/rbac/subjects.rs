//! Subjects as RBAC names them (users, groups, service accounts): read from `--allow` and
//! from bindings, and the subjects allowed by default (the cluster's own).

use serde::Serialize;
use serde_json::Value;
use std::fmt;
use std::str::FromStr;

use super::*;

/// The kinds of subject a binding names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum SubjectKind {
    User,
    Group,
    ServiceAccount,
}

impl fmt::Display for SubjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SubjectKind::User => "User",
            SubjectKind::Group => "Group",
            SubjectKind::ServiceAccount => "ServiceAccount",
        })
    }
}

/// Someone a binding grants to. Service accounts carry their namespace; users and groups
/// do not have one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Subject {
    pub kind: SubjectKind,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// The user name prefix of service accounts: `system:serviceaccount:NS:NAME`.
pub(super) const SERVICE_ACCOUNT_USER_PREFIX: &str = "system:serviceaccount:";

impl Subject {
    pub fn user(name: &str) -> Subject {
        // A service account authenticates as this user name, and a binding to that user
        // name applies to it: one subject, not two.
        if let Some((namespace, name)) = name
            .strip_prefix(SERVICE_ACCOUNT_USER_PREFIX)
            .and_then(|rest| rest.split_once(':'))
        {
            if !namespace.is_empty() && !name.is_empty() && !name.contains(':') {
                return Subject::service_account(namespace, name);
            }
        }
        Subject {
            kind: SubjectKind::User,
            name: name.to_string(),
            namespace: None,
        }
    }

    pub fn group(name: &str) -> Subject {
        Subject {
            kind: SubjectKind::Group,
            name: name.to_string(),
            namespace: None,
        }
    }

    pub fn service_account(namespace: &str, name: &str) -> Subject {
        Subject {
            kind: SubjectKind::ServiceAccount,
            name: name.to_string(),
            namespace: Some(namespace.to_string()),
        }
    }

    /// A binding's `subjects[]` entry; a service account without a namespace is in the
    /// binding's namespace, as the authorizer reads it. Unknown kinds are `None`.
    pub(super) fn from_binding(entry: &Value, binding_namespace: Option<&str>) -> Option<Subject> {
        let name = entry["name"].as_str().filter(|n| !n.is_empty())?;
        match entry["kind"].as_str()? {
            "User" => Some(Subject::user(name)),
            "Group" => Some(Subject::group(name)),
            "ServiceAccount" => {
                let namespace = entry["namespace"]
                    .as_str()
                    .filter(|n| !n.is_empty())
                    .or(binding_namespace)?;
                Some(Subject::service_account(namespace, name))
            }
            _ => None,
        }
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.kind, &self.namespace) {
            (SubjectKind::ServiceAccount, Some(namespace)) => {
                write!(f, "ServiceAccount {namespace}/{}", self.name)
            }
            (kind, _) => write!(f, "{kind} {}", self.name),
        }
    }
}

/// Parses `--allow` values: `user:alice`, `group:oncall`, `serviceaccount:ci:deployer` or
/// `system:serviceaccount:ci:deployer`. The kind is case-insensitive; user and group names
/// may contain colons (`group:system:masters`). A name of `*` matches every name of that
/// kind (in that namespace, for service accounts); see [`is_allowed`].
impl FromStr for Subject {
    type Err = RbacError;

    fn from_str(input: &str) -> Result<Subject, RbacError> {
        let bad = |reason| RbacError::BadSubject {
            input: input.to_string(),
            reason,
        };
        let text = input.trim();
        let service_account = |rest: &str| match rest.split_once(':') {
            Some((namespace, name))
                if !namespace.is_empty() && !name.is_empty() && !name.contains(':') =>
            {
                Ok(Subject::service_account(namespace, name))
            }
            _ => Err(bad("a service account is NAMESPACE:NAME")),
        };
        if let Some(rest) = text.strip_prefix(SERVICE_ACCOUNT_USER_PREFIX) {
            return service_account(rest);
        }
        let (kind, rest) = text.split_once(':').ok_or_else(|| bad("no KIND: prefix"))?;
        if rest.is_empty() {
            return Err(bad("the name is empty"));
        }
        match kind.to_ascii_lowercase().as_str() {
            "user" => Ok(Subject::user(rest)),
            "group" => Ok(Subject::group(rest)),
            "serviceaccount" | "sa" => service_account(rest),
            _ => Err(bad("the kind is not user, group or serviceaccount")),
        }
    }
}

/// [`DEFAULT_ALLOW`], parsed.
pub fn default_allow() -> Vec<Subject> {
    DEFAULT_ALLOW
        .iter()
        .map(|s| s.parse().expect("DEFAULT_ALLOW entries parse"))
        .collect()
}

/// Whether `subject` is on the allow list: same kind, same namespace, and the same name or
/// an allow entry named `*`. Group membership is not known here, so a user in an allowed
/// group is not thereby allowed; allow the group, and the group's grants are left out.
pub fn is_allowed(subject: &Subject, allow: &[Subject]) -> bool {
    allow.iter().any(|a| {
        a.kind == subject.kind
            && a.namespace == subject.namespace
            && (a.name == subject.name || a.name == "*")
    })
}
