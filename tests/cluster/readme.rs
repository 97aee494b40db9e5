//! The README's first example is a real run: the demo's manifests deployed, the demo's hand
//! changes made, and the README's command run again; its output must be the README's, once
//! what changes from run to run (commits, seconds ago) is masked. When the output changes,
//! this test fails and prints the new text to paste into the README.

use crate::common::*;

/// A namespace as long as the demo's `shop`, so that every column lines up as in the
/// README; `shop` is put back in the output.
const NAMESPACE: &str = "shqp";

/// The README's example: the command line, and the output block that follows it.
pub(crate) fn readme_example(command: &str) -> String {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme
        .find(&format!("$ {command}\n"))
        .unwrap_or_else(|| panic!("the README has no example of `{command}`"));
    let block = &readme[start + command.len() + 3..];
    block[..block.find("```").unwrap()].to_string()
}

/// Fails unless `stdout`, with `namespace` read as `shop`, is the README's example of
/// `command` once commits, seconds and times of day are masked; then prints the text to paste.
fn assert_readme_shows(command: &str, stdout: &[u8], namespace: &str) {
    let output = String::from_utf8_lossy(stdout).replace(namespace, "shop");
    let expected = readme_example(command);
    assert!(
        masked_times(&output) == masked_times(&expected),
        "the README's example no longer shows what the command prints; paste this after \
         `$ {command}` in README.md:\n{output}"
    );
}

/// Commits and "seconds ago" masked, as they change from run to run.
fn masked(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let mut line = line.trim_end().to_string();
        for marker in ["@ ", "Git "] {
            let mut from = 0;
            while let Some(i) = line[from..].find(marker) {
                let at = from + i + marker.len();
                let hex = line[at..]
                    .chars()
                    .take_while(|c| c.is_ascii_hexdigit())
                    .count();
                if hex == 7 {
                    line.replace_range(at..at + 7, "#######");
                }
                from = at;
            }
        }
        // `0s ago`, `12s ago`, `3m ago`: a busy machine takes longer, so any age is masked,
        // and where one was, runs of spaces are one (a longer age shifts what follows it).
        let chars: Vec<char> = line.chars().collect();
        let mut masked_line = String::new();
        let mut aged = false;
        let mut i = 0;
        while i < chars.len() {
            let digits = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
            let after: String = chars[i + digits..chars.len().min(i + digits + 5)]
                .iter()
                .collect();
            let age = digits > 0
                && (i == 0 || chars[i - 1] == ' ')
                && ["s ago", "m ago", "h ago", "d ago"].contains(&after.as_str());
            if age {
                masked_line.push_str("#s ago");
                aged = true;
                i += digits + 5;
            } else {
                masked_line.push(chars[i]);
                i += 1;
            }
        }
        if aged {
            let indent = masked_line.len() - masked_line.trim_start().len();
            let words: Vec<&str> = masked_line.split_whitespace().collect();
            masked_line = format!("{}{}", &masked_line[..indent], words.join(" "));
        }
        out.push_str(&masked_line);
        out.push('\n');
    }
    out
}

/// The demo's repository, with `namespace` for `shop`, committed; production deployed from
/// it as the demo's pipeline does.
fn demo_deployed(namespace: &str) -> tempfile::TempDir {
    let manifests = root().join("scripts/demo-manifests");
    let mut files: Vec<(String, String)> = Vec::new();
    for path in [
        ".kubectl-drift.yaml",
        "k8s/production/00-namespace.yaml",
        "k8s/production/api.yaml",
        "k8s/production/web.yaml",
        "k8s/staging/00-namespace.yaml",
        "k8s/staging/api.yaml",
        "k8s/staging/web.yaml",
    ] {
        let text = std::fs::read_to_string(manifests.join(path)).unwrap();
        files.push((path.to_string(), text.replace("shop", namespace)));
    }
    let borrowed: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let repo = git_repo(&borrowed);
    let production = repo.path().join("k8s/production");
    kubectl_ok("production", &["apply", "-f", production.to_str().unwrap()]);
    repo
}

#[test]
fn the_readme_first_example_is_a_real_run() {
    let repo = demo_deployed(NAMESPACE);
    // The demo's hand changes (scripts/demo), in the same order.
    let ns = NAMESPACE;
    let image = format!("api=registry.example.com/{ns}/api:1.4.1-hotfix");
    for change in [
        vec!["scale", "deployment/web", "--replicas=5"],
        vec!["set", "env", "deployment/api", "LOG_LEVEL=debug"],
        vec!["set", "image", "deployment/api", &image],
        vec![
            "patch",
            "configmap/web-config",
            "-p",
            r#"{"data":{"banner":"Maintenance tonight"}}"#,
        ],
        vec!["delete", "service/api"],
        vec![
            "create",
            "configmap",
            "debug-flags",
            "--from-literal=verbose=true",
        ],
    ] {
        let mut args = vec!["-n", ns];
        args.extend(change);
        kubectl_ok("production", &args);
    }

    let command = "kubectl drift check --context production --path k8s/production";
    let out = drift()
        .current_dir(repo.path())
        .args([
            "check",
            "--context",
            "production",
            "--path",
            "k8s/production",
        ])
        .args(["--color", "never", "--width", "120"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_readme_shows(command, &out.stdout, NAMESPACE);
}

/// Times of day masked too, for the history's runs.
pub(crate) fn masked_times(text: &str) -> String {
    let mut out = String::new();
    for line in masked(text).lines() {
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            // `2026-11-25 10:00:00Z`
            let stamp: String = chars[i..chars.len().min(i + 20)].iter().collect();
            let shape = stamp.len() == 20
                && stamp
                    .chars()
                    .zip("0000-00-00 00:00:00Z".chars())
                    .all(|(c, p)| if p == '0' { c.is_ascii_digit() } else { c == p });
            if shape {
                out.push_str("####-##-## ##:##:##Z");
                i += 20;
            } else {
                out.push(chars[i]);
                i += 1;
            }
        }
        out.push('\n');
    }
    out
}

/// The README's `history` example: three runs of `check --report-dir` (in sync, a hand
/// change, put back), then `history` over them.
#[test]
fn the_readme_history_example_is_a_real_run() {
    let namespace = "shqq";
    let repo = demo_deployed(namespace);
    let reports = tempfile::tempdir().unwrap();
    let check = || {
        let out = drift()
            .current_dir(repo.path())
            .args([
                "check",
                "--context",
                "production",
                "--path",
                "k8s/production",
            ])
            .args(["-o", "summary", "--report-dir"])
            .arg(reports.path())
            .output()
            .unwrap();
        out.status.code()
    };
    assert_eq!(check(), Some(0));
    let scale = |replicas: &str| {
        kubectl_ok(
            "production",
            &["-n", namespace, "scale", "deployment/web", replicas],
        )
    };
    scale("--replicas=5");
    assert_eq!(check(), Some(1));
    scale("--replicas=3");
    assert_eq!(check(), Some(0));

    let command = "kubectl drift history --report-dir /var/lib/kubectl-drift";
    let out = drift()
        .args(["history", "--report-dir"])
        .arg(reports.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_readme_shows(command, &out.stdout, namespace);
}

/// The README's `rbac` example: an on-call group that may patch Deployments everywhere, a
/// person who may edit the namespace, the pipeline's deployer allowed, and a hand-made patch.
#[test]
fn the_readme_rbac_example_is_a_real_run() {
    let namespace = "shqr";
    let repo = demo_deployed(namespace);
    let rbac = format!(
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: deployment-patcher\nrules:\n- apiGroups: [apps]\n  resources: [deployments]\n  verbs: [get, patch]\n---\n\
apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: oncall-patch\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: deployment-patcher}}\nsubjects:\n- {{apiGroup: rbac.authorization.k8s.io, kind: Group, name: oncall}}\n---\n\
apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: alice-edit\n  namespace: {namespace}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}}\nsubjects:\n- {{apiGroup: rbac.authorization.k8s.io, kind: User, name: alice}}\n---\n\
apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: deployer\n  namespace: {namespace}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}}\nsubjects:\n- {{kind: ServiceAccount, name: deployer, namespace: spinnaker}}\n"
    );
    let out = kubectl_stdin("production", &["apply", "-f", "-"], Some(&rbac));
    assert!(out.status.success(), "{out:?}");
    kubectl_ok(
        "production",
        &[
            "-n",
            namespace,
            "patch",
            "configmap/web-config",
            "-p",
            r#"{"data":{"banner":"Maintenance tonight"}}"#,
        ],
    );

    let command =
        "kubectl drift rbac --context production -n shop --allow serviceaccount:spinnaker:deployer";
    let out = drift()
        .current_dir(repo.path())
        .args(["rbac", "--context", "production", "-n", namespace])
        .args(["--allow", "serviceaccount:spinnaker:deployer"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_readme_shows(command, &out.stdout, namespace);
}

#[test]
fn masking_hides_commits_and_seconds_only() {
    assert_eq!(
        masked("api.yaml:1 @ 0d9a982   x\nGit 1234abc · 3s ago · 12s ago · 1.4.2\n"),
        "api.yaml:1 @ #######   x\nGit ####### · #s ago · #s ago · 1.4.2\n"
    );
    assert_eq!(
        masked("  patch · 0s ago    x\n"),
        masked("  patch · 10s ago   x\n"),
        "an age of two digits reads as one of one"
    );
    assert_eq!(
        masked("v1.4s ago"),
        "v1.4s ago\n",
        "only a whole number is an age"
    );
    assert_eq!(
        masked_times("  2026-11-25 10:30:00Z  production · Git 05719f1\n"),
        "  ####-##-## ##:##:##Z  production · Git #######\n"
    );
}

/// What a person sees at the end of a terminal session: every byte the program wrote, run
/// through a terminal emulator as tall as the session, so that prompts redrawn on answer
/// read as they finally stand.
struct Screen {
    session: rexpect::session::PtySession,
    bytes: Vec<u8>,
}

impl Screen {
    const COLUMNS: u16 = 200;
    const ROWS: u16 = 2000;

    fn spawn(repo: &std::path::Path, args: &[&str]) -> Self {
        // The pseudo-terminal's size is set before the program starts, as a shell would.
        let mut cmd = std::process::Command::new("sh");
        cmd.current_dir(repo)
            .env("KUBECONFIG", &testenv().kubeconfig)
            .env("NO_COLOR", "1")
            .arg("-c")
            .arg(format!(
                "stty cols {} rows {} && exec \"$0\" \"$@\"",
                Self::COLUMNS,
                Self::ROWS
            ))
            .arg(assert_cmd::cargo::cargo_bin("kubectl-drift"))
            .args(args);
        let session = rexpect::session::spawn_with_options(
            cmd,
            rexpect::session::Options::new()
                .timeout_ms(Some(60_000))
                .strip_ansi_escape_codes(false),
        )
        .unwrap();
        Screen {
            session,
            bytes: Vec::new(),
        }
    }

    fn expect(&mut self, needle: &str) {
        let before = self
            .session
            .exp_string(needle)
            .unwrap_or_else(|e| panic!("no `{needle}` on the screen ({e}):\n{}", self.text()));
        // rexpect hands each byte over as one char.
        self.bytes.extend(before.chars().map(|c| c as u8));
        self.bytes.extend(needle.as_bytes());
    }

    fn send(&mut self, keys: &str) {
        // Keys typed before the prompt has put the terminal in raw mode would be echoed by
        // the terminal too, and the prompt's redraw would then clear the wrong lines.
        std::thread::sleep(std::time::Duration::from_millis(300));
        self.session.send(keys).unwrap();
        self.session.flush().unwrap();
    }

    /// Waits for the end and returns the exit code.
    fn exit_code(&mut self) -> i32 {
        let rest = self.session.exp_eof().unwrap();
        self.bytes.extend(rest.chars().map(|c| c as u8));
        match self.session.process().wait().unwrap() {
            rexpect::process::WaitStatus::Exited(_, code) => code,
            other => panic!("the program did not exit normally: {other:?}"),
        }
    }

    /// The screen's text, trailing blank lines dropped.
    fn text(&self) -> String {
        let mut parser = vt100::Parser::new(Self::ROWS, Self::COLUMNS, 0);
        parser.process(&self.bytes);
        let contents = parser.screen().contents();
        let mut lines: Vec<&str> = contents.lines().map(str::trim_end).collect();
        while lines.last() == Some(&"") {
            lines.pop();
        }
        lines.join("\n") + "\n"
    }
}

/// Dates the person types at a prompt masked: they are days ahead of the run.
fn masked_dates(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("· 20") {
            Some(at) if line.contains("Accept until") => {
                format!("{}· ####-##-##", &line[..at])
            }
            _ => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

/// The README's `fix` session: a hand-patched ConfigMap applied back, a hotfix image accepted with a reason and an expiry, a scale skipped.
#[test]
fn the_readme_fix_session_is_a_real_run() {
    let namespace = "shqs";
    let repo = demo_deployed(namespace);
    let image = format!("api=registry.example.com/{namespace}/api:1.4.1-hotfix");
    for change in [
        vec![
            "patch",
            "configmap/web-config",
            "-p",
            r#"{"data":{"banner":"Back soon"}}"#,
        ],
        vec!["set", "image", "deployment/api", &image],
        vec!["scale", "deployment/web", "--replicas=6"],
    ] {
        let mut args = vec!["-n", namespace];
        args.extend(change);
        kubectl_ok("production", &args);
    }
    let audit = repo.path().join("audit.log");
    let command = "kubectl drift fix --context production --path k8s/production --audit-log /tmp/kubectl-drift-demo/audit.log";
    let mut screen = Screen::spawn(
        repo.path(),
        &[
            "fix",
            "--context",
            "production",
            "--path",
            "k8s/production",
            "--audit-log",
            audit.to_str().unwrap(),
            "--width",
            "120",
            "--color",
            "never",
        ],
    );
    const DOWN: &str = "\x1b[B";
    const ENTER: &str = "\r";
    // ConfigMaps come before Deployments.
    screen.expect("quit");
    screen.send(ENTER);
    screen.expect("in sync");
    screen.expect("quit");
    screen.send(&format!("{DOWN}{DOWN}{ENTER}"));
    screen.expect("intentional?");
    screen.send("hotfix for INC-4211 until 1.4.1 ships\r");
    screen.expect("no expiry)");
    let until = (chrono::Utc::now() + chrono::Duration::days(7))
        .format("%Y-%m-%d")
        .to_string();
    screen.send(&format!("{until}\r"));
    screen.expect("accepted.yaml");
    screen.expect("quit");
    screen.send(&format!("{DOWN}{ENTER}"));
    let code = screen.exit_code();
    // The repository's path, as the README shows it run from the repository.
    let text = screen
        .text()
        .replace(&format!("{}/", repo.path().display()), "./");
    assert_eq!(code, 1, "{text}");
    assert!(
        masked_dates(&masked_times(&text.replace(namespace, "shop")))
            == masked_dates(&masked_times(&readme_example(command))),
        "the README's `fix` session no longer shows what `fix` prints; paste this after \
         `$ {command}` in README.md:\n{}",
        text.replace(namespace, "shop")
    );
    // The accepted image stays accepted: `check` exits 0 for it, 1 for the skipped scale.
    let out = drift()
        .current_dir(repo.path())
        .args([
            "check",
            "--context",
            "production",
            "--path",
            "k8s/production",
            "-o",
            "summary",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(summary.contains("Accepted"), "{summary}");
}
