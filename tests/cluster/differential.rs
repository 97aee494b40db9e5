//! The verdict against `kubectl diff --server-side --force-conflicts`, over generated hand
//! changes: a real corpus (microservices-demo, plus a ConfigMap and the schema test's
//! Deployments) is applied into fresh namespaces by client-side apply, server-side apply
//! and `kubectl create`, then a seeded generator changes objects by hand across every kind
//! of field (scalars, granular maps, atomic lists and maps, set lists, keyed lists,
//! int-or-string, quantities, a second server-side manager, `kubectl replace`). For each
//! object, the drifted set and field paths of `check -o json` must match what kubectl's
//! dry run would change, read from both sides of its diff as JSON; `--strict` may add only
//! objects that were changed outside Git's declared fields. Every intended disagreement is
//! listed below with its reason. `KUBECTL_DRIFT_DIFF_CASES` and `KUBECTL_DRIFT_DIFF_SEED`
//! set the size and seed (`scripts/differential` runs long ones); `property` draws the changes from the server's
//! schema instead.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{json, Value};

use crate::check::check_json;
use crate::common::*;
use crate::schema::{generated, MUTATIONS};

mod property;

const CONTEXT: &str = "production";

/// The microservices-demo manifests, as published (see its LICENSE and NOTICE).
const CORPUS: &[(&str, &str)] = &[
    (
        "adservice.yaml",
        include_str!("../fixtures/microservices-demo/adservice.yaml"),
    ),
    (
        "cartservice.yaml",
        include_str!("../fixtures/microservices-demo/cartservice.yaml"),
    ),
    (
        "checkoutservice.yaml",
        include_str!("../fixtures/microservices-demo/checkoutservice.yaml"),
    ),
    (
        "currencyservice.yaml",
        include_str!("../fixtures/microservices-demo/currencyservice.yaml"),
    ),
    (
        "emailservice.yaml",
        include_str!("../fixtures/microservices-demo/emailservice.yaml"),
    ),
    (
        "frontend.yaml",
        include_str!("../fixtures/microservices-demo/frontend.yaml"),
    ),
    (
        "loadgenerator.yaml",
        include_str!("../fixtures/microservices-demo/loadgenerator.yaml"),
    ),
    (
        "paymentservice.yaml",
        include_str!("../fixtures/microservices-demo/paymentservice.yaml"),
    ),
    (
        "productcatalogservice.yaml",
        include_str!("../fixtures/microservices-demo/productcatalogservice.yaml"),
    ),
    (
        "recommendationservice.yaml",
        include_str!("../fixtures/microservices-demo/recommendationservice.yaml"),
    ),
    (
        "shippingservice.yaml",
        include_str!("../fixtures/microservices-demo/shippingservice.yaml"),
    ),
];

/// Kinds of field the corpus lacks: ConfigMap data, an atomic map (nodeSelector),
/// tolerations, a `secretKeyRef`, container args.
fn extra_manifests() -> String {
    let mut docs = vec![r#"apiVersion: v1
kind: ConfigMap
metadata: {name: settings, labels: {app: settings, tier: config}}
data: {mode: fast, level: info, region: eu}
"#
    .to_string()];
    docs.extend((0..3).map(generated));
    docs.join("---\n")
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    ClientSide,
    ServerSide,
    Create,
}

impl Mode {
    /// The field manager both tools use for their dry runs, as the pipeline wrote: its own
    /// for server-side apply, kubectl's for `create` (which owns the server's defaults
    /// too); for client-side apply, kubectl-drift's default, the last-applied annotation
    /// standing for the pipeline.
    fn manager(self) -> &'static str {
        match self {
            Mode::ServerSide => "pipeline",
            Mode::Create => "kubectl-create",
            Mode::ClientSide => "kubectl-drift",
        }
    }
}

/// How a hand change is made.
enum Action {
    /// `kubectl patch --type TYPE -p PATCH`.
    Patch(&'static str, String),
    /// `kubectl apply --server-side --force-conflicts --field-manager intruder` of this object.
    ApplyAs(Value),
    /// `kubectl replace` of the live object after this change to it.
    Replace(Box<dyn Fn(&mut Value)>),
}

struct Change {
    /// What was changed, for the failure message and the known-disagreement list.
    what: String,
    action: Action,
    /// The change writes fields Git never declared, which `--strict` may report.
    undeclared: bool,
}

fn patch(kind: &'static str, body: Value, what: String, undeclared: bool) -> Change {
    Change {
        what,
        action: Action::Patch(kind, body.to_string()),
        undeclared,
    }
}

fn pointer_escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// A random hand change to `live`, of a class that fits its kind.
fn hand_change(live: &Value, rng: &mut Rng) -> Change {
    let kind = live["kind"].as_str().unwrap();
    let n = rng.below(1000);
    let pick = match kind {
        "Deployment" => rng.below(24),
        "Service" => 100 + rng.below(9),
        "ConfigMap" => 200 + rng.below(7),
        _ => 300 + rng.below(4),
    };
    // Classes every kind shares (labels, annotations, finalizers, replace).
    let generic = |which: usize| -> Change {
        let labels = live["metadata"]["labels"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        match which {
            0 => patch(
                "merge",
                json!({"metadata": {"labels": {format!("hand-{n}"): "x"}}}),
                "label added".into(),
                true,
            ),
            1 if !labels.is_empty() => {
                let key = labels.keys().next().unwrap();
                patch(
                    "json",
                    json!([{"op": "replace", "path": format!("/metadata/labels/{}", pointer_escape(key)), "value": format!("changed-{n}")}]),
                    format!("label {key} changed"),
                    false,
                )
            }
            2 if !labels.is_empty() => {
                let key = labels.keys().next_back().unwrap();
                patch(
                    "json",
                    json!([{"op": "remove", "path": format!("/metadata/labels/{}", pointer_escape(key))}]),
                    format!("label {key} removed"),
                    false,
                )
            }
            3 => patch(
                "merge",
                json!({"metadata": {"annotations": {"example.com/note": format!("n{n}")}}}),
                "annotation added".into(),
                true,
            ),
            4 => patch(
                "json",
                json!([{"op": "add", "path": "/metadata/finalizers", "value": ["example.com/hold"]}]),
                "finalizer added (a set list)".into(),
                true,
            ),
            5 => Change {
                what: "replaced whole with a label changed".into(),
                action: Action::Replace(Box::new(|obj: &mut Value| {
                    let labels = &mut obj["metadata"]["labels"];
                    if let Some(map) = labels.as_object_mut() {
                        if let Some(v) = map.values_mut().next() {
                            *v = json!("replaced");
                        }
                    }
                })),
                undeclared: true,
            },
            _ => Change {
                what: "replaced whole with a label added".into(),
                action: Action::Replace(Box::new(|obj: &mut Value| {
                    obj["metadata"]["labels"]["replaced"] = json!("yes");
                })),
                undeclared: true,
            },
        }
    };
    match pick {
        0..=6 => generic(pick),
        7..=20 => deployment_change(live, pick, n, rng),
        21..=23 => {
            // The schema test's changes, where its Deployments are (inside atomic values).
            let name = live["metadata"]["name"].as_str().unwrap();
            if name.starts_with("gen-") {
                let (kind, body) = *rng.pick(MUTATIONS);
                Change {
                    what: format!("schema change {body}"),
                    action: Action::Patch(
                        if kind == "json" { "json" } else { "merge" },
                        body.to_string(),
                    ),
                    undeclared: true,
                }
            } else {
                deployment_change(live, 7 + rng.below(14), n, rng)
            }
        }
        100..=108 => service_change(live, pick - 100, n).unwrap_or_else(|| generic(n % 7)),
        200..=206 => configmap_change(live, pick - 200, n).unwrap_or_else(|| generic(n % 7)),
        _ => generic(rng.below(7)),
    }
}

fn deployment_change(live: &Value, pick: usize, n: usize, rng: &mut Rng) -> Change {
    let spec = &live["spec"]["template"]["spec"];
    let containers = spec["containers"].as_array().unwrap();
    let c = rng.below(containers.len());
    let container = &containers[c];
    let cname = container["name"].as_str().unwrap();
    let base = format!("/spec/template/spec/containers/{c}");
    let env = container["env"].as_array().cloned().unwrap_or_default();
    match pick {
        7 => patch(
            "merge",
            json!({"spec": {"replicas": 1 + n % 4}}),
            format!("replicas set to {}", 1 + n % 4),
            true,
        ),
        8 => patch(
            "json",
            json!([{"op": "replace", "path": format!("{base}/image"), "value": format!("registry.example.com/hand:{n}")}]),
            format!("image of {cname} changed"),
            false,
        ),
        9 => patch(
            "json",
            json!([{"op": "replace", "path": format!("{base}/image"), "value": container["image"]}]),
            format!("image of {cname} set to its own value"),
            false,
        ),
        10 => {
            let var = json!({"name": format!("HAND_{n}"), "value": "1"});
            let op = if env.is_empty() {
                json!({"op": "add", "path": format!("{base}/env"), "value": [var]})
            } else {
                json!({"op": "add", "path": format!("{base}/env/-"), "value": var})
            };
            patch(
                "json",
                json!([op]),
                format!("env var added to {cname}"),
                true,
            )
        }
        11 if !env.is_empty() => {
            let i = rng.below(env.len());
            patch(
                "json",
                json!([{"op": "remove", "path": format!("{base}/env/{i}")}]),
                format!("env {} removed from {cname}", env[i]["name"]),
                false,
            )
        }
        12 if env.iter().any(|e| e.get("value").is_some()) => {
            let i = env.iter().position(|e| e.get("value").is_some()).unwrap();
            patch(
                "json",
                json!([{"op": "replace", "path": format!("{base}/env/{i}/value"), "value": format!("hand-{n}")}]),
                format!("env {} of {cname} changed", env[i]["name"]),
                false,
            )
        }
        13 if env.len() >= 2 => {
            let mut reversed = env.clone();
            reversed.reverse();
            patch(
                "json",
                json!([{"op": "replace", "path": format!("{base}/env"), "value": reversed}]),
                format!("env of {cname} reordered"),
                false,
            )
        }
        14 => {
            let ports = container["ports"].as_array().cloned().unwrap_or_default();
            if !ports.is_empty() && n.is_multiple_of(2) {
                patch(
                    "json",
                    json!([{"op": "remove", "path": format!("{base}/ports/0")}]),
                    format!("port removed from {cname}"),
                    false,
                )
            } else {
                let op = if ports.is_empty() {
                    json!({"op": "add", "path": format!("{base}/ports"), "value": [{"containerPort": 9000 + n % 500}]})
                } else {
                    json!({"op": "add", "path": format!("{base}/ports/-"), "value": {"containerPort": 9000 + n % 500}})
                };
                patch("json", json!([op]), format!("port added to {cname}"), true)
            }
        }
        15 => patch(
            "json",
            json!([{"op": "add", "path": "/spec/template/spec/containers/-", "value": {"name": format!("sidecar-{n}"), "image": "registry.example.com/sidecar:1"}}]),
            "container added".into(),
            true,
        ),
        16 => {
            let volume = json!({"name": format!("scratch-{n}"), "emptyDir": {}});
            let op = if spec["volumes"].is_array() {
                json!({"op": "add", "path": "/spec/template/spec/volumes/-", "value": volume})
            } else {
                json!({"op": "add", "path": "/spec/template/spec/volumes", "value": [volume]})
            };
            patch("json", json!([op]), "volume added".into(), true)
        }
        17 => {
            // Atomic lists: an element added to args or command, or the field added.
            let field = if container["command"].is_array() {
                "command"
            } else {
                "args"
            };
            if container[field].is_array() {
                patch(
                    "json",
                    json!([{"op": "add", "path": format!("{base}/{field}/-"), "value": format!("--hand={n}")}]),
                    format!("{field} element added to {cname}"),
                    false,
                )
            } else {
                patch(
                    "json",
                    json!([{"op": "add", "path": format!("{base}/args"), "value": [format!("--hand={n}")]}]),
                    format!("args added to {cname}"),
                    true,
                )
            }
        }
        18 => {
            // Quantities: the same amount written another way, or another amount.
            let limits = &container["resources"]["limits"];
            let same = n.is_multiple_of(2);
            let (what, value) = match (limits["cpu"].as_str(), same) {
                (Some(cpu), true) => (
                    format!("cpu limit {cpu} written another way"),
                    json!(cpu_other_form(cpu)),
                ),
                _ => (
                    "cpu limit changed".to_string(),
                    json!(format!("{}m", 100 + n % 900)),
                ),
            };
            let op = if limits.is_object() {
                json!({"op": "add", "path": format!("{base}/resources/limits/cpu"), "value": value})
            } else {
                json!({"op": "add", "path": format!("{base}/resources"), "value": {"limits": {"cpu": value}}})
            };
            patch(
                "json",
                json!([op]),
                format!("{what} in {cname}"),
                !limits.is_object(),
            )
        }
        19 => {
            // Inside atomic values: a toleration (an atomic list item) and a node selector.
            if spec["tolerations"].is_array() {
                patch(
                    "json",
                    json!([{"op": "add", "path": "/spec/template/spec/tolerations/0/effect", "value": "NoExecute"}]),
                    "field added inside a toleration".into(),
                    false,
                )
            } else if n.is_multiple_of(2) {
                patch(
                    "merge",
                    json!({"spec": {"template": {"spec": {"tolerations": [{"key": "hand", "operator": "Exists"}]}}}}),
                    "tolerations added".into(),
                    true,
                )
            } else {
                patch(
                    "merge",
                    json!({"spec": {"template": {"spec": {"nodeSelector": {"zone": format!("z{n}")}}}}}),
                    "node selector key added".into(),
                    !spec["nodeSelector"].is_object(),
                )
            }
        }
        20 => {
            // A second server-side apply manager takes a declared field.
            let mut taken = json!({
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": live["metadata"]["name"]},
                "spec": {"template": {"spec": {"containers": [{"name": cname, "image": format!("registry.example.com/intruder:{n}")}]}}}
            });
            if n.is_multiple_of(3) {
                taken["spec"] = json!({"replicas": 2 + n % 3});
            }
            let what = if n.is_multiple_of(3) {
                "replicas"
            } else {
                "image"
            };
            Change {
                what: format!("a second server-side manager took {what}"),
                action: Action::ApplyAs(taken),
                undeclared: true,
            }
        }
        _ => {
            let sc = &container["securityContext"];
            let op = if sc.is_object() {
                json!({"op": "add", "path": format!("{base}/securityContext/runAsUser"), "value": 2000 + n})
            } else {
                json!({"op": "add", "path": format!("{base}/securityContext"), "value": {"runAsUser": 2000 + n}})
            };
            let declared = sc.get("runAsUser").is_some();
            patch(
                "json",
                json!([op]),
                format!("securityContext.runAsUser of {cname} set"),
                !declared,
            )
        }
    }
}

/// `300m` as `0.3`, `1` as `1000m`.
fn cpu_other_form(cpu: &str) -> String {
    match cpu.strip_suffix('m') {
        Some(milli) => {
            let m: u64 = milli.parse().unwrap();
            format!("{}", m as f64 / 1000.0)
        }
        None => {
            let whole: f64 = cpu.parse().unwrap();
            format!("{}m", (whole * 1000.0) as u64)
        }
    }
}

fn service_change(live: &Value, pick: usize, n: usize) -> Option<Change> {
    let ports = live["spec"]["ports"].as_array()?;
    let target = &ports[0]["targetPort"];
    Some(match pick {
        0 => patch(
            "json",
            json!([{"op": "replace", "path": "/spec/ports/0/targetPort", "value": "hand"}]),
            format!("targetPort {target} changed to a name"),
            false,
        ),
        1 => patch(
            "json",
            json!([{"op": "replace", "path": "/spec/ports/0/targetPort", "value": target}]),
            format!("targetPort {target} set to its own value"),
            false,
        ),
        2 => patch(
            "json",
            json!([{"op": "add", "path": "/spec/ports/0/appProtocol", "value": "grpc"}]),
            "appProtocol added to a port".into(),
            true,
        ),
        3 => patch(
            "json",
            json!([{"op": "replace", "path": "/spec/ports/0/port", "value": 10000 + n}]),
            "port number changed".into(),
            false,
        ),
        4 => patch(
            "merge",
            json!({"spec": {"selector": {"tier": format!("t{n}")}}}),
            "key added to the selector (an atomic map)".into(),
            false,
        ),
        5 => patch(
            "merge",
            json!({"spec": {"sessionAffinity": "ClientIP"}}),
            "sessionAffinity (a default) changed".into(),
            true,
        ),
        6 => patch(
            "json",
            json!([{"op": "add", "path": "/spec/ports/-", "value": {"name": format!("hand-{n}"), "port": 20000 + n, "targetPort": 20000 + n}}]),
            "port added".into(),
            true,
        ),
        7 => patch(
            "json",
            json!([{"op": "replace", "path": "/spec/ports/0/name", "value": format!("renamed-{n}")}]),
            "port renamed".into(),
            false,
        ),
        _ => return None,
    })
}

fn configmap_change(live: &Value, pick: usize, n: usize) -> Option<Change> {
    let data = live["data"].as_object()?;
    let key = data.keys().nth(n % data.len().max(1))?;
    Some(match pick {
        0 => patch(
            "merge",
            json!({"data": {format!("hand-{n}"): "x"}}),
            "data key added".into(),
            true,
        ),
        1 => patch(
            "merge",
            json!({"data": {key: format!("changed-{n}")}}),
            format!("data {key} changed"),
            false,
        ),
        2 => patch(
            "json",
            json!([{"op": "remove", "path": format!("/data/{key}")}]),
            format!("data {key} removed"),
            false,
        ),
        3 => Change {
            what: format!("a second server-side manager took data {key}"),
            action: Action::ApplyAs(json!({
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": live["metadata"]["name"]},
                "data": {key: format!("intruder-{n}")}
            })),
            undeclared: true,
        },
        _ => return None,
    })
}

fn kubectl_in(ns: &str, args: &[&str], stdin: Option<&str>) -> std::process::Output {
    let mut full = vec!["-n", ns];
    full.extend_from_slice(args);
    kubectl_stdin(CONTEXT, &full, stdin)
}

fn make_change(ns: &str, object: &str, change: &Change) -> Result<(), String> {
    let out = match &change.action {
        Action::Patch(kind, body) => {
            kubectl_in(ns, &["patch", object, "--type", kind, "-p", body], None)
        }
        Action::ApplyAs(body) => kubectl_in(
            ns,
            &[
                "apply",
                "--server-side",
                "--force-conflicts",
                "--field-manager",
                "intruder",
                "-f",
                "-",
            ],
            Some(&body.to_string()),
        ),
        Action::Replace(edit) => {
            let mut obj: Value = serde_json::from_str(&kubectl_ok(
                CONTEXT,
                &["-n", ns, "get", object, "-o", "json"],
            ))
            .unwrap();
            edit(&mut obj);
            kubectl_in(ns, &["replace", "-f", "-"], Some(&obj.to_string()))
        }
    };
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// The manifests one object each, by `Kind/name`: kubectl's own reading of the documents
/// names them.
fn documents(texts: &[&str]) -> BTreeMap<String, String> {
    let docs: Vec<String> = texts
        .iter()
        .flat_map(|text| text.split("\n---\n"))
        .filter(|doc| {
            doc.lines()
                .any(|l| !l.trim().is_empty() && !l.starts_with('#'))
        })
        .map(str::to_string)
        .collect();
    let dir = tempfile::tempdir().unwrap();
    for (i, doc) in docs.iter().enumerate() {
        std::fs::write(dir.path().join(format!("{i:04}.yaml")), doc).unwrap();
    }
    let items = read_objects(dir.path());
    assert_eq!(items.len(), docs.len());
    let named: BTreeMap<String, String> = items.iter().map(object_id).zip(docs).collect();
    assert_eq!(named.len(), items.len(), "two documents name one object");
    named
}

/// The objects in a folder of YAML files, as kubectl reads them.
fn read_objects(dir: &Path) -> Vec<Value> {
    let text = kubectl_ok(
        CONTEXT,
        &[
            "create",
            "--dry-run=client",
            "--validate=false",
            "-o",
            "json",
            "-f",
            dir.to_str().unwrap(),
        ],
    );
    // One JSON document per object, one after another.
    serde_json::Deserializer::from_str(&text)
        .into_iter::<Value>()
        .map(Result::unwrap)
        .collect()
}

/// What `kubectl diff --server-side --force-conflicts` says.
#[derive(Default)]
struct Oracle {
    /// Both sides of each object's diff, read as JSON: KUBECTL_EXTERNAL_DIFF copies
    /// kubectl's LIVE and MERGED folders, which kubectl itself then reads back.
    sides: BTreeMap<String, (Value, Value)>,
    /// Objects whose apply the server refuses, so that kubectl diff fails: each is left out
    /// and the diff run again for the rest.
    refused: BTreeMap<String, String>,
}

fn kubectl_diff(ns: &str, manager: &str, docs: &BTreeMap<String, String>) -> Oracle {
    let mut oracle = Oracle::default();
    loop {
        let work = tempfile::tempdir().unwrap();
        let manifests = work.path().join("manifests");
        std::fs::create_dir(&manifests).unwrap();
        for (i, (id, doc)) in docs.iter().enumerate() {
            if !oracle.refused.contains_key(id) {
                std::fs::write(manifests.join(format!("{i:04}.yaml")), doc).unwrap();
            }
        }
        let script = work.path().join("keep-sides");
        let out_dir = work.path().join("sides");
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\nset -e\nfor side in live merged; do mkdir -p '{out}'/$side; done\n\
                 for f in \"$1\"/*; do cp \"$f\" '{out}'/live/\"$(basename \"$f\")\".yaml; done\n\
                 for f in \"$2\"/*; do cp \"$f\" '{out}'/merged/\"$(basename \"$f\")\".yaml; done\n",
                out = out_dir.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        let out = Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(&testenv().kubeconfig)
            .args([
                "--context",
                CONTEXT,
                "-n",
                ns,
                "diff",
                "--server-side",
                "--force-conflicts",
            ])
            .args(["--field-manager", manager, "-f"])
            .arg(&manifests)
            .env("KUBECTL_EXTERNAL_DIFF", &script)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        if !out.status.success() {
            // `The Service "shippingservice" is invalid: ...`
            let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
            let refused = stderr.split_once("The ").and_then(|(_, rest)| {
                let (kind, rest) = rest.split_once(" \"")?;
                let (name, _) = rest.split_once('"')?;
                Some(format!("{kind}/{name}"))
            });
            match refused {
                Some(id) if docs.contains_key(&id) && !oracle.refused.contains_key(&id) => {
                    oracle.refused.insert(id, stderr.trim().to_string());
                    continue;
                }
                _ => panic!("kubectl diff failed: {stderr}"),
            }
        }
        let read = |side: &str| -> BTreeMap<String, Value> {
            read_objects(&out_dir.join(side))
                .into_iter()
                .map(|item| (object_id(&item), item))
                .collect()
        };
        let (mut live, merged) = (read("live"), read("merged"));
        oracle.sides = merged
            .into_iter()
            .map(|(id, after)| {
                let before = live.remove(&id).unwrap_or(Value::Null);
                (id, (before, after))
            })
            .collect();
        return oracle;
    }
}

fn object_id(obj: &Value) -> String {
    format!(
        "{}/{}",
        obj["kind"].as_str().unwrap(),
        obj["metadata"]["name"].as_str().unwrap()
    )
}

/// Field paths (map keys only; list positions dropped) where `a` and `b` differ. Lists of
/// one length are compared item by item, others as a whole.
fn changed_paths(a: &Value, b: &Value, at: &mut Vec<String>, out: &mut BTreeSet<Vec<String>>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for key in x.keys().chain(y.keys()).collect::<BTreeSet<_>>() {
                at.push(key.clone());
                changed_paths(
                    x.get(key).unwrap_or(&Value::Null),
                    y.get(key).unwrap_or(&Value::Null),
                    at,
                    out,
                );
                at.pop();
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (p, q) in x.iter().zip(y) {
                changed_paths(p, q, at, out);
            }
        }
        _ if a != b => {
            out.insert(at.clone());
        }
        _ => {}
    }
}

/// What kubectl's dry run would change in one object, without what kubectl-drift never
/// compares (`generation`, managedFields, the last-applied annotation, resourceVersion).
fn kubectl_paths(before: &Value, after: &Value) -> BTreeSet<Vec<String>> {
    let mut out = BTreeSet::new();
    changed_paths(before, after, &mut Vec::new(), &mut out);
    out.retain(|p| {
        let p: Vec<&str> = p.iter().map(String::as_str).collect();
        !matches!(
            p.as_slice(),
            [
                "metadata",
                "generation" | "managedFields" | "resourceVersion",
                ..
            ] | [
                "metadata",
                "annotations",
                "kubectl.kubernetes.io/last-applied-configuration"
            ]
        )
    });
    out
}

/// A kubectl-drift field path (`spec.template.spec.containers[name=app].env[name=A].value`,
/// `metadata.labels["app.kubernetes.io/name"]`) as its map keys, list selectors dropped.
fn drift_path(text: &str) -> Vec<String> {
    let mut keys = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            rest = after;
        } else if rest.starts_with("[\"") {
            let mut de = serde_json::Deserializer::from_str(&rest[1..]).into_iter::<String>();
            let key = de.next().unwrap().unwrap();
            rest = &rest[1 + de.byte_offset()..];
            rest = rest.strip_prefix(']').unwrap_or(rest);
            keys.push(key);
        } else if let Some(after) = rest.strip_prefix('[') {
            rest = after.split_once(']').map_or("", |(_, r)| r);
        } else {
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            keys.push(rest[..end].to_string());
            rest = &rest[end..];
        }
    }
    keys
}

fn related(a: &[String], b: &[String]) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

/// Intended disagreements: (the change, which answer, reason). `which` is "ours" when
/// kubectl-drift reports drift that kubectl diff does not, "theirs" for the reverse,
/// "paths" when both report the object with field paths that cannot be mapped.
const KNOWN: &[(&str, &str, &str)] = &[];

/// Listed for objects whose apply the server refuses after the change.
const REFUSED: &str = "kubectl diff cannot dry-run it: the server refuses applying Git over \
    this change (a Service port renumbered by hand keeps its name, so Git's port would \
    duplicate the name); kubectl-drift reports the changed port as drift (or Error)";
fn known(changes: &[String], which: &str) -> Option<&'static str> {
    KNOWN
        .iter()
        .find(|(change, w, _)| *w == which && changes.iter().any(|c| c.contains(change)))
        .map(|(_, _, reason)| *reason)
}

#[derive(Default)]
struct Tally {
    cases: usize,
    objects: usize,
    agreements: usize,
    drifted: usize,
    /// Objects only `--strict` reports, each changed outside Git's declared fields.
    strict_only: usize,
    listed: BTreeMap<&'static str, usize>,
    failures: Vec<String>,
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .map(|v| {
            let v = v.trim();
            let parsed = match v.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => v.parse(),
            };
            parsed.unwrap_or_else(|_| panic!("{name} is not a number: {v}"))
        })
        .unwrap_or(default)
}

#[test]
fn generated_hand_changes_agree_with_kubectl_diff_both_ways() {
    let cases = env_number("KUBECTL_DRIFT_DIFF_CASES", 60) as usize;
    let seed = env_number("KUBECTL_DRIFT_DIFF_SEED", 0x5eed_d1ff);
    agree_with_kubectl_diff("differential", cases, seed, &mut hand_change);
}

/// Applies the corpus in rounds (client-side, server-side, create), makes `cases` hand
/// changes from `generate` and compares each object's verdict with kubectl diff's.
fn agree_with_kubectl_diff(
    name: &str,
    cases: usize,
    seed: u64,
    generate: &mut dyn FnMut(&Value, &mut Rng) -> Change,
) {
    let mut rng = Rng(seed);
    let mut files: Vec<(String, String)> = CORPUS
        .iter()
        .map(|(name, text)| (format!("k8s/{name}"), text.to_string()))
        .collect();
    files.push(("k8s/extra.yaml".into(), extra_manifests()));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let repo = git_repo(&refs);
    let all: String = files.iter().map(|(_, t)| format!("{t}\n---\n")).collect();
    let docs = documents(&files.iter().map(|(_, t)| t.as_str()).collect::<Vec<_>>());
    let mut tally = Tally::default();
    let mut round = 0;
    while tally.cases < cases {
        let mode = [Mode::ClientSide, Mode::ServerSide, Mode::Create][round % 3];
        let ns = namespace(name, &[CONTEXT]);
        let apply_args: &[&str] = match mode {
            Mode::ClientSide => &["apply", "-f", "-"],
            Mode::ServerSide => &[
                "apply",
                "--server-side",
                "--field-manager",
                "pipeline",
                "-f",
                "-",
            ],
            Mode::Create => &["create", "-f", "-"],
        };
        let out = kubectl_in(&ns, apply_args, Some(&all));
        assert!(
            out.status.success(),
            "{mode:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let listed: Value = serde_json::from_str(&kubectl_ok(
            CONTEXT,
            &[
                "-n",
                &ns,
                "get",
                "deployments,services,configmaps,serviceaccounts",
                "-o",
                "json",
            ],
        ))
        .unwrap();
        let mut objects: Vec<&Value> = listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| {
                o["metadata"]["name"] != "kube-root-ca.crt" && o["metadata"]["name"] != "default"
            })
            .collect();
        // Shuffle, then change about two objects in three (up to 20 changes), a few twice.
        for i in (1..objects.len()).rev() {
            objects.swap(i, rng.below(i + 1));
        }
        let round_start = tally.cases;
        let mut changes: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut undeclared: BTreeSet<String> = BTreeSet::new();
        for obj in &objects {
            // At most a third of the CI run per round, so that it covers all three ways.
            if tally.cases >= cases.min(round_start + 20) || rng.chance(33) {
                continue;
            }
            let id = object_id(obj);
            let target = format!(
                "{}/{}",
                obj["kind"].as_str().unwrap().to_lowercase(),
                obj["metadata"]["name"].as_str().unwrap()
            );
            for _ in 0..if rng.chance(15) { 2 } else { 1 } {
                if tally.cases >= cases {
                    break;
                }
                let live: Value = serde_json::from_str(&kubectl_ok(
                    CONTEXT,
                    &["-n", &ns, "get", &target, "-o", "json"],
                ))
                .unwrap();
                let change = generate(&live, &mut rng);
                match make_change(&ns, &target, &change) {
                    Ok(()) => {
                        tally.cases += 1;
                        if change.undeclared {
                            undeclared.insert(id.clone());
                        }
                        changes.entry(id.clone()).or_default().push(change.what);
                    }
                    // The server refused it (an immutable or invalid field): not a case.
                    Err(e) => {
                        eprintln!("{name}: {id}: {} refused: {}", change.what, e.trim())
                    }
                }
            }
        }

        let manager = mode.manager();
        let args = [
            "--context",
            CONTEXT,
            "--path",
            "k8s",
            "-n",
            &ns,
            "--field-manager",
            manager,
        ];
        let (code, report) = check_json(repo.path(), &args);
        assert!(matches!(code, 0 | 1), "{report:#}");
        let (code, strict) = check_json(repo.path(), &[&args[..], &["--strict"]].concat());
        assert!(matches!(code, 0 | 1), "{strict:#}");
        let oracle = kubectl_diff(&ns, manager, &docs);
        let theirs = &oracle.sides;
        let status = |id: &str| -> String {
            report["resources"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| {
                    format!(
                        "{}/{}",
                        r["kind"].as_str().unwrap(),
                        r["name"].as_str().unwrap()
                    ) == id
                })
                .map_or("absent".into(), |r| {
                    r["status"].as_str().unwrap().to_string()
                })
        };
        // An object whose apply the server refuses: kubectl diff cannot answer for it;
        // kubectl-drift must not call it in sync.
        for (id, message) in &oracle.refused {
            let made = changes.get(id).cloned().unwrap_or_default();
            tally.objects += 1;
            match status(id).as_str() {
                "Error" | "Drifted" => *tally.listed.entry(REFUSED).or_default() += 1,
                other => tally.failures.push(format!(
                    "{name}: seed {seed:#x}, round {round} ({mode:?}), {id} in {ns}, changes {made:?}: \
                     kubectl diff fails ({message}) but kubectl-drift says {other}"
                )),
            }
        }
        let ours = |report: &Value| -> BTreeMap<String, BTreeSet<Vec<String>>> {
            report["resources"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    let id = format!(
                        "{}/{}",
                        r["kind"].as_str().unwrap(),
                        r["name"].as_str().unwrap()
                    );
                    assert!(
                        matches!(r["status"].as_str(), Some("InSync" | "Drifted"))
                            || oracle.refused.contains_key(&id),
                        "{id}: {r:#}"
                    );
                    let paths = r["fields"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|f| drift_path(f["path"].as_str().unwrap()))
                        .collect();
                    (id, paths)
                })
                .filter(|(_, paths): &(String, BTreeSet<Vec<String>>)| !paths.is_empty())
                .collect()
        };
        let (plain, strict) = (ours(&report), ours(&strict));

        for (id, (before, after)) in theirs {
            tally.objects += 1;
            let kubectl = kubectl_paths(before, after);
            let drift = plain.get(id).cloned().unwrap_or_default();
            let made: Vec<String> = changes.get(id).cloned().unwrap_or_default();
            let describe = |what: &str| {
                format!(
                    "{name}: seed {seed:#x}, round {round} ({mode:?}, manager {manager}), {id} in {ns}, changes {made:?}: \
                     {what}\n  kubectl-drift: {drift:?}\n  kubectl diff:  {kubectl:?}"
                )
            };
            let which = match (drift.is_empty(), kubectl.is_empty()) {
                (true, true) => None,
                (false, true) => Some("ours"),
                (true, false) => Some("theirs"),
                (false, false) => {
                    let mapped = drift.iter().all(|d| kubectl.iter().any(|k| related(d, k)))
                        && kubectl.iter().all(|k| drift.iter().any(|d| related(d, k)));
                    (!mapped).then_some("paths")
                }
            };
            match which {
                None => {
                    tally.agreements += 1;
                    tally.drifted += usize::from(!drift.is_empty());
                }
                Some(which) => match known(&made, which) {
                    Some(reason) => *tally.listed.entry(reason).or_default() += 1,
                    None => tally.failures.push(describe(match which {
                        "ours" => "kubectl-drift reports drift that kubectl diff does not",
                        "theirs" => "kubectl diff would change what kubectl-drift calls in sync",
                        _ => "the field paths differ",
                    })),
                },
            }
            // --strict reports all of that, and more only where hands wrote undeclared fields.
            let strict_paths = strict.get(id).cloned().unwrap_or_default();
            if !drift.is_empty() && strict_paths.is_empty() {
                tally
                    .failures
                    .push(describe("--strict drops drift reported without it"));
            }
            if drift.is_empty() && !strict_paths.is_empty() && undeclared.contains(id) {
                tally.strict_only += 1;
            }
            if drift.is_empty() && !strict_paths.is_empty() && !undeclared.contains(id) {
                match known(&made, "strict") {
                    Some(reason) => *tally.listed.entry(reason).or_default() += 1,
                    None => tally.failures.push(describe(&format!(
                        "--strict reports {strict_paths:?} though no undeclared field was written"
                    ))),
                }
            }
        }
        for id in plain.keys() {
            assert!(
                theirs.contains_key(id) || oracle.refused.contains_key(id),
                "{id} reported but not in kubectl diff's objects"
            );
        }
        round += 1;
    }
    eprintln!(
        "{name}: seed {seed:#x}: {} cases in {round} rounds, {} objects compared, {} agreements \
         ({} of them drifted; {} more only with --strict, after undeclared writes), {} listed \
         disagreements {:?}, {} unexplained",
        tally.cases,
        tally.objects,
        tally.agreements,
        tally.drifted,
        tally.strict_only,
        tally.listed.values().sum::<usize>(),
        tally.listed,
        tally.failures.len()
    );
    assert!(
        tally.failures.is_empty(),
        "{} disagreements with kubectl diff:\n{}",
        tally.failures.len(),
        tally.failures.join("\n")
    );
    // Not vacuous: the cases drove both answers.
    assert!(
        tally.drifted > 0 && tally.agreements > tally.drifted,
        "{} drifted of {}",
        tally.drifted,
        tally.agreements
    );
}

/// The first disagreement the generator found, kept: env vars reordered by hand go back to
/// Git's order when Git is applied, so they are drift (in the dry run's answer and in the
/// pre-check), with or without `--strict`.
#[test]
fn keyed_items_reordered_by_hand_are_drift_as_kubectl_diff_says() {
    let ns = namespace("reordered", &[CONTEXT]);
    let yaml = generated(0);
    let repo = git_repo(&[("k8s/app.yaml", &yaml)]);
    let out = kubectl_in(
        &ns,
        &[
            "apply",
            "--server-side",
            "--field-manager",
            "pipeline",
            "-f",
            "-",
        ],
        Some(&yaml),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let args = [
        "--context",
        CONTEXT,
        "--path",
        "k8s",
        "-n",
        &ns,
        "--field-manager",
        "pipeline",
    ];
    let (code, report) = check_json(repo.path(), &args);
    assert_eq!(code, 0, "{report:#}");

    let live: Value = serde_json::from_str(&kubectl_ok(
        CONTEXT,
        &["-n", &ns, "get", "deployment/gen-00", "-o", "json"],
    ))
    .unwrap();
    let change = deployment_change(&live, 13, 0, &mut Rng(0));
    assert_eq!(change.what, "env of app reordered");
    make_change(&ns, "deployment/gen-00", &change).unwrap();

    let docs = documents(&[&yaml]);
    let oracle = kubectl_diff(&ns, "pipeline", &docs);
    let (before, after) = &oracle.sides["Deployment/gen-00"];
    let theirs = kubectl_paths(before, after);
    assert!(
        theirs
            .iter()
            .any(|p| p.ends_with(&["env".to_string(), "name".to_string()])),
        "{theirs:?}"
    );
    for strict in [false, true] {
        let args: Vec<&str> = args
            .iter()
            .copied()
            .chain(strict.then_some("--strict"))
            .collect();
        let (code, report) = check_json(repo.path(), &args);
        assert_eq!(code, 1, "--strict {strict}: {report:#}");
        let resource = crate::check::resource(&report, "Deployment", "gen-00");
        let paths: Vec<&str> = resource["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["path"].as_str().unwrap())
            .collect();
        assert_eq!(
            paths,
            ["spec.template.spec.containers[name=app].env"],
            "{resource:#}"
        );
    }
}

/// The verdict on a Helm release against the oracle a Helm user would reach for:
/// `helm template … | kubectl diff --server-side --force-conflicts`. The chart fixture is
/// installed with `helm install` (helm's own three-way merge, manager `helm`), changed by
/// hand with the generator above, and checked from Git with the chart rendered by
/// kubectl-drift; kubectl diff gets helm's own render of the same chart and values.
#[test]
fn hand_changes_to_a_helm_release_agree_with_helm_template_and_kubectl_diff() {
    use crate::helm::{chart_repo, helm_binary, install, PRODUCTION_VALUES};
    let cases = env_number("KUBECTL_DRIFT_DIFF_CASES", 60) as usize * 2 / 3;
    let seed = env_number("KUBECTL_DRIFT_DIFF_SEED", 0x5eed_d1ff) ^ 0x4e1e;
    let mut rng = Rng(seed);
    let repo = chart_repo(&[]);
    let server = kubectl_ok(CONTEXT, &["version", "-o", "json"]);
    let server: Value = serde_json::from_str(&server).unwrap();
    let kube_version = server["serverVersion"]["gitVersion"]
        .as_str()
        .unwrap()
        .to_string();
    let mut tally = Tally::default();
    let mut round = 0;
    while tally.cases < cases {
        let ns = namespace("helm-differential", &[CONTEXT]);
        install(repo.path(), &ns);
        // helm's own render, as a Helm user would feed kubectl diff.
        let rendered = crate::helm::helm(
            CONTEXT,
            &[
                "template",
                "shop",
                repo.path().join("charts/shop").to_str().unwrap(),
                "-n",
                &ns,
                "-f",
                repo.path().join(PRODUCTION_VALUES).to_str().unwrap(),
                "--kube-version",
                &kube_version,
                "--api-versions",
                "shop.example.com/v1alpha1",
                "--include-crds",
                "--no-hooks",
            ],
        );
        let docs = documents(&[&rendered]);
        let listed: Value = serde_json::from_str(&kubectl_ok(
            CONTEXT,
            &[
                "-n",
                &ns,
                "get",
                "deployments,services,configmaps,secrets,shopfeatures",
                "-o",
                "json",
            ],
        ))
        .unwrap();
        let objects: Vec<&Value> = listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|o| {
                o["metadata"]["name"] != "kube-root-ca.crt" && o["type"] != "helm.sh/release.v1"
            })
            .collect();
        let mut changes: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for obj in &objects {
            if tally.cases >= cases || rng.chance(25) {
                continue;
            }
            let id = object_id(obj);
            let target = format!(
                "{}/{}",
                obj["kind"].as_str().unwrap().to_lowercase(),
                obj["metadata"]["name"].as_str().unwrap()
            );
            let live: Value = serde_json::from_str(&kubectl_ok(
                CONTEXT,
                &["-n", &ns, "get", &target, "-o", "json"],
            ))
            .unwrap();
            let change = hand_change(&live, &mut rng);
            match make_change(&ns, &target, &change) {
                Ok(()) => {
                    tally.cases += 1;
                    changes.entry(id).or_default().push(change.what);
                }
                Err(e) => eprintln!(
                    "helm differential: {id}: {} refused: {}",
                    change.what,
                    e.trim()
                ),
            }
        }
        let binary = helm_binary();
        let mut args = vec!["--context", CONTEXT, "--path", "charts/shop", "-n", &ns];
        args.extend(binary.iter().map(String::as_str));
        args.extend(["--helm-values", PRODUCTION_VALUES]);
        let (code, report) = check_json(repo.path(), &args);
        assert!(matches!(code, 0 | 1), "{report:#}");
        // Helm's objects carry no pipeline manager kubectl-drift would write as, so its dry
        // runs use its own name; kubectl diff is given the same.
        let oracle = kubectl_diff(&ns, "kubectl-drift", &docs);
        // An object whose apply the server refuses: kubectl diff cannot answer for it;
        // kubectl-drift must not call it in sync.
        let status = |id: &str| {
            report["resources"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| {
                    format!(
                        "{}/{}",
                        r["kind"].as_str().unwrap(),
                        r["name"].as_str().unwrap()
                    ) == id
                })
                .map_or("absent".to_string(), |r| {
                    r["status"].as_str().unwrap().to_string()
                })
        };
        for (id, message) in &oracle.refused {
            tally.objects += 1;
            match status(id).as_str() {
                "Error" | "Drifted" => *tally.listed.entry(REFUSED).or_default() += 1,
                other => tally.failures.push(format!(
                    "seed {seed:#x}, round {round}, {id} in {ns}: kubectl diff fails ({message}) but kubectl-drift says {other}"
                )),
            }
        }
        let ours: BTreeMap<String, BTreeSet<Vec<String>>> = report["resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let id = format!(
                    "{}/{}",
                    r["kind"].as_str().unwrap(),
                    r["name"].as_str().unwrap()
                );
                assert!(
                    matches!(r["status"].as_str(), Some("InSync" | "Drifted"))
                        || oracle.refused.contains_key(&id),
                    "{r:#}"
                );
                let paths = r["fields"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|f| drift_path(f["path"].as_str().unwrap()))
                    .collect();
                (id, paths)
            })
            .collect();
        assert_eq!(
            ours.keys()
                .filter(|id| !oracle.refused.contains_key(*id))
                .collect::<BTreeSet<_>>(),
            oracle.sides.keys().collect::<BTreeSet<_>>(),
            "the same objects, from kubectl-drift's render and helm's"
        );
        for (id, (before, after)) in &oracle.sides {
            tally.objects += 1;
            let kubectl = kubectl_paths(before, after);
            let drift = ours.get(id).cloned().unwrap_or_default();
            let mapped = drift.iter().all(|d| kubectl.iter().any(|k| related(d, k)))
                && kubectl.iter().all(|k| drift.iter().any(|d| related(d, k)));
            if mapped {
                tally.agreements += 1;
                tally.drifted += usize::from(!drift.is_empty());
            } else {
                tally.failures.push(format!(
                    "seed {seed:#x}, round {round}, {id} in {ns}, changes {:?}:\n  kubectl-drift: {drift:?}\n  kubectl diff:  {kubectl:?}",
                    changes.get(id).cloned().unwrap_or_default()
                ));
            }
        }
        round += 1;
    }
    eprintln!(
        "helm differential: seed {seed:#x}: {} cases in {round} releases, {} objects compared, {} agreements ({} drifted), {} listed {:?}, {} disagreements",
        tally.cases,
        tally.objects,
        tally.agreements,
        tally.drifted,
        tally.listed.values().sum::<usize>(),
        tally.listed,
        tally.failures.len()
    );
    assert!(
        tally.failures.is_empty(),
        "{} disagreements with helm template | kubectl diff:\n{}",
        tally.failures.len(),
        tally.failures.join("\n")
    );
    assert!(
        tally.drifted > 0 && tally.agreements > tally.drifted,
        "{} drifted of {}",
        tally.drifted,
        tally.agreements
    );
}
