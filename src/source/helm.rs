//! Helm: desired state from a chart in Git, rendered with `helm template`, or from a
//! release record, the manifest Helm last deployed. A chart renders differently per cluster
//! (`.Capabilities`), so the source only finds charts and gathers their files; the check
//! renders each once per cluster version and API set. Release records are read from the
//! cluster by the check and decoded here (base64, gzip, JSON), with no helm binary.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use base64::Engine;
use serde_json::Value;

use super::{manifest, DesiredObject, Origin, SourceError};
use crate::runner::{self, Program};
use crate::settings::source::{check_chart_name, check_release_name, HelmSettings};

/// The file that makes a folder a chart.
pub const CHART_FILE: &str = "Chart.yaml";

/// The annotation that makes an object a hook: run around installs, upgrades and tests,
/// never part of the release's desired state.
const HOOK_ANNOTATION: &str = "helm.sh/hook";

/// The most output a render may produce: a chart is not allowed to exhaust memory.
const MAX_RENDERED_BYTES: u64 = 256 << 20;

/// A chart found under a target's paths, with what rendering it needs.
#[derive(Debug, Clone)]
pub struct Chart {
    /// The chart's folder: a path in the tree ("" for the root), or on disk for `-f`.
    pub folder: String,
    /// The chart's name, from `Chart.yaml`.
    pub name: String,
    /// The commit the files come from (Git only).
    pub commit: Option<String>,
    pub settings: HelmSettings,
    /// The chart folder's files and the values files, by path in the tree; empty when the
    /// chart is read from disk.
    files: Arc<Vec<(String, Vec<u8>)>>,
}

/// What `.Capabilities` says when a chart renders for one cluster.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Capabilities {
    /// The server's version, e.g. `v1.33.13`.
    pub kube_version: String,
    /// Every served `group/version` and `group/version/Kind`.
    pub api_versions: Vec<String>,
}

/// How one render runs.
#[derive(Debug, Clone)]
pub struct RenderRun<'a> {
    /// `--helm-binary`; `None`: `helm` on PATH.
    pub binary: Option<&'a Path>,
    /// The namespace the release is rendered into.
    pub namespace: &'a str,
    pub capabilities: &'a Capabilities,
    /// `--allow-remote-bases`: helm may fetch dependencies that are not vendored.
    pub allow_remote: bool,
}

impl Chart {
    /// The release name: `--helm-release`, else the chart's name.
    pub fn release(&self) -> &str {
        self.settings.release.as_deref().unwrap_or(&self.name)
    }

    /// What makes two renders the same: the commit, the chart, its settings, the
    /// namespace and the cluster's capabilities.
    pub fn render_key(&self, run: &RenderRun) -> String {
        let mut key = format!(
            "{}\0{}\0{:?}\0{}\0{}",
            self.commit.as_deref().unwrap_or("-"),
            self.folder,
            self.settings,
            run.namespace,
            run.capabilities.kube_version
        );
        for api in &run.capabilities.api_versions {
            key.push('\0');
            key.push_str(api);
        }
        if self.commit.is_none() {
            // Files on disk change under the same name: every run renders again.
            key.push_str(&format!("\0{:?}", std::time::SystemTime::now()));
        }
        key
    }
}

/// The chart file in `folder` (a tree path, "" for the root), among `files`.
pub fn chart_in<'a>(folder: &str, files: impl IntoIterator<Item = &'a String>) -> Option<String> {
    let path = if folder.is_empty() {
        CHART_FILE.to_string()
    } else {
        format!("{folder}/{CHART_FILE}")
    };
    files.into_iter().any(|f| *f == path).then_some(path)
}

fn chart_error(chart: &str, message: impl Into<String>) -> SourceError {
    SourceError::Helm {
        chart: chart.to_string(),
        message: message.into(),
    }
}

/// The chart whose `Chart.yaml` is at `chart_file` in the commit: its folder's files from
/// `files` and the values files from `values` (both read from the same commit). Refuses
/// dependencies that are not vendored in `charts/`, unless `allow_remote`.
pub fn chart_from_tree(
    chart_file: &str,
    files: &[(String, Vec<u8>)],
    values: Vec<(String, Vec<u8>)>,
    commit: Option<&str>,
    settings: &HelmSettings,
    allow_remote: bool,
) -> Result<Chart, SourceError> {
    let folder = chart_file
        .rsplit_once('/')
        .map(|(f, _)| f.to_string())
        .unwrap_or_default();
    let prefix = if folder.is_empty() {
        String::new()
    } else {
        format!("{folder}/")
    };
    let mut own: Vec<(String, Vec<u8>)> = files
        .iter()
        .filter(|(p, _)| p.starts_with(&prefix))
        .cloned()
        .collect();
    let text = own
        .iter()
        .find(|(p, _)| p == chart_file)
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default();
    let name = chart_name(chart_file, &text, settings.release.as_deref())?;
    let vendored = |dependency: &str| {
        let holder = format!("{prefix}charts/");
        own.iter().any(|(p, _)| {
            p.strip_prefix(&holder).is_some_and(|rest| {
                rest.strip_prefix(dependency)
                    .is_some_and(|r| r == "/Chart.yaml")
                    || (rest.starts_with(&format!("{dependency}-"))
                        && rest.ends_with(".tgz")
                        && !rest.contains('/'))
            })
        })
    };
    if !allow_remote {
        for (dependency, repository) in dependencies(chart_file, &text)? {
            if !vendored(&dependency) {
                return Err(chart_error(
                    chart_file,
                    format!(
                        "dependency {dependency:?} ({repository}) is not vendored in {prefix}charts/; run `helm dependency build` and commit charts/, or give --allow-remote-bases to let helm fetch it"
                    ),
                ));
            }
        }
    }
    for (path, bytes) in values {
        if !own.iter().any(|(p, _)| *p == path) {
            own.push((path, bytes));
        }
    }
    Ok(Chart {
        folder,
        name,
        commit: commit.map(str::to_string),
        settings: settings.clone(),
        files: Arc::new(own),
    })
}

/// A chart folder on disk (`-f`): rendered from where it is.
pub fn chart_on_disk(folder: &Path, settings: &HelmSettings) -> Result<Chart, SourceError> {
    let file = folder.join(CHART_FILE);
    let label = file.display().to_string();
    let text = std::fs::read_to_string(&file).map_err(|e| chart_error(&label, e.to_string()))?;
    Ok(Chart {
        folder: folder.display().to_string(),
        name: chart_name(&label, &text, settings.release.as_deref())?,
        commit: None,
        settings: settings.clone(),
        files: Arc::new(Vec::new()),
    })
}

/// The `name:` of a `Chart.yaml`, checked as Helm checks it and, when it is the release's
/// name too (`release` is `None`), as a release name: it reaches `helm template`.
fn chart_name(chart_file: &str, text: &str, release: Option<&str>) -> Result<String, SourceError> {
    let value = crate::yaml::read(text).map_err(|e| SourceError::Yaml {
        file: chart_file.to_string(),
        line: e.line,
        column: e.column,
        message: e.kind.to_string(),
    })?;
    let name = value["name"]
        .as_str()
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .ok_or_else(|| chart_error(chart_file, "has no name"))?;
    let invalid = |message: String| SourceError::Invalid {
        file: chart_file.to_string(),
        line: name_line(text),
        message,
    };
    check_chart_name(&name).map_err(invalid)?;
    if release.is_none() {
        check_release_name(&name).map_err(|e| {
            invalid(format!(
                "name: {e}; it is the release's name unless the target's helm.release or --helm-release names one"
            ))
        })?;
    }
    Ok(name)
}

/// The line of a `Chart.yaml`'s top-level `name:` (1 when it cannot be told).
fn name_line(text: &str) -> usize {
    text.lines()
        .position(|l| l.starts_with("name:") || l.starts_with("\"name\":"))
        .map_or(1, |i| i + 1)
}

/// The dependencies a `Chart.yaml` lists: name and repository.
fn dependencies(chart_file: &str, text: &str) -> Result<Vec<(String, String)>, SourceError> {
    let value = crate::yaml::read(text).map_err(|e| SourceError::Yaml {
        file: chart_file.to_string(),
        line: e.line,
        column: e.column,
        message: e.kind.to_string(),
    })?;
    Ok(value["dependencies"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|d| {
                    let name = d["name"].as_str()?.to_string();
                    let repository = d["repository"].as_str().unwrap_or("no repository");
                    Some((name, repository.to_string()))
                })
                .collect()
        })
        .unwrap_or_default())
}

/// Renders `chart` with `helm template` for one cluster and returns its objects, hooks and
/// tests left out, CRDs from `crds/` in, each with the template it came from as origin.
pub fn render(chart: &Chart, run: &RenderRun) -> Result<Vec<DesiredObject>, SourceError> {
    let label = chart_label(chart);
    // A Git chart is written to a private folder first; one on disk renders in place.
    let written = if chart.files.is_empty() {
        None
    } else {
        Some(super::write_tree(&chart.files)?)
    };
    let (chart_dir, values_root) = match &written {
        Some(tree) => (tree.path().join(&chart.folder), tree.path().to_path_buf()),
        None => (PathBuf::from(&chart.folder), PathBuf::from(".")),
    };
    let release = chart.release();
    // The last guard before the argument vector, whatever the name's source.
    check_release_name(release).map_err(|m| chart_error(&label, m))?;
    let deadline = runner::render_deadline().map_err(|e| chart_error(&label, e.to_string()))?;
    // helm's own folders, private and empty: no repository, plugin or registry login of the
    // user's is read, and nothing is left behind.
    let homes = tempfile::Builder::new()
        .prefix("kubectl-drift-helm-")
        .tempdir()
        .map_err(|source| SourceError::Io {
            path: std::env::temp_dir(),
            source,
        })?;
    let mut program = Program::new(
        runner::binary_or(run.binary, "helm"),
        "helm template",
        &label,
    )
    .arg("template")
    .option("--namespace", run.namespace)
    .option("--kube-version", &run.capabilities.kube_version)
    .arg("--include-crds")
    .arg("--no-hooks");
    for api in &run.capabilities.api_versions {
        program = program.option("--api-versions", api);
    }
    for values in &chart.settings.values {
        program = program.option("--values", values_root.join(values));
    }
    for set in &chart.settings.set {
        program = program.option("--set", set);
    }
    if run.allow_remote {
        program = program.arg("--dependency-update");
    }
    let rendered = program
        // Plugins are code from the machine, not the chart; no template needs them.
        .env("HELM_NO_PLUGINS", "1")
        .env("HELM_PLUGINS", homes.path().join("plugins"))
        .env("HELM_CONFIG_HOME", homes.path().join("config"))
        .env("HELM_CACHE_HOME", homes.path().join("cache"))
        .env("HELM_DATA_HOME", homes.path().join("data"))
        .operand(release)
        .operand(&chart_dir)
        .deadline(deadline)
        .max_stdout(MAX_RENDERED_BYTES)
        .hint_missing("charts are rendered with helm v3 (install it from https://helm.sh/docs/intro/install/, or name it with --helm-binary)")
        .hint_deadline(runner::RENDER_DEADLINE_HINT)
        .run_text()?;
    objects_from_stream(&rendered, chart.commit.as_deref(), |source| {
        // `# Source: NAME/templates/x.yaml` names the file from the chart's folder.
        let inside = source.split_once('/').map_or(source, |(_, rest)| rest);
        let inside = super::kustomize::normalize(inside);
        let file = if chart.folder.is_empty() {
            inside.clone()
        } else {
            format!("{}/{inside}", chart.folder)
        };
        let line = chart
            .files
            .iter()
            .find(|(p, _)| *p == file)
            .map(|(_, bytes)| bytes.as_slice());
        (file, line)
    })
    .map_err(|e| match e {
        SourceError::Yaml { message, .. } => {
            chart_error(&label, format!("rendered YAML: {message}"))
        }
        other => other,
    })
}

fn chart_label(chart: &Chart) -> String {
    match (&chart.commit, chart.folder.is_empty()) {
        (Some(_), true) => CHART_FILE.to_string(),
        _ => format!("{}/{CHART_FILE}", chart.folder),
    }
}

/// Objects of a rendered stream (helm's output, or a release's manifest), hooks left out,
/// each with its origin: `origin_of` turns the `# Source:` path above the object into the
/// file to name, and the file's text when it is known (to find the object's line in it).
fn objects_from_stream<'a>(
    rendered: &str,
    commit: Option<&str>,
    origin_of: impl Fn(&str) -> (String, Option<&'a [u8]>),
) -> Result<Vec<DesiredObject>, SourceError> {
    let parsed = manifest::parse("rendered", rendered.as_bytes(), None)?;
    // The `# Source:` comment in force at each line.
    let mut sources: Vec<(usize, &str)> = Vec::new();
    for (i, line) in rendered.lines().enumerate() {
        if let Some(source) = line.strip_prefix("# Source: ") {
            sources.push((i + 1, source.trim()));
        }
    }
    let mut objects = Vec::new();
    for object in parsed {
        let manifest = object.manifest();
        if manifest["metadata"]["annotations"]
            .get(HOOK_ANNOTATION)
            .is_some()
        {
            continue;
        }
        let source = sources
            .iter()
            .rev()
            .find(|(line, _)| *line <= object.origin.line)
            .map(|(_, s)| *s);
        let (file, text) = match source {
            Some(source) => origin_of(source),
            None => origin_of(""),
        };
        let line = text
            .and_then(|t| line_of_kind(t, object.kind()))
            .unwrap_or(1);
        objects.push(DesiredObject::new(
            &manifest,
            Origin {
                file,
                line,
                commit: commit.map(str::to_string),
            },
        ));
    }
    Ok(objects)
}

/// The first line of the document in a template that declares `kind: KIND`.
fn line_of_kind(template: &[u8], kind: &str) -> Option<usize> {
    let text = std::str::from_utf8(template).ok()?;
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.trim_start() == format!("kind: {kind}"))?;
    let start = lines[..at]
        .iter()
        .rposition(|l| l.starts_with("---"))
        .map_or(0, |i| i + 1);
    Some(start + 1)
}

/// The label of a Secret holding a Helm release record, and its type.
pub const RELEASE_SECRET_TYPE: &str = "helm.sh/release.v1";

/// A release as Helm recorded it.
#[derive(Debug, Clone, PartialEq)]
pub struct Release {
    pub name: String,
    pub namespace: String,
    pub revision: u64,
    pub status: String,
    /// The chart's `name-version`.
    pub chart: String,
    /// Every object Helm applied, hooks excluded, as one YAML stream.
    pub manifest: String,
}

/// What a release record's Secret says of itself, before its content is read: its name
/// `sh.helm.release.v1.NAME.vN` and its labels (`name`, `version`, `owner`, `status`)
/// agree, or the record is not Helm's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordName {
    /// The release's name.
    pub name: String,
    pub revision: u64,
    /// The `status` label: `deployed`, `superseded`…
    pub status: String,
}

/// The prefix of every release record's Secret name.
const RECORD_PREFIX: &str = "sh.helm.release.v1.";

/// Reads a release record's name and labels, refusing a record whose name and labels
/// disagree: anyone who may create a Secret can write one that says it is Helm's.
pub fn record_name(secret: &Value) -> Result<RecordName, String> {
    let meta = &secret["metadata"];
    let secret_name = meta["name"].as_str().unwrap_or_default();
    let labels = &meta["labels"];
    let label = |key: &str| labels[key].as_str().unwrap_or_default();
    let not_helms =
        |why: String| format!("Secret {secret_name:?} is not a Helm release record: {why}");
    let (name, revision) = secret_name
        .strip_prefix(RECORD_PREFIX)
        .and_then(|rest| rest.rsplit_once(".v"))
        .and_then(|(name, n)| {
            let revision: u64 = n.parse().ok()?;
            (revision.to_string() == n && revision > 0 && !name.is_empty())
                .then(|| (name.to_string(), revision))
        })
        .ok_or_else(|| not_helms(format!("its name is not {RECORD_PREFIX}NAME.vN")))?;
    if label("owner") != "helm" {
        return Err(not_helms("its label owner is not helm".into()));
    }
    if label("name") != name {
        return Err(not_helms(format!(
            "its label name {:?} is not the release {name:?} its name says",
            label("name")
        )));
    }
    if label("version") != revision.to_string() {
        return Err(not_helms(format!(
            "its label version {:?} is not the revision {revision} its name says",
            label("version")
        )));
    }
    if label("status").is_empty() {
        return Err(not_helms("it has no status label".into()));
    }
    Ok(RecordName {
        name,
        revision,
        status: label("status").to_string(),
    })
}

/// Checks that a decoded release is the one its Secret (in `namespace`) names: release,
/// namespace, revision and status alike.
pub fn verify_release(
    release: &Release,
    named: &RecordName,
    namespace: &str,
) -> Result<(), String> {
    let differs = |what: &str, inside: &str, outside: &str| {
        Err(format!(
            "the release record says {what} {inside:?}, its Secret {outside:?}"
        ))
    };
    if release.name != named.name {
        return differs("release", &release.name, &named.name);
    }
    if release.namespace != namespace {
        return differs("namespace", &release.namespace, namespace);
    }
    if release.revision != named.revision {
        return differs(
            "revision",
            &release.revision.to_string(),
            &named.revision.to_string(),
        );
    }
    if release.status != named.status {
        return differs("status", &release.status, &named.status);
    }
    Ok(())
}

/// Decodes a release record: the Secret's `data.release` (base64 as every Secret value),
/// which holds base64 of gzip of JSON.
pub fn decode_release(secret: &Value) -> Result<Release, String> {
    let name = secret["metadata"]["name"].as_str().unwrap_or_default();
    let data = secret["data"]["release"]
        .as_str()
        .ok_or_else(|| format!("Secret {name:?} has no data.release"))?;
    let engine = base64::engine::general_purpose::STANDARD;
    let inner = engine
        .decode(data)
        .map_err(|e| format!("Secret {name:?}: data.release is not base64: {e}"))?;
    let gzipped = engine
        .decode(inner.trim_ascii())
        .map_err(|e| format!("Secret {name:?}: the release record is not base64: {e}"))?;
    // A record is gzip unless Helm wrote it raw (its first bytes are JSON then).
    let json = if gzipped.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(gzipped.as_slice())
            .take(MAX_RENDERED_BYTES + 1)
            .read_to_end(&mut out)
            .map_err(|e| format!("Secret {name:?}: the release record is not gzip: {e}"))?;
        if out.len() as u64 > MAX_RENDERED_BYTES {
            return Err(format!(
                "Secret {name:?}: the release record is larger than {} MiB",
                MAX_RENDERED_BYTES >> 20
            ));
        }
        out
    } else {
        gzipped
    };
    // serde_json's message may quote the record, and a record holds the release's Secrets.
    let record: Value = serde_json::from_slice(&json).map_err(|e| {
        format!(
            "Secret {name:?}: the release record is not JSON (at line {} column {})",
            e.line(),
            e.column()
        )
    })?;
    if !record.is_object() {
        return Err(format!(
            "Secret {name:?}: the release record is not a JSON object"
        ));
    }
    let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let metadata = &record["chart"]["metadata"];
    Ok(Release {
        name: text(&record["name"]),
        namespace: text(&record["namespace"]),
        revision: record["version"].as_u64().unwrap_or(0),
        status: text(&record["info"]["status"]),
        chart: format!("{}-{}", text(&metadata["name"]), text(&metadata["version"])),
        manifest: text(&record["manifest"]),
    })
}

/// The objects of a release's manifest, each with an origin naming the release, its
/// revision and the template that produced it.
pub fn release_objects(release: &Release) -> Result<Vec<DesiredObject>, SourceError> {
    let label = format!("release {} v{}", release.name, release.revision);
    objects_from_stream(&release.manifest, None, |source| {
        let file = if source.is_empty() {
            label.clone()
        } else {
            format!("{label}: {source}")
        };
        (file, None)
    })
    .map_err(|e| SourceError::Helm {
        chart: label.clone(),
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_name_the_template_and_hooks_are_left_out() {
        let rendered = "---\n# Source: shop/templates/service.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n---\n# Source: shop/templates/job.yaml\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n  annotations:\n    helm.sh/hook: pre-install\n---\n# Source: shop/charts/cache/templates/deployment.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: cache\n";
        let files = [(
            "charts/shop/charts/cache/templates/deployment.yaml".to_string(),
            b"{{- if true }}\n---\n# a comment\napiVersion: apps/v1\nkind: Deployment\n".to_vec(),
        )];
        let objects = objects_from_stream(rendered, Some("abc"), |source| {
            let file = format!("charts/shop/{}", source.split_once('/').unwrap().1);
            let text = files
                .iter()
                .find(|(p, _)| *p == file)
                .map(|(_, b)| b.as_slice());
            (file, text)
        })
        .unwrap();
        let names: Vec<(&str, &str, usize)> = objects
            .iter()
            .map(|o| (o.name(), o.origin.file.as_str(), o.origin.line))
            .collect();
        assert_eq!(
            names,
            vec![
                ("web", "charts/shop/templates/service.yaml", 1),
                (
                    "cache",
                    "charts/shop/charts/cache/templates/deployment.yaml",
                    3
                ),
            ]
        );
    }

    #[test]
    fn release_records_decode_from_the_secret() {
        use std::io::Write;
        let record = serde_json::json!({
            "name": "shop", "namespace": "prod", "version": 3,
            "info": {"status": "deployed"},
            "chart": {"metadata": {"name": "shop", "version": "1.2.0"}},
            "manifest": "---\n# Source: shop/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\ndata:\n  a: b\n",
        });
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(record.to_string().as_bytes()).unwrap();
        let engine = base64::engine::general_purpose::STANDARD;
        let inner = engine.encode(gz.finish().unwrap());
        let secret = serde_json::json!({
            "metadata": {"name": "sh.helm.release.v1.shop.v3"},
            "data": {"release": engine.encode(inner)},
        });
        let release = decode_release(&secret).unwrap();
        assert_eq!(
            (
                release.name.as_str(),
                release.revision,
                release.chart.as_str()
            ),
            ("shop", 3, "shop-1.2.0")
        );
        let objects = release_objects(&release).unwrap();
        assert_eq!(objects.len(), 1);
        assert_eq!(
            objects[0].origin.file,
            "release shop v3: shop/templates/cm.yaml"
        );
        let bad = serde_json::json!({"metadata": {"name": "x"}, "data": {"release": "%%"}});
        assert!(decode_release(&bad).unwrap_err().contains("not base64"));
    }

    #[test]
    fn a_record_whose_name_labels_and_content_disagree_is_refused() {
        let secret = |name: &str, labels: Value| serde_json::json!({"metadata": {"name": name, "namespace": "prod", "labels": labels}});
        let labels = serde_json::json!({"name": "shop", "version": "3", "owner": "helm", "status": "deployed"});
        let named = record_name(&secret("sh.helm.release.v1.shop.v3", labels.clone())).unwrap();
        assert_eq!(
            named,
            RecordName {
                name: "shop".into(),
                revision: 3,
                status: "deployed".into()
            }
        );
        let dotted = serde_json::json!({"name": "my.app.v2", "version": "10", "owner": "helm", "status": "deployed"});
        assert_eq!(
            record_name(&secret("sh.helm.release.v1.my.app.v2.v10", dotted))
                .unwrap()
                .name,
            "my.app.v2"
        );
        for (name, labels, why) in [
            (
                "sh.helm.release.v1.shop.v4",
                labels.clone(),
                "label version",
            ),
            ("sh.helm.release.v1.web.v3", labels.clone(), "label name"),
            ("sh.helm.release.v1.shop.v03", labels.clone(), "NAME.vN"),
            ("shop.v3", labels.clone(), "NAME.vN"),
            (
                "sh.helm.release.v1.shop.v3",
                serde_json::json!({"name": "shop", "version": "3", "owner": "me", "status": "deployed"}),
                "owner",
            ),
        ] {
            let err = record_name(&secret(name, labels)).unwrap_err();
            assert!(err.contains(why) && err.contains(name), "{err}");
        }
        let release = Release {
            name: "shop".into(),
            namespace: "prod".into(),
            revision: 3,
            status: "deployed".into(),
            chart: "shop-1.0.0".into(),
            manifest: String::new(),
        };
        assert_eq!(verify_release(&release, &named, "prod"), Ok(()));
        let err = verify_release(&release, &named, "other").unwrap_err();
        assert!(err.contains("namespace \"prod\""), "{err}");
        let older = Release {
            revision: 2,
            ..release.clone()
        };
        assert!(verify_release(&older, &named, "prod")
            .unwrap_err()
            .contains("revision"));
        let renamed = Release {
            name: "web".into(),
            ..release
        };
        assert!(verify_release(&renamed, &named, "prod").is_err());
    }

    #[test]
    fn a_record_that_is_not_json_is_refused_without_its_content() {
        let engine = base64::engine::general_purpose::STANDARD;
        let secret = serde_json::json!({
            "metadata": {"name": "sh.helm.release.v1.shop.v1"},
            "data": {"release": engine.encode(engine.encode("{\"name\": [\"hunter2\"")) },
        });
        let err = decode_release(&secret).unwrap_err();
        assert!(
            err.contains("not JSON") && !err.contains("hunter2"),
            "{err}"
        );
    }

    #[test]
    fn dependencies_must_be_vendored() {
        let chart = b"apiVersion: v2\nname: shop\nversion: 1.0.0\ndependencies:\n- name: cache\n  version: 0.3.0\n  repository: https://charts.example.com\n".to_vec();
        let mut files = vec![("app/Chart.yaml".to_string(), chart)];
        let settings = HelmSettings::default();
        let err = chart_from_tree("app/Chart.yaml", &files, vec![], None, &settings, false)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("\"cache\"") && err.contains("app/charts/"),
            "{err}"
        );
        files.push((
            "app/charts/cache/Chart.yaml".into(),
            b"name: cache\n".to_vec(),
        ));
        let chart =
            chart_from_tree("app/Chart.yaml", &files, vec![], None, &settings, false).unwrap();
        assert_eq!((chart.name.as_str(), chart.release()), ("shop", "shop"));
        files[1].0 = "app/charts/cache-0.3.0.tgz".into();
        assert!(chart_from_tree("app/Chart.yaml", &files, vec![], None, &settings, false).is_ok());
    }
}
