//! The YAML reader against the oracle: the same files go to `kubectl create --dry-run=client
//! -o json -f FILE` (which needs the API server only to map kinds) and to
//! `kubectl_drift::yaml`, and both must give the same JSON, or both fail. The files come
//! from a seeded generator over tricky scalar forms (octal, YAML 1.1 booleans, underscores,
//! hex, binary, sexagesimal, floats, nulls, big integers, timestamps), styles (plain,
//! quoted, block, tagged) and positions (values, keys, flow and block collections, merge
//! keys, anchors), in multi-document streams with BOMs, CRLF, comments, empty documents and
//! `---` inside strings.
//!
//! Where kubectl-drift deliberately differs, the difference is listed in [`KNOWN`] and
//! asserted to be exactly that difference:
//! - a duplicate mapping key: kubectl keeps the last value without a word; kubectl-drift
//!   refuses the file (the YAML spec forbids it, `kubectl kustomize` refuses it too, and
//!   which value Git means is anyone's guess);
//! - nesting deeper than `yaml::MAX_DEPTH` (1000): kubectl reads up to 10000 levels;
//!   kubectl-drift refuses earlier so that a hostile file cannot make it work for long;
//! - a plain `-` right before a flow indicator (`[cat, -]`): libyaml reads a string, the
//!   YAML 1.2 parser under kubectl-drift refuses it, and the error names the line.

use std::path::Path;

use kubectl_drift::yaml;
use serde_json::Value;

use crate::common::*;

/// The deliberate differences, with their reasons (see the module comment).
const KNOWN: &[(&str, &str)] = &[
    (
        "duplicate key",
        "kubectl keeps the last value silently; kubectl-drift reports the key and both lines",
    ),
    (
        "depth",
        "kubectl reads up to 10000 levels; kubectl-drift stops at yaml::MAX_DEPTH",
    ),
    (
        "dash in flow",
        "libyaml reads a plain `-` before `,` `]` `}` as a string; YAML 1.2 and \
         granit-parser refuse it, so kubectl-drift reports the line (quote it: '-')",
    ),
];

/// A small seeded generator (xorshift64*), so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// Plain scalars that every reader accepts as values and as keys.
const SCALARS: &[&str] = &[
    // octal file modes and leading zeros
    "0644",
    "0755",
    "0777",
    "0o644",
    "0O17",
    "00",
    "0",
    "08",
    "09",
    "0_644",
    "-0644",
    "+0644",
    // YAML 1.1 booleans, and near misses
    "y",
    "Y",
    "yes",
    "Yes",
    "YES",
    "n",
    "N",
    "no",
    "No",
    "NO",
    "true",
    "True",
    "TRUE",
    "false",
    "False",
    "FALSE",
    "on",
    "On",
    "ON",
    "off",
    "Off",
    "OFF",
    "yES",
    "oN",
    "tRUE",
    "nO",
    "Of",
    // underscores
    "1_000",
    "1__0",
    "_1",
    "1_",
    "1_000.5",
    "0x_FF",
    "0b1_0",
    "1_0e1_0",
    "-1_000",
    // hex and binary
    "0x1F",
    "0X1f",
    "0xg",
    "-0x10",
    "+0x10",
    "0x",
    "0b101",
    "0B11",
    "-0b101",
    "0b-1",
    "0b2",
    "0b",
    // sexagesimal (go-yaml v2 reads these as strings)
    "1:20",
    "190:20:30",
    "1:20.5",
    "-1:30",
    // floats
    "1.5",
    ".5",
    "-.5",
    "+1.5",
    "1.",
    "1e3",
    "1E-3",
    "1.0",
    "6.02e23",
    "1e400",
    "-1e400",
    "1e-400",
    "1e21",
    "1e20",
    "0.1",
    "3.14159265358979",
    "1e-7",
    "12e",
    "1.2.3",
    "._5",
    ".e1",
    "-.iNf",
    ".infinity",
    "+.nan",
    // big integers
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "123456789012345678901234567890",
    "-18446744073709551616",
    // timestamps
    "2001-12-14",
    "2001-12-14t21:59:43.10-05:00",
    "2001-12-14 21:59:43.10",
    "2002-1-2",
    "2001-12-14T21:59:43Z",
    "1999-99-99",
    // strings
    "hello",
    "a b",
    "--",
    "-x",
    "+",
    "<<x",
    "=",
    "~x",
    "0x1F-thing",
    "v1.2.3",
    "1.10",
    "10.0.0.1",
];

/// Plain scalars that are values but no JSON key, or keys but no JSON value.
const VALUE_ONLY: &[&str] = &["~", "null", "Null", "NULL", "18446744073709551615"];
const KEY_ONLY: &[&str] = &[
    ".nan", ".NaN", ".NAN", ".inf", ".Inf", "-.inf", "+.INF", "-.Inf",
];

fn single_quoted(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A scalar in a random style, for a flow or block position.
fn scalar(rng: &mut Rng, pool: &[&str]) -> String {
    let text = rng.pick(pool);
    match rng.below(10) {
        0 => single_quoted(text),
        1 => serde_json::to_string(text).unwrap(),
        2 => format!("!!str {text}"),
        _ => text.to_string(),
    }
}

fn value_pool() -> Vec<&'static str> {
    SCALARS.iter().chain(VALUE_ONLY).copied().collect()
}

/// One ConfigMap, Secret or Deployment with generated values in every kind of position.
fn document(rng: &mut Rng, index: usize) -> String {
    let values = value_pool();
    let v = |rng: &mut Rng| scalar(rng, &values);
    let mut doc = String::new();
    let name = format!("case-{index}");
    // metadata is read into ObjectMeta even here, so generated values stay out of it.
    match rng.below(3) {
        0 => doc.push_str(&format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  labels:\n    l: x\n"
        )),
        1 => doc.push_str(&format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\ntype: Opaque\nstringData:\n  s: {}\n",
            v(rng)
        )),
        _ => doc.push_str(&format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  replicas: {}\n  template:\n    spec:\n      containers:\n      - name: c\n        image: {}\n        args: [{}, {}]\n",
            v(rng),
            v(rng),
            v(rng),
            v(rng)
        )),
    }
    doc.push_str("data:\n");
    for i in 0..2 + rng.below(5) {
        match rng.below(9) {
            0 => doc.push_str(&format!("  flow{i}: [{}, {}]\n", v(rng), v(rng))),
            1 => doc.push_str(&format!("  map{i}: {{k: {}, {}: x}}\n", v(rng), scalar(rng, SCALARS))),
            2 => doc.push_str(&format!("  seq{i}:\n  - {}\n  -   {}\n", v(rng), v(rng))),
            3 => doc.push_str(&format!("  key{i}:\n    {}: v\n", scalar(rng, SCALARS))),
            4 => doc.push_str(&format!(
                "  block{i}: |\n    first {}\n    ---\n    last\n  folded{i}: >-\n    one\n    two\n",
                rng.pick(SCALARS)
            )),
            5 => doc.push_str(&format!(
                "  base{i}: &b{i} {{x: {}, y: {}}}\n  merged{i}:\n    y: {}\n    <<: *b{i}\n    z: {}\n  list{i}:\n    <<: [{{x: {}}}, *b{i}]\n  alias{i}: *b{i}\n",
                v(rng),
                v(rng),
                v(rng),
                v(rng),
                v(rng)
            )),
            6 => doc.push_str(&format!(
                "  tagged{i}: [!!int {}, !!float {}, !!bool {}]\n",
                rng.pick(&["1", "0x10", "0644", "-7", "1_000"]),
                rng.pick(&["1", "1.5", "2e3", ".5"]),
                rng.pick(&["yes", "off", "true", "N"])
            )),
            7 => doc.push_str(&format!(
                "  quoted{i}: \"line\\n---\\nafter {}\"\n  anchor{i}: &s{i} {}\n  again{i}: *s{i}\n",
                rng.pick(SCALARS),
                v(rng)
            )),
            _ => doc.push_str(&format!("  plain{i}: {}\n  empty{i}:\n", v(rng))),
        }
    }
    doc
}

/// Documents joined into one stream, with the ways files really differ.
fn stream(rng: &mut Rng, documents: &[String]) -> String {
    let mut text = String::new();
    if rng.chance(20) {
        text.push('\u{feff}');
    }
    if rng.chance(30) {
        text.push_str("# generated\n");
    }
    for (i, doc) in documents.iter().enumerate() {
        if i > 0 || rng.chance(30) {
            text.push_str(rng.pick(&[
                "---\n",
                "--- # next\n",
                "---\n---\n",
                "---\n# only a comment\n---\n",
            ]));
        }
        text.push_str(doc);
        if rng.chance(10) {
            text.push_str("...\n");
        }
    }
    if rng.chance(25) {
        text = text.replace('\n', "\r\n");
    }
    text
}

/// kubectl's reading: every object, or its error.
fn oracle(dir: &Path, text: &str) -> Result<Vec<Value>, String> {
    oracle_bytes(dir, text.as_bytes())
}

fn oracle_bytes(dir: &Path, bytes: &[u8]) -> Result<Vec<Value>, String> {
    let file = dir.join("case.yaml");
    std::fs::write(&file, bytes).unwrap();
    let out = kubectl(
        "staging",
        &[
            "create",
            "--dry-run=client",
            "--validate=false",
            "-o",
            "json",
            "-f",
            file.to_str().unwrap(),
        ],
    );
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    serde_json::Deserializer::from_slice(&out.stdout)
        .into_iter::<Value>()
        .map(|v| v.map_err(|e| e.to_string()))
        .collect()
}

/// Whether kubectl reads the text at all.
fn kubectl_reads(dir: &Path, text: &str) -> bool {
    let file = dir.join("case.yaml");
    std::fs::write(&file, text).unwrap();
    let args = [
        "create",
        "--dry-run=client",
        "--validate=false",
        "-o",
        "name",
        "-f",
    ];
    let mut args = args.to_vec();
    args.push(file.to_str().unwrap());
    kubectl("staging", &args).status.success()
}

/// kubectl-drift's reading, with kubectl's default namespace added where none is set.
fn ours(text: &str) -> Result<Vec<Value>, yaml::Error> {
    ours_bytes(text.as_bytes())
}

fn ours_bytes(bytes: &[u8]) -> Result<Vec<Value>, yaml::Error> {
    let text = yaml::decode(bytes)?;
    Ok(yaml::read_stream(&text)?
        .into_iter()
        .map(|d| {
            let mut value = d.value;
            if value["metadata"].get("namespace").is_none() {
                if let Some(meta) = value["metadata"].as_object_mut() {
                    meta.insert("namespace".into(), "default".into());
                }
            }
            value
        })
        .collect())
}

/// Both read the text the same way, or both refuse it.
fn agree(dir: &Path, text: &str, label: &str) -> bool {
    match (oracle(dir, text), ours(text)) {
        (Ok(theirs), Ok(mine)) => {
            let difference = difference(&Value::from(mine), &Value::from(theirs), "");
            assert!(
                difference.is_none(),
                "{label}: kubectl-drift and kubectl read this differently at {}:\n{text}",
                difference.unwrap_or_default()
            );
            true
        }
        (Err(_), Err(_)) => false,
        (theirs, mine) => panic!(
            "{label}: one reader refuses what the other reads:\nkubectl: {theirs:?}\nkubectl-drift: {mine:?}\n{text}"
        ),
    }
}

/// The first place two values differ: its JSON pointer and both values.
fn difference(mine: &Value, theirs: &Value, at: &str) -> Option<String> {
    match (mine, theirs) {
        (Value::Object(a), Value::Object(b)) => {
            for key in a.keys().chain(b.keys()) {
                let (x, y) = (
                    a.get(key).unwrap_or(&Value::Null),
                    b.get(key).unwrap_or(&Value::Null),
                );
                if a.contains_key(key) != b.contains_key(key) {
                    return Some(format!("{at}/{key}: {x} (kubectl-drift) vs {y} (kubectl)"));
                }
                if let Some(d) = difference(x, y, &format!("{at}/{key}")) {
                    return Some(d);
                }
            }
            None
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .enumerate()
            .find_map(|(i, (x, y))| difference(x, y, &format!("{at}/{i}"))),
        _ if mine == theirs => None,
        // kubectl prints a float64 of 2^63 or more without a fraction, which serde_json
        // then reads as u64: JSON text has one kind of number, so compare the values.
        (Value::Number(a), Value::Number(b)) if a.as_i64().is_none() || b.as_i64().is_none() => {
            (a.as_f64() != b.as_f64())
                .then(|| format!("{at}: {a} (kubectl-drift) vs {b} (kubectl)"))
        }
        _ => Some(format!(
            "{at}: {mine} (kubectl-drift) vs {theirs} (kubectl)"
        )),
    }
}

#[test]
fn yaml_reads_generated_streams_as_kubectl_does() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(0x6b75_6265_6374_6c31);
    let (mut files, mut documents) = (0, 0);
    for batch in 0..40 {
        let docs: Vec<String> = (0..12)
            .map(|i| document(&mut rng, batch * 100 + i))
            .collect();
        let text = stream(&mut rng, &docs);
        let label = format!("batch {batch}");
        if agree(dir.path(), &text, &label) {
            files += 1;
            documents += docs.len();
        } else {
            // A batch both refuse (a null key, say) is tried document by document.
            for (i, doc) in docs.iter().enumerate() {
                if agree(dir.path(), doc, &format!("{label} document {i}")) {
                    documents += 1;
                }
            }
        }
    }
    eprintln!("{documents} generated documents read alike, {files} of 40 files whole");
    // Most of what is generated must be readable, or the comparison proves little.
    assert!(
        documents >= 300,
        "only {documents} documents read alike ({files} whole files)"
    );
}

#[test]
fn yaml_errors_and_edge_cases_agree_with_kubectl() {
    let dir = tempfile::tempdir().unwrap();
    let head = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: edge\n";
    let mut refused = 0;
    let mut cases: Vec<String> = Vec::new();
    for s in KEY_ONLY.iter().chain(VALUE_ONLY) {
        cases.push(format!("{head}data:\n  v: {s}\n"));
        cases.push(format!("{head}data:\n  {s}: v\n"));
    }
    for tag in [
        "!!int",
        "!!float",
        "!!bool",
        "!!null",
        "!!str",
        "!!binary",
        "!!timestamp",
        "!foo",
    ] {
        for s in [
            "1",
            "0x1F",
            "yes",
            "1.5",
            "~",
            "aGVsbG8=",
            "2001-12-14",
            "x y",
        ] {
            cases.push(format!("{head}data:\n  v: {tag} {s}\n"));
        }
    }
    cases.extend(
        [
            "data:\n  a: &a 1\n  b:\n    <<: *a\n",
            "data:\n  b:\n    <<: [[1]]\n",
            "data:\n  b: {'<<': {x: 1}}\n",
            "data:\n  b: {!!merge <<: {x: 1}}\n",
            "data:\n  a: [1, 2]\n  b: &x [*x]\n",
            "data:\n  ? [a]\n  : v\n",
            "data:\n  a: *missing\n",
            "data:\n  a: \"unclosed\n",
            "data: {a: 1\n",
            "data:\n\ta: 1\n",
            "data:\n  a: 1\n---x\n",
            "data:\n  a: 1\n--- {b: 2}\n",
            "data:\n  a: |\n    text without a final line break",
            "data:\n  a: >+\n    kept\n\n\n",
            "data:\n  a: \"\\u00e9\\x41\\t\"\n",
            "data:\n  a: 'it''s'\n",
            "data:\n  a: 1 # comment\n  b: x#y\n",
            "data:\n  multi: plain\n    continued\n",
        ]
        .iter()
        .map(|rest| format!("{head}{rest}")),
    );
    cases.push(format!("\u{feff}{head}data:\n  a: \u{feff}b\n"));
    cases.push(format!("%YAML 1.1\n---\n{head}data:\n  a: 1\n"));
    cases.push(format!("{head}data:\n  a: 1\n...\nkind: Secret\n"));
    cases.push(format!("{head}data:\n  a: 1\n--- |\n  text\n"));
    cases.push(format!(
        "{head}data: !!map\n  a: !!seq [1]\n  b: !<tag:yaml.org,2002:int> '7'\n"
    ));
    cases.push(format!(
        "{head}data:\n  a: \"x\n\n  y\"\n  b: >\n    p\n\n    q\n"
    ));
    for (i, case) in cases.iter().enumerate() {
        if !agree(dir.path(), case, &format!("edge case {i}")) {
            refused += 1;
        }
    }
    // UTF-16 with a byte order mark, both ways round, is decoded as kubectl decodes it.
    let text = format!("{head}data:\n  a: 0644\n  b: \"é\"\n");
    let units: Vec<u16> = text.encode_utf16().collect();
    for big in [false, true] {
        let mut bytes = if big {
            vec![0xFE, 0xFF]
        } else {
            vec![0xFF, 0xFE]
        };
        for unit in &units {
            bytes.extend(if big {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            });
        }
        let theirs = oracle_bytes(dir.path(), &bytes).expect("kubectl reads UTF-16");
        assert_eq!(ours_bytes(&bytes).unwrap(), theirs);
        assert_eq!(theirs[0]["data"]["a"], 420);
    }
    eprintln!(
        "{} edge cases agree, {refused} of them refused by both",
        cases.len()
    );
    // The list holds errors on purpose; both must have refused them.
    assert!(
        refused >= 20,
        "only {refused} edge cases were refused by both"
    );
}

#[test]
fn yaml_known_disagreements_are_exactly_as_listed() {
    assert_eq!(KNOWN.len(), 3);
    let dir = tempfile::tempdir().unwrap();
    let head = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: known\n";

    // A duplicate key: kubectl takes the last value, kubectl-drift names both lines.
    let text = format!("{head}data:\n  a: first\n  b: x\n  a: second\n");
    let theirs = oracle(dir.path(), &text).expect("kubectl reads a duplicate key");
    assert_eq!(theirs[0]["data"]["a"], "second");
    let err = ours(&text).unwrap_err();
    assert_eq!(
        (err.line, err.to_string()),
        (8, "mapping key \"a\" already defined at line 6".into())
    );

    // Nesting between MAX_DEPTH and kubectl's 10000.
    let depth = yaml::MAX_DEPTH + 10;
    let text = format!(
        "{head}data:\n  a: {}1{}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    // (serde_json reads no deeper than 128 levels, so only kubectl's verdict is looked at.)
    assert!(
        kubectl_reads(dir.path(), &text),
        "kubectl reads {depth} levels"
    );
    let err = ours(&text).unwrap_err();
    assert!(err.to_string().contains("nested deeper than 1000"), "{err}");
    assert_eq!(err.line, 6);
    // Past 10000 both refuse.
    let text = format!("{head}data:\n  a: {}\n", "[".repeat(10_050));
    assert!(!kubectl_reads(dir.path(), &text));
    assert!(ours(&text).is_err());

    // A plain `-` before a flow indicator: libyaml takes it for a string, YAML 1.2 (and
    // granit-parser) do not.
    let text = format!("{head}data:\n  a: [cat, -]\n  b: {{k: -}}\n");
    let theirs = oracle(dir.path(), &text).expect("kubectl reads a lone dash in flow");
    assert_eq!(theirs[0]["data"]["a"], serde_json::json!(["cat", "-"]));
    let err = ours(&text).unwrap_err();
    assert_eq!(err.line, 6, "{err}");
    assert!(ours(&format!("{head}data:\n  a: [cat, '-']\n  b:\n  - -\n")).is_ok());
}

/// Written the way people write YAML for kubectl: an octal file mode, YAML 1.1 booleans,
/// a hex count and a merge key.
const YAML_1_1: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: modes
spec:
  replicas: 0x0
  selector:
    matchLabels: {app: modes}
  template:
    metadata:
      labels: {app: modes}
    spec:
      automountServiceAccountToken: off
      containers:
      - &main
        name: main
        image: registry.example.com/main:1.0
        stdin: yes
        tty: on
      initContainers:
      - <<: *main
        name: init
      volumes:
      - name: config
        secret:
          secretName: config
          defaultMode: 0644
";

#[test]
fn yaml_1_1_manifests_applied_by_kubectl_are_in_sync() {
    let ns = namespace("yaml11", &["staging"]);
    let repo = git_repo(&[("k8s/modes.yaml", YAML_1_1)]);
    apply("staging", &ns, YAML_1_1);
    let live = kubectl_ok(
        "staging",
        &["get", "deployment/modes", "-n", &ns, "-o", "json"],
    );
    let live: Value = serde_json::from_str(&live).unwrap();
    let pod = &live["spec"]["template"]["spec"];
    assert_eq!(pod["volumes"][0]["secret"]["defaultMode"], 420);
    assert_eq!(pod["initContainers"][0]["tty"], true);
    let (code, report) = crate::check::check_json(
        repo.path(),
        &["--context", "staging", "--path", "k8s", "-n", &ns],
    );
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(
        crate::check::statuses(&report),
        vec![("Deployment/modes".to_string(), "InSync".to_string())]
    );
}

#[test]
fn hostile_yaml_is_refused_quickly_naming_the_file_and_line() {
    let deep = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata: {}\n",
        "[".repeat(100_000)
    );
    let mut bomb = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        bomb.push_str(&format!("  a{i}: &a{i} [{refs}]\n"));
    }
    let secret =
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  password: \"hunter2\n";
    let cases = [
        (
            "deep.yaml",
            deep.as_str(),
            "deep.yaml:5:",
            "nested deeper than 1000 levels",
        ),
        (
            "bomb.yaml",
            bomb.as_str(),
            "bomb.yaml:",
            "excessive aliasing",
        ),
        ("secret.yaml", secret, "secret.yaml:6:", "malformed YAML"),
    ];
    for (file, text, at, what) in cases {
        let repo = git_repo(&[(&format!("k8s/{file}"), text)]);
        let started = std::time::Instant::now();
        let out = drift()
            .current_dir(repo.path())
            .args(["check", "--context", "staging", "--path", "k8s"])
            .output()
            .unwrap();
        let elapsed = started.elapsed();
        let stderr = String::from_utf8_lossy(&out.stderr);
        eprintln!("{file}: refused in {elapsed:?}");
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(&format!("k8s/{at}")), "{stderr}");
        assert!(stderr.contains(what), "{stderr}");
        assert!(!stderr.contains("hunter2"), "{stderr}");
        assert!(
            elapsed < std::time::Duration::from_secs(1),
            "{file} took {elapsed:?}"
        );
    }
}
