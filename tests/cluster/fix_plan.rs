//! `fix --dry-run --save-plan` then `fix --plan`: a saved plan executed exactly, with an
//! entry gone stale between plan and execution (not written, named, exit 2); the plan holds
//! no Secret value; a plan whose Secret manifest no longer hashes the same is refused whole.

use std::path::Path;

use base64::Engine;
use serde_json::Value;

use crate::common::*;

const SECRET_VALUE: &str = "plan-s3cret-value-7f3a9";

fn manifests() -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(SECRET_VALUE);
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: alpha\ndata:\n  greeting: hello\n---\n\
apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: beta\ndata:\n  greeting: hello\n---\n\
apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: gamma\ndata:\n  greeting: hello\n---\n\
apiVersion: v1\nkind: Secret\nmetadata:\n  name: creds\ntype: Opaque\ndata:\n  password: {b64}\n"
    )
}

fn edit(ns: &str, what: &str, patch: &str) {
    kubectl_ok(
        "staging",
        &[
            "patch",
            what,
            "-n",
            ns,
            "--field-manager",
            "kubectl-edit",
            "-p",
            patch,
        ],
    );
}

fn get(ns: &str, what: &str, path: &str) -> String {
    kubectl_ok(
        "staging",
        &["get", what, "-n", ns, "-o", &format!("jsonpath={path}")],
    )
}

fn save_plan(repo: &Path, ns: &str, plan: &Path) -> (i32, String, String) {
    let out = drift()
        .current_dir(repo)
        .args([
            "fix",
            "--dry-run",
            "--context",
            "staging",
            "--path",
            "k8s",
            "-n",
            ns,
        ])
        .arg("--save-plan")
        .arg(plan)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn run_plan(repo: &Path, plan: &Path) -> (i32, String, String) {
    let out = drift()
        .current_dir(repo)
        .args(["fix", "--yes", "--plan"])
        .arg(plan)
        .arg("--audit-log")
        .arg(repo.join("audit.log"))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Deployed by the pipeline, then `gamma` deleted and the rest edited by hand.
fn drifted(ns: &str, repo: &Path) {
    let file = repo.join("k8s/app.yaml");
    let out = kubectl(
        "staging",
        &[
            "apply",
            "--server-side",
            "--field-manager",
            "pipeline",
            "-n",
            ns,
            "-f",
            file.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{out:?}");
    kubectl_ok("staging", &["delete", "configmap/gamma", "-n", ns]);
    edit(ns, "configmap/alpha", r#"{"data":{"greeting":"by hand"}}"#);
    edit(ns, "configmap/beta", r#"{"data":{"greeting":"by hand"}}"#);
    edit(
        ns,
        "secret/creds",
        r#"{"data":{"password":"aGFuZC12YWx1ZQ=="}}"#,
    );
}

#[test]
fn a_saved_plan_runs_exactly_and_leaves_a_stale_entry_unwritten() {
    let ns = namespace("fixplan", &["staging"]);
    let repo = git_repo(&[("k8s/app.yaml", &manifests())]);
    drifted(&ns, repo.path());
    let plan_file = repo.path().join("plan.json");

    let (code, stdout, stderr) = save_plan(repo.path(), &ns, &plan_file);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    assert!(stdout.contains("plan saved to"), "{stdout}");
    let text = std::fs::read_to_string(&plan_file).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(SECRET_VALUE);
    for secret in [SECRET_VALUE, b64.as_str(), "aGFuZC12YWx1ZQ==", "hand-value"] {
        assert!(!text.contains(secret), "{secret} in the plan:\n{text}");
        assert!(
            !stdout.contains(secret),
            "{secret} in the output:\n{stdout}"
        );
    }
    let plan: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(plan["apiVersion"], "kubectl-drift/v2");
    assert_eq!(plan["kind"], "FixPlan");
    let entries = plan["entries"].as_array().unwrap();
    let by_name = |name: &str| {
        entries
            .iter()
            .find(|e| e["name"] == name)
            .unwrap_or_else(|| panic!("no entry for {name}: {text}"))
    };
    assert_eq!(entries.len(), 4, "{text}");
    assert_eq!(by_name("gamma")["action"], "create");
    assert_eq!(by_name("gamma")["mustNotExist"], true);
    assert_eq!(by_name("alpha")["action"], "apply");
    assert_eq!(by_name("alpha")["manager"], "pipeline");
    assert_eq!(by_name("alpha")["body"]["data"]["greeting"], "hello");
    assert_eq!(
        by_name("alpha")["resourceVersion"],
        get(&ns, "configmap/alpha", "{.metadata.resourceVersion}").as_str()
    );
    assert_eq!(by_name("alpha")["conflicts"][0], "data.greeting");
    let creds = by_name("creds");
    assert!(creds.get("body").is_none(), "{creds}");
    assert_eq!(creds["secretSource"]["file"], "k8s/app.yaml");
    assert_eq!(creds["secretSource"]["commit"], plan["commit"]);
    // The plan's order: ConfigMaps and Secrets (rank 4) before nothing else here; creates too.
    // Nothing was written by the dry run.
    assert_eq!(get(&ns, "configmap/beta", "{.data.greeting}"), "by hand");

    // Someone edits alpha after the plan was approved.
    edit(
        &ns,
        "configmap/alpha",
        r#"{"data":{"greeting":"edited after the plan"}}"#,
    );

    let (code, stdout, stderr) = run_plan(repo.path(), &plan_file);
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    assert!(
        stdout.contains(&format!(
            "not written, changed since the plan: ConfigMap {ns}/alpha (staging)"
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains("plan: 3 written, 1 changed since the plan, 0 failed"),
        "{stdout}"
    );
    assert_eq!(
        get(&ns, "configmap/alpha", "{.data.greeting}"),
        "edited after the plan"
    );
    assert_eq!(get(&ns, "configmap/beta", "{.data.greeting}"), "hello");
    assert_eq!(get(&ns, "configmap/gamma", "{.data.greeting}"), "hello");
    assert_eq!(get(&ns, "secret/creds", "{.data.password}"), b64);
    for secret in [SECRET_VALUE, b64.as_str()] {
        assert!(!stdout.contains(secret) && !stderr.contains(secret));
    }
    let audit = std::fs::read_to_string(repo.path().join("audit.log")).unwrap();
    let lines: Vec<Value> = audit
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let of = |name: &str| -> Vec<&str> {
        lines
            .iter()
            .filter(|l| l["name"] == name)
            .map(|l| l["outcome"].as_str().unwrap())
            .collect()
    };
    assert_eq!(of("alpha"), ["intent", "changed-since-plan"], "{audit}");
    assert_eq!(of("beta"), ["intent", "applied"], "{audit}");
    assert_eq!(of("gamma"), ["intent", "created"], "{audit}");
    assert_eq!(of("creds"), ["intent", "applied"], "{audit}");
    assert!(!audit.contains(SECRET_VALUE) && !audit.contains(&b64));
    // The pipeline wrote them: no field of beta is left to the tool or the hand edit.
    let managed = kubectl_ok(
        "staging",
        &[
            "get",
            "configmap/beta",
            "-n",
            &ns,
            "-o",
            "json",
            "--show-managed-fields",
        ],
    );
    assert!(!managed.contains("kubectl-drift"), "{managed}");

    // Running the same plan again: every entry has moved on since; nothing is written.
    let (code, stdout, _) = run_plan(repo.path(), &plan_file);
    assert_eq!(code, 2, "{stdout}");
    assert!(
        stdout.contains("plan: 0 written, 4 changed since the plan"),
        "{stdout}"
    );
}

#[test]
fn a_plan_whose_secret_manifest_changed_in_git_is_refused() {
    let ns = namespace("fixplansecret", &["staging"]);
    let repo = git_repo(&[("k8s/app.yaml", &manifests())]);
    drifted(&ns, repo.path());
    let plan_file = repo.path().join("plan.json");
    let (code, stdout, stderr) = save_plan(repo.path(), &ns, &plan_file);
    assert_eq!(code, 1, "{stdout}\n{stderr}");

    // Git's Secret changes in a new commit, and the plan's Secret entry is pointed at it
    // (as a plan edited to follow the branch would be), its digests made again to match.
    let changed = manifests().replace(
        &base64::engine::general_purpose::STANDARD.encode(SECRET_VALUE),
        &base64::engine::general_purpose::STANDARD.encode("another-value"),
    );
    write_files(repo.path(), &[("k8s/app.yaml", &changed)]);
    commit(repo.path(), "rotate the password");
    let head = git(repo.path(), &["rev-parse", "HEAD"]).trim().to_string();
    let mut plan: kubectl_drift::fix::plan::FixPlan =
        serde_json::from_str(&std::fs::read_to_string(&plan_file).unwrap()).unwrap();
    plan.commit = Some(head.clone());
    for entry in &mut plan.entries {
        if let Some(source) = &mut entry.secret_source {
            source.commit = head.clone();
        }
    }
    kubectl_drift::fix::plan::seal(&mut plan);
    std::fs::write(&plan_file, serde_json::to_string(&plan).unwrap()).unwrap();

    let (code, stdout, stderr) = run_plan(repo.path(), &plan_file);
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    assert!(
        stderr.contains(&format!("the plan is refused: Secret {ns}/creds (staging)"))
            && stderr.contains("no longer hashes as when the plan was made"),
        "{stderr}"
    );
    // Refused whole, before anything was written or shown for approval.
    assert!(stdout.is_empty(), "{stdout}");
    assert_eq!(get(&ns, "configmap/beta", "{.data.greeting}"), "by hand");
    assert!(!repo.path().join("audit.log").exists());

    // Flags that would narrow a plan are refused, not ignored; so is a file that is no plan.
    let out = drift()
        .current_dir(repo.path())
        .args(["fix", "--yes", "--path", "k8s", "-n", &ns, "--plan"])
        .arg(&plan_file)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("--path, -n cannot narrow or change it"),
        "{stderr}"
    );
    let bad = repo.path().join("bad.json");
    std::fs::write(&bad, "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\"}").unwrap();
    let (code, stdout, stderr) = run_plan(repo.path(), &bad);
    assert_eq!(code, 2, "{stdout}");
    assert!(
        stderr.contains(&format!("the plan {}", bad.display())),
        "{stderr}"
    );
    assert_eq!(get(&ns, "configmap/beta", "{.data.greeting}"), "by hand");
}

/// `--prune` in a plan: an extra object becomes a delete entry guarded by its
/// resourceVersion. One extra object and the Secret both change after the plan: neither is
/// written nor deleted, and both are named; the rest of the plan runs.
#[test]
fn a_plan_deletes_extra_objects_and_leaves_stale_deletes_and_secrets_alone() {
    let ns = namespace("fixplanprune", &["staging"]);
    let config = format!(
        "targets:\n  - context: staging\n    namespace: {ns}\n    paths: [k8s]\n    namespaces: [{ns}]\n"
    );
    let repo = git_repo(&[
        (".kubectl-drift.yaml", &config),
        ("k8s/app.yaml", &manifests()),
    ]);
    drifted(&ns, repo.path());
    for name in ["stray", "stray-edited"] {
        kubectl_ok(
            "staging",
            &["create", "configmap", name, "-n", &ns, "--from-literal=a=b"],
        );
    }
    let plan_file = repo.path().join("plan.json");
    let out = drift()
        .current_dir(repo.path())
        .args(["fix", "--dry-run", "--prune", "--context", "staging"])
        .arg("--save-plan")
        .arg(&plan_file)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let text = std::fs::read_to_string(&plan_file).unwrap();
    let plan: Value = serde_json::from_str(&text).unwrap();
    let entries = plan["entries"].as_array().unwrap();
    let entry = |name: &str| {
        entries
            .iter()
            .find(|e| e["name"] == name)
            .unwrap_or_else(|| panic!("no entry for {name}: {text}"))
    };
    assert_eq!(entries.len(), 6, "{text}");
    for name in ["stray", "stray-edited"] {
        assert_eq!(entry(name)["action"], "delete", "{text}");
        assert_eq!(
            entry(name)["resourceVersion"],
            get(
                &ns,
                &format!("configmap/{name}"),
                "{.metadata.resourceVersion}"
            )
            .as_str()
        );
        assert!(entry(name).get("body").is_none(), "{text}");
    }
    // The plan's order: deletes after every write.
    let position = |name: &str| entries.iter().position(|e| e["name"] == name).unwrap();
    assert!(position("stray") > position("creds") && position("stray") > position("gamma"));
    assert!(kubectl_ok("staging", &["get", "cm", "-n", &ns, "-o", "name"]).contains("stray"));

    edit(&ns, "configmap/stray-edited", r#"{"data":{"a":"kept"}}"#);
    edit(
        &ns,
        "secret/creds",
        r#"{"data":{"password":"YWdhaW4tYnktaGFuZA=="}}"#,
    );
    let (code, stdout, stderr) = run_plan(repo.path(), &plan_file);
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    for what in [
        format!("ConfigMap {ns}/stray-edited (staging): not deleted: it changed since the plan"),
        format!("Secret {ns}/creds (staging): not written: it changed since the plan"),
        format!("ConfigMap {ns}/stray (staging): deleted\n"),
        "plan: 4 written, 2 changed since the plan, 0 failed".to_string(),
    ] {
        assert!(stdout.contains(&what), "{what}:\n{stdout}");
    }
    let left = kubectl_ok("staging", &["get", "cm", "-n", &ns, "-o", "name"]);
    assert!(!left.contains("configmap/stray\n"), "{left}");
    assert!(left.contains("configmap/stray-edited"), "{left}");
    assert_eq!(get(&ns, "configmap/stray-edited", "{.data.a}"), "kept");
    assert_eq!(
        get(&ns, "secret/creds", "{.data.password}"),
        "YWdhaW4tYnktaGFuZA=="
    );
    assert_eq!(get(&ns, "configmap/beta", "{.data.greeting}"), "hello");
    let audit = std::fs::read_to_string(repo.path().join("audit.log")).unwrap();
    let outcomes = |name: &str| -> Vec<String> {
        audit
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .filter(|l| l["name"] == name)
            .map(|l| l["outcome"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(outcomes("stray"), ["intent", "deleted"], "{audit}");
    assert_eq!(
        outcomes("stray-edited"),
        ["intent", "changed-since-plan"],
        "{audit}"
    );
    assert_eq!(
        outcomes("creds"),
        ["intent", "changed-since-plan"],
        "{audit}"
    );
}

/// The Spinnaker recipe, `deploy/spinnaker/plan-pipeline.json`: its stages' own scripts,
/// run as its jobs would run them, against a real cluster. The plan goes from the first
/// stage's outputs (gzipped) into a ConfigMap that the last stage mounts, so a plan larger
/// than Linux's 128 KiB limit on one environment variable gets through; the last stage runs
/// it only if it hashes as the one approved.
#[test]
fn the_spinnaker_plan_recipe_runs_end_to_end() {
    let pipeline: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("deploy/spinnaker/plan-pipeline.json")).unwrap(),
    )
    .unwrap();
    let stages = pipeline["stages"].as_array().unwrap();
    let names: Vec<&str> = stages.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["Plan fix", "Store plan", "Approve plan", "Run plan"]
    );
    assert_eq!(stages[2]["type"], "manualJudgment");
    for i in [1, 2] {
        let expression = stages[i]["stageEnabled"]["expression"].as_str().unwrap();
        assert!(expression.contains("#stage('Plan fix')['outputs']['DRIFT_EXIT'] == '1'"));
    }
    let container = |i: usize| &stages[i]["manifest"]["spec"]["template"]["spec"]["containers"][0];
    let sha_env = container(3)["env"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "PLAN_SHA256")
        .expect("the run stage knows the approved plan's digest");
    assert_eq!(
        sha_env["value"],
        "${#stage('Plan fix')['outputs']['PLAN_SHA256']}"
    );
    let mut stored = stages[1]["manifests"][0].clone();
    assert_eq!(
        stored["binaryData"]["plan.json.gz"],
        "${#stage('Plan fix')['outputs']['PLAN_GZ']}"
    );
    let volumes = &stages[3]["manifest"]["spec"]["template"]["spec"]["volumes"];
    assert!(
        volumes
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["configMap"]["name"] == stored["metadata"]["name"]),
        "the run stage mounts the stored plan: {volumes}"
    );
    // The jobs are valid Jobs for the API server.
    let out = kubectl_stdin(
        "staging",
        &["apply", "--server-side", "-f", "-"],
        Some("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: kubectl-drift\n"),
    );
    assert!(out.status.success(), "{out:?}");
    for i in [0, 3] {
        let out = kubectl_stdin(
            "staging",
            &["create", "--dry-run=server", "-f", "-"],
            Some(&stages[i]["manifest"].to_string()),
        );
        assert!(out.status.success(), "{out:?}");
    }

    let ns = namespace("fixplanspin", &["staging"]);
    let config = format!("targets:\n  - context: staging\n    namespace: {ns}\n    paths: [k8s]\n");
    // Forty ConfigMaps of 4 KB each, missing live: their bodies make the plan larger than
    // one environment variable may be.
    let big: String = (0..40)
        .map(|i| {
            format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big-{i:02}\ndata:\n  blob: \"{}\"\n---\n",
                format!("{i:02}-payload-").repeat(350)
            )
        })
        .collect();
    let repo = git_repo(&[
        (".kubectl-drift.yaml", &config),
        ("k8s/app.yaml", &manifests()),
        ("k8s/big.yaml", &big),
    ]);
    drifted(&ns, repo.path());
    let scratch = tempfile::tempdir().unwrap();
    let bin = assert_cmd::cargo::cargo_bin("kubectl-drift");
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap()
    );
    let run = |i: usize, sha: Option<&str>| {
        // The job's /tmp is an emptyDir of its own, and /plan the mounted ConfigMap; here,
        // folders of the test's.
        let script = container(i)["args"][0]
            .as_str()
            .unwrap()
            .replace("/tmp/", &format!("{}/", scratch.path().display()))
            .replace("/plan/", &format!("{}/plan/", scratch.path().display()));
        let mut cmd = std::process::Command::new("sh");
        cmd.args(["-c", &script])
            .current_dir(scratch.path())
            .env("PATH", &path)
            .env("KUBECONFIG", &testenv().kubeconfig)
            .env("DRIFT_REPO", repo.path())
            .env("DRIFT_REF", "main");
        if let Some(sha) = sha {
            cmd.env("PLAN_SHA256", sha);
        }
        let out = cmd.output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let output = |stdout: &str, key: &str| {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(&format!("SPINNAKER_PROPERTY_{key}=")))
            .map(str::to_string)
    };

    let (code, stdout, stderr) = run(0, None);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert_eq!(
        output(&stdout, "DRIFT_EXIT").as_deref(),
        Some("1"),
        "{stdout}"
    );
    let sha = output(&stdout, "PLAN_SHA256").expect("the plan's digest is an output");
    let gz = output(&stdout, "PLAN_GZ").expect("the plan is an output");
    let saved = std::fs::read(scratch.path().join("plan.json")).unwrap();
    assert!(
        saved.len() > 128 * 1024 && gz.len() < 64 * 1024,
        "a plan of {} bytes, {} gzipped",
        saved.len(),
        gz.len()
    );
    let plan: Value = serde_json::from_slice(&saved).unwrap();
    assert_eq!(plan["entries"].as_array().unwrap().len(), 44);
    assert!(!stdout.contains(SECRET_VALUE));
    assert_eq!(get(&ns, "configmap/beta", "{.data.greeting}"), "by hand");

    // Store plan, as Spinnaker deploys it: the output in place of the expression (in the
    // test's namespace, not to meet other tests).
    stored["binaryData"]["plan.json.gz"] = Value::String(gz);
    stored["metadata"]["namespace"] = Value::String(ns.clone());
    let out = kubectl_stdin("staging", &["apply", "-f", "-"], Some(&stored.to_string()));
    assert!(out.status.success(), "{out:?}");
    // The kubelet mounts its key as a file.
    let mount = || {
        let b64 = get(
            &ns,
            "configmap/kubectl-drift-plan",
            "{.binaryData.plan\\.json\\.gz}",
        );
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        std::fs::create_dir_all(scratch.path().join("plan")).unwrap();
        std::fs::write(scratch.path().join("plan/plan.json.gz"), bytes).unwrap();
    };
    mount();

    // A plan other than the one approved is refused before anything is written.
    let other = format!("{:064x}", 1);
    let (code, _, stderr) = run(3, Some(&other));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("not the one approved"), "{stderr}");
    assert_eq!(get(&ns, "configmap/beta", "{.data.greeting}"), "by hand");

    let (code, stdout, stderr) = run(3, Some(&sha));
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("plan: 44 written, 0 changed since the plan, 0 failed"),
        "{stdout}"
    );
    assert!(
        stdout.contains("\"outcome\":\"created\""),
        "the audit log is printed: {stdout}"
    );
    for name in ["alpha", "beta", "gamma"] {
        assert_eq!(
            get(&ns, &format!("configmap/{name}"), "{.data.greeting}"),
            "hello"
        );
    }
    assert_eq!(
        get(&ns, "configmap/big-39", "{.data.blob}").len(),
        "39-payload-".len() * 350
    );
    let b64 = base64::engine::general_purpose::STANDARD.encode(SECRET_VALUE);
    assert_eq!(get(&ns, "secret/creds", "{.data.password}"), b64);
    let (code, stdout, _) = run(0, None);
    assert_eq!(code, 0);
    assert_eq!(
        output(&stdout, "DRIFT_EXIT").as_deref(),
        Some("0"),
        "{stdout}"
    );
    assert_eq!(
        output(&stdout, "PLAN_GZ"),
        None,
        "no drift, no plan: {stdout}"
    );
}

/// Without `--yes`, a person at a terminal sees the plan and answers once: no writes
/// nothing (exit 1), yes runs it.
#[test]
fn a_person_sees_the_plan_and_answers_once() {
    let ns = namespace("fixplanpty", &["staging"]);
    let repo = git_repo(&[("k8s/app.yaml", &manifests())]);
    drifted(&ns, repo.path());
    let plan_file = repo.path().join("plan.json");
    let (code, stdout, stderr) = save_plan(repo.path(), &ns, &plan_file);
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    let audit = repo.path().join("audit.log");
    let plan_arg = plan_file.to_str().unwrap();

    let mut s = crate::fix::fix_in_pty(repo.path(), &audit, &["--plan", plan_arg]);
    // In write order: alpha and beta (their hand edits taken over), gamma, then the Secret.
    s.exp_string("takes over from other managers: data.greeting")
        .unwrap();
    s.exp_string(&format!(
        "create ConfigMap {ns}/gamma (staging) as pipeline, only if it does not exist"
    ))
    .unwrap();
    s.exp_string("body read from k8s/app.yaml:").unwrap();
    s.exp_string("Execute this plan?").unwrap();
    s.send("n").unwrap();
    s.flush().unwrap();
    s.exp_string("plan not run: nothing written").unwrap();
    assert_eq!(crate::fix::exit_code(&mut s), 1);
    assert_eq!(get(&ns, "configmap/beta", "{.data.greeting}"), "by hand");
    assert!(!audit.exists());

    let mut s = crate::fix::fix_in_pty(repo.path(), &audit, &["--plan", plan_arg]);
    s.exp_string("Execute this plan?").unwrap();
    s.send("y").unwrap();
    s.flush().unwrap();
    s.exp_string("plan: 4 written, 0 changed since the plan, 0 failed")
        .unwrap();
    assert_eq!(crate::fix::exit_code(&mut s), 0);
    assert_eq!(get(&ns, "configmap/beta", "{.data.greeting}"), "hello");
}
