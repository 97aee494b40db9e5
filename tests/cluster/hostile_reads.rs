//! Reads that a repository or a server could make unbounded: a LIST answered whole by a
//! server that ignores the page size, an oversized manifest in Git, thousands of idle
//! half-sent connections to `watch`'s port, and missing objects the server would refuse.
//! Each run against the built binary, with peak memory measured where memory is the point.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::*;
use crate::watch::{free_port, get, sample, spawn_watch_with, wait_for};

/// Runs the binary under `/usr/bin/time -v`: exit code, stdout, stderr (without time's own
/// lines) and the peak resident set size in MiB.
fn run_measured(
    dir: &std::path::Path,
    env: &[(&str, &str)],
    args: &[&str],
) -> (i32, String, String, u64) {
    let out = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(assert_cmd::cargo::cargo_bin("kubectl-drift"))
        .args(args)
        .current_dir(dir)
        .envs(env.iter().copied())
        .env_remove("NO_COLOR")
        .output()
        .expect("run /usr/bin/time");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let (own, time): (Vec<&str>, Vec<&str>) = stderr
        .lines()
        .partition(|l| !l.starts_with('\t') && !l.starts_with("Command exited"));
    let peak_kib: u64 = time
        .iter()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak RSS in /usr/bin/time's output:\n{stderr}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        own.join("\n"),
        peak_kib / 1024,
    )
}

/// Aggregated discovery that serves ConfigMaps only.
const DISCOVERY_CORE: &str = r#"{"kind":"APIGroupDiscoveryList","apiVersion":"apidiscovery.k8s.io/v2","metadata":{},"items":[{"metadata":{"creationTimestamp":null},"versions":[{"version":"v1","resources":[{"resource":"configmaps","responseKind":{"group":"","version":"v1","kind":"ConfigMap"},"scope":"Namespaced","singularResource":"configmap","verbs":["create","delete","get","list","patch","update","watch"]}],"freshness":"Current"}]}]}"#;
const DISCOVERY_GROUPS: &str = r#"{"kind":"APIGroupDiscoveryList","apiVersion":"apidiscovery.k8s.io/v2","metadata":{},"items":[]}"#;

/// One HTTP/1.1 answer, then the connection is closed.
fn answer(stream: &mut TcpStream, status: &str, content_type: &str, body: &str) {
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
}

/// A fake API server on loopback that ignores `limit` and answers the LIST of ConfigMaps in
/// `default` with `items` objects in one page, streamed. A fake, not testenv: a real
/// kube-apiserver always honours `limit`, and what is tested is a server that does not.
/// Returns the server's URL.
fn unpaginated_server(items: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() {
                    return;
                }
                loop {
                    let mut header = String::new();
                    match reader.read_line(&mut header) {
                        Ok(0) | Err(_) => return,
                        Ok(_) if header == "\r\n" => break,
                        Ok(_) => {}
                    }
                }
                let path = line.split(' ').nth(1).unwrap_or("/").to_string();
                let bare = path.split('?').next().unwrap_or("/");
                let json = "application/json";
                let discovery =
                    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
                match bare {
                    "/api" => answer(&mut stream, "200 OK", discovery, DISCOVERY_CORE),
                    "/apis" => answer(&mut stream, "200 OK", discovery, DISCOVERY_GROUPS),
                    "/api/v1/namespaces/default/configmaps" | "/api/v1/configmaps" => {
                        let _ = write!(
                            stream,
                            "HTTP/1.1 200 OK\r\ncontent-type: {json}\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n"
                        );
                        let mut chunk = String::from(
                            r#"{"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"7"},"items":["#,
                        );
                        for i in 0..items {
                            if i > 0 {
                                chunk.push(',');
                            }
                            chunk.push_str(&format!(
                                r#"{{"metadata":{{"name":"cm-{i:06}","namespace":"default","uid":"00000000-0000-0000-0000-{i:012}","resourceVersion":"7","labels":{{"app":"flood"}}}},"data":{{"a":"b"}}}}"#
                            ));
                            if chunk.len() > 60_000 {
                                if write!(stream, "{:x}\r\n{chunk}\r\n", chunk.len()).is_err() {
                                    return;
                                }
                                chunk.clear();
                            }
                        }
                        chunk.push_str("]}");
                        let _ = write!(stream, "{:x}\r\n{chunk}\r\n0\r\n\r\n", chunk.len());
                    }
                    _ => answer(
                        &mut stream,
                        "404 Not Found",
                        json,
                        r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"not served here","reason":"NotFound","code":404}"#,
                    ),
                }
            });
        }
    });
    url
}

#[test]
fn a_list_answered_whole_by_a_server_that_ignores_the_page_size_is_refused_in_bounded_memory() {
    let server = unpaginated_server(300_000);
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster:\n    server: {server}\n\
             users:\n- name: nobody\n  user: {{}}\ncontexts:\n- name: fake\n  context: {{cluster: fake, user: nobody}}\n\
             - name: fake-too\n  context: {{cluster: fake, user: nobody}}\ncurrent-context: fake\n"
        ),
    )
    .unwrap();
    let repo = git_repo(&[(
        "k8s/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-000001\n  namespace: default\ndata: {a: b}\n",
    )]);
    let kubeconfig = kubeconfig.to_str().unwrap();
    let started = Instant::now();
    let (code, out, err, peak) = run_measured(
        repo.path(),
        &[("KUBECONFIG", kubeconfig)],
        &["check", "--path", "k8s", "-o", "json"],
    );
    let all = format!("{out}\n{err}");
    assert_eq!(code, 2, "{all}");
    let report: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {all}"));
    let message = report["resources"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert_eq!(report["resources"][0]["status"], "Error", "{all}");
    assert!(
        message.contains("the LIST of configmaps") && message.contains(&server),
        "names the type and the server: {message}"
    );
    assert!(
        message.contains("10000 objects"),
        "names the cap: {message}"
    );
    assert!(peak < 200, "peak RSS {peak} MiB for a refused LIST:\n{all}");
    assert!(started.elapsed() < Duration::from_secs(60));
    eprintln!("check against 300,000 unpaginated ConfigMaps: exit 2, peak RSS {peak} MiB");

    // compare lists each side whole: the same caps hold.
    let (code, out, err, peak) = run_measured(
        repo.path(),
        &[("KUBECONFIG", kubeconfig)],
        &[
            "compare",
            "--context",
            "fake",
            "--context",
            "fake-too",
            "configmaps",
            "-n",
            "default",
        ],
    );
    let all = format!("{out}\n{err}");
    assert_eq!(code, 2, "{all}");
    assert!(
        all.contains("the LIST of configmaps")
            && all.contains(&server)
            && all.contains("10000 objects"),
        "{all}"
    );
    assert!(
        peak < 200,
        "peak RSS {peak} MiB for compare's refused LISTs:\n{all}"
    );
    eprintln!("compare against 300,000 unpaginated ConfigMaps a side: exit 2, peak RSS {peak} MiB");
}

/// Writes `size` bytes of one ConfigMap into the object store through `git hash-object`
/// (which streams it), and commits it at `path`.
fn commit_big_blob(dir: &std::path::Path, path: &str, ns: &str, size: usize) {
    let mut child = Command::new("git")
        .args(["hash-object", "-w", "--stdin"])
        .current_dir(dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        let mut stdin = child.stdin.take().unwrap();
        let head = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\n  namespace: {ns}\ndata:\n  blob: "
        );
        stdin.write_all(head.as_bytes()).unwrap();
        let block = vec![b'a'; 1 << 20];
        let mut written = head.len();
        while written < size {
            stdin.write_all(&block).unwrap();
            written += block.len();
        }
        stdin.write_all(b"\n").unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let oid = String::from_utf8(out.stdout).unwrap().trim().to_string();
    git(
        dir,
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("100644,{oid},{path}"),
        ],
    );
    // Not `commit`: its `add -A` would stage the file's absence from the work tree.
    git(
        dir,
        &[
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.com",
            "commit",
            "-q",
            "-m",
            "big",
        ],
    );
}

#[test]
fn an_oversized_manifest_in_git_is_refused_by_its_size_without_being_read() {
    let ns = namespace("hreads-big", &["staging"]);
    let repo = git_repo(&[(
        "k8s/small.yaml",
        &format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: small\n  namespace: {ns}\n"),
    )]);
    commit_big_blob(repo.path(), "k8s/big.yaml", &ns, 200 << 20);
    let kubeconfig = testenv().kubeconfig.to_str().unwrap().to_string();
    let (code, out, err, peak) = run_measured(
        repo.path(),
        &[("KUBECONFIG", &kubeconfig)],
        &["check", "--path", "k8s", "--context", "staging", "-n", &ns],
    );
    let all = format!("{out}\n{err}");
    assert_eq!(code, 2, "{all}");
    assert!(
        all.contains("k8s/big.yaml") && all.contains("16 MiB"),
        "names the file and the cap:\n{all}"
    );
    // The blob is 200 MiB; reading it whole would take at least that.
    assert!(
        peak < 100,
        "peak RSS {peak} MiB for a refused 200 MiB blob:\n{all}"
    );
    eprintln!("check of a commit with a 200 MiB manifest: exit 2, peak RSS {peak} MiB");
}

#[test]
fn an_object_over_the_api_servers_request_limit_is_refused_with_its_file_and_line() {
    let ns = namespace("hreads-obj", &["staging"]);
    let value = "x".repeat(4 << 20);
    let repo = git_repo(&[(
        "k8s/app.yaml",
        &format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n  namespace: {ns}\n---\n\
             apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: huge\n  namespace: {ns}\ndata:\n  v: {value}\n"
        ),
    )]);
    let (code, out, err) = run_drift(&[
        "check",
        "--repo",
        repo.path().to_str().unwrap(),
        "--path",
        "k8s",
        "--context",
        "staging",
        "-n",
        &ns,
    ]);
    let all = format!("{out}\n{err}");
    assert_eq!(code, 2, "{all}");
    assert!(
        all.contains("k8s/app.yaml:7") && all.contains("3 MiB"),
        "{all}"
    );
    assert!(
        !all.contains("xxxxxxxx"),
        "quotes nothing of the value:\n{all}"
    );
}

#[test]
fn watch_answers_metrics_and_runs_rounds_under_a_slowloris() {
    let ns = namespace("hreads-slow", &["staging"]);
    let settings =
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata: {mode: one}\n";
    let repo = git_repo(&[("k8s/settings.yaml", settings)]);
    apply("staging", &ns, settings);
    let port = free_port();
    let watch = spawn_watch_with(
        repo.path(),
        &testenv().kubeconfig,
        "staging",
        port,
        &["-n", &ns],
    );
    // The watch process gets the common default of 1024 descriptors, as on many hosts; this
    // test process keeps its own, higher one for the attack.
    let limited = Command::new("prlimit")
        .args(["--pid", &watch.0.id().to_string(), "--nofile=1024:1024"])
        .status()
        .unwrap();
    assert!(limited.success(), "prlimit");
    let rounds = || {
        get(port, "/metrics")
            .and_then(|(_, body)| sample(&body, "kubectl_drift_rounds_total"))
            .unwrap_or(0.0)
    };
    wait_for("a first round", Duration::from_secs(60), || rounds() >= 1.0);

    let mut idle = Vec::new();
    for _ in 0..2000 {
        let Ok(mut stream) =
            TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_secs(2))
        else {
            continue;
        };
        // A request line and half a header, never finished.
        let _ = stream.write_all(b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
        idle.push(stream);
    }
    assert!(
        idle.len() >= 1000,
        "only {} connections were opened",
        idle.len()
    );

    let started = Instant::now();
    let before = loop {
        if let Some((200, body)) = get(port, "/metrics") {
            break sample(&body, "kubectl_drift_rounds_total").unwrap_or(0.0);
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "/metrics did not answer within 10 s of {} idle connections",
            idle.len()
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let answered = started.elapsed();
    wait_for(
        "two more rounds under the attack",
        Duration::from_secs(30),
        || rounds() >= before + 2.0,
    );
    // The idle connections were closed by the server, not left to hold descriptors.
    let mut closed = 0;
    for stream in idle.iter_mut().take(100) {
        stream
            .set_read_timeout(Some(Duration::from_secs(15)))
            .unwrap();
        let mut buf = [0u8; 256];
        if matches!(stream.read(&mut buf), Ok(0)) || stream.read(&mut buf).is_err() {
            closed += 1;
        }
    }
    assert_eq!(
        closed, 100,
        "every idle connection sampled was closed by the server"
    );
    eprintln!(
        "slowloris of {} connections: /metrics answered after {answered:?}",
        idle.len()
    );
    drop(watch);
}

/// The `-o json` report and exit code of a check of `k8s` in `ns`.
fn check_json(repo: &std::path::Path, context: &str, ns: &str) -> (i32, Value) {
    let (code, out, err) = run_drift(&[
        "check",
        "--repo",
        repo.to_str().unwrap(),
        "--path",
        "k8s",
        "--context",
        context,
        "-n",
        ns,
        "-o",
        "json",
    ]);
    let report = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    (code, report)
}

fn resource<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {report:#}"))
}

fn deployment(ns: &str, name: &str, replicas: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  namespace: {ns}\nspec:\n  replicas: {replicas}\n  \
         selector:\n    matchLabels: {{app: web}}\n  template:\n    metadata:\n      labels: {{app: web}}\n    spec:\n      \
         containers:\n      - name: web\n        image: nginx:1.27\n"
    )
}

#[test]
fn a_missing_object_the_server_would_refuse_is_an_error_with_the_servers_reason() {
    let ns = namespace("hreads-miss", &["staging", "production"]);
    let manifests = [
        deployment(&ns, "good", "2"),
        deployment(&ns, "counted", "\"three\""),
        deployment(&ns, "BAD_NAME!", "1"),
    ]
    .join("---\n");
    let repo = git_repo(&[("k8s/app.yaml", &manifests)]);

    let (code, report) = check_json(repo.path(), "staging", &ns);
    assert_eq!(code, 2, "{report:#}");
    let good = resource(&report, "good");
    assert_eq!(good["status"], "Missing", "{good:#}");
    let counted = resource(&report, "counted");
    assert_eq!(counted["status"], "Error", "{counted:#}");
    let message = counted["message"].as_str().unwrap();
    assert!(
        message.contains("would refuse") && message.contains("replicas"),
        "{message}"
    );
    let bad = resource(&report, "BAD_NAME!");
    assert_eq!(bad["status"], "Error", "{bad:#}");
    let message = bad["message"].as_str().unwrap();
    assert!(
        message.contains("would refuse") && message.contains("BAD_NAME!"),
        "{message}"
    );

    // The valid one's predicted object is the server's: its defaults are in it.
    let (_, out, _) = run_drift(&[
        "check",
        "--repo",
        repo.path().to_str().unwrap(),
        "--path",
        "k8s",
        "--context",
        "staging",
        "-n",
        &ns,
        "-o",
        "unified",
    ]);
    assert!(out.contains("revisionHistoryLimit: 10"), "{out}");

    // Read-only credentials may not dry-run a create: Missing as Git declares it, noted.
    let good_only = deployment(&ns, "good", "2");
    let repo = git_repo(&[("k8s/app.yaml", &good_only)]);
    let (code, report) = check_json(repo.path(), "production-viewer", &ns);
    assert_eq!(code, 1, "{report:#}");
    let good = resource(&report, "good");
    assert_eq!(good["status"], "Missing", "{good:#}");
    assert!(
        good["message"]
            .as_str()
            .unwrap_or_default()
            .contains("not validated"),
        "{good:#}"
    );

    // fix --dry-run would apply only the valid one.
    let repo = git_repo(&[("k8s/app.yaml", &manifests)]);
    let (_, out, err) = run_drift(&[
        "fix",
        "--dry-run",
        "--repo",
        repo.path().to_str().unwrap(),
        "--path",
        "k8s",
        "--context",
        "staging",
        "-n",
        &ns,
    ]);
    let all = format!("{out}\n{err}");
    let would: Vec<&str> = all
        .lines()
        .filter(|l| l.starts_with("would apply"))
        .collect();
    assert_eq!(would.len(), 1, "{all}");
    assert!(would[0].contains(&format!("{ns}/good")), "{all}");
}
