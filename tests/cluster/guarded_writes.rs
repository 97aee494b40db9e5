//! Every write is the one that was shown, on the cluster it was shown for: neither an apply
//! nor a plan re-creates an object deleted since its diff; a plan edited in any field that
//! matters (even with its digests made again) is refused whole, a client-side one too; a
//! plan run through a context renamed to point at another cluster is refused; `fix --yes`
//! keeps an ignored field the pipeline owns as it is live; a frozen API server is given up
//! at the first timeout by `fix --yes` and by `fix --plan`, its unanswered write audited as
//! `unknown` and read back when the server answers again.

use std::path::Path;

use kubectl_drift::fix::plan::{self, Action, FixPlan};
use serde_json::Value;

use crate::common::*;
use crate::hostile_server::OwnTestenv;

fn config_map(name: &str, greeting: &str) -> String {
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  greeting: {greeting}\n")
}

/// Git declares alpha and beta; the pipeline applied them; both were then edited by hand,
/// and `stray` (no manifest, in a namespace the target owns) was made by hand.
fn planned(prefix: &str) -> (String, tempfile::TempDir) {
    let ns = namespace(prefix, &["staging"]);
    let manifests = format!(
        "{}---\n{}",
        config_map("alpha", "hello"),
        config_map("beta", "hello")
    );
    let config = format!(
        "targets:\n  - context: staging\n    namespace: {ns}\n    paths: [k8s]\n    namespaces: [{ns}]\n"
    );
    let repo = git_repo(&[
        ("k8s/app.yaml", &manifests),
        (".kubectl-drift.yaml", &config),
    ]);
    let file = repo.path().join("k8s/app.yaml");
    kubectl_ok(
        "staging",
        &[
            "apply",
            "--server-side",
            "--field-manager",
            "pipeline",
            "-n",
            &ns,
            "-f",
            file.to_str().unwrap(),
        ],
    );
    for name in ["alpha", "beta"] {
        kubectl_ok(
            "staging",
            &[
                "patch",
                &format!("configmap/{name}"),
                "-n",
                &ns,
                "--field-manager",
                "kubectl-edit",
                "-p",
                r#"{"data":{"greeting":"by hand"}}"#,
            ],
        );
    }
    apply("staging", &ns, &config_map("stray", "mine"));
    (ns, repo)
}

fn save_plan(repo: &Path, plan_file: &Path, prune: bool) -> (i32, String, String) {
    let mut cmd = drift();
    cmd.current_dir(repo)
        .args(["fix", "--dry-run", "--context", "staging"])
        .arg("--save-plan")
        .arg(plan_file);
    if prune {
        cmd.arg("--prune");
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn run_plan(repo: &Path, plan_file: &Path, kubeconfig: Option<&Path>) -> (i32, String, String) {
    let mut cmd = drift();
    cmd.current_dir(repo)
        .args(["fix", "--yes", "--plan"])
        .arg(plan_file)
        .arg("--audit-log")
        .arg(repo.join("audit.log"));
    if let Some(kubeconfig) = kubeconfig {
        cmd.arg("--kubeconfig").arg(kubeconfig);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn greeting(ns: &str, name: &str) -> String {
    kubectl_ok(
        "staging",
        &[
            "get",
            &format!("configmap/{name}"),
            "-n",
            ns,
            "-o",
            "jsonpath={.data.greeting}",
        ],
    )
}

fn read_plan(file: &Path) -> FixPlan {
    serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap()
}

fn write_plan(file: &Path, plan: &FixPlan) {
    std::fs::write(file, serde_json::to_string_pretty(plan).unwrap()).unwrap();
}

fn entry_of<'a>(plan: &'a mut FixPlan, name: &str) -> &'a mut plan::PlanEntry {
    plan.entries.iter_mut().find(|e| e.name == name).unwrap()
}

#[test]
fn a_plan_whose_object_was_deleted_after_planning_does_not_make_it_anew() {
    let (ns, repo) = planned("guarddeleted");
    let plan_file = repo.path().join("plan.json");
    let (code, out, err) = save_plan(repo.path(), &plan_file, false);
    assert_eq!(code, 1, "{out}{err}");
    kubectl_ok("staging", &["delete", "configmap/alpha", "-n", &ns]);
    let (code, out, err) = run_plan(repo.path(), &plan_file, None);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        out.contains("it was deleted since the plan was made"),
        "{out}"
    );
    let gone = kubectl("staging", &["get", "configmap/alpha", "-n", &ns]);
    assert!(!gone.status.success(), "alpha was made anew");
    // The other entry was written.
    assert_eq!(greeting(&ns, "beta"), "hello");
    let log = std::fs::read_to_string(repo.path().join("audit.log")).unwrap();
    assert!(log.contains("changed-since-plan"), "{log}");
}

#[test]
fn a_plan_edited_in_any_field_that_matters_is_refused_whole() {
    let (ns, repo) = planned("guardedited");
    let other = namespace("guardother", &["staging"]);
    apply("staging", &other, &config_map("alpha", "other"));
    apply("staging", &other, &config_map("elsewhere", "other"));
    let plan_file = repo.path().join("plan.json");
    let (code, out, err) = save_plan(repo.path(), &plan_file, true);
    assert_eq!(code, 1, "{out}{err}");
    let saved = read_plan(&plan_file);
    assert_eq!(saved.api_version, "kubectl-drift/v2");
    assert_eq!(saved.contexts.len(), 1);
    assert!(!saved.contexts[0].cluster_uid.is_empty());
    assert!(saved.entries.iter().all(|e| e.digest.len() == 64));
    assert!(
        saved
            .entries
            .iter()
            .any(|e| e.name == "stray" && e.action == Action::Delete),
        "{out}"
    );

    let moved_to = other.clone();
    let untracked = other.clone();
    type Edit = Box<dyn Fn(&mut FixPlan)>;
    let edits: Vec<(&str, bool, Edit, &str)> = vec![
        (
            "namespace",
            false,
            Box::new(move |p| {
                let e = entry_of(p, "alpha");
                e.namespace = Some(moved_to.clone());
                e.body.as_mut().unwrap()["metadata"]["namespace"] = moved_to.clone().into();
            }),
            "digest does not match",
        ),
        (
            "body",
            false,
            Box::new(|p| {
                entry_of(p, "alpha").body.as_mut().unwrap()["data"]["greeting"] = "evil".into()
            }),
            "digest does not match",
        ),
        (
            "kind and body: a Secret",
            true,
            Box::new(|p| {
                let e = entry_of(p, "alpha");
                e.body.as_mut().unwrap()["kind"] = "Secret".into();
            }),
            "a Secret's body is never stored",
        ),
        (
            "kind",
            true,
            Box::new(|p| entry_of(p, "alpha").kind = "Secret".into()),
            "Secret",
        ),
        (
            "plural",
            true,
            Box::new(|p| entry_of(p, "alpha").resource = "secrets".into()),
            "served as configmaps",
        ),
        (
            "empty resourceVersion",
            true,
            Box::new(|p| entry_of(p, "alpha").resource_version = Some(String::new())),
            "no resourceVersion",
        ),
        (
            "fields shown",
            true,
            Box::new(|p| {
                let e = entry_of(p, "alpha");
                e.fields = vec!["data.other".into()];
                e.conflicts.clear();
            }),
            "its body changes data.greeting, which it does not show",
        ),
        (
            "an added delete of a Git-declared object",
            true,
            Box::new(|p| {
                let mut delete = p
                    .entries
                    .iter()
                    .find(|e| e.name == "stray")
                    .unwrap()
                    .clone();
                delete.name = "beta".into();
                p.entries.push(delete);
            }),
            "a delete of an object Git declares",
        ),
        (
            "an added delete of an object no target tracks",
            true,
            Box::new(move |p| {
                let mut delete = p
                    .entries
                    .iter()
                    .find(|e| e.name == "stray")
                    .unwrap()
                    .clone();
                delete.namespace = Some(untracked.clone());
                delete.name = "elsewhere".into();
                p.entries.push(delete);
            }),
            "no target of the plan's commit tracks",
        ),
        (
            "the commit",
            false,
            Box::new(|p| p.commit = Some("0".repeat(40))),
            "digest does not match",
        ),
    ];
    for (what, reseal, edit, says) in edits {
        let mut edited = saved.clone();
        edit(&mut edited);
        if reseal {
            plan::seal(&mut edited);
        }
        let file = repo.path().join("edited.json");
        write_plan(&file, &edited);
        let (code, out, err) = run_plan(repo.path(), &file, None);
        assert_eq!(code, 2, "{what}: {out}{err}");
        assert!(err.contains(says), "{what}: {err}");
        assert!(!out.contains("written"), "{what}: {out}");
        assert_eq!(greeting(&ns, "alpha"), "by hand", "{what}");
        assert_eq!(greeting(&ns, "beta"), "by hand", "{what}");
    }
    // Nothing of those ran: the stray object and the other namespace's alpha are as they were.
    assert_eq!(greeting(&ns, "stray"), "mine");
    assert_eq!(greeting(&other, "alpha"), "other");
    assert_eq!(greeting(&other, "elsewhere"), "other");

    // The plan as saved runs.
    let (code, out, err) = run_plan(repo.path(), &plan_file, None);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(greeting(&ns, "alpha"), "hello");
}

#[test]
fn a_plan_run_through_a_context_renamed_to_another_cluster_is_refused() {
    let (ns, repo) = planned("guardrenamed");
    let plan_file = repo.path().join("plan.json");
    let (code, out, err) = save_plan(repo.path(), &plan_file, false);
    assert_eq!(code, 1, "{out}{err}");
    // Another kubeconfig, whose context "staging" reaches production.
    let original = std::fs::read_to_string(&testenv().kubeconfig).unwrap();
    let mut config: Value = kubectl_drift::yaml::from_str(&original).unwrap();
    for context in config["contexts"].as_array_mut().unwrap() {
        if context["name"] == "staging" {
            context["context"]["cluster"] = "production".into();
            context["context"]["user"] = "production-admin".into();
        }
    }
    let users: Vec<String> = config["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap().to_string())
        .collect();
    let clusters: Vec<String> = config["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap().to_string())
        .collect();
    assert!(
        users.contains(&"production-admin".to_string())
            && clusters.contains(&"production".to_string()),
        "the testenv's kubeconfig names its cluster and user production: {users:?} {clusters:?}"
    );
    let renamed = repo.path().join("renamed-kubeconfig");
    std::fs::write(&renamed, serde_json::to_string(&config).unwrap()).unwrap();
    let (code, out, err) = run_plan(repo.path(), &plan_file, Some(&renamed));
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("the server the plan was made for"), "{err}");
    assert_eq!(greeting(&ns, "alpha"), "by hand");
}

#[test]
fn fix_keeps_an_ignored_field_the_pipeline_owns_as_it_is_live() {
    let ns = namespace("guardignored", &["staging"]);
    let deployment = |replicas: u32, image: &str| {
        format!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: {replicas}\n  selector:\n    matchLabels: {{app: web}}\n  template:\n    metadata:\n      labels: {{app: web}}\n    spec:\n      containers:\n      - name: web\n        image: {image}\n")
    };
    let config = format!(
        "targets:\n  - context: staging\n    namespace: {ns}\n    paths: [k8s]\nignore:\n  - kind: Deployment\n    paths: [/spec/replicas]\n    reason: scaled by the pipeline\n"
    );
    let repo = git_repo(&[
        ("k8s/web.yaml", &deployment(3, "nginx:1.27")),
        (".kubectl-drift.yaml", &config),
    ]);
    // The pipeline deploys replicas 3; Git then moves to 1, not yet deployed.
    let file = repo.path().join("k8s/web.yaml");
    kubectl_ok(
        "staging",
        &[
            "apply",
            "--server-side",
            "--field-manager",
            "pipeline",
            "-n",
            &ns,
            "-f",
            file.to_str().unwrap(),
        ],
    );
    write_files(
        repo.path(),
        &[("k8s/web.yaml", &deployment(1, "nginx:1.27"))],
    );
    commit(repo.path(), "one replica");
    // A hand change to the image, for fix to put back.
    kubectl_ok(
        "staging",
        &[
            "set",
            "image",
            "deployment/web",
            "web=nginx:hand",
            "-n",
            &ns,
        ],
    );
    let out = drift()
        .current_dir(repo.path())
        .args(["fix", "--yes", "--context", "staging", "--audit-log"])
        .arg(repo.path().join("audit.log"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let live = kubectl_ok(
        "staging",
        &[
            "get",
            "deployment/web",
            "-n",
            &ns,
            "-o",
            "jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image}",
        ],
    );
    assert_eq!(live, "3 nginx:1.27", "{stdout}");

    // A plan made the same way sends the live replicas too.
    kubectl_ok(
        "staging",
        &[
            "set",
            "image",
            "deployment/web",
            "web=nginx:hand",
            "-n",
            &ns,
        ],
    );
    let plan_file = repo.path().join("plan.json");
    let (code, out, err) = save_plan(repo.path(), &plan_file, false);
    assert_eq!(code, 1, "{out}{err}");
    let saved = read_plan(&plan_file);
    assert_eq!(
        saved.entries[0].body.as_ref().unwrap()["spec"]["replicas"],
        3
    );
    let (code, out, err) = run_plan(repo.path(), &plan_file, None);
    assert_eq!(code, 0, "{out}{err}");
    let live = kubectl_ok(
        "staging",
        &[
            "get",
            "deployment/web",
            "-n",
            &ns,
            "-o",
            "jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image}",
        ],
    );
    assert_eq!(live, "3 nginx:1.27", "{out}");
}

/// Stops `name` of `env` once `log` holds `intents` intent lines: in the middle of the
/// writes; resumes it `thaw` later, if given.
fn freeze_at_intent(
    env: &mut OwnTestenv,
    name: &str,
    log: std::path::PathBuf,
    intents: usize,
    thaw: Option<std::time::Duration>,
) -> std::thread::JoinHandle<Option<std::time::Instant>> {
    let pid = env.pid(name);
    env.stopped.push(pid);
    std::thread::spawn(move || {
        let started = std::time::Instant::now();
        while started.elapsed() < std::time::Duration::from_secs(100) {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if text.matches("\"outcome\":\"intent\"").count() >= intents {
                crate::hostile_server::signal(pid, "STOP");
                let frozen = std::time::Instant::now();
                if let Some(after) = thaw {
                    std::thread::sleep(after);
                    crate::hostile_server::signal(pid, "CONT");
                }
                return Some(frozen);
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        None
    })
}

/// After the freeze, what the audit log says: no unanswered write is `failed`, and fewer
/// writes were tried than there were objects.
fn assert_given_up(log: &Path, count: usize) {
    let text = std::fs::read_to_string(log).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let intents = lines.iter().filter(|l| l["outcome"] == "intent").count();
    let unknown = lines.iter().filter(|l| l["outcome"] == "unknown").count();
    eprintln!(
        "{}: {intents} writes tried of {count}, {unknown} unknown",
        log.display()
    );
    assert!(
        unknown <= 1,
        "the context is given up at its first timeout:\n{text}"
    );
    assert!(
        intents < count / 2,
        "{intents} writes tried of {count}:\n{text}"
    );
    assert!(
        !lines
            .iter()
            .any(|l| l["outcome"] == "failed" && l["message"].to_string().contains("timed out")),
        "an unanswered write is not failed:\n{text}"
    );
    // Every write tried has its outcome line, `unknown` when its answer never came.
    for intent in lines.iter().filter(|l| l["outcome"] == "intent") {
        let outcome = lines
            .iter()
            .find(|l| l["name"] == intent["name"] && l["outcome"] != "intent")
            .unwrap_or_else(|| panic!("no outcome for {}:\n{text}", intent["name"]));
        assert!(
            ["applied", "unknown"].contains(&outcome["outcome"].as_str().unwrap()),
            "{outcome}"
        );
    }
}

#[test]
fn a_frozen_api_server_is_given_up_at_its_first_timeout_by_fix_and_fix_plan() {
    let mut env = OwnTestenv::start();
    let count = 120;
    let doc = |i: usize, mode: &str| {
        format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm{i}\n  namespace: default\ndata:\n  mode: {mode}\n")
    };
    let git: Vec<String> = (0..count).map(|i| doc(i, "one")).collect();
    let live: Vec<String> = (0..count).map(|i| doc(i, "two")).collect();
    for context in ["staging", "production"] {
        env.kubectl(context, &["apply", "-f", "-"], &live.join("---\n"));
    }
    let repo = git_repo(&[("k8s/all.yaml", &git.join("---\n"))]);
    let repo_path = repo.path().to_str().unwrap().to_string();
    let timeout = std::time::Duration::from_secs(2);

    // fix --yes, frozen in the middle of its writes.
    let log = repo.path().join("audit-yes.log");
    let freezer = freeze_at_intent(&mut env, "staging-apiserver", log.clone(), 5, None);
    let (code, out, err, _) = env.drift(&[
        "fix",
        "--yes",
        "--repo",
        &repo_path,
        "--context",
        "staging",
        "--request-timeout",
        "2s",
        "--audit-log",
        log.to_str().unwrap(),
    ]);
    let ended = std::time::Instant::now();
    let frozen = freezer.join().unwrap().expect("the writes began");
    assert_eq!(code, 2, "{out}{err}");
    let after = ended - frozen;
    eprintln!("ended {after:?} after the freeze");
    assert!(
        after < timeout * 4,
        "{after:?} after the freeze, with --request-timeout 2s\n{out}"
    );
    assert!(
        out.contains("the rest of this context was given up"),
        "{out}"
    );
    assert_given_up(&log, count);
    env.thaw("staging-apiserver");

    // Frozen again, and back between the write's timeout and its read-back: the write
    // stays `unknown`, and the read-back says what became of it.
    let log = repo.path().join("audit-back.log");
    let freezer = freeze_at_intent(
        &mut env,
        "staging-apiserver",
        log.clone(),
        3,
        Some(timeout + std::time::Duration::from_millis(500)),
    );
    let (code, out, err, _) = env.drift(&[
        "fix",
        "--yes",
        "--repo",
        &repo_path,
        "--context",
        "staging",
        "--request-timeout",
        "2s",
        "--audit-log",
        log.to_str().unwrap(),
    ]);
    freezer.join().unwrap().expect("the writes began");
    assert_eq!(code, 2, "{out}{err}");
    let text = std::fs::read_to_string(&log).unwrap();
    let unknown = text.find("\"outcome\":\"unknown\"");
    let read_back = text.find("\"outcome\":\"read-back\"");
    assert!(
        unknown.is_some() && read_back > unknown,
        "an unanswered write, read back:\n{text}"
    );
    assert!(out.contains("read back:"), "{out}");

    // fix --plan on production, frozen in the middle of its writes.
    let plan_file = repo.path().join("plan.json");
    let (code, out, err, _) = env.drift(&[
        "fix",
        "--dry-run",
        "--repo",
        &repo_path,
        "--context",
        "production",
        "--save-plan",
        plan_file.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{out}{err}");
    let log = repo.path().join("audit-plan.log");
    let freezer = freeze_at_intent(&mut env, "production-apiserver", log.clone(), 5, None);
    let (code, out, err, _) = env.drift(&[
        "fix",
        "--yes",
        "--repo",
        &repo_path,
        "--plan",
        plan_file.to_str().unwrap(),
        "--request-timeout",
        "2s",
        "--audit-log",
        log.to_str().unwrap(),
    ]);
    let ended = std::time::Instant::now();
    let frozen = freezer.join().unwrap().expect("the writes began");
    assert_eq!(code, 2, "{out}{err}");
    let after = ended - frozen;
    eprintln!("ended {after:?} after the freeze");
    assert!(
        after < timeout * 4,
        "{after:?} after the freeze, with --request-timeout 2s\n{out}"
    );
    assert!(
        out.contains("the rest of this context was given up"),
        "{out}"
    );
    assert_given_up(&log, count);
}

/// The writes `fix --yes` makes, held to an object deleted since its diff: neither the
/// server-side apply nor the client-side update makes it anew; both answer 404.
#[test]
fn an_apply_held_to_a_deleted_object_does_not_make_it_anew() {
    use kubectl_drift::cluster::{kubeconfig, live, Catalog};
    let ns = namespace("guardapply", &["staging"]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let config = kubeconfig::load_kubeconfig(Some(&testenv().kubeconfig)).unwrap();
        let cluster = kubeconfig::connect_with_timeout(
            &config,
            "staging",
            Some(std::time::Duration::from_secs(10)),
        )
        .await
        .unwrap();
        let catalog = Catalog::discover(&cluster).await.unwrap();
        let rt = catalog.for_manifest("v1", "ConfigMap").unwrap().clone();
        for (name, client_side) in [("server-side", false), ("client-side", true)] {
            apply("staging", &ns, &config_map(name, "hello"));
            let object = live::get(&cluster, &rt, Some(&ns), name)
                .await
                .unwrap()
                .unwrap();
            let rv = object["metadata"]["resourceVersion"].as_str().unwrap();
            kubectl_ok(
                "staging",
                &["delete", &format!("configmap/{name}"), "-n", &ns],
            );
            let manifest: Value = serde_json::json!({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": name, "namespace": ns}, "data": {"greeting": "again"}});
            let result = match client_side {
                false => {
                    live::apply(
                        &cluster,
                        &rt,
                        Some(&ns),
                        name,
                        &manifest,
                        &live::ApplyOptions {
                            field_manager: "pipeline",
                            force: true,
                            resource_version: Some(rv),
                        },
                    )
                    .await
                }
                true => {
                    live::apply_client_side(
                        &cluster,
                        &rt,
                        Some(&ns),
                        name,
                        &manifest,
                        &manifest,
                        Some(rv),
                    )
                    .await
                }
            };
            match result {
                Err(kube::Error::Api(status)) => assert_eq!(status.code, 404, "{name}: {status:?}"),
                other => panic!("{name}: {other:?}"),
            }
            assert!(
                live::get(&cluster, &rt, Some(&ns), name)
                    .await
                    .unwrap()
                    .is_none(),
                "{name}: made anew"
            );
        }
    });
    // What closes the instant between the read and the apply: the server refuses a
    // server-side apply whose UID finds no object, rather than making one.
    apply("staging", &ns, &config_map("raced", "hello"));
    let uid = kubectl_ok(
        "staging",
        &[
            "get",
            "configmap/raced",
            "-n",
            &ns,
            "-o",
            "jsonpath={.metadata.uid}",
        ],
    );
    kubectl_ok("staging", &["delete", "configmap/raced", "-n", &ns]);
    let held = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: raced\n  uid: {uid}\ndata:\n  greeting: again\n"
    );
    let out = kubectl_stdin(
        "staging",
        &[
            "apply",
            "--server-side",
            "--force-conflicts",
            "-n",
            &ns,
            "-f",
            "-",
        ],
        Some(&held),
    );
    assert!(!out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("uid mismatch"),
        "{out:?}"
    );
    assert!(!kubectl("staging", &["get", "configmap/raced", "-n", &ns])
        .status
        .success());
}

/// A client-side pipeline's plan: its fields are checked against the server's dry run of
/// the update it makes, as a server-side one's are.
#[test]
fn a_client_side_plan_runs_and_its_fields_are_checked_too() {
    let ns = namespace("guardclient", &["staging"]);
    let repo = git_repo(&[("k8s/app.yaml", &config_map("alpha", "hello"))]);
    let file = repo.path().join("k8s/app.yaml");
    kubectl_ok(
        "staging",
        &["apply", "-n", &ns, "-f", file.to_str().unwrap()],
    );
    kubectl_ok(
        "staging",
        &[
            "patch",
            "configmap/alpha",
            "-n",
            &ns,
            "--field-manager",
            "kubectl-edit",
            "-p",
            r#"{"data":{"greeting":"by hand","extra":"too"}}"#,
        ],
    );
    let plan_file = repo.path().join("plan.json");
    let out = drift()
        .current_dir(repo.path())
        .args([
            "fix",
            "--dry-run",
            "--context",
            "staging",
            "-n",
            &ns,
            "--path",
            "k8s",
        ])
        .arg("--save-plan")
        .arg(&plan_file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let saved = read_plan(&plan_file);
    assert!(saved.entries[0].client_side, "{:?}", saved.entries[0]);

    let mut edited = saved.clone();
    edited.entries[0].fields.retain(|f| f != "data.greeting");
    edited.entries[0].conflicts.clear();
    plan::seal(&mut edited);
    let edited_file = repo.path().join("edited.json");
    write_plan(&edited_file, &edited);
    let (code, out, err) = run_plan(repo.path(), &edited_file, None);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("which it does not show"), "{err}");
    assert_eq!(greeting(&ns, "alpha"), "by hand");

    let (code, out, err) = run_plan(repo.path(), &plan_file, None);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(greeting(&ns, "alpha"), "hello");
}
