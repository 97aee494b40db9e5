//! `kubectl drift adopt` against the real clusters: hand changes made live, adopted into the
//! repository's files, each file compared byte for byte with what a person would have
//! written, then committed and checked again: in sync.

use std::path::Path;

use crate::common::*;

fn adopt(repo: &Path, args: &[&str]) -> (i32, String, String) {
    let out = drift()
        .current_dir(repo)
        .env("GIT_AUTHOR_NAME", "On Call")
        .env("GIT_AUTHOR_EMAIL", "oncall@example.com")
        .env("GIT_COMMITTER_NAME", "On Call")
        .env("GIT_COMMITTER_EMAIL", "oncall@example.com")
        .arg("adopt")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn file(repo: &Path, path: &str) -> String {
    std::fs::read_to_string(repo.join(path)).unwrap()
}

fn check_code(repo: &Path, args: &[&str]) -> i32 {
    drift()
        .current_dir(repo)
        .args(["check", "-o", "summary"])
        .args(args)
        .output()
        .unwrap()
        .status
        .code()
        .unwrap()
}

const API: &str = "# The API, as the pipeline deploys it.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  labels:
    app: api   # selected by the Service
spec:
  replicas: 2 # two are enough at night
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: api
          image: \"registry.example.com/shop/api:1.4.0\"
          resources: &limits
            limits: {cpu: 500m, memory: 256Mi}
          env:
            - name: LOG_LEVEL
              value: info
        - name: proxy
          image: 'registry.example.com/shop/proxy:2.1'
          resources: *limits
";

const WEB: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  # Shown at the top of every page.
  banner: Welcome to the shop
  currency: EUR
---
# The web front end.
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
    - {name: http, port: 80, targetPort: 8080}
---
apiVersion: v1
kind: Secret
metadata:
  name: web-db
stringData:
  password: from-git
";

#[test]
fn plain_manifests_keep_every_other_byte_and_check_in_sync_once_committed() {
    let ns = namespace("adopt-plain", &["staging"]);
    let repo = git_repo(&[("k8s/api.yaml", API), ("k8s/web.yaml", WEB)]);
    let k8s = repo.path().join("k8s");
    kubectl_ok(
        "staging",
        &["-n", &ns, "apply", "-f", k8s.to_str().unwrap()],
    );
    kubectl_ok(
        "staging",
        &["-n", &ns, "scale", "deployment/api", "--replicas=4"],
    );
    kubectl_ok(
        "staging",
        &[
            "-n",
            &ns,
            "set",
            "image",
            "deployment/api",
            "api=registry.example.com/shop/api:1.4.1-hotfix",
        ],
    );
    kubectl_ok(
        "staging",
        &[
            "-n",
            &ns,
            "set",
            "env",
            "deployment/api",
            "-c",
            "api",
            "LOG_LEVEL=debug",
        ],
    );
    kubectl_ok(
        "staging",
        &[
            "-n",
            &ns,
            "patch",
            "configmap/web-config",
            "-p",
            r#"{"data":{"banner":"Back soon"}}"#,
        ],
    );
    kubectl_ok(
        "staging",
        &[
            "-n",
            &ns,
            "patch",
            "configmap/web-config",
            "--type=json",
            "-p",
            r#"[{"op":"remove","path":"/data/currency"}]"#,
        ],
    );
    kubectl_ok(
        "staging",
        &[
            "-n",
            &ns,
            "patch",
            "secret/web-db",
            "-p",
            r#"{"stringData":{"password":"live-Qx81"}}"#,
        ],
    );
    let flags = ["--context", "staging", "--path", "k8s", "-n", &ns];

    // --dry-run shows the patch and writes nothing.
    let (code, stdout, stderr) = adopt(repo.path(), &[&flags[..], &["--dry-run"]].concat());
    assert_eq!(code, 1, "the Secret is refused: {stderr}");
    assert!(
        stdout.contains("diff --git a/k8s/api.yaml b/k8s/api.yaml"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "-  replicas: 2 # two are enough at night\n+  replicas: 4 # two are enough at night"
        ),
        "{stdout}"
    );
    assert_eq!(file(repo.path(), "k8s/api.yaml"), API);
    assert!(
        stderr.contains("refused: Secret") && stderr.contains("secret tooling"),
        "{stderr}"
    );
    assert!(!format!("{stdout}{stderr}").contains("live-Qx81"));

    let head = git(repo.path(), &["rev-parse", "HEAD"]);
    // A manifest edited since the commit the check compared is refused, and nothing written.
    let edited = format!("{API}# a local note\n");
    std::fs::write(k8s.join("api.yaml"), &edited).unwrap();
    let (code, stdout, stderr) = adopt(repo.path(), &[&flags[..], &["--commit"]].concat());
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(
        stderr.contains("k8s/api.yaml has changes that are not committed"),
        "{stderr}"
    );
    assert_eq!(file(repo.path(), "k8s/api.yaml"), edited);
    assert_eq!(file(repo.path(), "k8s/web.yaml"), WEB);
    std::fs::write(k8s.join("api.yaml"), API).unwrap();
    // Symlinks planted beside the manifests, under names a writer might pick for its
    // temporary files, lead nowhere: nothing is written through them.
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim");
    std::fs::write(&victim, "untouched\n").unwrap();
    let planted: Vec<_> = ["api", "web"]
        .iter()
        .map(|stem| k8s.join(format!("{stem}.kubectl-drift-adopt")))
        .collect();
    for link in &planted {
        std::os::unix::fs::symlink(&victim, link).unwrap();
    }
    let (code, stdout, stderr) = adopt(repo.path(), &[&flags[..], &["--commit"]].concat());
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched\n");
    for link in &planted {
        assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
        std::fs::remove_file(link).unwrap();
    }
    assert!(!std::fs::symlink_metadata(k8s.join("api.yaml"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        file(repo.path(), "k8s/api.yaml"),
        API.replace("replicas: 2 #", "replicas: 4 #")
            .replace("api:1.4.0\"", "api:1.4.1-hotfix\"")
            .replace("value: info", "value: debug"),
        "only the drifted values change; the anchor, the alias, comments and quotes stay"
    );
    assert_eq!(
        file(repo.path(), "k8s/web.yaml"),
        WEB.replace("banner: Welcome to the shop", "banner: Back soon")
            .replace("  currency: EUR\n", ""),
        "the other documents of the file stay byte for byte; the Secret is not adopted"
    );
    let message = git(repo.path(), &["log", "-1", "--format=%B"]);
    assert!(
        message.contains("spec.replicas: 2 -> 4, changed live by kubectl (scale)"),
        "{message}"
    );
    assert!(
        message.contains(
            "data.banner: \"Welcome to the shop\" -> \"Back soon\", changed live by kubectl-patch"
        ),
        "{message}"
    );
    assert_ne!(git(repo.path(), &["rev-parse", "HEAD"]), head);
    assert_eq!(
        git(repo.path(), &["status", "--porcelain"]),
        "",
        "everything adopted is committed"
    );

    // The new commit: the adopted resources are in sync; only the Secret still drifts.
    for resource in ["deployment/api", "configmap/web-config", "service/web"] {
        assert_eq!(
            check_code(repo.path(), &[&flags[..], &[resource]].concat()),
            0,
            "{resource}"
        );
    }
    assert_eq!(
        check_code(repo.path(), &[&flags[..], &["secret/web-db"]].concat()),
        1
    );
}

#[test]
fn a_value_behind_an_alias_is_refused_and_nothing_is_written() {
    let ns = namespace("adopt-alias", &["staging"]);
    let repo = git_repo(&[("k8s/api.yaml", API)]);
    let k8s = repo.path().join("k8s");
    kubectl_ok(
        "staging",
        &["-n", &ns, "apply", "-f", k8s.to_str().unwrap()],
    );
    kubectl_ok(
        "staging",
        &[
            "-n",
            &ns,
            "set",
            "resources",
            "deployment/api",
            "-c",
            "proxy",
            "--limits=cpu=750m",
        ],
    );
    let (code, _, stderr) = adopt(
        repo.path(),
        &["--context", "staging", "--path", "k8s", "-n", &ns],
    );
    assert_eq!(code, 1);
    assert!(
        stderr.contains("anchor") && stderr.contains("k8s/api.yaml"),
        "{stderr}"
    );
    assert_eq!(file(repo.path(), "k8s/api.yaml"), API);
}

const BASE_DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27   # pinned
";
const BASE_KUSTOMIZATION: &str = "resources:\n- deployment.yaml\n- config.yaml\n";
const BASE_CONFIG: &str =
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-config\ndata:\n  banner: Welcome\n";
const OVERLAY_KUSTOMIZATION: &str =
    "# production\nresources:\n- ../../base\npatches:\n- path: replicas.yaml\n";
const OVERLAY_PATCH: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3  # production load\n";

#[test]
fn a_kustomize_value_goes_where_it_is_set_or_into_the_overlay() {
    let ns = namespace("adopt-kust", &["staging"]);
    let overlay = format!("{OVERLAY_KUSTOMIZATION}namespace: {ns}\n");
    let repo = git_repo(&[
        ("base/deployment.yaml", BASE_DEPLOYMENT),
        ("base/kustomization.yaml", BASE_KUSTOMIZATION),
        ("base/config.yaml", BASE_CONFIG),
        ("overlays/production/kustomization.yaml", &overlay),
        ("overlays/production/replicas.yaml", OVERLAY_PATCH),
    ]);
    let rendered = kubectl_ok(
        "staging",
        &[
            "kustomize",
            repo.path().join("overlays/production").to_str().unwrap(),
        ],
    );
    let out = kubectl_stdin("staging", &["apply", "-f", "-"], Some(&rendered));
    assert!(out.status.success(), "{out:?}");
    kubectl_ok(
        "staging",
        &["-n", &ns, "scale", "deployment/web", "--replicas=5"],
    );
    kubectl_ok(
        "staging",
        &[
            "-n",
            &ns,
            "set",
            "image",
            "deployment/web",
            "web=nginx:1.27.3",
        ],
    );
    let flags = ["--context", "staging", "--path", "overlays/production"];
    let (code, stdout, stderr) = adopt(repo.path(), &[&flags[..], &["--commit"]].concat());
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(
        file(repo.path(), "overlays/production/replicas.yaml"),
        OVERLAY_PATCH.replace("replicas: 3 ", "replicas: 5 "),
        "the overlay's patch sets replicas"
    );
    assert_eq!(
        file(repo.path(), "base/deployment.yaml"),
        BASE_DEPLOYMENT.replace("nginx:1.27 ", "nginx:1.27.3 "),
        "the base sets the image"
    );
    assert_eq!(check_code(repo.path(), &flags), 0);

    // --into-overlay: the live value as a patch of the overlay, listed in its kustomization.
    kubectl_ok(
        "staging",
        &[
            "-n",
            &ns,
            "set",
            "image",
            "deployment/web",
            "web=nginx:1.28.0",
        ],
    );
    // Two resources into one overlay: both patches are listed in its kustomization.
    kubectl_ok(
        "staging",
        &[
            "-n",
            &ns,
            "patch",
            "configmap/web-config",
            "-p",
            r#"{"data":{"banner":"Back soon"}}"#,
        ],
    );
    let (code, stdout, stderr) = adopt(
        repo.path(),
        &[&flags[..], &["--into-overlay", "--commit"]].concat(),
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(
        file(repo.path(), "base/deployment.yaml"),
        BASE_DEPLOYMENT.replace("nginx:1.27 ", "nginx:1.27.3 ")
    );
    assert_eq!(
        file(repo.path(), "overlays/production/adopted-deployment-web.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.28.0\n"
    );
    assert_eq!(
        file(repo.path(), "overlays/production/kustomization.yaml"),
        overlay.replace(
            "- path: replicas.yaml\n",
            "- path: replicas.yaml\n- path: adopted-configmap-web-config.yaml\n- path: adopted-deployment-web.yaml\n"
        )
    );
    assert!(file(
        repo.path(),
        "overlays/production/adopted-configmap-web-config.yaml"
    )
    .contains("banner: Back soon"));
    assert_eq!(check_code(repo.path(), &flags), 0);
}

#[test]
fn a_chart_value_goes_into_the_values_file_and_other_template_lines_are_refused() {
    use crate::helm::{chart_repo, helm_binary, install, PRODUCTION_VALUES};
    let ns = namespace("adopt-helm", &["production"]);
    let repo = chart_repo(&[]);
    install(repo.path(), &ns);
    let before = file(repo.path(), PRODUCTION_VALUES);
    kubectl_ok(
        "production",
        &["-n", &ns, "scale", "deployment/shop", "--replicas=5"],
    );
    let binary = helm_binary();
    let mut flags: Vec<&str> = vec![
        "--context",
        "production",
        "--path",
        "charts/shop",
        "-n",
        &ns,
    ];
    flags.extend(binary.iter().map(String::as_str));
    flags.extend(["--helm-values", PRODUCTION_VALUES, "deployment/shop"]);
    let (code, stdout, stderr) = adopt(repo.path(), &[&flags[..], &["--commit"]].concat());
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(
        file(repo.path(), PRODUCTION_VALUES),
        before.replace("replicaCount: 3\n", "replicaCount: 5\n")
    );
    assert_eq!(check_code(repo.path(), &flags), 0);

    // An env var rendered by a range over a map is not one value as it is.
    kubectl_ok(
        "production",
        &[
            "-n",
            &ns,
            "set",
            "env",
            "deployment/shop",
            "-c",
            "web",
            "LOG_LEVEL=debug",
        ],
    );
    let (code, _, stderr) = adopt(repo.path(), &flags);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("charts/shop/templates/deployment.yaml") && stderr.contains("by hand"),
        "{stderr}"
    );
    assert_eq!(
        file(repo.path(), PRODUCTION_VALUES),
        before.replace("replicaCount: 3\n", "replicaCount: 5\n")
    );
}

#[test]
fn fix_offers_adopt_beside_apply_and_accept() {
    use crate::fix::{choose, exit_code, fix_in_pty};
    let ns = namespace("adopt-fix", &["staging"]);
    let repo = git_repo(&[("k8s/api.yaml", API)]);
    let k8s = repo.path().join("k8s");
    kubectl_ok(
        "staging",
        &["-n", &ns, "apply", "-f", k8s.to_str().unwrap()],
    );
    kubectl_ok(
        "staging",
        &[
            "-n",
            &ns,
            "set",
            "image",
            "deployment/api",
            "api=registry.example.com/shop/api:1.4.1-hotfix",
        ],
    );
    let audit = repo.path().join("audit.log");
    let mut s = fix_in_pty(
        repo.path(),
        &audit,
        &["--context", "staging", "--path", "k8s", "-n", &ns],
    );
    s.exp_string("adopt the live state into Git").unwrap();
    choose(&mut s, 3);
    s.exp_string("adopted: written into k8s/api.yaml").unwrap();
    s.exp_string("1 adopted").unwrap();
    assert_eq!(exit_code(&mut s), 0);
    assert_eq!(
        file(repo.path(), "k8s/api.yaml"),
        API.replace("api:1.4.0\"", "api:1.4.1-hotfix\"")
    );
    // Nothing was written to the cluster: the live hotfix stays, and nothing was audited.
    let image = kubectl_ok(
        "staging",
        &[
            "-n",
            &ns,
            "get",
            "deployment/api",
            "-o",
            "jsonpath={.spec.template.spec.containers[0].image}",
        ],
    );
    assert_eq!(image, "registry.example.com/shop/api:1.4.1-hotfix");
    assert!(std::fs::read_to_string(&audit)
        .unwrap_or_default()
        .is_empty());
}

const ENV_DEPLOYMENT: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        args: [serve, --verbose, --port=80]
        env:
        - name: MODE
          value: fast
        - name: DEBUG
          value: \"1\"
";
const TWO_KEY_CONFIG: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-config\ndata:\n  banner: Welcome\n  sale: \"on\"\n";

/// A base and a production overlay of it, applied to `ns` of staging as rendered.
fn overlay_repo(ns: &str) -> tempfile::TempDir {
    let overlay = format!("resources:\n- ../../base\nnamespace: {ns}\n");
    let repo = git_repo(&[
        ("base/deployment.yaml", ENV_DEPLOYMENT),
        ("base/kustomization.yaml", BASE_KUSTOMIZATION),
        ("base/config.yaml", TWO_KEY_CONFIG),
        ("overlays/production/kustomization.yaml", &overlay),
    ]);
    let out = kubectl_stdin(
        "staging",
        &["apply", "-f", "-"],
        Some(&rendered(repo.path())),
    );
    assert!(out.status.success(), "{out:?}");
    repo
}

/// The overlay as kustomize renders it.
fn rendered(repo: &Path) -> String {
    kubectl_ok(
        "staging",
        &[
            "kustomize",
            repo.join("overlays/production").to_str().unwrap(),
        ],
    )
}

#[test]
fn adoptions_into_one_overlay_add_up_and_removals_are_rendered_away() {
    let ns = namespace("adopt-twice", &["staging"]);
    let repo = overlay_repo(&ns);
    let flags = ["--context", "staging", "--path", "overlays/production"];
    let into = [&flags[..], &["--into-overlay", "--commit"]].concat();
    let patch = "overlays/production/adopted-deployment-web.yaml";

    kubectl_ok(
        "staging",
        &["-n", &ns, "scale", "deployment/web", "--replicas=5"],
    );
    let (code, stdout, stderr) = adopt(repo.path(), &into);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(
        file(repo.path(), patch),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 5\n"
    );

    // The second adoption edits the first one's patch: the replicas it adopted stay.
    kubectl_ok(
        "staging",
        &[
            "-n",
            &ns,
            "set",
            "image",
            "deployment/web",
            "web=nginx:1.28.0",
        ],
    );
    let (code, stdout, stderr) = adopt(repo.path(), &into);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let text = file(repo.path(), patch);
    assert!(
        text.contains("replicas: 5") && text.contains("image: nginx:1.28.0"),
        "{text}"
    );
    assert_eq!(check_code(repo.path(), &flags), 0);

    // An item of a list without merge keys: the patch replaces the list whole, as
    // kustomize merges such a list.
    kubectl_ok(
        "staging",
        &[
            "-n",
            &ns,
            "patch",
            "deployment/web",
            "--type",
            "json",
            "-p",
            r#"[{"op":"replace","path":"/spec/template/spec/containers/0/args/1","value":"--quiet"}]"#,
        ],
    );
    let (code, stdout, stderr) = adopt(repo.path(), &into);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let out = rendered(repo.path());
    assert!(
        out.contains("--quiet") && !out.contains("--verbose") && out.contains("--port=80"),
        "{out}"
    );
    assert_eq!(check_code(repo.path(), &flags), 0);

    // Removed live: an env item and a ConfigMap key. The patches delete them, so that the
    // rendered objects lose them.
    kubectl_ok(
        "staging",
        &["-n", &ns, "set", "env", "deployment/web", "DEBUG-"],
    );
    kubectl_ok(
        "staging",
        &[
            "-n",
            &ns,
            "patch",
            "configmap/web-config",
            "--type",
            "json",
            "-p",
            r#"[{"op":"remove","path":"/data/sale"}]"#,
        ],
    );
    let (code, stdout, stderr) = adopt(repo.path(), &into);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let text = file(repo.path(), patch);
    assert!(
        text.contains("replicas: 5")
            && text.contains("image: nginx:1.28.0")
            && text.contains("$patch: delete"),
        "{text}"
    );
    let out = rendered(repo.path());
    assert!(
        !out.contains("DEBUG") && !out.contains("sale") && out.contains("MODE"),
        "{out}"
    );
    assert_eq!(check_code(repo.path(), &flags), 0);
    let listed = file(repo.path(), "overlays/production/kustomization.yaml");
    assert_eq!(
        listed.matches("adopted-deployment-web.yaml").count(),
        1,
        "{listed}"
    );
}

#[test]
fn an_anchor_that_aliases_repeat_is_refused() {
    let ns = namespace("adopt-anchor", &["staging"]);
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: regions\ndata:\n  primary: &region eu-west-1\n  replica: *region\n";
    let repo = git_repo(&[("k8s/regions.yaml", text)]);
    apply("staging", &ns, text);
    kubectl_ok(
        "staging",
        &[
            "-n",
            &ns,
            "patch",
            "configmap/regions",
            "-p",
            r#"{"data":{"primary":"us-east-1"}}"#,
        ],
    );
    let (code, _, stderr) = adopt(
        repo.path(),
        &["--context", "staging", "--path", "k8s", "-n", &ns],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("anchor") && stderr.contains("k8s/regions.yaml"),
        "{stderr}"
    );
    assert_eq!(file(repo.path(), "k8s/regions.yaml"), text);
}

#[cfg(unix)]
#[test]
fn a_patch_the_repository_planted_as_a_symlink_is_never_read() {
    let ns = namespace("adopt-plant", &["staging"]);
    let repo = overlay_repo(&ns);
    // Untracked, so the check never sees it: only adopt would read it.
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim.yaml");
    let original =
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 9\n";
    std::fs::write(&victim, original).unwrap();
    let link = repo
        .path()
        .join("overlays/production/adopted-deployment-web.yaml");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    kubectl_ok(
        "staging",
        &["-n", &ns, "scale", "deployment/web", "--replicas=5"],
    );
    let (code, stdout, stderr) = adopt(
        repo.path(),
        &[
            "--context",
            "staging",
            "--path",
            "overlays/production",
            "--into-overlay",
        ],
    );
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stderr.contains("symlink"), "{stderr}");
    assert!(!stdout.contains("replicas: 9"), "{stdout}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), original);
    assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
    std::fs::remove_file(&link).unwrap();

    // The overlay's kustomization swapped in the work tree for a symlink to one outside:
    // adopt does not read it, so it cannot steer where the fields go.
    let kustomization = repo.path().join("overlays/production/kustomization.yaml");
    let elsewhere = outside.path().join("kustomization.yaml");
    std::fs::rename(&kustomization, &elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &kustomization).unwrap();
    let (code, stdout, stderr) = adopt(
        repo.path(),
        &["--context", "staging", "--path", "overlays/production"],
    );
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stderr.contains("symlink") && stderr.contains("kustomization.yaml"),
        "{stderr}"
    );
    assert_eq!(file(repo.path(), "base/deployment.yaml"), ENV_DEPLOYMENT);
}
