//! The RBAC analysis behind `kubectl drift rbac`, cross-checked with the API server's own
//! authorizer: every grant the analysis lists for subjects of the test's own is confirmed
//! with `kubectl auth can-i`, and every write it does not list is refused by it.
//!
//! Subjects are named after the test's namespace, so that cluster-wide bindings of other
//! tests cannot change what is asked here.

use std::collections::BTreeSet;

use kubectl_drift::cluster::kubeconfig::{connect, load_kubeconfig};
use kubectl_drift::cluster::{Catalog, ResourceType};
use kubectl_drift::rbac::{fetch_and_analyze, Grant, Subject, WRITE_VERBS};

use crate::common::*;

/// The selected resources, as kubectl TYPE arguments and as the analysis names them.
const TYPES: &[(&str, &str)] = &[
    ("deploy", "deployments.apps"),
    ("configmaps", "configmaps"),
    ("svc", "services"),
];

/// Runs the analysis on the `staging` context for `TYPES` in `namespace`.
fn analyze(namespace: &str) -> Vec<Grant> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let config = load_kubeconfig(Some(&testenv().kubeconfig)).unwrap();
        let cluster = connect(&config, "staging").await.unwrap();
        let catalog = Catalog::discover(&cluster).await.unwrap();
        let wanted: Vec<ResourceType> = TYPES
            .iter()
            .map(|(arg, _)| catalog.resolve(arg).unwrap().clone())
            .collect();
        fetch_and_analyze(&cluster, &catalog, &wanted, Some(&[namespace.to_string()]))
            .await
            .unwrap()
    })
}

/// Someone `kubectl auth can-i` can be asked about, with the subjects RBAC sees for them:
/// the user, the groups given, and the groups the API server adds when impersonating.
struct Identity {
    user: String,
    groups: Vec<String>,
}

impl Identity {
    fn user(name: &str) -> Identity {
        Identity {
            user: name.to_string(),
            groups: vec![],
        }
    }

    fn in_group(user: &str, group: &str) -> Identity {
        Identity {
            user: user.to_string(),
            groups: vec![group.to_string()],
        }
    }

    fn service_account(namespace: &str, name: &str) -> Identity {
        Identity::user(&format!("system:serviceaccount:{namespace}:{name}"))
    }

    fn subjects(&self) -> Vec<Subject> {
        let mut subjects = vec![Subject::user(&self.user)];
        subjects.extend(self.groups.iter().map(|g| Subject::group(g)));
        if let Some(sa) = self.user.strip_prefix("system:serviceaccount:") {
            let namespace = sa.split(':').next().unwrap();
            subjects.push(Subject::group("system:serviceaccounts"));
            subjects.push(Subject::group(&format!(
                "system:serviceaccounts:{namespace}"
            )));
        }
        subjects.push(Subject::group("system:authenticated"));
        subjects
    }

    /// Which identity a listed subject is asked as.
    fn of(subject: &Subject) -> Identity {
        match (&subject.namespace, subject.kind) {
            (Some(namespace), _) => Identity::service_account(namespace, &subject.name),
            (None, kubectl_drift::rbac::SubjectKind::Group) => {
                Identity::in_group(&format!("member-of-{}", subject.name), &subject.name)
            }
            (None, _) => Identity::user(&subject.name),
        }
    }
}

/// One `kubectl auth can-i` question.
struct Question {
    who: String,
    args: Vec<String>,
    /// What the analysis says.
    expected: bool,
}

/// The question for `verb` on `resource` as the analysis names it: `deployments.apps`,
/// `deployments.apps/scale` (a subresource), with `name` for grants restricted by name.
fn question(
    namespace: &str,
    identity: &Identity,
    verb: &str,
    resource: &str,
    name: Option<&str>,
    expected: bool,
) -> Question {
    let (resource, subresource) = match resource.split_once('/') {
        Some((resource, sub)) => (resource, Some(sub)),
        None => (resource, None),
    };
    let target = match name {
        Some(name) => format!("{resource}/{name}"),
        None => resource.to_string(),
    };
    let mut args: Vec<String> = ["auth", "can-i", verb, &target, "-n", namespace]
        .iter()
        .map(|s| s.to_string())
        .collect();
    if let Some(sub) = subresource {
        args.extend(["--subresource".to_string(), sub.to_string()]);
    }
    args.extend(["--as".to_string(), identity.user.clone()]);
    for group in &identity.groups {
        args.extend(["--as-group".to_string(), group.clone()]);
    }
    Question {
        who: format!("{} {:?}", identity.user, identity.groups),
        args,
        expected,
    }
}

/// Every write the analysis lists for `identity` must be allowed, and every write on the
/// selected resources it does not list must be refused: asked of the real authorizer.
fn questions_for(namespace: &str, identity: &Identity, grants: &[Grant]) -> Vec<Question> {
    let subjects = identity.subjects();
    let theirs: Vec<&Grant> = grants
        .iter()
        .filter(|g| subjects.contains(&g.subject))
        .collect();
    let mut questions = Vec::new();
    for grant in &theirs {
        let verbs: Vec<&str> = if grant.verbs == ["*"] {
            WRITE_VERBS.to_vec()
        } else {
            grant.verbs.iter().map(String::as_str).collect()
        };
        for resource in &grant.resources {
            for verb in &verbs {
                if grant.resource_names.is_empty() {
                    questions.push(question(namespace, identity, verb, resource, None, true));
                }
                for name in &grant.resource_names {
                    questions.push(question(
                        namespace,
                        identity,
                        verb,
                        resource,
                        Some(name),
                        true,
                    ));
                }
            }
        }
    }
    for (_, resource) in TYPES {
        for verb in WRITE_VERBS {
            let listed = theirs.iter().any(|g| g.allows(verb, resource));
            if !listed {
                questions.push(question(namespace, identity, verb, resource, None, false));
            }
        }
    }
    questions
}

/// Asks every question (a few kubectl processes at a time) and fails with every answer
/// that differs from the analysis.
fn cross_check(questions: &[Question]) {
    let answers: Vec<bool> = std::thread::scope(|scope| {
        let chunks: Vec<_> = questions
            .chunks(questions.len().div_ceil(4).max(1))
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|q| {
                            let args: Vec<&str> = q.args.iter().map(String::as_str).collect();
                            let out = kubectl("staging", &args);
                            match String::from_utf8_lossy(&out.stdout).trim() {
                                "yes" => true,
                                "no" => false,
                                other => panic!(
                                    "kubectl {args:?}: {other:?} {}",
                                    String::from_utf8_lossy(&out.stderr)
                                ),
                            }
                        })
                        .collect::<Vec<bool>>()
                })
            })
            .collect();
        chunks.into_iter().flat_map(|c| c.join().unwrap()).collect()
    });
    let wrong: Vec<String> = questions
        .iter()
        .zip(answers)
        .filter(|(q, answer)| q.expected != *answer)
        .map(|(q, answer)| {
            format!(
                "as {}: kubectl {} says {}, the analysis says {}",
                q.who,
                q.args[..4].join(" "),
                if answer { "yes" } else { "no" },
                if q.expected { "yes" } else { "no" },
            )
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The grants of `subject`, in short form: verbs, resources, names, namespace, binding,
/// role.
fn grants_of(grants: &[Grant], subject: &Subject) -> Vec<String> {
    grants
        .iter()
        .filter(|g| &g.subject == subject)
        .map(|g| {
            format!(
                "[{}] {}{} in {} via {} -> {}",
                g.verbs.join(","),
                g.resources.join(","),
                if g.resource_names.is_empty() {
                    String::new()
                } else {
                    format!(" names={}", g.resource_names.join(","))
                },
                g.namespace.as_deref().unwrap_or("*"),
                g.binding,
                g.role
            )
        })
        .collect()
}

/// The subjects of the test's own (named after its namespace) among the grants.
fn own_subjects(grants: &[Grant], namespace: &str) -> BTreeSet<String> {
    grants
        .iter()
        .filter(|g| {
            g.subject.name.ends_with(&format!("-{namespace}"))
                || g.subject.namespace.as_deref() == Some(namespace)
        })
        .map(|g| g.subject.to_string())
        .collect()
}

fn subjects_setup(ns: &str) -> String {
    format!(
        r#"# alice: the built-in "edit" (aggregated by tests/testenv/up) in this namespace.
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: alice-edit, namespace: {ns}}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}}
subjects:
- {{apiGroup: rbac.authorization.k8s.io, kind: User, name: alice-{ns}}}
---
# The on-call group may patch deployments everywhere.
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {{name: {ns}-patch-deployments}}
rules:
- {{apiGroups: [apps], resources: [deployments], verbs: [get, list, watch, patch]}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {{name: {ns}-oncall}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {ns}-patch-deployments}}
subjects:
- {{apiGroup: rbac.authorization.k8s.io, kind: Group, name: oncall-{ns}}}
---
# The pipeline's service account may create and delete services here.
apiVersion: v1
kind: ServiceAccount
metadata: {{name: deployer, namespace: {ns}}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: deployer, namespace: {ns}}}
rules:
- {{apiGroups: [""], resources: [services], verbs: [create, delete]}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: deployer, namespace: {ns}}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer}}
subjects:
- {{kind: ServiceAccount, name: deployer, namespace: {ns}}}
---
# carol only reads.
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: reader, namespace: {ns}}}
rules:
- {{apiGroups: ["", apps], resources: [deployments, configmaps, services], verbs: [get, list, watch]}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: carol-read, namespace: {ns}}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}}
subjects:
- {{apiGroup: rbac.authorization.k8s.io, kind: User, name: carol-{ns}}}
---
# dave may change one ConfigMap by name (and create none).
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: app-config-editor, namespace: {ns}}}
rules:
- {{apiGroups: [""], resources: [configmaps], resourceNames: [app-config], verbs: [get, create, update, patch]}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: dave-app-config, namespace: {ns}}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: app-config-editor}}
subjects:
- {{apiGroup: rbac.authorization.k8s.io, kind: User, name: dave-{ns}}}
---
# erin may only scale deployments, which still changes spec.replicas.
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: scaler, namespace: {ns}}}
rules:
- {{apiGroups: [apps], resources: [deployments/scale], verbs: [get, update, patch]}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: erin-scale, namespace: {ns}}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: scaler}}
subjects:
- {{apiGroup: rbac.authorization.k8s.io, kind: User, name: erin-{ns}}}
"#
    )
}

#[test]
fn listed_editors_are_exactly_what_the_authorizer_allows() {
    let ns = namespace("rbac", &["staging"]);
    apply("staging", &ns, &subjects_setup(&ns));
    let grants = analyze(&ns);

    let alice = Subject::user(&format!("alice-{ns}"));
    let oncall = Subject::group(&format!("oncall-{ns}"));
    let deployer = Subject::service_account(&ns, "deployer");
    let carol = Subject::user(&format!("carol-{ns}"));
    let dave = Subject::user(&format!("dave-{ns}"));
    let erin = Subject::user(&format!("erin-{ns}"));
    assert_eq!(
        own_subjects(&grants, &ns),
        [&alice, &oncall, &deployer, &dave, &erin]
            .iter()
            .map(|s| s.to_string())
            .collect::<BTreeSet<_>>(),
        "carol only reads, everyone else writes"
    );
    assert_eq!(
        grants_of(&grants, &alice),
        [format!(
            "[create,update,patch,delete,deletecollection] configmaps,deployments.apps,services in {ns} via RoleBinding/{ns}/alice-edit -> ClusterRole/edit"
        )]
    );
    assert_eq!(
        grants_of(&grants, &oncall),
        [format!(
            "[patch] deployments.apps in * via ClusterRoleBinding/{ns}-oncall -> ClusterRole/{ns}-patch-deployments"
        )]
    );
    assert_eq!(
        grants_of(&grants, &deployer),
        [format!(
            "[create,delete] services in {ns} via RoleBinding/{ns}/deployer -> Role/{ns}/deployer"
        )]
    );
    assert_eq!(
        grants_of(&grants, &dave),
        [format!(
            "[update,patch] configmaps names=app-config in {ns} via RoleBinding/{ns}/dave-app-config -> Role/{ns}/app-config-editor"
        )]
    );
    assert_eq!(
        grants_of(&grants, &erin),
        [format!(
            "[update,patch] deployments.apps/scale in {ns} via RoleBinding/{ns}/erin-scale -> Role/{ns}/scaler"
        )]
    );

    let mut questions = Vec::new();
    for subject in [&alice, &oncall, &deployer, &carol, &dave, &erin] {
        questions.extend(questions_for(&ns, &Identity::of(subject), &grants));
    }
    // The reader is refused the patch, as the analysis says by not listing her.
    let carol_patch = questions
        .iter()
        .filter(|q| q.args[2] == "patch" && q.args.contains(&carol.name))
        .count();
    assert_eq!(carol_patch, TYPES.len());
    cross_check(&questions);
}

fn aggregation_setup(ns: &str) -> String {
    format!(
        r#"# Aggregated: its rules are those of the ClusterRoles labelled for it.
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {{name: {ns}-aggregated}}
aggregationRule:
  clusterRoleSelectors:
  - matchLabels: {{kubectl-drift.test/aggregate-to: {ns}}}
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: {ns}-configmap-updater
  labels: {{kubectl-drift.test/aggregate-to: {ns}}}
rules:
- {{apiGroups: [""], resources: [configmaps], verbs: [get, update]}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: bob-aggregated, namespace: {ns}}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {ns}-aggregated}}
subjects:
- {{apiGroup: rbac.authorization.k8s.io, kind: User, name: bob-{ns}}}
"#
    )
}

/// testenv runs no controller-manager, so the aggregated ClusterRole's `rules` stay empty
/// and the authorizer refuses bob what the analysis (aggregating from the selectors)
/// already lists. Once the test fills the rules the way the controller would, the
/// analysis is unchanged and the authorizer agrees with it.
#[test]
fn aggregated_cluster_roles_count_before_and_after_the_controller_fills_them() {
    let ns = namespace("rbac", &["staging"]);
    apply("staging", &ns, &aggregation_setup(&ns));
    let aggregated = format!("{ns}-aggregated");
    let stored = kubectl_ok(
        "staging",
        &["get", "clusterrole", &aggregated, "-o", "jsonpath={.rules}"],
    );
    assert!(
        matches!(stored.trim(), "" | "null" | "[]"),
        "no controller should have filled the rules: {stored}"
    );

    let bob = Subject::user(&format!("bob-{ns}"));
    let expected = [format!(
        "[update] configmaps in {ns} via RoleBinding/{ns}/bob-aggregated -> ClusterRole/{aggregated}"
    )];
    let before = analyze(&ns);
    assert_eq!(grants_of(&before, &bob), expected);
    let bob_can_update = || {
        let out = kubectl(
            "staging",
            &[
                "auth",
                "can-i",
                "update",
                "configmaps",
                "-n",
                &ns,
                "--as",
                &bob.name,
            ],
        );
        String::from_utf8_lossy(&out.stdout).trim() == "yes"
    };
    assert!(
        !bob_can_update(),
        "the authorizer reads only the stored (empty) rules"
    );

    // What clusterrole-aggregation-controller would do: copy the selected role's rules.
    let rules = kubectl_ok(
        "staging",
        &[
            "get",
            "clusterrole",
            &format!("{ns}-configmap-updater"),
            "-o",
            "jsonpath={.rules}",
        ],
    );
    kubectl_ok(
        "staging",
        &[
            "patch",
            "clusterrole",
            &aggregated,
            "--type=merge",
            "-p",
            &format!(r#"{{"rules": {rules}}}"#),
        ],
    );
    let after = analyze(&ns);
    assert_eq!(grants_of(&after, &bob), expected);
    assert!(bob_can_update());
    cross_check(&questions_for(&ns, &Identity::of(&bob), &after));
}

/// `kubectl drift rbac` end to end: the selected resources come from Git, the hand-made
/// change the check finds is joined with who could have made it, and `--allow` removes a
/// subject from the list.
#[test]
fn the_rbac_command_names_editors_and_joins_them_with_hand_made_changes() {
    let ns = namespace("rbaccli", &["staging"]);
    let user = format!("alice-{ns}");
    let settings =
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata: {mode: one}\n";
    let repo = git_repo(&[("k8s/settings.yaml", settings)]);
    apply("staging", &ns, settings);
    kubectl_ok(
        "staging",
        &[
            "-n",
            &ns,
            "create",
            "rolebinding",
            "alice-edit",
            "--clusterrole=edit",
            &format!("--user={user}"),
        ],
    );
    kubectl_ok(
        "staging",
        &[
            "-n",
            &ns,
            "--as",
            &user,
            "patch",
            "configmap",
            "settings",
            "-p",
            r#"{"data":{"mode":"two"}}"#,
        ],
    );
    let run = |extra: &[&str]| {
        let out = drift()
            .current_dir(repo.path())
            .args(["rbac", "--context", "staging", "-n", &ns])
            .args(extra)
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, text, stderr) = run(&[]);
    assert_eq!(code, 1, "{text}{stderr}");
    assert!(text.contains(&format!("  User {user}\n")), "{text}");
    assert!(
        text.contains(&format!(
            "by RoleBinding/{ns}/alice-edit → ClusterRole/edit"
        )),
        "{text}"
    );
    let joined = text
        .lines()
        .find(|l| l.contains("kubectl-patch changes were made"))
        .unwrap_or_else(|| panic!("no join line: {text}"));
    assert!(joined.contains(&format!("User {user}")), "{joined}");

    let (_, json, _) = run(&["-o", "json"]);
    let document: serde_json::Value = serde_json::from_str(&json).unwrap();
    let editors = document["contexts"][0]["editors"].as_array().unwrap();
    assert!(
        editors
            .iter()
            .any(|g| g["subject"]["name"] == user.as_str()),
        "{json}"
    );
    assert!(document["contexts"][0]["managers"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m == "kubectl-patch"));

    let (_, text, _) = run(&["--allow", &format!("user:{user}")]);
    assert!(!text.contains(&format!("User {user}")), "{text}");
    let (code, _, stderr) = run(&["--allow", "robot"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--allow"), "{stderr}");
}
