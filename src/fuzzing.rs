//! Entry points for fuzzing the code that reads hostile input: YAML, manifests, Git trees,
//! and the normalizer, differ and pre-check over arbitrary JSON. Each takes raw bytes and
//! panics when a property fails, so that the cargo-fuzz targets in `fuzz/` and the seeded
//! test `tests/fuzz_seeded.rs` run exactly the same checks. Not part of the tool.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::{json, Map, Value};

use crate::drift::{diff, normalize, precheck, schema::Schema};
use crate::source::{git, manifest};

/// The YAML reader: never panics, errors point inside the text, and what it reads is
/// written back by [`crate::yaml::to_string`] into text that reads back the same.
pub fn yaml(data: &[u8]) {
    let Ok(text) = crate::yaml::decode(data) else {
        return;
    };
    let lines = yaml_lines(&text);
    match crate::yaml::read_stream(&text) {
        Ok(documents) => {
            for document in documents {
                assert!(
                    document.line >= 1 && document.line <= lines + 1,
                    "document line {} outside the text's {lines} lines",
                    document.line
                );
                round_trip(&document.value);
            }
        }
        Err(e) => assert_position(&e, lines),
    }
    if let Err(e) = crate::yaml::read(&text) {
        assert_position(&e, lines);
    }
}

/// Lines as YAML counts them: `\r\n`, `\r` and `\n` each end one.
fn yaml_lines(text: &str) -> usize {
    text.replace("\r\n", "\n").matches(['\r', '\n']).count() + 1
}

fn assert_position(e: &crate::yaml::Error, lines: usize) {
    assert!(
        e.line >= 1 && e.line <= lines + 1 && e.column >= 1,
        "error position {}:{} outside the text's {lines} lines ({})",
        e.line,
        e.column,
        e.kind
    );
}

fn round_trip(value: &Value) {
    let written = crate::yaml::to_string(value).expect("a JSON value can be written as YAML");
    let back = crate::yaml::read(&written)
        .unwrap_or_else(|e| panic!("written YAML does not read back: {e}\n{written}"));
    assert_eq!(
        &back, value,
        "written YAML reads back differently:\n{written}"
    );
}

/// The manifest loader: the first byte picks the file's extension; every object it
/// returns has a kind and a name, an origin inside the file, and a manifest that reads back.
pub fn manifests(data: &[u8]) {
    let Some((&pick, bytes)) = data.split_first() else {
        return;
    };
    let file = ["in.yaml", "in.yml", "in.json"][usize::from(pick) % 3];
    let lines = bytes
        .iter()
        .filter(|b| **b == b'\n' || **b == b'\r')
        .count()
        + 1;
    if let Ok(objects) = manifest::parse(file, bytes, Some("0123456789abcdef")) {
        for object in objects {
            assert!(!object.kind().is_empty() && !object.name().is_empty());
            // Kept as compact JSON, the manifest reads back whole.
            let manifest = object.manifest();
            assert_eq!(manifest["kind"].as_str(), Some(object.kind()));
            assert_eq!(manifest["metadata"]["name"].as_str(), Some(object.name()));
            assert_eq!(object.origin.file, file);
            assert!(
                object.origin.line >= 1 && object.origin.line <= lines,
                "origin line {} outside the file's {lines} lines",
                object.origin.line
            );
        }
    }
}

/// One bare repository per process; objects are content-addressed, so every input writes
/// into the same one without clashing.
fn scratch_repository() -> &'static Path {
    static REPO: OnceLock<PathBuf> = OnceLock::new();
    REPO.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("kubectl-drift-fuzz-")
            .tempdir()
            .expect("a temporary folder");
        let path = dir.keep();
        gix::init_bare(&path).expect("a bare repository");
        path
    })
}

/// Reads `data` as tree entries, written as raw Git objects (no validation on the way in,
/// as a hostile push would have them): per entry a mode byte, a name length and name, and
/// a content length and content (or, for a tree, a count of the entries that follow).
struct TreeInput<'a> {
    data: &'a [u8],
}

impl TreeInput<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.data.split_first()?;
        self.data = rest;
        Some(b)
    }
    fn bytes(&mut self, n: usize) -> &[u8] {
        let (taken, rest) = self.data.split_at(n.min(self.data.len()));
        self.data = rest;
        taken
    }

    /// Writes one tree of up to `count` entries and returns its id.
    fn tree(&mut self, repo: &gix::Repository, count: usize, depth: usize) -> gix::ObjectId {
        use gix::objs::Write as _;
        let mut raw = Vec::new();
        for _ in 0..count {
            let Some(mode) = self.byte() else { break };
            let len = usize::from(self.byte().unwrap_or(0) % 32);
            let name = self.bytes(len).to_vec();
            let (mode_text, id): (&[u8], gix::ObjectId) = match mode % 8 {
                0 | 1 if depth < 4 => {
                    let children = usize::from(self.byte().unwrap_or(0) % 6);
                    (b"40000", self.tree(repo, children, depth + 1))
                }
                2 => (b"100755", self.blob(repo)),
                3 => (b"120000", self.blob(repo)),
                4 => (b"160000", self.blob(repo)),
                5 => (b"100664", self.blob(repo)),
                _ => (b"100644", self.blob(repo)),
            };
            raw.extend_from_slice(mode_text);
            raw.push(b' ');
            raw.extend_from_slice(&name);
            raw.push(0);
            raw.extend_from_slice(id.as_bytes());
        }
        repo.objects
            .write_buf(gix::objs::Kind::Tree, &raw)
            .expect("a tree object")
    }

    fn blob(&mut self, repo: &gix::Repository) -> gix::ObjectId {
        let len = usize::from(self.byte().unwrap_or(0));
        let content = self.bytes(len).to_vec();
        repo.write_blob(content).expect("a blob").detach()
    }
}

/// The Git tree reader over a commit whose tree is built from `data`: whatever the entry
/// names (`..`, `/`, `.git`, NUL, control characters), every path it returns stays inside
/// the tree, with no empty, `.`, `..` or `.git` component and no control character.
pub fn git_tree(data: &[u8]) {
    thread_local! {
        static REPO: gix::Repository =
            gix::open(scratch_repository()).expect("the scratch repository opens");
    }
    REPO.with(|repo| read_fuzzed_tree(repo, data));
}

fn read_fuzzed_tree(repo: &gix::Repository, data: &[u8]) {
    use gix::objs::Write as _;
    let path = scratch_repository();
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let mut input = TreeInput { data: rest };
    let tree = input.tree(repo, usize::MAX, 0);
    let commit = format!(
        "tree {tree}\nauthor fuzz <fuzz@example.com> 0 +0000\ncommitter fuzz <fuzz@example.com> 0 +0000\n\nfuzz\n"
    );
    let commit = repo
        .objects
        .write_buf(gix::objs::Kind::Commit, commit.as_bytes())
        .expect("a commit object")
        .to_string();
    // A path argument taken from the input's own bytes, as `--path` could name one.
    let paths = match pick % 3 {
        0 => Vec::new(),
        _ => vec![
            String::from_utf8_lossy(&rest[..rest.len().min(usize::from(pick >> 2))]).into_owned(),
        ],
    };
    if let Ok(snapshot) = git::read_tree(Some(path), &commit, &paths, pick.is_multiple_of(2)) {
        assert_eq!(snapshot.commit, commit);
        for (name, _) in &snapshot.files {
            assert_safe_path(name);
        }
    }
}

/// A path from a tree, safe to join onto a folder and write.
pub fn assert_safe_path(name: &str) {
    assert!(!name.is_empty(), "an empty path");
    assert!(
        !name.chars().any(char::is_control),
        "a control character in {name:?}"
    );
    for component in name.split('/') {
        assert!(
            !matches!(component, "" | "." | "..") && !component.eq_ignore_ascii_case(".git"),
            "an unsafe component {component:?} in {name:?}"
        );
    }
}

/// A schema in the server's own form: a Pod with atomic, keyed and set lists, atomic maps
/// and structs, quantities, int-or-string values and defaults in list keys.
pub fn pod_schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let r = |name: &str| json!({"allOf": [{"$ref": format!("#/components/schemas/{name}")}]});
        Schema::from_openapi(&json!({"components": {"schemas": {
            "Pod": {"type": "object",
                "x-kubernetes-group-version-kind": [{"group": "", "version": "v1", "kind": "Pod"}],
                "properties": {"apiVersion": {"type": "string"}, "kind": {"type": "string"},
                    "metadata": r("ObjectMeta"), "spec": r("PodSpec"), "data": {"type": "object",
                    "additionalProperties": {"type": "string", "format": "byte"}},
                    "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}},
            "ObjectMeta": {"type": "object", "properties": {"name": {"type": "string"},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "finalizers": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "set"}}},
            "PodSpec": {"type": "object", "properties": {
                "tolerations": {"type": "array", "items": r("Toleration"), "x-kubernetes-list-type": "atomic"},
                "nodeSelector": {"type": "object", "additionalProperties": {"type": "string"}, "x-kubernetes-map-type": "atomic"},
                "containers": {"type": "array", "items": r("Container"),
                    "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"]}}},
            "Toleration": {"type": "object", "properties": {"key": {"type": "string"},
                "operator": {"type": "string"}}},
            "Container": {"type": "object", "properties": {"name": {"type": "string"},
                "image": {"type": "string"},
                "args": {"type": "array", "items": {"type": "string"}},
                "resources": {"type": "object", "properties": {"limits": {"type": "object",
                    "additionalProperties": r("io.k8s.apimachinery.pkg.api.resource.Quantity")}}},
                "ports": {"type": "array", "items": r("ContainerPort"),
                    "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["containerPort", "protocol"]}}},
            "ContainerPort": {"type": "object", "properties": {"containerPort": {"type": "integer"},
                "protocol": {"type": "string", "default": "TCP"},
                "port": r("io.k8s.apimachinery.pkg.util.intstr.IntOrString")}},
            "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {"format": "int-or-string",
                "oneOf": [{"type": "integer"}, {"type": "string"}]},
            "io.k8s.apimachinery.pkg.api.resource.Quantity": {"oneOf": [{"type": "string"}, {"type": "number"}]}
        }}}))
    })
}

/// Words the generated values are made of: the fields the normalizer, differ and schema
/// care about, and values that look like quantities, keys and schema terms.
const WORDS: &[&str] = &[
    "apiVersion",
    "kind",
    "v1",
    "Pod",
    "metadata",
    "name",
    "namespace",
    "labels",
    "annotations",
    "finalizers",
    "managedFields",
    "manager",
    "operation",
    "fieldsV1",
    "fieldsType",
    "f:spec",
    "f:metadata",
    "k:{\"name\":\"a\"}",
    "v:\"x\"",
    ".",
    "status",
    "resourceVersion",
    "uid",
    "spec",
    "containers",
    "image",
    "args",
    "ports",
    "containerPort",
    "protocol",
    "TCP",
    "UDP",
    "port",
    "resources",
    "limits",
    "cpu",
    "500m",
    "0.5",
    "1Gi",
    "1e3",
    "tolerations",
    "key",
    "operator",
    "nodeSelector",
    "data",
    "stringData",
    "extra",
    "a",
    "b",
    "",
    "kubectl.kubernetes.io/last-applied-configuration",
    "Secret",
    "components",
    "schemas",
    "type",
    "object",
    "array",
    "string",
    "integer",
    "properties",
    "items",
    "$ref",
    "#/components/schemas/Pod",
    "#/components/schemas/X",
    "allOf",
    "oneOf",
    "additionalProperties",
    "x-kubernetes-list-type",
    "map",
    "set",
    "atomic",
    "x-kubernetes-list-map-keys",
    "x-kubernetes-map-type",
    "granular",
    "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-int-or-string",
    "int-or-string",
    "format",
    "default",
    "x-kubernetes-group-version-kind",
    "group",
    "version",
    "X",
];

/// Turns bytes into JSON values, choice by choice.
struct ValueInput<'a> {
    data: &'a [u8],
}

impl ValueInput<'_> {
    fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }
    fn word(&mut self) -> String {
        let b = self.byte();
        WORDS[usize::from(b) % WORDS.len()].to_string()
    }
    fn value(&mut self, depth: usize) -> Value {
        let deep = depth >= 8;
        match self.byte() % 10 {
            _ if self.data.is_empty() => Value::Null,
            0 => Value::Null,
            1 => Value::Bool(self.byte().is_multiple_of(2)),
            2 => json!(i64::from(self.byte() as i8) * i64::from(self.byte())),
            3 => json!(f64::from(self.byte()) / 4.0),
            4 | 5 => Value::String(self.word()),
            6 | 7 if !deep => {
                let n = self.byte() % 5;
                Value::Array((0..n).map(|_| self.value(depth + 1)).collect())
            }
            8 | 9 if !deep => {
                let n = self.byte() % 6;
                let mut map = Map::new();
                for _ in 0..n {
                    let key = self.word();
                    let value = self.value(depth + 1);
                    map.insert(key, value);
                }
                Value::Object(map)
            }
            _ => Value::String(self.word()),
        }
    }
}

/// The normalizer, differ and pre-check over a pair of JSON values made from `data`,
/// checked against the Pod schema and against a schema document made from the input too:
/// nothing panics, normalizing twice changes nothing, and a value never differs from itself.
pub fn drift_pair(data: &[u8]) {
    let mut input = ValueInput { data };
    let mode = input.byte();
    let git = input.value(0);
    let live = if mode.is_multiple_of(4) {
        git.clone()
    } else {
        input.value(0)
    };
    let generated = Schema::from_openapi(&json!({"components": {"schemas": {
        "Pod": input.value(0), "X": input.value(0)
    }}}));
    for value in [&git, &live] {
        let normal = normalize::normalize(value);
        assert_eq!(
            normalize::normalize(&normal),
            normal,
            "normalizing is idempotent"
        );
        assert!(diff::diff(value, value).is_empty(), "diff(a, a) is empty");
        assert!(
            diff::diff(&normal, &normal).is_empty(),
            "diff(a, a) is empty"
        );
    }
    let drift = crate::drift::exact(&git, &live, Default::default(), None);
    if git == live {
        assert!(drift.fields.is_empty(), "an object drifts from itself");
    }
    for schema in [pod_schema(), &generated] {
        let ty = schema.kind("", "v1", "Pod");
        let _ = precheck::declared_differences(&git, &live, ty);
        let _ = precheck::proves_in_sync(&git, &live, "kubectl-drift", ty);
        let _ = crate::drift::declared(&git, &live, ty, Default::default());
        let _ = serde_json::to_string(schema).expect("a schema serializes");
    }
    let _ = precheck::declared_differences(&git, &live, None);
}

/// A plan as `fix --dry-run --save-plan` writes one, sealed: two applies (one client-side),
/// a create, a delete and a Secret read from Git.
pub fn sealed_plan() -> crate::fix::plan::FixPlan {
    use crate::fix::plan::{self, Action, FixPlan, PlanContext, PlanEntry, SecretSource};
    let body = |kind: &str, name: &str| {
        json!({"apiVersion": "v1", "kind": kind,
            "metadata": {"name": name, "namespace": "shop"}, "data": {"greeting": "hello"}})
    };
    let entry = |action: Action, name: &str| PlanEntry {
        context: "staging".into(),
        action,
        api_version: "v1".into(),
        kind: "ConfigMap".into(),
        resource: "configmaps".into(),
        namespace: Some("shop".into()),
        name: name.into(),
        manager: "pipeline".into(),
        client_side: false,
        fields: vec!["data.greeting".into()],
        conflicts: vec!["data.greeting".into()],
        resource_version: Some("41".into()),
        must_not_exist: false,
        body: Some(body("ConfigMap", name)),
        last_applied: None,
        secret_source: None,
        digest: String::new(),
    };
    let mut client_side = entry(Action::Apply, "beta");
    client_side.manager = crate::cluster::live::CLIENT_SIDE_APPLY.into();
    client_side.client_side = true;
    client_side.last_applied = Some(body("ConfigMap", "beta"));
    let mut create = entry(Action::Create, "gamma");
    create.resource_version = None;
    create.must_not_exist = true;
    create.conflicts.clear();
    let mut delete = entry(Action::Delete, "stray");
    delete.manager = String::new();
    delete.body = None;
    delete.fields.clear();
    delete.conflicts.clear();
    let mut secret = entry(Action::Apply, "creds");
    secret.kind = "Secret".into();
    secret.resource = "secrets".into();
    secret.body = None;
    secret.secret_source = Some(SecretSource {
        file: "k8s/app.yaml".into(),
        line: 1,
        commit: "c0ffee".into(),
        sha256: "0".repeat(64),
    });
    let mut sealed = FixPlan {
        api_version: plan::API_VERSION.into(),
        kind: plan::KIND.into(),
        commit: Some("c0ffee".into()),
        created: chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default(),
        contexts: vec![PlanContext {
            name: "staging".into(),
            server: "https://127.0.0.1:6443".into(),
            cluster_uid: "5b1e2c3d-0000-4000-8000-000000000000".into(),
        }],
        entries: vec![
            entry(Action::Apply, "alpha"),
            client_side,
            create,
            delete,
            secret,
        ],
    };
    plan::seal(&mut sealed);
    sealed
}

/// Plan files: the first byte picks a field of a sealed plan to alter, the rest is a plan
/// file and the new value. Reading and checking any file never panics, and what reads
/// passes its check; the sealed plan altered in any field that matters (and so at any
/// field but `created`) is refused, as a value and as a file.
pub fn plan(data: &[u8]) {
    use crate::fix::plan;
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    if let Ok(read) = plan::parse(rest, "fuzz.json") {
        if let Err(e) = plan::check(&read) {
            panic!("a plan that reads fails its check: {e}");
        }
    }
    let sealed = sealed_plan();
    let file = serde_json::to_vec(&sealed).expect("a plan serializes");
    if let Err(e) = plan::parse(&file, "fuzz.json") {
        panic!("the sealed plan is refused: {e}");
    }
    let value = String::from_utf8_lossy(&rest[..rest.len().min(24)]).into_owned();
    let mut altered = sealed.clone();
    let at = usize::from(pick >> 4) % altered.entries.len();
    let e = &mut altered.entries[at];
    let text = |old: &str| match value == old {
        true => format!("{old}-"),
        false => value.clone(),
    };
    match pick % 16 {
        0 => e.context = text(&e.context),
        1 => e.namespace = Some(text(e.namespace.as_deref().unwrap_or_default())),
        2 => e.kind = text(&e.kind),
        3 => e.api_version = text(&e.api_version),
        4 => e.resource = text(&e.resource),
        5 => e.name = text(&e.name),
        6 => e.manager = text(&e.manager),
        7 => e.client_side = !e.client_side,
        8 => e.resource_version = Some(text(e.resource_version.as_deref().unwrap_or("0"))),
        9 => e.must_not_exist = !e.must_not_exist,
        10 => match &mut e.body {
            Some(body) => body["data"]["greeting"] = Value::String(text("hello")),
            None => e.body = Some(json!({"kind": value})),
        },
        11 => e.fields.push(text("data.greeting")),
        12 => e.digest = text(&e.digest),
        13 => altered.commit = Some(text("c0ffee")),
        14 => altered.contexts[0].server = text(&altered.contexts[0].server),
        _ => altered.contexts[0].cluster_uid = text(&altered.contexts[0].cluster_uid),
    }
    assert!(
        plan::check(&altered).is_err(),
        "an altered plan passes its check (field {})",
        pick % 16
    );
    let file = serde_json::to_vec(&altered).expect("a plan serializes");
    assert!(
        plan::parse(&file, "fuzz.json").is_err(),
        "an altered plan file reads (field {})",
        pick % 16
    );
}

/// Names from a repository and the runner's argument vectors: the input is split at NUL
/// into values. A name any check accepts (release, chart, `--set` key, values file) never
/// starts with `-`; a release name keeps Helm's rule. Built into an argument vector as
/// option values and operands, no value is read as a flag: parsed the way helm's and git's
/// flag parsers read arguments, only the tool's own flags appear, each with its value
/// whole, and the operands come back exactly, in order, after `--`.
pub fn program_args(data: &[u8]) {
    use crate::runner::Program;
    use crate::settings::source::{
        check_chart_name, check_release_name, check_set_key, check_values_name,
    };
    let values: Vec<String> = data
        .split(|b| *b == 0)
        .map(|v| String::from_utf8_lossy(v).into_owned())
        .collect();
    for value in &values {
        if check_release_name(value).is_ok() {
            assert!(!value.starts_with('-') && value.len() <= 53, "{value:?}");
            assert!(
                value
                    .split('.')
                    .all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-')),
                "{value:?}"
            );
        }
        for (what, ok) in [
            ("chart name", check_chart_name(value).is_ok()),
            ("set key", check_set_key(value).is_ok()),
            ("values file", check_values_name(value).is_ok()),
        ] {
            assert!(!(ok && value.starts_with('-')), "{what} {value:?} passed");
        }
        if check_set_key(value).is_ok() {
            // `\` escapes the next character; no other `,` or `=` may be left.
            let mut chars = value.chars();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => {
                        chars.next();
                    }
                    ',' | '=' => panic!("set key {value:?} passed"),
                    _ => {}
                }
            }
        }
    }
    let (options, operands) = values.split_at(values.len() / 2);
    let mut program = Program::new("helm", "helm template", "fuzz")
        .arg("template")
        .arg("--include-crds");
    for (i, value) in options.iter().enumerate() {
        program = program.option(["--set", "--values", "--namespace"][i % 3], value);
    }
    for value in operands {
        program = program.operand(value);
    }
    let argv: Vec<String> = program
        .argv()
        .into_iter()
        .map(|a| a.into_string().expect("built from UTF-8"))
        .collect();
    let mut flags = Vec::new();
    let mut positionals = Vec::new();
    let mut rest = argv.iter();
    for arg in rest.by_ref() {
        if arg == "--" {
            break;
        }
        if let Some(flag) = arg.strip_prefix("--") {
            flags.push(
                flag.split_once('=')
                    .map_or((flag, None), |(f, v)| (f, Some(v))),
            );
        } else {
            assert!(!arg.starts_with('-'), "{arg:?} reads as a short flag");
            positionals.push(arg.as_str());
        }
    }
    positionals.extend(rest.map(String::as_str));
    assert_eq!(positionals[0], "template");
    assert_eq!(
        positionals[1..],
        operands.iter().map(String::as_str).collect::<Vec<_>>()[..]
    );
    assert_eq!(flags[0], ("include-crds", None));
    for ((flag, value), (i, given)) in flags[1..].iter().zip(options.iter().enumerate()) {
        assert_eq!(*flag, ["set", "values", "namespace"][i % 3]);
        assert_eq!(*value, Some(given.as_str()));
    }
    assert_eq!(flags.len(), options.len() + 1);
}
