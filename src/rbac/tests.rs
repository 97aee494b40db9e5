//! The RBAC analysis against hand-made Roles, ClusterRoles and bindings.

use super::*;
use serde_json::{json, Value};

fn wanted(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(g, p)| (g.to_string(), p.to_string()))
        .collect()
}

fn cluster_role(name: &str, rules: Value) -> Value {
    json!({"kind": "ClusterRole", "metadata": {"name": name}, "rules": rules})
}

fn role(namespace: &str, name: &str, rules: Value) -> Value {
    json!({"kind": "Role", "metadata": {"name": name, "namespace": namespace}, "rules": rules})
}

fn crb(name: &str, role: &str, subjects: Value) -> Value {
    json!({
        "kind": "ClusterRoleBinding",
        "metadata": {"name": name},
        "roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": role},
        "subjects": subjects,
    })
}

fn rb(namespace: &str, name: &str, kind: &str, role: &str, subjects: Value) -> Value {
    json!({
        "kind": "RoleBinding",
        "metadata": {"name": name, "namespace": namespace},
        "roleRef": {"apiGroup": RBAC_GROUP, "kind": kind, "name": role},
        "subjects": subjects,
    })
}

fn user(name: &str) -> Value {
    json!({"apiGroup": RBAC_GROUP, "kind": "User", "name": name})
}

fn group(name: &str) -> Value {
    json!({"apiGroup": RBAC_GROUP, "kind": "Group", "name": name})
}

fn deploys() -> Vec<(String, String)> {
    wanted(&[("apps", "deployments")])
}

/// (subject, verbs, resources, namespace, binding) of each grant, for short asserts.
fn summary(grants: &[Grant]) -> Vec<String> {
    grants
        .iter()
        .map(|g| {
            let names = if g.resource_names.is_empty() {
                String::new()
            } else {
                format!(" names={}", g.resource_names.join(","))
            };
            format!(
                "{} [{}] {}{names} in {} via {} -> {}",
                g.subject,
                g.verbs.join(","),
                g.resources.join(","),
                g.namespace.as_deref().unwrap_or("*"),
                g.binding,
                g.role
            )
        })
        .collect()
}

#[test]
fn subjects_display_and_parse() {
    assert_eq!(Subject::user("alice").to_string(), "User alice");
    assert_eq!(Subject::group("oncall").to_string(), "Group oncall");
    assert_eq!(
        Subject::service_account("ci", "deployer").to_string(),
        "ServiceAccount ci/deployer"
    );
    let parse = |s: &str| s.parse::<Subject>().unwrap();
    assert_eq!(parse("user:alice"), Subject::user("alice"));
    assert_eq!(parse("User:alice"), Subject::user("alice"));
    assert_eq!(
        parse("group:system:masters"),
        Subject::group("system:masters")
    );
    assert_eq!(
        parse("serviceaccount:ci:deployer"),
        Subject::service_account("ci", "deployer")
    );
    assert_eq!(
        parse("system:serviceaccount:ci:deployer"),
        Subject::service_account("ci", "deployer")
    );
    // A user name that is a service account's is the service account.
    assert_eq!(
        parse("user:system:serviceaccount:ci:deployer"),
        Subject::service_account("ci", "deployer")
    );
    for bad in [
        "alice",
        "user:",
        "robot:x",
        "serviceaccount:ci",
        "serviceaccount::x",
        "system:serviceaccount:ci:a:b",
    ] {
        let err = bad.parse::<Subject>().unwrap_err();
        assert!(matches!(err, RbacError::BadSubject { .. }), "{bad}: {err}");
        assert!(err.to_string().contains("use user:NAME"), "{err}");
    }
}

#[test]
fn cluster_role_bindings_grant_write_verbs_cluster_wide() {
    let grants = editors(
        &[],
        &[cluster_role(
            "deployer",
            json!([
                {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "list", "patch", "update"]},
                {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]},
            ]),
        )],
        &[],
        &[crb(
            "oncall",
            "deployer",
            json!([group("oncall"), user("alice")]),
        )],
        &wanted(&[("apps", "deployments"), ("", "configmaps")]),
        Some(&["shop".to_string()]),
    );
    assert_eq!(
        summary(&grants),
        vec![
            "User alice [update,patch] deployments.apps in * via ClusterRoleBinding/oncall -> ClusterRole/deployer",
            "Group oncall [update,patch] deployments.apps in * via ClusterRoleBinding/oncall -> ClusterRole/deployer",
        ]
    );
    assert!(grants[0].allows("patch", "deployments.apps"));
    assert!(!grants[0].allows("delete", "deployments.apps"));
    assert!(!grants[0].allows("patch", "configmaps"));
}

#[test]
fn role_bindings_grant_in_their_namespace_through_roles_and_cluster_roles() {
    let write = json!([{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["create", "delete"]}]);
    let roles = [
        role("shop", "writer", write.clone()),
        role("other", "writer", write.clone()),
    ];
    let cluster_roles = [cluster_role("writer", write)];
    let bindings = [
        rb("shop", "a", "Role", "writer", json!([user("alice")])),
        rb("shop", "b", "ClusterRole", "writer", json!([user("bob")])),
        rb("other", "c", "Role", "writer", json!([user("carol")])),
        // The Role must be in the binding's namespace: this one is not.
        rb("third", "d", "Role", "writer", json!([user("dave")])),
        // A binding to a role that does not exist grants nothing.
        rb("shop", "e", "ClusterRole", "missing", json!([user("erin")])),
    ];
    let all = editors(&roles, &cluster_roles, &bindings, &[], &deploys(), None);
    assert_eq!(
        summary(&all),
        vec![
            "User alice [create,delete] deployments.apps in shop via RoleBinding/shop/a -> Role/shop/writer",
            "User bob [create,delete] deployments.apps in shop via RoleBinding/shop/b -> ClusterRole/writer",
            "User carol [create,delete] deployments.apps in other via RoleBinding/other/c -> Role/other/writer",
        ]
    );
    let shop = editors(
        &roles,
        &cluster_roles,
        &bindings,
        &[],
        &deploys(),
        Some(&["shop".to_string()]),
    );
    let who: Vec<String> = shop.iter().map(|g| g.subject.to_string()).collect();
    assert_eq!(who, ["User alice", "User bob"]);
}

#[test]
fn wildcards_match_groups_resources_and_verbs() {
    let cluster_roles = [
        cluster_role(
            "admin-ish",
            json!([{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]),
        ),
        cluster_role(
            "any-group",
            json!([{"apiGroups": ["*"], "resources": ["deployments"], "verbs": ["delete"]}]),
        ),
        cluster_role(
            "any-verb",
            json!([{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["*"]}]),
        ),
        cluster_role(
            "other-group",
            json!([{"apiGroups": ["extensions"], "resources": ["*"], "verbs": ["*"]}]),
        ),
    ];
    let bindings = [
        crb("1", "admin-ish", json!([user("root")])),
        crb("2", "any-group", json!([user("deleter")])),
        crb("3", "any-verb", json!([user("owner")])),
        crb("4", "other-group", json!([user("legacy")])),
    ];
    let grants = editors(
        &[],
        &cluster_roles,
        &[],
        &bindings,
        &wanted(&[("apps", "deployments"), ("", "services")]),
        None,
    );
    assert_eq!(
        summary(&grants),
        vec![
            "User deleter [delete] deployments.apps in * via ClusterRoleBinding/2 -> ClusterRole/any-group",
            "User owner [*] deployments.apps in * via ClusterRoleBinding/3 -> ClusterRole/any-verb",
            "User root [*] deployments.apps,services in * via ClusterRoleBinding/1 -> ClusterRole/admin-ish",
        ]
    );
}

#[test]
fn resource_names_still_count_but_never_for_create() {
    let cluster_roles = [
        cluster_role(
            "named",
            json!([{"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["app-config"], "verbs": ["create", "update", "deletecollection"]}]),
        ),
        cluster_role(
            "named-all",
            json!([{"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["app-config"], "verbs": ["*"]}]),
        ),
        cluster_role(
            "create-only",
            json!([{"apiGroups": [""], "resources": ["configmaps"], "resourceNames": ["app-config"], "verbs": ["create"]}]),
        ),
    ];
    let bindings = [
        crb("1", "named", json!([user("alice")])),
        crb("2", "named-all", json!([user("bob")])),
        crb("3", "create-only", json!([user("carol")])),
    ];
    let grants = editors(
        &[],
        &cluster_roles,
        &[],
        &bindings,
        &wanted(&[("", "configmaps")]),
        None,
    );
    assert_eq!(
        summary(&grants),
        vec![
            "User alice [update] configmaps names=app-config in * via ClusterRoleBinding/1 -> ClusterRole/named",
            "User bob [update,patch,delete] configmaps names=app-config in * via ClusterRoleBinding/2 -> ClusterRole/named-all",
        ]
    );
    // Named access is not access to every object.
    assert!(!grants[0].allows("update", "configmaps"));
}

#[test]
fn editing_subresources_count_and_others_do_not() {
    let cluster_roles = [
        cluster_role(
            "scaler",
            json!([{"apiGroups": ["apps"], "resources": ["deployments/scale"], "verbs": ["get", "patch", "update"]}]),
        ),
        cluster_role(
            "any-scale",
            json!([{"apiGroups": ["apps"], "resources": ["*/scale"], "verbs": ["*"]}]),
        ),
        cluster_role(
            "status",
            json!([{"apiGroups": ["apps"], "resources": ["deployments/status"], "verbs": ["update", "patch"]}]),
        ),
        cluster_role(
            "exec",
            json!([{"apiGroups": [""], "resources": ["pods/exec", "pods/eviction"], "verbs": ["create"]}]),
        ),
        // Patch on the whole resource already changes the replicas.
        cluster_role(
            "both",
            json!([{"apiGroups": ["apps"], "resources": ["deployments", "deployments/scale"], "verbs": ["patch", "update"]}]),
        ),
        cluster_role(
            "patcher-scaler",
            json!([{"apiGroups": ["apps"], "resources": ["deployments", "deployments/scale"], "verbs": ["patch"]}, {"apiGroups": ["apps"], "resources": ["deployments/scale"], "verbs": ["update"]}]),
        ),
    ];
    let bindings = [
        crb("1", "scaler", json!([user("scaler")])),
        crb("2", "any-scale", json!([user("any")])),
        crb("3", "status", json!([user("status")])),
        crb("4", "exec", json!([user("exec")])),
        crb("5", "both", json!([user("both")])),
        crb("6", "patcher-scaler", json!([user("ps")])),
    ];
    let grants = editors(
        &[],
        &cluster_roles,
        &[],
        &bindings,
        &wanted(&[("apps", "deployments"), ("", "pods")]),
        None,
    );
    assert_eq!(
        summary(&grants),
        vec![
            "User any [update,patch] deployments.apps/scale in * via ClusterRoleBinding/2 -> ClusterRole/any-scale",
            "User both [update,patch] deployments.apps in * via ClusterRoleBinding/5 -> ClusterRole/both",
            "User ps [patch] deployments.apps in * via ClusterRoleBinding/6 -> ClusterRole/patcher-scaler",
            "User ps [update] deployments.apps/scale in * via ClusterRoleBinding/6 -> ClusterRole/patcher-scaler",
            "User scaler [update,patch] deployments.apps/scale in * via ClusterRoleBinding/1 -> ClusterRole/scaler",
        ]
    );
}

#[test]
fn non_resource_urls_and_read_only_rules_grant_nothing() {
    let cluster_roles = [cluster_role(
        "reader",
        json!([
            {"nonResourceURLs": ["/healthz", "*"], "verbs": ["*"]},
            {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "list", "watch"]},
        ]),
    )];
    let grants = editors(
        &[],
        &cluster_roles,
        &[],
        &[crb("r", "reader", json!([user("viewer")]))],
        &deploys(),
        None,
    );
    assert!(grants.is_empty(), "{grants:#?}");
}

#[test]
fn grants_split_where_verbs_differ_so_each_verb_covers_each_resource() {
    let cluster_roles = [cluster_role(
        "mixed",
        json!([
            {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["patch"]},
            {"apiGroups": [""], "resources": ["configmaps", "services"], "verbs": ["patch", "delete"]},
            {"apiGroups": [""], "resources": ["services"], "verbs": ["get"]},
        ]),
    )];
    let grants = editors(
        &[],
        &cluster_roles,
        &[],
        &[crb("m", "mixed", json!([user("alice"), user("alice")]))],
        &wanted(&[
            ("apps", "deployments"),
            ("", "configmaps"),
            ("", "services"),
        ]),
        None,
    );
    assert_eq!(
        summary(&grants),
        vec![
            "User alice [patch,delete] configmaps,services in * via ClusterRoleBinding/m -> ClusterRole/mixed",
            "User alice [patch] deployments.apps in * via ClusterRoleBinding/m -> ClusterRole/mixed",
        ]
    );
}

fn aggregated(name: &str, selectors: Value, labels: Value) -> Value {
    json!({
        "kind": "ClusterRole",
        "metadata": {"name": name, "labels": labels},
        "aggregationRule": {"clusterRoleSelectors": selectors},
        "rules": null,
    })
}

fn labelled(name: &str, labels: Value, rules: Value) -> Value {
    json!({"kind": "ClusterRole", "metadata": {"name": name, "labels": labels}, "rules": rules})
}

#[test]
fn aggregated_cluster_roles_get_the_rules_their_selectors_match() {
    let cluster_roles = [
        aggregated(
            "team",
            json!([{"matchLabels": {"example.com/aggregate-to-team": "true"}}]),
            json!({}),
        ),
        labelled(
            "cm-updater",
            json!({"example.com/aggregate-to-team": "true"}),
            json!([{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["update"]}]),
        ),
        labelled(
            "svc-deleter",
            json!({"example.com/aggregate-to-team": "false"}),
            json!([{"apiGroups": [""], "resources": ["services"], "verbs": ["delete"]}]),
        ),
        // Expressions, and an aggregated role selecting another one (view → edit).
        aggregated(
            "lead",
            json!([
                {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["team", "lead"]}]},
                {"matchExpressions": [{"key": "example.com/aggregate-to-team", "operator": "Exists"}, {"key": "example.com/aggregate-to-team", "operator": "NotIn", "values": ["true"]}]},
            ]),
            json!({}),
        ),
        aggregated(
            "team-tier",
            json!([{"matchLabels": {"example.com/aggregate-to-team": "true"}}]),
            json!({"tier": "team"}),
        ),
    ];
    let grants = editors(
        &[],
        &cluster_roles,
        &[rb(
            "shop",
            "bob",
            "ClusterRole",
            "team",
            json!([user("bob")]),
        )],
        &[crb("lead", "lead", json!([user("lea")]))],
        &wanted(&[("", "configmaps"), ("", "services")]),
        None,
    );
    assert_eq!(
        summary(&grants),
        vec![
            "User bob [update] configmaps in shop via RoleBinding/shop/bob -> ClusterRole/team",
            "User lea [update] configmaps in * via ClusterRoleBinding/lead -> ClusterRole/lead",
            "User lea [delete] services in * via ClusterRoleBinding/lead -> ClusterRole/lead",
        ]
    );
}

#[test]
fn stored_rules_of_aggregated_roles_are_trusted_and_cycles_end() {
    let cluster_roles = [
        // The controller filled this one: its stored rules are what the authorizer uses.
        json!({
            "metadata": {"name": "filled"},
            "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"a": "1"}}]},
            "rules": [{"apiGroups": [""], "resources": ["services"], "verbs": ["patch"]}],
        }),
        labelled(
            "source",
            json!({"a": "1"}),
            json!([{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["patch"]}]),
        ),
        // Two aggregated roles selecting each other (and themselves): ping gets what pong
        // selects.
        aggregated(
            "ping",
            json!([{"matchLabels": {"loop": "yes"}}]),
            json!({"loop": "yes"}),
        ),
        aggregated(
            "pong",
            json!([{"matchLabels": {"loop": "yes"}}, {"matchLabels": {"leaf": "pong"}}]),
            json!({"loop": "yes"}),
        ),
        labelled(
            "leaf",
            json!({"leaf": "pong"}),
            json!([{"apiGroups": [""], "resources": ["services"], "verbs": ["delete"]}]),
        ),
        // An empty selector selects every ClusterRole, as in Kubernetes.
        aggregated("everything", json!([{}]), json!({})),
    ];
    let bindings = [
        crb("f", "filled", json!([user("f")])),
        crb("p", "ping", json!([user("p")])),
        crb("e", "everything", json!([user("e")])),
    ];
    let grants = editors(
        &[],
        &cluster_roles,
        &[],
        &bindings,
        &wanted(&[("", "configmaps"), ("", "services")]),
        None,
    );
    assert_eq!(
        summary(&grants),
        vec![
            "User e [patch] configmaps in * via ClusterRoleBinding/e -> ClusterRole/everything",
            "User e [patch,delete] services in * via ClusterRoleBinding/e -> ClusterRole/everything",
            "User f [patch] services in * via ClusterRoleBinding/f -> ClusterRole/filled",
            "User p [delete] services in * via ClusterRoleBinding/p -> ClusterRole/ping",
        ]
    );
}

#[test]
fn selectors_follow_kubernetes_semantics() {
    let labels = json!({"a": "1", "b": "2"});
    let matches = |selector: Value| selector_matches(&selector, &labels);
    assert!(matches(json!({})));
    assert!(matches(json!({"matchLabels": {"a": "1"}})));
    assert!(!matches(json!({"matchLabels": {"a": "1", "c": "3"}})));
    assert!(matches(
        json!({"matchExpressions": [{"key": "c", "operator": "DoesNotExist"}]})
    ));
    assert!(!matches(
        json!({"matchExpressions": [{"key": "a", "operator": "DoesNotExist"}]})
    ));
    assert!(matches(
        json!({"matchExpressions": [{"key": "c", "operator": "NotIn", "values": ["1"]}]})
    ));
    assert!(!matches(
        json!({"matchExpressions": [{"key": "b", "operator": "In", "values": ["1"]}]})
    ));
    assert!(!matches(
        json!({"matchExpressions": [{"key": "a", "operator": "Gt", "values": ["0"]}]})
    ));
    assert!(!selector_matches(
        &json!({"matchLabels": {"a": "1"}}),
        &Value::Null
    ));
}

#[test]
fn service_accounts_are_one_subject_however_they_are_bound() {
    let roles = [role(
        "ci",
        "deployer",
        json!([{"apiGroups": [""], "resources": ["services"], "verbs": ["create", "delete"]}]),
    )];
    let bindings = [
        rb(
            "ci",
            "sa",
            "Role",
            "deployer",
            json!([{"kind": "ServiceAccount", "name": "deployer", "namespace": "ci"}]),
        ),
        // Without a namespace, the binding's; bound as a user name, the same account.
        rb(
            "ci",
            "sa-implicit",
            "Role",
            "deployer",
            json!([{"kind": "ServiceAccount", "name": "builder"}]),
        ),
        rb(
            "ci",
            "sa-user",
            "Role",
            "deployer",
            json!([user("system:serviceaccount:ci:deployer")]),
        ),
        // Service account groups stay groups.
        rb(
            "ci",
            "all-sa",
            "Role",
            "deployer",
            json!([group("system:serviceaccounts:ci"), group("system:authenticated"), {"kind": "Robot", "name": "r2"}]),
        ),
    ];
    let grants = editors(
        &roles,
        &[],
        &bindings,
        &[],
        &wanted(&[("", "services")]),
        None,
    );
    let who: Vec<(String, String)> = grants
        .iter()
        .map(|g| (g.subject.to_string(), g.binding.clone()))
        .collect();
    assert_eq!(
        who,
        [
            (
                "Group system:authenticated".into(),
                "RoleBinding/ci/all-sa".into()
            ),
            (
                "Group system:serviceaccounts:ci".into(),
                "RoleBinding/ci/all-sa".into()
            ),
            (
                "ServiceAccount ci/builder".into(),
                "RoleBinding/ci/sa-implicit".into()
            ),
            (
                "ServiceAccount ci/deployer".into(),
                "RoleBinding/ci/sa".into()
            ),
            (
                "ServiceAccount ci/deployer".into(),
                "RoleBinding/ci/sa-user".into()
            ),
        ]
    );
}

#[test]
fn role_binding_grants_on_cluster_scoped_types_are_dropped() {
    let grant = |namespace: Option<&str>, resources: &[&str]| Grant {
        subject: Subject::user("alice"),
        verbs: vec!["*".into()],
        resources: resources.iter().map(|r| r.to_string()).collect(),
        resource_names: vec![],
        namespace: namespace.map(str::to_string),
        binding: "b".into(),
        role: "r".into(),
    };
    let kept = drop_cluster_scoped(
        vec![
            grant(Some("shop"), &["nodes", "configmaps"]),
            grant(Some("shop"), &["nodes/scale"]),
            grant(None, &["nodes"]),
        ],
        &["nodes".to_string()],
    );
    assert_eq!(
        kept,
        vec![
            grant(Some("shop"), &["configmaps"]),
            grant(None, &["nodes"])
        ]
    );
}

#[test]
fn allow_lists_match_kind_namespace_and_name() {
    let allow = default_allow();
    assert!(is_allowed(&Subject::group("system:masters"), &allow));
    assert!(is_allowed(
        &Subject::service_account("kube-system", "deployment-controller"),
        &allow
    ));
    assert!(!is_allowed(
        &Subject::service_account("shop", "deployment-controller"),
        &allow
    ));
    assert!(!is_allowed(&Subject::user("system:masters"), &allow));
    assert!(is_allowed(&Subject::user("system:kube-scheduler"), &allow));
    let mine: Vec<Subject> = ["user:alice", "serviceaccount:ci:deployer"]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    assert!(is_allowed(&Subject::user("alice"), &mine));
    assert!(!is_allowed(&Subject::user("alicia"), &mine));
    assert!(is_allowed(
        &Subject::service_account("ci", "deployer"),
        &mine
    ));
    assert!(!is_allowed(&Subject::service_account("ci", "other"), &mine));
}

#[test]
fn managers_are_joined_with_who_could_have_edited() {
    let grant = |subject: Subject, verbs: &[&str], binding: &str| Grant {
        subject,
        verbs: verbs.iter().map(|v| v.to_string()).collect(),
        resources: vec!["deployments.apps".into()],
        resource_names: vec![],
        namespace: Some("shop".into()),
        binding: binding.into(),
        role: "ClusterRole/edit".into(),
    };
    let grants = [
        grant(
            Subject::user("alice"),
            &["patch"],
            "RoleBinding/shop/alice-edit",
        ),
        grant(Subject::user("alice"), &["*"], "ClusterRoleBinding/admins"),
        grant(
            Subject::user("alice"),
            &["update"],
            "ClusterRoleBinding/admins",
        ),
        grant(
            Subject::group("oncall"),
            &["update"],
            "ClusterRoleBinding/oncall",
        ),
        // Deleting changes no field.
        grant(
            Subject::user("janitor"),
            &["delete"],
            "ClusterRoleBinding/cleanup",
        ),
    ];
    let managers: Vec<String> = [
        "kubectl-edit",
        "kube-controller-manager",
        "kubectl-drift",
        "kubectl-edit",
        "kubectl",
    ]
    .iter()
    .map(|m| m.to_string())
    .collect();
    let who = "these subjects can edit: User alice (RoleBinding/shop/alice-edit, ClusterRoleBinding/admins), Group oncall (ClusterRoleBinding/oncall)";
    assert_eq!(
        join_managers(&grants, &managers),
        vec![
            format!("kubectl-edit changes were made; {who}"),
            format!("kubectl changes were made; {who}"),
        ]
    );
    assert_eq!(
        join_managers(&grants[4..], &["kubectl-patch".to_string()]),
        vec!["kubectl-patch changes were made; no subject outside the allow list can edit these resources"]
    );
    assert!(join_managers(&grants, &["helm".to_string()]).is_empty());
    assert!(is_human_tool("kubectl-client-side-apply"));
    assert!(!is_human_tool("kubectl-drift"));
    assert!(!is_human_tool("kubectlish"));
}
