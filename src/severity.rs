//! Severity: how much a drifted field matters, judged on a finished report like ignore rules
//! and accepted drift. Built-in rules see the resource's identity, the field's path and
//! both of its values (Git's and live), so that "widened" and "loosened" are judged by
//! comparing the two: `privileged: false` made `true` is critical, an image retagged within
//! its repository is not a registry change. A drifted subtree is judged leaf by leaf, and
//! the field takes the highest severity any of its changed leaves gets; a resource takes
//! the highest of its fields. The first rule in [`RULES`] that matches a leaf decides; a
//! leaf no specific rule matches is `medium` ([`DEFAULT_RULE`]).

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::Value;

use crate::drift::path::Segment;
use crate::drift::{FieldDrift, Identity, Status};
use crate::report::ResourceReport;

/// How much a drift matters, lowest first so that `max` is the most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        })
    }
}

/// A severity and the name of the rule that gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rating {
    pub severity: Severity,
    pub rule: &'static str,
}

/// One changed leaf of a drifted field, as a rule sees it.
pub struct Subject<'a> {
    pub identity: &'a Identity,
    /// The leaf's path with list items as `[]`: `spec.template.spec.containers.[].image`.
    pub path: &'a [String],
    pub git: Option<&'a Value>,
    pub live: Option<&'a Value>,
}

/// A built-in rule: its name, the severity it gives, why, and the leaves it matches.
pub struct Rule {
    pub name: &'static str,
    pub severity: Severity,
    pub reason: &'static str,
    pub applies: fn(&Subject) -> bool,
}

/// The name of the rating a field gets when no rule matches it.
pub const DEFAULT_RULE: &str = "other";
/// The severity of a field no rule matches.
pub const DEFAULT_SEVERITY: Severity = Severity::Medium;

/// Resource-level rules, for objects missing from the cluster or extra in it: (rule,
/// severity, reason).
pub const RESOURCE_RULES: &[(&str, Severity, &str)] = &[
    (
        "network-policy-deleted",
        Severity::Critical,
        "a NetworkPolicy Git declares is gone, so the traffic it denied flows",
    ),
    (
        "admission-webhook-deleted",
        Severity::Critical,
        "an admission webhook Git declares is gone, so what it checked is no longer checked",
    ),
    (
        "binding-added",
        Severity::Critical,
        "a RoleBinding or ClusterRoleBinding Git does not declare grants access",
    ),
    (
        "admission-webhook-added",
        Severity::Critical,
        "an admission webhook Git does not declare sees or changes every matching request",
    ),
    (
        "missing",
        Severity::High,
        "an object Git declares is not in the cluster",
    ),
    (
        "extra",
        Severity::Medium,
        "an object the target tracks has no manifest in Git",
    ),
];

/// The built-in field rules, in the order they are tried: specific rules before the catch-alls
/// (`pod-template`, `replicas`), so that a restart annotation in the pod template is `info`.
#[rustfmt::skip]
pub const RULES: &[Rule] = &[
    Rule { name: "privileged", severity: Severity::Critical, reason: "a privileged container has the host's devices and every capability", applies: privileged },
    Rule { name: "privilege-escalation", severity: Severity::Critical, reason: "allowPrivilegeEscalation lets a process gain more privileges than its parent (setuid)", applies: privilege_escalation },
    Rule { name: "capabilities-added", severity: Severity::Critical, reason: "added Linux capabilities (SYS_ADMIN, NET_ADMIN, ALL) break the container's isolation", applies: capabilities_added },
    Rule { name: "run-as-root", severity: Severity::Critical, reason: "runAsNonRoot: false or runAsUser: 0 runs the container as root", applies: run_as_root },
    Rule { name: "host-namespaces", severity: Severity::Critical, reason: "hostNetwork, hostPID or hostIPC shares the node's namespaces with the pod", applies: host_namespaces },
    Rule { name: "host-path", severity: Severity::Critical, reason: "a hostPath volume gives the pod the node's filesystem", applies: host_path },
    Rule { name: "rbac-widened", severity: Severity::Critical, reason: "a Role or ClusterRole grants a verb, resource or API group (or *) Git does not", applies: rbac_widened },
    Rule { name: "binding-subject-added", severity: Severity::Critical, reason: "a binding grants its role to a subject Git does not name", applies: binding_subject_added },
    Rule { name: "network-policy-loosened", severity: Severity::Critical, reason: "a NetworkPolicy allows traffic Git's version does not", applies: network_policy_loosened },
    Rule { name: "admission-webhook-changed", severity: Severity::Critical, reason: "an admission webhook sees and may change every matching request", applies: admission_webhook_changed },
    Rule { name: "image-source-changed", severity: Severity::High, reason: "an image from another registry or repository is other code", applies: image_source_changed },
    Rule { name: "image-digest-dropped", severity: Severity::High, reason: "without its digest an image is no longer pinned to what was reviewed", applies: image_digest_dropped },
    Rule { name: "image-latest", severity: Severity::High, reason: "the latest tag moves: what runs is whatever was pushed last", applies: image_latest },
    Rule { name: "service-exposed", severity: Severity::High, reason: "a Service made NodePort or LoadBalancer, or given externalIPs, is reachable from outside", applies: service_exposed },
    Rule { name: "credential-reference-changed", severity: Severity::High, reason: "another Secret or ServiceAccount gives the pod other credentials", applies: credential_reference_changed },
    Rule { name: "service-account-token-mounted", severity: Severity::High, reason: "automountServiceAccountToken: true puts an API token in the pod", applies: token_mounted },
    Rule { name: "controller-metadata", severity: Severity::Info, reason: "controllers and kubectl rollout restart write these labels and annotations", applies: controller_metadata },
    Rule { name: "replicas-to-zero", severity: Severity::Medium, reason: "no replicas: the workload is down", applies: replicas_to_zero },
    Rule { name: "resources-lowered", severity: Severity::Medium, reason: "lower or removed requests and limits starve or evict the workload", applies: resources_lowered },
    Rule { name: "pod-template", severity: Severity::Medium, reason: "any other change to what the pods run (env, args, command, probes)", applies: pod_template },
    Rule { name: "replicas", severity: Severity::Low, reason: "replicas change with load (kubectl scale, an autoscaler)", applies: replicas },
];

/// Rates every drifted field of every resource. Run on the finished report, before Secret
/// values are hidden.
pub fn apply(resources: &mut [ResourceReport]) {
    for resource in resources {
        let identity = &resource.identity;
        for field in &mut resource.fields {
            field.rating = Some(rate(identity, field));
        }
    }
}

/// The rating of one drifted field: the highest its changed leaves get.
pub fn rate(identity: &Identity, field: &FieldDrift) -> Rating {
    let mut base: Vec<String> = Vec::new();
    for segment in field.path.segments() {
        base.push(match segment {
            Segment::Field(name) => name.clone(),
            Segment::Key(_) | Segment::Index(_) => ITEM.to_string(),
        });
    }
    let mut leaves = Vec::new();
    leaves_of(base, field.git.as_ref(), field.live.as_ref(), &mut leaves);
    leaves
        .iter()
        .map(|(path, git, live)| {
            let subject = Subject {
                identity,
                path,
                git: *git,
                live: *live,
            };
            rate_leaf(&subject)
        })
        .max_by_key(|r| r.severity)
        .unwrap_or(Rating {
            severity: DEFAULT_SEVERITY,
            rule: DEFAULT_RULE,
        })
}

/// The first rule that matches the leaf, else the default.
pub fn rate_leaf(subject: &Subject) -> Rating {
    RULES
        .iter()
        .find(|rule| (rule.applies)(subject))
        .map(|rule| Rating {
            severity: rule.severity,
            rule: rule.name,
        })
        .unwrap_or(Rating {
            severity: DEFAULT_SEVERITY,
            rule: DEFAULT_RULE,
        })
}

/// The rating of a whole resource: the highest of its fields for drift, a resource rule for
/// a missing or extra object, none for the other statuses. Drift no rule has rated yet
/// counts at the default severity.
pub fn of_resource(resource: &ResourceReport) -> Option<Rating> {
    let named = |name: &str| {
        let (rule, severity, _) = RESOURCE_RULES
            .iter()
            .find(|(rule, ..)| *rule == name)
            .expect("a resource rule of the table");
        Rating {
            severity: *severity,
            rule,
        }
    };
    let id = &resource.identity;
    match resource.status {
        Status::Drifted => Some(
            resource
                .fields
                .iter()
                .map(|f| {
                    f.rating.unwrap_or(Rating {
                        severity: DEFAULT_SEVERITY,
                        rule: DEFAULT_RULE,
                    })
                })
                .max_by_key(|r| r.severity)
                .unwrap_or(Rating {
                    severity: DEFAULT_SEVERITY,
                    rule: DEFAULT_RULE,
                }),
        ),
        Status::Missing if is_network_policy(id) => Some(named("network-policy-deleted")),
        Status::Missing if is_webhook(id) => Some(named("admission-webhook-deleted")),
        Status::Missing => Some(named("missing")),
        Status::Extra if is_binding(id) => Some(named("binding-added")),
        Status::Extra if is_webhook(id) => Some(named("admission-webhook-added")),
        Status::Extra => Some(named("extra")),
        _ => None,
    }
}

/// How a list item stands in a leaf's path.
const ITEM: &str = "[]";

/// The changed leaves under a field: maps are followed key by key, and lists of named items
/// (containers, volumes, env) item by item, paired by name; other lists are one leaf, so
/// that rules compare them whole (a capability list, a Role's rules).
fn leaves_of<'a>(
    path: Vec<String>,
    git: Option<&'a Value>,
    live: Option<&'a Value>,
    out: &mut Vec<(Vec<String>, Option<&'a Value>, Option<&'a Value>)>,
) {
    if git == live {
        return;
    }
    let child = |key: &str| {
        let mut p = path.clone();
        p.push(key.to_string());
        p
    };
    match (git, live) {
        (Some(Value::Object(_)) | None, Some(Value::Object(_)) | None)
            if git.is_some() || live.is_some() =>
        {
            let keys: BTreeSet<&String> = [git, live]
                .into_iter()
                .flatten()
                .filter_map(Value::as_object)
                .flat_map(|m| m.keys())
                .collect();
            for key in keys {
                leaves_of(
                    child(key),
                    git.and_then(|v| v.get(key)),
                    live.and_then(|v| v.get(key)),
                    out,
                );
            }
        }
        (Some(Value::Array(_)) | None, Some(Value::Array(_)) | None)
            if named_items(git) && named_items(live) && !(is_empty(git) && is_empty(live)) =>
        {
            let name = |item: &Value| item.get("name").cloned();
            let items = |side: Option<&'a Value>| -> Vec<&'a Value> {
                side.and_then(Value::as_array)
                    .map(|a| a.iter().collect())
                    .unwrap_or_default()
            };
            let (git_items, live_items) = (items(git), items(live));
            let mut names: Vec<Value> = Vec::new();
            for item in git_items.iter().chain(&live_items) {
                let n = name(item).unwrap_or_default();
                if !names.contains(&n) {
                    names.push(n);
                }
            }
            for n in names {
                let find =
                    |list: &[&'a Value]| list.iter().copied().find(|i| name(i) == Some(n.clone()));
                leaves_of(child(ITEM), find(&git_items), find(&live_items), out);
            }
        }
        _ => out.push((path, git, live)),
    }
}

/// Whether a value is absent or a list whose items are all maps with a `name`.
fn named_items(value: Option<&Value>) -> bool {
    match value {
        None => true,
        Some(Value::Array(items)) => items.iter().all(|i| i.get("name").is_some()),
        _ => false,
    }
}

/// Whether a list value is absent or has no items.
fn is_empty(value: Option<&Value>) -> bool {
    value.and_then(Value::as_array).is_none_or(Vec::is_empty)
}

// --- where things are ---

fn is_kind(id: &Identity, group: &str, kinds: &[&str]) -> bool {
    id.group == group && kinds.contains(&id.kind.as_str())
}

fn is_network_policy(id: &Identity) -> bool {
    is_kind(id, "networking.k8s.io", &["NetworkPolicy"])
}

fn is_webhook(id: &Identity) -> bool {
    is_kind(
        id,
        "admissionregistration.k8s.io",
        &[
            "ValidatingWebhookConfiguration",
            "MutatingWebhookConfiguration",
        ],
    )
}

fn is_binding(id: &Identity) -> bool {
    is_kind(
        id,
        "rbac.authorization.k8s.io",
        &["RoleBinding", "ClusterRoleBinding"],
    )
}

/// Where a kind holds its pod template's metadata and spec, as field names.
fn template_of(id: &Identity) -> Option<&'static [&'static str]> {
    match (id.group.as_str(), id.kind.as_str()) {
        ("", "Pod") => Some(&[]),
        ("", "ReplicationController" | "PodTemplate")
        | ("apps", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet")
        | ("batch", "Job") => Some(&["spec", "template"]),
        ("batch", "CronJob") => Some(&["spec", "jobTemplate", "spec", "template"]),
        _ => None,
    }
}

/// The leaf's path below the pod spec (`hostNetwork`, `containers.[].image`), if it is in one.
fn in_pod_spec<'a>(s: &Subject<'a>) -> Option<&'a [String]> {
    let template = template_of(s.identity)?;
    let rest = strip(s.path, template)?;
    strip(rest, &["spec"])
}

/// The leaf's path below a container (`image`, `securityContext.privileged`).
fn in_container<'a>(s: &Subject<'a>) -> Option<&'a [String]> {
    let rest = in_pod_spec(s)?;
    match rest {
        [list, item, tail @ ..]
            if item == ITEM
                && matches!(
                    list.as_str(),
                    "containers" | "initContainers" | "ephemeralContainers"
                ) =>
        {
            Some(tail)
        }
        _ => None,
    }
}

fn strip<'a>(path: &'a [String], prefix: &[&str]) -> Option<&'a [String]> {
    (path.len() >= prefix.len() && path.iter().zip(prefix).all(|(a, b)| a == b))
        .then(|| &path[prefix.len()..])
}

fn is(rest: Option<&[String]>, want: &[&str]) -> bool {
    rest.is_some_and(|r| r.len() == want.len() && r.iter().zip(want).all(|(a, b)| a == b))
}

/// Made `true` where Git's value is not `true`.
fn made_true(s: &Subject) -> bool {
    s.live == Some(&Value::Bool(true)) && s.git != Some(&Value::Bool(true))
}

/// The strings of a list value (an absent field is an empty list).
fn strings(value: Option<&Value>) -> BTreeSet<String> {
    match value {
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| match i {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect(),
        Some(Value::String(s)) => BTreeSet::from([s.clone()]),
        _ => BTreeSet::new(),
    }
}

/// Items of a list value (or the value itself), for set comparisons.
fn items(value: Option<&Value>) -> Vec<&Value> {
    match value {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(other) => vec![other],
        None => Vec::new(),
    }
}

/// Whether live holds an item Git does not.
fn gained_item(s: &Subject) -> bool {
    let git = items(s.git);
    items(s.live).iter().any(|item| !git.contains(item))
}

// --- the rules ---

fn privileged(s: &Subject) -> bool {
    is(in_container(s), &["securityContext", "privileged"]) && made_true(s)
}

fn privilege_escalation(s: &Subject) -> bool {
    is(
        in_container(s),
        &["securityContext", "allowPrivilegeEscalation"],
    ) && made_true(s)
}

fn capabilities_added(s: &Subject) -> bool {
    is(in_container(s), &["securityContext", "capabilities", "add"])
        && !strings(s.live).is_subset(&strings(s.git))
}

fn run_as_root(s: &Subject) -> bool {
    let context = in_container(s)
        .and_then(|r| strip(r, &["securityContext"]))
        .or_else(|| in_pod_spec(s).and_then(|r| strip(r, &["securityContext"])));
    let zero = Value::from(0);
    let falsy = Value::Bool(false);
    (is(context, &["runAsNonRoot"]) && s.live == Some(&falsy) && s.git != Some(&falsy))
        || (is(context, &["runAsUser"]) && s.live == Some(&zero) && s.git != Some(&zero))
}

fn host_namespaces(s: &Subject) -> bool {
    ["hostNetwork", "hostPID", "hostIPC"]
        .iter()
        .any(|f| is(in_pod_spec(s), &[f]))
        && made_true(s)
}

fn host_path(s: &Subject) -> bool {
    let Some(rest) = in_pod_spec(s) else {
        return false;
    };
    matches!(rest, [v, item, h, ..] if v == "volumes" && item == ITEM && h == "hostPath")
        && s.live.is_some()
}

fn rbac_widened(s: &Subject) -> bool {
    if !is_kind(
        s.identity,
        "rbac.authorization.k8s.io",
        &["Role", "ClusterRole"],
    ) {
        return false;
    }
    match s.path.first().map(String::as_str) {
        Some("rules") => {}
        // An aggregated ClusterRole takes the rules of every role its selectors match.
        Some("aggregationRule") => return s.live.is_some(),
        _ => return false,
    }
    let grants = |v: Option<&Value>| -> BTreeSet<(String, String, String)> {
        let mut out = BTreeSet::new();
        for rule in items(v).into_iter().filter(|r| r.is_object()) {
            let field = |k: &str| {
                let s = strings(rule.get(k));
                if s.is_empty() {
                    BTreeSet::from([String::new()])
                } else {
                    s
                }
            };
            let targets: BTreeSet<String> = field("resources")
                .into_iter()
                .chain(strings(rule.get("nonResourceURLs")))
                .collect();
            for group in field("apiGroups") {
                for target in &targets {
                    for verb in strings(rule.get("verbs")) {
                        out.insert((group.clone(), target.clone(), verb));
                    }
                }
            }
        }
        out
    };
    let is_rules = |v: Option<&Value>| items(v).iter().all(|r| r.is_object());
    if s.path.len() == 1 || (is_rules(s.git) && is_rules(s.live)) {
        // Whole rules: every live grant must be covered by one of Git's.
        let (git, live) = (grants(s.git), grants(s.live));
        let covers = |have: &str, want: &str| have == want || have == "*";
        live.iter().any(|(g, t, v)| {
            !git.iter()
                .any(|(gg, gt, gv)| covers(gg, g) && covers(gt, t) && covers(gv, v))
        })
    } else {
        // One list of one rule (verbs, resources, apiGroups): an added entry widens it.
        !strings(s.live).is_subset(&strings(s.git))
    }
}

fn binding_subject_added(s: &Subject) -> bool {
    is_binding(s.identity) && s.path.first().is_some_and(|p| p == "subjects") && gained_item(s)
}

fn network_policy_loosened(s: &Subject) -> bool {
    if !is_network_policy(s.identity) {
        return false;
    }
    match s
        .path
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        // Fewer listed types: the other direction is no longer isolated.
        ["spec", "policyTypes"] => !strings(s.git).is_subset(&strings(s.live)),
        // Other pods are selected: the ones no longer selected lose their isolation.
        ["spec", "podSelector", ..] => true,
        // Fewer whole rules allow less; any other change to the rules may allow more.
        ["spec", "ingress" | "egress"] => {
            let git = items(s.git);
            s.live.is_some() && !items(s.live).iter().all(|rule| git.contains(rule))
        }
        ["spec", "ingress" | "egress", ..] => true,
        _ => false,
    }
}

fn admission_webhook_changed(s: &Subject) -> bool {
    is_webhook(s.identity) && s.path.first().is_some_and(|p| p != "metadata")
}

/// An image reference split into registry and repository, tag and digest.
struct ImageRef {
    registry: String,
    repository: String,
    tag: Option<String>,
    digest: Option<String>,
}

fn image_ref(value: Option<&Value>) -> Option<ImageRef> {
    let text = value?.as_str()?;
    let (name, digest) = match text.split_once('@') {
        Some((name, digest)) => (name, Some(digest.to_string())),
        None => (text, None),
    };
    // A tag follows the last colon after the last slash (a registry may have a port).
    let slash = name.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match name[slash..].rfind(':') {
        Some(i) => (&name[..slash + i], Some(name[slash + i + 1..].to_string())),
        None => (name, None),
    };
    // As the container runtime reads it: a first part with a dot, a colon or `localhost`
    // is a registry, else it is Docker Hub.
    let (registry, repository) = match name.split_once('/') {
        Some((first, rest))
            if first.contains('.') || first.contains(':') || first == "localhost" =>
        {
            (first.to_string(), rest.to_string())
        }
        Some(_) => ("docker.io".to_string(), name.to_string()),
        None => ("docker.io".to_string(), format!("library/{name}")),
    };
    let registry = if registry == "index.docker.io" {
        "docker.io".to_string()
    } else {
        registry
    };
    Some(ImageRef {
        registry,
        repository,
        tag,
        digest,
    })
}

fn images(s: &Subject) -> Option<(ImageRef, ImageRef)> {
    if !is(in_container(s), &["image"]) {
        return None;
    }
    Some((image_ref(s.git)?, image_ref(s.live)?))
}

fn image_source_changed(s: &Subject) -> bool {
    images(s).is_some_and(|(git, live)| {
        git.registry != live.registry || git.repository != live.repository
    })
}

fn image_digest_dropped(s: &Subject) -> bool {
    images(s).is_some_and(|(git, live)| git.digest.is_some() && live.digest.is_none())
}

fn image_latest(s: &Subject) -> bool {
    let latest =
        |i: &ImageRef| i.digest.is_none() && i.tag.as_deref().unwrap_or("latest") == "latest";
    images(s).is_some_and(|(git, live)| latest(&live) && !latest(&git))
}

fn service_exposed(s: &Subject) -> bool {
    if !is_kind(s.identity, "", &["Service"]) {
        return false;
    }
    let rank = |v: Option<&Value>| match v.and_then(Value::as_str) {
        Some("NodePort") => 1,
        Some("LoadBalancer") => 2,
        _ => 0,
    };
    match s
        .path
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["spec", "type"] => rank(s.live) > rank(s.git),
        ["spec", "externalIPs"] => gained_item(s),
        _ => false,
    }
}

fn credential_reference_changed(s: &Subject) -> bool {
    let in_pod = in_pod_spec(s).is_some_and(|rest| {
        rest.iter().any(|p| {
            matches!(
                p.as_str(),
                "serviceAccountName"
                    | "serviceAccount"
                    | "imagePullSecrets"
                    | "secret"
                    | "secretRef"
                    | "secretKeyRef"
            )
        })
    });
    // A workload that names another ServiceAccount, or a ServiceAccount's own secrets.
    let account = is_kind(s.identity, "", &["ServiceAccount"])
        && matches!(
            s.path.first().map(String::as_str),
            Some("secrets" | "imagePullSecrets")
        );
    (in_pod || account) && s.live.is_some()
}

fn token_mounted(s: &Subject) -> bool {
    let pod = is(in_pod_spec(s), &["automountServiceAccountToken"]);
    let account = is_kind(s.identity, "", &["ServiceAccount"])
        && s.path.len() == 1
        && s.path[0] == "automountServiceAccountToken";
    (pod || account) && made_true(s)
}

/// Labels and annotations written by controllers and `kubectl rollout restart`, not people.
pub const CONTROLLER_KEYS: &[&str] = &[
    "kubectl.kubernetes.io/restartedAt",
    "deployment.kubernetes.io/revision",
    "deprecated.daemonset.template.generation",
    "pod-template-hash",
    "controller-revision-hash",
    "pod-template-generation",
    "statefulset.kubernetes.io/pod-name",
];

fn controller_metadata(s: &Subject) -> bool {
    let in_template = template_of(s.identity)
        .filter(|template| !template.is_empty())
        .and_then(|template| strip(s.path, template))
        .and_then(|rest| strip(rest, &["metadata"]));
    let metadata = strip(s.path, &["metadata"]).or(in_template);
    matches!(metadata, Some([section, key])
        if (section == "labels" || section == "annotations") && CONTROLLER_KEYS.contains(&key.as_str()))
}

fn replicas_to_zero(s: &Subject) -> bool {
    is(Some(s.path), &["spec", "replicas"])
        && s.live == Some(&Value::from(0))
        && s.git != Some(&Value::from(0))
}

fn resources_lowered(s: &Subject) -> bool {
    let Some(rest) = in_container(s) else {
        return false;
    };
    if !matches!(rest, [r, kind, _] if r == "resources" && (kind == "limits" || kind == "requests"))
    {
        return false;
    }
    match (s.git.and_then(quantity), s.live) {
        (Some(_), None) => true,
        (Some(git), Some(live)) => quantity(live).is_some_and(|live| live < git),
        _ => false,
    }
}

/// A Kubernetes quantity (`500m`, `2Gi`, `1.5`) as a number.
fn quantity(value: &Value) -> Option<f64> {
    if let Some(n) = value.as_f64() {
        return Some(n);
    }
    let text = value.as_str()?;
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+'))
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let factor = match suffix {
        "" => 1.0,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        _ => return None,
    };
    Some(number * factor)
}

fn pod_template(s: &Subject) -> bool {
    match template_of(s.identity) {
        Some([]) => strip(s.path, &["spec"]).is_some(),
        Some(template) => strip(s.path, template).is_some(),
        None => false,
    }
}

fn replicas(s: &Subject) -> bool {
    is(Some(s.path), &["spec", "replicas"])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drift::FieldPath;
    use serde_json::json;

    /// The README's severity tables are the rules, row for row, in the order they are tried.
    #[test]
    fn the_readme_tables_are_the_rules() {
        let readme = include_str!("../README.md");
        let section = readme
            .split("### How much it matters: severity")
            .nth(1)
            .and_then(|rest| rest.split("\n### ").next())
            .expect("the README has a severity section");
        let rows: Vec<&str> = section.lines().filter(|l| l.starts_with("| `")).collect();
        let mut expected: Vec<String> = RULES
            .iter()
            .map(|r| format!("| `{}` | {} | {} |", r.name, r.severity, r.reason))
            .collect();
        expected.push(format!(
            "| `{DEFAULT_RULE}` | {DEFAULT_SEVERITY} | drift no rule above matches (the default) |"
        ));
        expected.extend(
            RESOURCE_RULES
                .iter()
                .map(|(name, severity, reason)| format!("| `{name}` | {severity} | {reason} |")),
        );
        assert_eq!(
            rows, expected,
            "README.md's severity tables and the rules disagree"
        );
    }

    /// `spec.template.spec.containers[web].image`: `[name]` picks a list item by name (`[0]`
    /// by position); a last key with dots is braced: `annotations.{kubectl.kubernetes.io/x}`.
    fn path(text: &str) -> FieldPath {
        let (text, last) = match text.split_once(".{") {
            Some((head, key)) => (head, Some(key.trim_end_matches('}'))),
            None => (text, None),
        };
        let mut segments = Vec::new();
        for part in text.split('.').chain(last.map(|_| "")) {
            if part.is_empty() {
                segments.push(Segment::Field(last.unwrap_or_default().into()));
                continue;
            }
            match part.split_once('[') {
                Some((field, name)) => {
                    segments.push(Segment::Field(field.into()));
                    let name = name.trim_end_matches(']');
                    segments.push(match name.parse::<usize>() {
                        Ok(i) => Segment::Index(i),
                        Err(_) => Segment::Key(vec![("name".into(), json!(name))]),
                    });
                }
                None => segments.push(Segment::Field(part.into())),
            }
        }
        FieldPath(segments)
    }

    fn kind(kind: &str) -> Identity {
        let group = match kind {
            "Deployment" | "StatefulSet" | "DaemonSet" => "apps",
            "CronJob" | "Job" => "batch",
            "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding" => {
                "rbac.authorization.k8s.io"
            }
            "NetworkPolicy" => "networking.k8s.io",
            "ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration" => {
                "admissionregistration.k8s.io"
            }
            _ => "",
        };
        Identity {
            group: group.into(),
            version: "v1".into(),
            kind: kind.into(),
            namespace: Some("shop".into()),
            name: "web".into(),
        }
    }

    fn rated(kind_name: &str, at: &str, git: Option<Value>, live: Option<Value>) -> Rating {
        let field = FieldDrift {
            path: path(at),
            git,
            live,
            attribution: None,
            rating: None,
        };
        rate(&kind(kind_name), &field)
    }

    /// (kind, path, Git's value, the live value, a rule).
    type Case = (
        &'static str,
        String,
        Option<Value>,
        Option<Value>,
        &'static str,
    );

    const C: &str = "spec.template.spec.containers[web]";
    const POD: &str = "spec.template.spec";

    /// (kind, path, git, live, the rule expected) for a change that triggers each rule.
    fn triggers() -> Vec<Case> {
        let sc = |f: &str| format!("{C}.securityContext.{f}");
        vec![
            ("Deployment", sc("privileged"), Some(json!(false)), Some(json!(true)), "privileged"),
            // A whole securityContext added by hand is judged by what it holds.
            ("Deployment", format!("{C}.securityContext"), None, Some(json!({"privileged": true})), "privileged"),
            ("Pod", "spec.containers[web].securityContext.privileged".into(), None, Some(json!(true)), "privileged"),
            ("CronJob", "spec.jobTemplate.spec.template.spec.initContainers[init].securityContext.privileged".into(), None, Some(json!(true)), "privileged"),
            ("Deployment", sc("allowPrivilegeEscalation"), Some(json!(false)), Some(json!(true)), "privilege-escalation"),
            ("Deployment", sc("capabilities.add"), Some(json!(["NET_BIND_SERVICE"])), Some(json!(["NET_BIND_SERVICE", "SYS_ADMIN"])), "capabilities-added"),
            ("Deployment", sc("runAsNonRoot"), Some(json!(true)), Some(json!(false)), "run-as-root"),
            ("Deployment", sc("runAsUser"), Some(json!(1000)), Some(json!(0)), "run-as-root"),
            ("StatefulSet", format!("{POD}.securityContext.runAsUser"), Some(json!(1000)), Some(json!(0)), "run-as-root"),
            ("Deployment", format!("{POD}.hostNetwork"), None, Some(json!(true)), "host-namespaces"),
            ("DaemonSet", format!("{POD}.hostPID"), Some(json!(false)), Some(json!(true)), "host-namespaces"),
            ("Deployment", format!("{POD}.hostIPC"), None, Some(json!(true)), "host-namespaces"),
            ("Deployment", format!("{POD}.volumes"), Some(json!([{"name": "data", "emptyDir": {}}])),
             Some(json!([{"name": "data", "emptyDir": {}}, {"name": "root", "hostPath": {"path": "/"}}])), "host-path"),
            ("Deployment", format!("{POD}.volumes"), Some(json!([])), Some(json!([{"name": "root", "hostPath": {"path": "/"}}])), "host-path"),
            ("Role", "rules".into(), Some(json!([{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}])),
             Some(json!([{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "delete"]}])), "rbac-widened"),
            ("ClusterRole", "rules".into(), Some(json!([{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}])),
             Some(json!([{"apiGroups": [""], "resources": ["*"], "verbs": ["get"]}])), "rbac-widened"),
            ("Role", "rules[0].verbs".into(), Some(json!(["get"])), Some(json!(["*"])), "rbac-widened"),
            ("RoleBinding", "subjects".into(), Some(json!([{"kind": "User", "name": "ann"}])),
             Some(json!([{"kind": "User", "name": "ann"}, {"kind": "User", "name": "bob"}])), "binding-subject-added"),
            ("NetworkPolicy", "spec.ingress".into(), Some(json!([{"from": [{"podSelector": {"matchLabels": {"app": "shop"}}}]}])),
             Some(json!([{"from": [{"podSelector": {}}]}])), "network-policy-loosened"),
            ("NetworkPolicy", "spec.policyTypes".into(), Some(json!(["Ingress", "Egress"])), Some(json!(["Ingress"])), "network-policy-loosened"),
            ("ValidatingWebhookConfiguration", "webhooks[check].failurePolicy".into(), Some(json!("Fail")), Some(json!("Ignore")), "admission-webhook-changed"),
            ("Deployment", format!("{C}.image"), Some(json!("registry.example.com/shop/web:1.4")), Some(json!("evil.example.com/shop/web:1.4")), "image-source-changed"),
            ("Deployment", format!("{C}.image"), Some(json!("nginx:1.27")), Some(json!("someone/nginx:1.27")), "image-source-changed"),
            ("Deployment", format!("{C}.image"), Some(json!("shop/web:1.4@sha256:abc")), Some(json!("shop/web:1.4")), "image-digest-dropped"),
            ("Deployment", format!("{C}.image"), Some(json!("shop/web:1.4")), Some(json!("shop/web:latest")), "image-latest"),
            ("Deployment", format!("{C}.image"), Some(json!("shop/web:1.4")), Some(json!("shop/web")), "image-latest"),
            ("Service", "spec.type".into(), Some(json!("ClusterIP")), Some(json!("LoadBalancer")), "service-exposed"),
            ("Service", "spec.type".into(), None, Some(json!("NodePort")), "service-exposed"),
            ("Service", "spec.externalIPs".into(), None, Some(json!(["203.0.113.7"])), "service-exposed"),
            ("Deployment", format!("{POD}.serviceAccountName"), Some(json!("web")), Some(json!("admin")), "credential-reference-changed"),
            ("Deployment", format!("{C}.env"), Some(json!([{"name": "A", "value": "1"}])),
             Some(json!([{"name": "A", "value": "1"}, {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "other", "key": "t"}}}])), "credential-reference-changed"),
            ("Deployment", format!("{POD}.volumes[certs].secret.secretName"), Some(json!("web-tls")), Some(json!("admin-tls")), "credential-reference-changed"),
            ("Deployment", format!("{POD}.automountServiceAccountToken"), Some(json!(false)), Some(json!(true)), "service-account-token-mounted"),
            ("ServiceAccount", "automountServiceAccountToken".into(), None, Some(json!(true)), "service-account-token-mounted"),
            ("Deployment", format!("{POD}.containers[web].env"), Some(json!([{"name": "A", "value": "1"}])), Some(json!([{"name": "A", "value": "2"}])), "pod-template"),
            ("Deployment", format!("{C}.args"), Some(json!(["--safe"])), Some(json!(["--debug"])), "pod-template"),
            ("Deployment", format!("{C}.resources.limits.memory"), Some(json!("256Mi")), Some(json!("128Mi")), "resources-lowered"),
            ("Deployment", format!("{C}.resources.requests.cpu"), Some(json!("100m")), None, "resources-lowered"),
            ("Deployment", "spec.replicas".into(), Some(json!(3)), Some(json!(0)), "replicas-to-zero"),
            ("Deployment", "spec.replicas".into(), Some(json!(3)), Some(json!(5)), "replicas"),
            ("Deployment", "spec.template.metadata.annotations.{kubectl.kubernetes.io/restartedAt}".into(), None,
             Some(json!("2026-12-08T04:00:00Z")), "controller-metadata"),
            ("Deployment", "spec.template.metadata.annotations".into(), None,
             Some(json!({"kubectl.kubernetes.io/restartedAt": "2026-12-08T04:00:00Z"})), "controller-metadata"),
            ("ConfigMap", "data.mode".into(), Some(json!("one")), Some(json!("two")), DEFAULT_RULE),
        ]
    }

    /// Changes close to a rule's that must not trigger it: (kind, path, git, live, the rule
    /// that must not be given).
    fn near_misses() -> Vec<Case> {
        let sc = |f: &str| format!("{C}.securityContext.{f}");
        vec![
            (
                "Deployment",
                format!("{C}.securityContext"),
                Some(json!({"privileged": false, "runAsUser": 1000})),
                Some(json!({"privileged": false, "runAsUser": 1001})),
                "privileged",
            ),
            (
                "Deployment",
                sc("privileged"),
                Some(json!(true)),
                Some(json!(false)),
                "privileged",
            ),
            (
                "ConfigMap",
                "data.privileged".into(),
                None,
                Some(json!("true")),
                "privileged",
            ),
            (
                "Deployment",
                sc("allowPrivilegeEscalation"),
                Some(json!(true)),
                Some(json!(false)),
                "privilege-escalation",
            ),
            (
                "Deployment",
                sc("capabilities.add"),
                Some(json!(["NET_ADMIN", "CHOWN"])),
                Some(json!(["CHOWN"])),
                "capabilities-added",
            ),
            (
                "Deployment",
                sc("capabilities.drop"),
                Some(json!(["ALL"])),
                None,
                "capabilities-added",
            ),
            (
                "Deployment",
                sc("runAsNonRoot"),
                Some(json!(false)),
                Some(json!(true)),
                "run-as-root",
            ),
            (
                "Deployment",
                sc("runAsUser"),
                Some(json!(1000)),
                Some(json!(1001)),
                "run-as-root",
            ),
            (
                "Deployment",
                format!("{POD}.hostNetwork"),
                Some(json!(true)),
                Some(json!(false)),
                "host-namespaces",
            ),
            (
                "Deployment",
                format!("{POD}.volumes"),
                Some(json!([{"name": "root", "hostPath": {"path": "/"}}])),
                Some(json!([])),
                "host-path",
            ),
            (
                "Role",
                "rules".into(),
                Some(
                    json!([{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "delete"]}]),
                ),
                Some(json!([{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}])),
                "rbac-widened",
            ),
            // The same grants in another order widen nothing.
            (
                "Role",
                "rules".into(),
                Some(json!([{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}])),
                Some(json!([{"apiGroups": [""], "resources": ["pods"], "verbs": ["list", "get"]}])),
                "rbac-widened",
            ),
            (
                "ClusterRole",
                "rules".into(),
                Some(json!([{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}])),
                Some(json!([{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}])),
                "rbac-widened",
            ),
            (
                "RoleBinding",
                "subjects".into(),
                Some(json!([{"kind": "User", "name": "ann"}, {"kind": "User", "name": "bob"}])),
                Some(json!([{"kind": "User", "name": "ann"}])),
                "binding-subject-added",
            ),
            (
                "NetworkPolicy",
                "spec.ingress".into(),
                Some(json!([{"from": [{"podSelector": {}}]}, {"ports": [{"port": 80}]}])),
                Some(json!([{"ports": [{"port": 80}]}])),
                "network-policy-loosened",
            ),
            (
                "NetworkPolicy",
                "spec.policyTypes".into(),
                Some(json!(["Ingress"])),
                Some(json!(["Ingress", "Egress"])),
                "network-policy-loosened",
            ),
            (
                "NetworkPolicy",
                "metadata.labels.team".into(),
                Some(json!("a")),
                Some(json!("b")),
                "network-policy-loosened",
            ),
            (
                "ValidatingWebhookConfiguration",
                "metadata.labels.team".into(),
                Some(json!("a")),
                Some(json!("b")),
                "admission-webhook-changed",
            ),
            // A retag within the repository is no change of source.
            (
                "Deployment",
                format!("{C}.image"),
                Some(json!("registry.example.com/shop/web:1.4.2")),
                Some(json!("registry.example.com/shop/web:1.4.3")),
                "image-source-changed",
            ),
            (
                "Deployment",
                format!("{C}.image"),
                Some(json!("nginx:1.27")),
                Some(json!("docker.io/library/nginx:1.27")),
                "image-source-changed",
            ),
            (
                "Deployment",
                format!("{C}.image"),
                Some(json!("localhost:5000/web:1")),
                Some(json!("localhost:5000/web:2")),
                "image-source-changed",
            ),
            (
                "Deployment",
                format!("{C}.image"),
                Some(json!("shop/web:1.4@sha256:abc")),
                Some(json!("shop/web:1.4@sha256:def")),
                "image-digest-dropped",
            ),
            (
                "Deployment",
                format!("{C}.image"),
                Some(json!("shop/web:latest")),
                Some(json!("shop/web")),
                "image-latest",
            ),
            (
                "Deployment",
                format!("{C}.image"),
                Some(json!("shop/web:1.4")),
                Some(json!("shop/web:latest-rc")),
                "image-latest",
            ),
            (
                "Service",
                "spec.type".into(),
                Some(json!("LoadBalancer")),
                Some(json!("NodePort")),
                "service-exposed",
            ),
            (
                "Service",
                "spec.externalIPs".into(),
                Some(json!(["203.0.113.7", "203.0.113.8"])),
                Some(json!(["203.0.113.7"])),
                "service-exposed",
            ),
            (
                "Deployment",
                format!("{POD}.serviceAccountName"),
                Some(json!("web")),
                None,
                "credential-reference-changed",
            ),
            (
                "Deployment",
                format!("{C}.env[A].value"),
                Some(json!("secret")),
                Some(json!("secretive")),
                "credential-reference-changed",
            ),
            (
                "Deployment",
                format!("{POD}.automountServiceAccountToken"),
                Some(json!(true)),
                Some(json!(false)),
                "service-account-token-mounted",
            ),
            (
                "Deployment",
                format!("{C}.resources.limits.memory"),
                Some(json!("128Mi")),
                Some(json!("1Gi")),
                "resources-lowered",
            ),
            (
                "Deployment",
                format!("{C}.resources.limits.cpu"),
                Some(json!("1")),
                Some(json!("1500m")),
                "resources-lowered",
            ),
            (
                "Deployment",
                "spec.replicas".into(),
                Some(json!(0)),
                Some(json!(2)),
                "replicas-to-zero",
            ),
            (
                "Deployment",
                "spec.template.metadata.annotations.team".into(),
                None,
                Some(json!("shop")),
                "controller-metadata",
            ),
            (
                "ConfigMap",
                "data.replicas".into(),
                Some(json!("3")),
                Some(json!("5")),
                "replicas",
            ),
            (
                "ConfigMap",
                "spec.template.spec.x".into(),
                None,
                Some(json!(1)),
                "pod-template",
            ),
        ]
    }

    #[test]
    fn every_rule_has_a_trigger_and_a_near_miss() {
        for (kind, at, git, live, rule) in triggers() {
            let rating = rated(kind, &at, git.clone(), live.clone());
            assert_eq!(rating.rule, rule, "{kind} {at}: {git:?} → {live:?}");
            let severity = RULES
                .iter()
                .find(|r| r.name == rule)
                .map_or(DEFAULT_SEVERITY, |r| r.severity);
            assert_eq!(rating.severity, severity, "{kind} {at}");
        }
        for (kind, at, git, live, rule) in near_misses() {
            let rating = rated(kind, &at, git.clone(), live.clone());
            assert_ne!(rating.rule, rule, "{kind} {at}: {git:?} → {live:?}");
        }
        let (triggered, missed): (Vec<_>, Vec<_>) = (
            triggers().into_iter().map(|t| t.4).collect(),
            near_misses().into_iter().map(|t| t.4).collect(),
        );
        for rule in RULES {
            assert!(
                triggered.contains(&rule.name),
                "no trigger for {}",
                rule.name
            );
            assert!(
                missed.contains(&rule.name),
                "no near miss for {}",
                rule.name
            );
        }
    }

    #[test]
    fn rule_names_are_unique_and_reasons_are_one_line() {
        let mut names: Vec<&str> = RULES.iter().map(|r| r.name).collect();
        names.extend(RESOURCE_RULES.iter().map(|r| r.0));
        names.push(DEFAULT_RULE);
        let count = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), count, "a rule name is used twice");
        for reason in RULES
            .iter()
            .map(|r| r.reason)
            .chain(RESOURCE_RULES.iter().map(|r| r.2))
        {
            assert!(!reason.is_empty() && !reason.contains('\n'), "{reason}");
        }
    }

    #[test]
    fn a_field_takes_its_highest_leaf_and_a_resource_its_highest_field() {
        // Replicas (low) and a hostNetwork (critical) in one drifted subtree.
        let rating = rated(
            "Deployment",
            "spec",
            Some(json!({"replicas": 3, "template": {"spec": {"containers": [{"name": "web"}]}}})),
            Some(
                json!({"replicas": 5, "template": {"spec": {"hostNetwork": true, "containers": [{"name": "web"}]}}}),
            ),
        );
        assert_eq!(
            rating,
            Rating {
                severity: Severity::Critical,
                rule: "host-namespaces"
            }
        );
        let mut resource = ResourceReport::new("prod", kind("Deployment"), Status::Drifted);
        for (at, git, live) in [
            ("spec.replicas", json!(3), json!(5)),
            (
                "spec.template.spec.containers[web].securityContext.privileged",
                json!(false),
                json!(true),
            ),
        ] {
            resource.fields.push(FieldDrift {
                path: path(at),
                git: Some(git),
                live: Some(live),
                attribution: None,
                rating: None,
            });
        }
        apply(std::slice::from_mut(&mut resource));
        assert_eq!(resource.fields[0].rating.unwrap().severity, Severity::Low);
        let top = of_resource(&resource).unwrap();
        assert_eq!((top.severity, top.rule), (Severity::Critical, "privileged"));
        assert!(Severity::Critical > Severity::High && Severity::Low > Severity::Info);
        assert_eq!(serde_json::to_value(Severity::High).unwrap(), json!("high"));
    }

    #[test]
    fn missing_and_extra_are_rated_as_resources() {
        let of = |kind_name: &str, status| {
            of_resource(&ResourceReport::new("p", kind(kind_name), status))
        };
        assert_eq!(
            of("ConfigMap", Status::Missing).unwrap().severity,
            Severity::High
        );
        assert_eq!(
            of("ConfigMap", Status::Extra).unwrap().severity,
            Severity::Medium
        );
        assert_eq!(
            of("NetworkPolicy", Status::Missing).unwrap().rule,
            "network-policy-deleted"
        );
        assert_eq!(
            of("ClusterRoleBinding", Status::Extra).unwrap().severity,
            Severity::Critical
        );
        assert_eq!(
            of("MutatingWebhookConfiguration", Status::Extra)
                .unwrap()
                .rule,
            "admission-webhook-added"
        );
        assert_eq!(
            of("ValidatingWebhookConfiguration", Status::Missing)
                .unwrap()
                .severity,
            Severity::Critical
        );
        assert_eq!(of("ConfigMap", Status::InSync), None);
        assert_eq!(of("ConfigMap", Status::Accepted), None);
    }

    #[test]
    fn fail_on_counts_only_drift_at_or_above_it() {
        let mut replicas = ResourceReport::new("p", kind("Deployment"), Status::Drifted);
        replicas.fields.push(FieldDrift {
            path: path("spec.replicas"),
            git: Some(json!(3)),
            live: Some(json!(5)),
            attribution: None,
            rating: None,
        });
        let mut report = crate::report::Report {
            resources: vec![replicas],
            contexts: vec![],
        };
        apply(&mut report.resources);
        assert_eq!(report.exit_code_at(None), 1);
        assert_eq!(report.exit_code_at(Some(Severity::Low)), 1);
        assert_eq!(report.exit_code_at(Some(Severity::Medium)), 0);
        report
            .resources
            .push(ResourceReport::new("p", kind("ConfigMap"), Status::Missing));
        assert_eq!(report.exit_code_at(Some(Severity::High)), 1);
        assert_eq!(report.exit_code_at(Some(Severity::Critical)), 0);
        report
            .resources
            .push(ResourceReport::new("p", kind("ConfigMap"), Status::Error));
        assert_eq!(report.exit_code_at(Some(Severity::Critical)), 2);
    }
}
