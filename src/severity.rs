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

/// The built-in field rules, in the order they are tried.
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
            if named_items(git) && named_items(live) =>
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

/// Whether a value is absent or a non-empty list whose items are all maps with a `name`.
fn named_items(value: Option<&Value>) -> bool {
    match value {
        None => true,
        Some(Value::Array(items)) => {
            !items.is_empty() && items.iter().all(|i| i.get("name").is_some())
        }
        _ => false,
    }
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
