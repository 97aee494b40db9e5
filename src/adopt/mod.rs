//! `kubectl drift adopt`: the live state of drifted resources written back into the Git
//! manifests they came from, in the work tree, so that the hotfix becomes the desired state.
//! Each drifted field is written into the file that sets it: the manifest itself; for a
//! kustomization, the patch of the overlay that sets it (or, with `--into-overlay`, a new
//! patch there); for a Helm chart, the values file behind a template line that takes one
//! value as it is. Secrets are never written in clear. Only the lines of the drifted values
//! change (`edit.rs`). Nothing here prints: the edge shows the patch, writes the files and
//! commits.

pub mod edit;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::check::{Checked, ResourceHandle};
use crate::drift::path::{FieldPath, Segment};
use crate::drift::Status;
use crate::report::ResourceReport;
use crate::runner::Program;
use crate::settings::TargetSettings;
use edit::{EditError, FieldEdit};

/// What could not be adopted, or written.
#[derive(Debug, thiserror::Error)]
pub enum AdoptError {
    #[error("adopt writes into a local repository's work tree; this check read {0}")]
    NoWorkTree(&'static str),
    #[error("the check read commit {checked}, but the work tree is at {head}: adopt the drift of HEAD (leave out --ref), or check out {checked} first")]
    NotHead { checked: String, head: String },
    #[error("{file} has changes that are not committed; the check compared the commit, so commit or stash them first")]
    Uncommitted { file: String },
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}: {error}")]
    Edit { file: String, error: EditError },
    /// git could not run, failed or ran out of time.
    #[error(transparent)]
    Git(#[from] crate::runner::RunError),
}

/// One field written.
#[derive(Debug, Clone, PartialEq)]
pub struct AdoptedField {
    /// `Kind namespace/name (context)`.
    pub resource: String,
    pub field: String,
    pub old: Option<Value>,
    pub new: Option<Value>,
    /// Who changed it live, and when: `kubectl-patch · 2026-12-02 04:00:00Z`.
    pub by: Option<String>,
}

/// One file as it is and as adopting makes it.
#[derive(Debug, Clone)]
pub struct FileChange {
    /// Its path in the repository.
    pub file: String,
    pub before: String,
    pub after: String,
    pub fields: Vec<AdoptedField>,
}

/// A resource left as it is, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    pub resource: String,
    pub why: String,
}

/// Everything adopting the selected drift would write.
#[derive(Debug, Clone, Default)]
pub struct Adoption {
    pub work_tree: PathBuf,
    pub changes: Vec<FileChange>,
    pub refused: Vec<Refusal>,
}

/// Where one resource's fields go: a file, the document in it, and the fields, by path in
/// that document.
struct Destination {
    file: String,
    line: usize,
    edits: Vec<FieldEdit>,
    fields: Vec<AdoptedField>,
    /// An overlay patch of adopt's own, listed in its kustomization (new, or one adopted
    /// before).
    listed: bool,
}

/// How to adopt.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// For a kustomization, write the fields as a patch of the overlay, not into the base.
    pub into_overlay: bool,
}

/// Where adopting writes: a local repository's work tree, and the run's targets (their
/// paths and Helm settings tell which file sets a field).
#[derive(Debug, Clone, Copy)]
pub struct Repository<'a> {
    pub work_tree: &'a Path,
    pub targets: &'a [TargetSettings],
}

impl<'a> Repository<'a> {
    /// The repository of a check, when it read a local work tree at HEAD.
    pub fn of(checked: &'a Checked) -> Result<Repository<'a>, AdoptError> {
        let work_tree = checked.work_tree.as_deref().ok_or(AdoptError::NoWorkTree(
            "no work tree (plain files or a URL repository)",
        ))?;
        let head = git(work_tree, "rev-parse", |g| g.arg("HEAD"))?;
        let commits = checked
            .report
            .contexts
            .iter()
            .filter_map(|c| c.commit.as_deref());
        for commit in commits {
            if commit != head {
                return Err(AdoptError::NotHead {
                    checked: crate::source::short_commit(commit).to_string(),
                    head: crate::source::short_commit(&head).to_string(),
                });
            }
        }
        Ok(Repository {
            work_tree,
            targets: &checked.targets,
        })
    }
}

/// What adopting the drift of `checked` would write, computed from the work tree's files;
/// nothing is written.
pub fn plan(checked: &Checked, options: Options) -> Result<Adoption, AdoptError> {
    let repository = Repository::of(checked)?;
    plan_for(
        checked.report.resources.iter().zip(&checked.handles),
        repository,
        options,
    )
}

/// What adopting these resources' drift would write.
pub fn plan_for<'r>(
    resources: impl IntoIterator<Item = (&'r ResourceReport, &'r ResourceHandle)>,
    repository: Repository,
    options: Options,
) -> Result<Adoption, AdoptError> {
    let work_tree = repository.work_tree.to_path_buf();
    let mut adoption = Adoption {
        work_tree: work_tree.clone(),
        ..Default::default()
    };
    let mut files: BTreeMap<String, (String, String, Vec<AdoptedField>)> = BTreeMap::new();
    let mut new_patches: std::collections::BTreeSet<String> = Default::default();
    for (report, handle) in resources {
        if report.status != Status::Drifted || report.fields.is_empty() {
            continue;
        }
        let name = describe(report);
        let refuse = |why: String| Refusal {
            resource: name.clone(),
            why,
        };
        if report.identity.group.is_empty() && report.identity.kind == "Secret" {
            adoption.refused.push(refuse(
                "Secrets are never adopted in clear: put the live value into the project's secret tooling (Sealed Secrets, SOPS, External Secrets) and commit that".into(),
            ));
            continue;
        }
        let target = repository
            .targets
            .iter()
            .find(|t| t.contexts.contains(&report.context));
        let destinations = match destination(report, handle, target, &work_tree, options) {
            Ok(d) => d,
            Err(why) => {
                adoption.refused.push(refuse(why));
                continue;
            }
        };
        // All of a resource's fields, or none of them.
        let mut listed: std::collections::BTreeSet<String> = Default::default();
        let mut staged: Vec<(String, String, Vec<AdoptedField>, bool)> = Vec::new();
        let mut refused = None;
        for destination in destinations {
            let current = match staged.iter().rev().find(|(f, ..)| *f == destination.file) {
                Some((_, text, ..)) => text.clone(),
                None => match files.get(&destination.file) {
                    Some((_, text, _)) => text.clone(),
                    None if destination.line == 0 => String::new(),
                    None => read(&work_tree, &destination.file)?,
                },
            };
            let after = if destination.line == 0 {
                // A new patch: written whole.
                new_patch(handle, &destination.edits)
            } else {
                match edit::edit_document(&current, destination.line, &destination.edits).or_else(
                    |error| match destination.listed {
                        true => merged_patch(&current, destination.line, &destination.edits),
                        false => Err(error),
                    },
                ) {
                    Ok(after) => after,
                    Err(error) => {
                        refused = Some(format!("{}: {error}", destination.file));
                        break;
                    }
                }
            };
            let new = destination.line == 0;
            if destination.listed {
                listed.insert(destination.file.clone());
            }
            staged.push((destination.file, after, destination.fields, new));
        }
        if let Some(why) = refused {
            adoption.refused.push(refuse(why));
            continue;
        }
        for (file, after, fields, new) in staged {
            if listed.contains(&file) {
                new_patches.insert(file.clone());
            }
            let before = match files.get(&file) {
                Some((before, ..)) => before.clone(),
                None if new => String::new(),
                None => read(&work_tree, &file)?,
            };
            let entry = files
                .entry(file)
                .or_insert((before, String::new(), Vec::new()));
            entry.1 = after;
            entry.2.extend(fields);
        }
    }
    for (file, (before, after, fields)) in files {
        if before != after {
            adoption.changes.push(FileChange {
                file,
                before,
                after,
                fields,
            });
        }
    }
    // New overlay patches are listed in their kustomization.
    for file in &new_patches {
        let (folder, name) = file.rsplit_once('/').unwrap_or(("", file));
        let kustomization = crate::source::kustomize::FILE_NAMES
            .iter()
            .map(|n| join(folder, n))
            .find(|p| is_file_confined(&work_tree, p));
        if let Some(kustomization) = kustomization {
            // Several new patches of one overlay are listed in one change of its file.
            let index = match adoption
                .changes
                .iter()
                .position(|c| c.file == kustomization)
            {
                Some(index) => index,
                None => {
                    let before = read(&work_tree, &kustomization)?;
                    adoption.changes.push(FileChange {
                        file: kustomization.clone(),
                        after: before.clone(),
                        before,
                        fields: Vec::new(),
                    });
                    adoption.changes.len() - 1
                }
            };
            let change = &mut adoption.changes[index];
            change.after = list_patch(&change.after, name).map_err(|error| AdoptError::Edit {
                file: kustomization.clone(),
                error,
            })?;
        }
    }
    // The edits were made to the work tree's files at the lines the commit has: a file
    // edited since would get them in the wrong place, and its own edits committed too.
    let changed: Vec<&str> = adoption.changes.iter().map(|c| c.file.as_str()).collect();
    if !changed.is_empty() {
        let dirty = git(&work_tree, "status", |g| {
            changed.iter().fold(
                g.arg("--porcelain").arg("--untracked-files=no"),
                |g, file| g.operand(file),
            )
        })?;
        if let Some(line) = dirty.lines().next() {
            return Err(AdoptError::Uncommitted {
                // ` M k8s/api.yaml`, its first space trimmed away with the output's.
                file: crate::report::terminal_text(
                    line.trim_start()
                        .split_once(' ')
                        .map_or(line, |(_, file)| file.trim_start()),
                )
                .into_owned(),
            });
        }
    }
    Ok(adoption)
}

fn join(folder: &str, name: &str) -> String {
    if folder.is_empty() {
        name.to_string()
    } else {
        format!("{folder}/{name}")
    }
}

/// A file of the work tree read as writes are made: never through a symlink the
/// repository planted; `None` when it is not there.
fn read_confined(work_tree: &Path, file: &str) -> Result<Option<String>, String> {
    let path = crate::source::inside_work_tree(work_tree, file).map_err(|e| e.to_string())?;
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("cannot read {file}: {e}")),
    }
}

/// Whether `file` is a regular file of the work tree, reached through no symlink.
fn is_file_confined(work_tree: &Path, file: &str) -> bool {
    crate::source::inside_work_tree(work_tree, file).is_ok_and(|p| p.is_file())
}

fn read(work_tree: &Path, file: &str) -> Result<String, AdoptError> {
    let path = crate::source::inside_work_tree(work_tree, file).map_err(|e| AdoptError::Io {
        path: work_tree.join(file),
        source: std::io::Error::other(e.to_string()),
    })?;
    std::fs::read_to_string(&path).map_err(|source| AdoptError::Io { path, source })
}

/// `Deployment shop/api (production)`.
fn describe(report: &ResourceReport) -> String {
    format!(
        "{} {} ({})",
        report.identity.kind,
        report.identity.namespaced_name(),
        report.context
    )
}

/// The fields of a resource as edits at their own paths, and as what the commit lists.
fn fields_of(report: &ResourceReport) -> (Vec<FieldEdit>, Vec<AdoptedField>) {
    let mut edits = Vec::new();
    let mut adopted = Vec::new();
    for field in &report.fields {
        edits.push(FieldEdit {
            path: field.path.clone(),
            shown: field.path.to_string(),
            live: field.live.clone(),
        });
        adopted.push(AdoptedField {
            resource: describe(report),
            field: field.path.to_string(),
            old: field.git.clone(),
            new: field.live.clone(),
            by: field.attribution.as_ref().map(|a| {
                let mut by = a.manager.clone();
                if let Some(sub) = &a.subresource {
                    by.push_str(&format!(" ({sub})"));
                }
                if let Some(time) = a.time {
                    by.push_str(&format!(" · {}", time.format("%Y-%m-%d %H:%M:%SZ")));
                }
                by
            }),
        });
    }
    (edits, adopted)
}

/// The file and document a resource's fields are written into.
fn destination(
    report: &ResourceReport,
    handle: &ResourceHandle,
    target: Option<&TargetSettings>,
    work_tree: &Path,
    options: Options,
) -> Result<Vec<Destination>, String> {
    let origin = report
        .origin
        .as_ref()
        .ok_or_else(|| "no manifest in Git to write into".to_string())?;
    let (edits, fields) = fields_of(report);
    if let Some(chart) = chart_of(&origin.file, work_tree) {
        return helm_destination(&origin.file, &chart, target, work_tree, edits, fields)
            .map(|d| vec![d]);
    }
    let paths = target.map(|t| t.paths.as_slice()).unwrap_or_default();
    let kustomizations = kustomization_chain(paths, work_tree)?;
    if !kustomizations.is_empty() {
        if options.into_overlay {
            // The overlay that renders the resource: the first path whose kustomizations
            // hold the file its object comes from.
            let mut overlay = kustomizations[0].0.clone();
            for path in paths {
                let chain = kustomization_chain(std::slice::from_ref(path), work_tree)?;
                let renders = chain.iter().any(|(folder, _)| {
                    folder.is_empty() || origin.file.starts_with(&format!("{folder}/"))
                });
                if let (true, Some((folder, _))) = (renders, chain.first()) {
                    overlay.clone_from(folder);
                    break;
                }
            }
            let name = format!(
                "adopted-{}-{}.yaml",
                report.identity.kind.to_lowercase(),
                report.identity.name
            );
            let file = join(&overlay, &name);
            let edits = patch_edits(edits, report.live_object.as_ref())?;
            // A patch adopted before is edited in place: what it adopted stays.
            let line = match read_confined(work_tree, &file)? {
                None => 0,
                Some(text) => {
                    let documents = crate::yaml::read_stream(&text)
                        .map_err(|e| format!("{file}: malformed YAML at line {}", e.line))?;
                    documents
                        .iter()
                        .find(|d| {
                            d.value["kind"] == handle.manifest["kind"]
                                && d.value["metadata"]["name"]
                                    == handle.manifest["metadata"]["name"]
                        })
                        .map(|d| d.line)
                        .ok_or_else(|| {
                            format!(
                                "{file} is there and does not patch {} {}; move it away first",
                                report.identity.kind, report.identity.name
                            )
                        })?
                }
            };
            return Ok(vec![Destination {
                file,
                line,
                edits,
                fields,
                listed: true,
            }]);
        }
        // The last patch kustomize applies that sets a field wins: the overlay's first.
        // Fields no patch sets are written where the object is.
        let manifest = &handle.manifest;
        let mut destinations: Vec<Destination> = Vec::new();
        let mut rest: Vec<(FieldEdit, AdoptedField)> = edits.into_iter().zip(fields).collect();
        for (_, patches) in &kustomizations {
            for patch in patches {
                let Some(text) = read_confined(work_tree, patch)? else {
                    continue;
                };
                let Ok(documents) = crate::yaml::read_stream(&text) else {
                    continue;
                };
                let Some(document) = documents.iter().find(|d| {
                    d.value["kind"] == manifest["kind"]
                        && d.value["metadata"]["name"] == manifest["metadata"]["name"]
                }) else {
                    continue;
                };
                let (here, elsewhere): (Vec<_>, Vec<_>) = rest
                    .into_iter()
                    .partition(|(e, _)| e.path.lookup(&document.value).is_some());
                rest = elsewhere;
                if !here.is_empty() {
                    let (edits, fields): (Vec<FieldEdit>, _) = here.into_iter().unzip();
                    destinations.push(Destination {
                        file: patch.clone(),
                        line: document.line,
                        edits: patch_edits(edits, report.live_object.as_ref())?,
                        fields,
                        listed: false,
                    });
                }
            }
        }
        if !rest.is_empty() {
            let (edits, fields) = rest.into_iter().unzip();
            destinations.push(Destination {
                file: origin.file.clone(),
                line: origin.line,
                edits,
                fields,
                listed: false,
            });
        }
        return Ok(destinations);
    }
    Ok(vec![Destination {
        file: origin.file.clone(),
        line: origin.line,
        edits,
        fields,
        listed: false,
    }])
}

/// Edits as a strategic-merge patch writes them: a field removed live is `null` there,
/// and a list item removed live is the item's keys with `$patch: delete`, so that the
/// rendered object loses them (leaving them out of the patch would keep the base's). A
/// list without merge keys is replaced whole by a patch: an item of one is written as the
/// whole list as it is live (`live`, the live object).
fn patch_edits(edits: Vec<FieldEdit>, live: Option<&Value>) -> Result<Vec<FieldEdit>, String> {
    let mut out: Vec<FieldEdit> = Vec::new();
    for mut edit in edits {
        if let Some(at) = edit
            .path
            .segments()
            .iter()
            .position(|s| matches!(s, Segment::Index(_)))
        {
            let list = FieldPath(edit.path.segments()[..at].to_vec());
            let whole = live.and_then(|l| list.lookup(l)).cloned().ok_or_else(|| {
                format!(
                    "{}: an item of a list without merge keys, and the live list is not known; edit it by hand",
                    edit.shown
                )
            })?;
            if !out.iter().any(|e| e.path == list) {
                out.push(FieldEdit {
                    shown: list.to_string(),
                    path: list,
                    live: Some(whole),
                });
            }
            continue;
        }
        if edit.live.is_none() {
            edit.live = Some(match edit.path.segments().last() {
                Some(Segment::Key(pairs)) => {
                    let mut item: serde_json::Map<String, Value> =
                        pairs.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                    item.insert("$patch".into(), Value::String("delete".into()));
                    Value::Object(item)
                }
                _ => Value::Null,
            });
        }
        out.push(edit);
    }
    Ok(out)
}

/// For each kustomization a target's paths render, outermost first: its folder and the
/// patch files it lists, then the same for the local bases it uses.
fn kustomization_chain(
    paths: &[String],
    work_tree: &Path,
) -> Result<Vec<(String, Vec<String>)>, String> {
    let mut out = Vec::new();
    let mut queue: Vec<String> = paths
        .iter()
        .map(|p| p.trim_end_matches('/').to_string())
        .collect();
    let mut seen = std::collections::HashSet::new();
    while let Some(folder) = queue.first().cloned() {
        queue.remove(0);
        if !seen.insert(folder.clone()) || out.len() > 32 {
            continue;
        }
        let mut found = None;
        for name in crate::source::kustomize::FILE_NAMES {
            let file = join(&folder, name);
            if let Some(text) = read_confined(work_tree, &file)? {
                found = Some(text);
                break;
            }
        }
        let Some(text) = found else {
            continue;
        };
        let Ok(config) = crate::yaml::read(&text) else {
            continue;
        };
        let local = |entry: &str| {
            let joined = join(&folder, entry);
            let normal = crate::source::kustomize::normalize(&joined);
            (!entry.contains("://") && !normal.starts_with("..")).then_some(normal)
        };
        let mut patches = Vec::new();
        for item in config["patches"].as_array().into_iter().flatten() {
            if let Some(path) = item["path"].as_str().and_then(local) {
                patches.push(path);
            }
        }
        for item in config["patchesStrategicMerge"]
            .as_array()
            .into_iter()
            .flatten()
        {
            if let Some(path) = item.as_str().filter(|p| !p.contains('\n')).and_then(local) {
                patches.push(path);
            }
        }
        for key in ["resources", "bases"] {
            for item in config[key].as_array().into_iter().flatten() {
                if let Some(path) = item.as_str().and_then(local) {
                    let folder = crate::source::inside_work_tree(work_tree, &path)
                        .map_err(|e| e.to_string())?;
                    if folder.is_dir() {
                        queue.push(path);
                    }
                }
            }
        }
        out.push((folder, patches));
    }
    Ok(out)
}

/// A strategic-merge patch that sets the fields on the object, as a person writes one.
fn new_patch(handle: &ResourceHandle, edits: &[FieldEdit]) -> String {
    let manifest = &handle.manifest;
    let patch = serde_json::json!({
        "apiVersion": manifest["apiVersion"],
        "kind": manifest["kind"],
        "metadata": {"name": manifest["metadata"]["name"]},
    });
    // No namespace: the overlay may set it after patches are matched, by kind and name.
    patch_onto(patch, edits)
}

/// A patch adopted before, with more fields: the document at `line` of `text` merged with
/// the edits and written again, when it cannot be edited in place (a list it does not
/// have yet). What it adopted before stays.
fn merged_patch(text: &str, line: usize, edits: &[FieldEdit]) -> Result<String, EditError> {
    let malformed = |e: crate::yaml::Error| EditError::Yaml(format!("line {}", e.line));
    let documents = crate::yaml::read_stream(text).map_err(malformed)?;
    let document = documents
        .into_iter()
        .find(|d| d.line == line)
        .ok_or(EditError::NoDocument(line))?;
    let (_, range) = crate::yaml::document_spans(text)
        .map_err(malformed)?
        .into_iter()
        .find(|(l, _)| *l == line)
        .ok_or(EditError::NoDocument(line))?;
    Ok(format!(
        "{}{}{}",
        &text[..range.start],
        patch_onto(document.value, edits),
        &text[range.end..]
    ))
}

/// `patch` with the edits' live values written in, as YAML.
fn patch_onto(mut patch: Value, edits: &[FieldEdit]) -> String {
    for edit in edits {
        let mut at = &mut patch;
        let segments = edit.path.segments();
        for (i, segment) in segments.iter().enumerate() {
            let last = i + 1 == segments.len();
            match segment {
                Segment::Field(name) => {
                    if !at.is_object() {
                        *at = serde_json::json!({});
                    }
                    let slot = at
                        .as_object_mut()
                        .expect("made an object")
                        .entry(name.clone())
                        .or_insert(Value::Null);
                    if last {
                        *slot = edit.live.clone().unwrap_or(Value::Null);
                    }
                    at = slot;
                }
                Segment::Key(pairs) => {
                    // A keyed list item: its keys, and the field under them.
                    if !at.is_array() {
                        *at = Value::Array(Vec::new());
                    }
                    let items = at.as_array_mut().expect("made a list");
                    let position = items
                        .iter()
                        .position(|item| pairs.iter().all(|(k, v)| item.get(k) == Some(v)));
                    let index = position.unwrap_or_else(|| {
                        items.push(Value::Object(
                            pairs.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
                        ));
                        items.len() - 1
                    });
                    at = &mut items[index];
                    if last {
                        if let Some(live) = &edit.live {
                            *at = live.clone();
                        }
                    }
                }
                Segment::Index(_) => break,
            }
        }
    }
    crate::yaml::to_string(&patch).unwrap_or_default()
}

/// The kustomization text with `name` added to its `patches:`, as one more item.
fn list_patch(kustomization: &str, name: &str) -> Result<String, EditError> {
    let config = crate::yaml::read(kustomization)
        .map_err(|e| EditError::Yaml(format!("line {}", e.line)))?;
    let item = serde_json::json!({ "path": name });
    let edit = match config["patches"].as_array() {
        Some(patches) if patches.contains(&item) => return Ok(kustomization.to_string()),
        Some(_) => FieldEdit {
            path: FieldPath(vec![
                Segment::Field("patches".into()),
                Segment::Key(vec![("path".into(), Value::String(name.into()))]),
            ]),
            shown: "patches".into(),
            live: Some(item),
        },
        None => FieldEdit {
            path: FieldPath(vec![Segment::Field("patches".into())]),
            shown: "patches".into(),
            live: Some(Value::Array(vec![item])),
        },
    };
    let line = crate::yaml::document_spans(kustomization)
        .map_err(|e| EditError::Yaml(format!("line {}", e.line)))?
        .first()
        .map_or(1, |(l, _)| *l);
    edit::edit_document(kustomization, line, &[edit])
}

/// The chart folder holding a template file, when `file` is one.
fn chart_of(file: &str, work_tree: &Path) -> Option<String> {
    let (chart, _) = file
        .split_once("/templates/")
        .or_else(|| file.strip_prefix("templates/").map(|rest| ("", rest)))?;
    is_file_confined(work_tree, &join(chart, crate::source::helm::CHART_FILE))
        .then(|| chart.to_string())
}

/// For a chart's object: the values file each field comes from, when the template sets the
/// field from one value as it is (`replicas: {{ .Values.replicaCount }}`).
fn helm_destination(
    template: &str,
    chart: &str,
    target: Option<&TargetSettings>,
    work_tree: &Path,
    edits: Vec<FieldEdit>,
    fields: Vec<AdoptedField>,
) -> Result<Destination, String> {
    let text = read_confined(work_tree, template)?
        .ok_or_else(|| format!("cannot read the template {template}: it is not there"))?;
    let mut mapped = Vec::new();
    for edit in &edits {
        let key = match edit.path.segments().last() {
            Some(Segment::Field(key)) => key.clone(),
            _ => String::new(),
        };
        let values_path = one_value(&text, &key).ok_or_else(|| {
            format!(
                "the template {template} does not set {} from one value as it is; change the chart or its values by hand",
                edit.shown
            )
        })?;
        mapped.push((values_path, edit));
    }
    // The last values file that sets the value; else the chart's own values.yaml.
    let given = target.map(|t| t.helm.values.clone()).unwrap_or_default();
    let chart_values = join(chart, "values.yaml");
    let candidates: Vec<String> = given
        .iter()
        .rev()
        .cloned()
        .chain(std::iter::once(chart_values.clone()))
        .collect();
    let mut file = None;
    for candidate in &candidates {
        let Some(text) = read_confined(work_tree, candidate)? else {
            continue;
        };
        let Ok(values) = crate::yaml::read(&text) else {
            continue;
        };
        if mapped
            .iter()
            .all(|(path, _)| path.lookup(&values).is_some())
        {
            file = Some(candidate.clone());
            break;
        }
    }
    let file = file
        .or_else(|| given.last().cloned())
        .unwrap_or(chart_values);
    let values_text = read_confined(work_tree, &file)?
        .ok_or_else(|| format!("cannot read the values file {file}: it is not there"))?;
    let line = crate::yaml::document_spans(&values_text)
        .ok()
        .and_then(|spans| spans.first().map(|(l, _)| *l))
        .ok_or_else(|| format!("the values file {file} holds no values"))?;
    Ok(Destination {
        file,
        line,
        edits: mapped
            .into_iter()
            .map(|(path, edit)| FieldEdit {
                shown: format!("{} (.Values.{})", edit.shown, path),
                path,
                live: edit.live.clone(),
            })
            .collect(),
        fields,
        listed: false,
    })
}

/// The values path a template line `KEY: {{ .Values.a.b }}` (a `| quote` allowed) takes
/// as it is, when exactly one line sets KEY so.
fn one_value(template: &str, key: &str) -> Option<FieldPath> {
    let mut found = None;
    for line in template.lines() {
        let Some(rest) = line.trim_start().strip_prefix(&format!("{key}:")) else {
            continue;
        };
        let inner = rest
            .trim()
            .trim_matches('"')
            .strip_prefix("{{")?
            .strip_suffix("}}")?
            .trim_matches('-')
            .trim();
        let inner = inner
            .strip_suffix("| quote")
            .map(str::trim)
            .unwrap_or(inner);
        let path = inner.strip_prefix(".Values.")?;
        if !path
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        {
            return None;
        }
        if found.is_some() {
            return None;
        }
        found = Some(FieldPath(
            path.split('.')
                .map(|p| Segment::Field(p.to_string()))
                .collect(),
        ));
    }
    found
}

/// Writes every changed file: each first in full beside itself, then renamed over it, so
/// that no file is left half-written.
pub fn write(adoption: &Adoption) -> Result<(), AdoptError> {
    let mut written = Vec::new();
    for change in &adoption.changes {
        let path =
            crate::source::inside_work_tree(&adoption.work_tree, &change.file).map_err(|e| {
                AdoptError::Io {
                    path: adoption.work_tree.join(&change.file),
                    source: std::io::Error::other(e.to_string()),
                }
            })?;
        // A new file of a name no one chose (created exclusively, so never through a
        // symlink the repository planted beside the target), in the target's folder.
        let folder = path.parent().unwrap_or(&adoption.work_tree);
        let io = |source| AdoptError::Io {
            path: path.clone(),
            source,
        };
        let mut temporary = tempfile::Builder::new()
            .prefix(".kubectl-drift-adopt")
            .tempfile_in(folder)
            .map_err(io)?;
        std::io::Write::write_all(&mut temporary, change.after.as_bytes()).map_err(io)?;
        // The file keeps its mode; a new one gets what a file Git checks out gets.
        match std::fs::metadata(&path) {
            Ok(existing) => temporary
                .as_file()
                .set_permissions(existing.permissions())
                .map_err(io)?,
            #[cfg(unix)]
            Err(_) => {
                use std::os::unix::fs::PermissionsExt;
                temporary
                    .as_file()
                    .set_permissions(std::fs::Permissions::from_mode(0o644))
                    .map_err(io)?
            }
            #[cfg(not(unix))]
            Err(_) => {}
        }
        written.push((temporary, path));
    }
    for (temporary, path) in written {
        temporary.persist(&path).map_err(|e| AdoptError::Io {
            path,
            source: e.error,
        })?;
    }
    Ok(())
}

/// The commit message: each field, its old and new value, and who changed it live.
pub fn commit_message(adoption: &Adoption) -> String {
    let fields: Vec<&AdoptedField> = adoption.changes.iter().flat_map(|c| &c.fields).collect();
    let mut resources: Vec<&str> = fields.iter().map(|f| f.resource.as_str()).collect();
    resources.dedup();
    let mut message = format!(
        "Adopt live changes into Git: {}\n\n",
        if resources.len() == 1 {
            resources[0].to_string()
        } else {
            format!("{} resources", resources.len())
        }
    );
    let shown = |v: &Option<Value>| {
        let text = v.as_ref().map_or("(absent)".to_string(), Value::to_string);
        crate::report::terminal_text(&text)
            .chars()
            .take(120)
            .collect::<String>()
    };
    let mut last = "";
    for field in fields {
        if field.resource != last {
            message.push_str(&format!("{}:\n", field.resource));
            last = &field.resource;
        }
        message.push_str(&format!(
            "  {}: {} -> {}{}\n",
            field.field,
            shown(&field.old),
            shown(&field.new),
            field
                .by
                .as_ref()
                .map_or(String::new(), |b| format!(", changed live by {b}"))
        ));
    }
    message
}

/// Commits the changed files (and only them) on the current branch; returns the commit.
pub fn commit(adoption: &Adoption) -> Result<String, AdoptError> {
    let files: Vec<&str> = adoption.changes.iter().map(|c| c.file.as_str()).collect();
    let operands = |g: Program| files.iter().fold(g, |g, file| g.operand(file));
    git(&adoption.work_tree, "add", operands)?;
    let message = commit_message(adoption);
    git(&adoption.work_tree, "commit", |g| {
        operands(g.arg("--quiet").option("--message", &message))
    })?;
    git(&adoption.work_tree, "rev-parse", |g| g.arg("HEAD"))
}

/// How long one git command may take: a commit runs the user's hooks.
const GIT_DEADLINE: std::time::Duration = std::time::Duration::from_secs(300);

/// What git gets from the environment beyond the runner's allow list: who commits, and
/// where the user's own configuration is. No `GIT_DIR`, `GIT_WORK_TREE`, `GIT_INDEX_FILE`
/// or any other variable can point it at another repository or index.
const GIT_ENV: &[&str] = &[
    "GIT_AUTHOR_NAME",
    "GIT_AUTHOR_EMAIL",
    "GIT_AUTHOR_DATE",
    "GIT_COMMITTER_NAME",
    "GIT_COMMITTER_EMAIL",
    "GIT_COMMITTER_DATE",
    "EMAIL",
    "XDG_CONFIG_HOME",
];

/// Runs `git WHAT` in the work tree, with what `build` adds; returns stdout, trimmed.
fn git(
    work_tree: &Path,
    what: &'static str,
    build: impl FnOnce(Program) -> Program,
) -> Result<String, AdoptError> {
    let program = Program::new(
        "git",
        format!("git {what}"),
        work_tree.display().to_string(),
    )
    .current_dir(work_tree)
    // File names are names, never patterns (`k8s/[ab].yaml`).
    .arg("--literal-pathspecs")
    .arg(what)
    .pass_env(GIT_ENV)
    .env("GIT_TERMINAL_PROMPT", "0")
    .deadline(GIT_DEADLINE);
    let out = build(program).run_text()?;
    Ok(out.trim().to_string())
}

/// The change as a patch, `git diff` style.
pub fn patch(adoption: &Adoption) -> String {
    let mut out = String::new();
    for change in &adoption.changes {
        let diff = similar::TextDiff::from_lines(&change.before, &change.after);
        let (a, b) = if change.before.is_empty() {
            ("/dev/null".to_string(), format!("b/{}", change.file))
        } else {
            (format!("a/{}", change.file), format!("b/{}", change.file))
        };
        out.push_str(&format!("diff --git a/{0} b/{0}\n", change.file));
        out.push_str(
            &diff
                .unified_diff()
                .context_radius(3)
                .header(&a, &b)
                .to_string(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn edit(segments: Vec<Segment>, live: Option<Value>) -> FieldEdit {
        let path = FieldPath(segments);
        FieldEdit {
            shown: path.to_string(),
            path,
            live,
        }
    }

    #[test]
    fn removals_in_a_patch_delete_and_a_patch_adopted_before_keeps_its_fields() {
        let container = || {
            vec![
                Segment::Field("spec".into()),
                Segment::Field("containers".into()),
                Segment::Key(vec![("name".into(), json!("web"))]),
            ]
        };
        let mut env = container();
        env.push(Segment::Field("env".into()));
        env.push(Segment::Key(vec![("name".into(), json!("DEBUG"))]));
        let edits = patch_edits(
            vec![
                edit(env, None),
                edit(vec![Segment::Field("data".into())], None),
            ],
            None,
        )
        .unwrap();
        assert_eq!(
            edits[0].live,
            Some(json!({"name": "DEBUG", "$patch": "delete"}))
        );
        assert_eq!(edits[1].live, Some(Value::Null));
        // An item of a list without merge keys: the whole list, as it is live.
        let args = |i: usize| {
            let mut path = container();
            path.push(Segment::Field("args".into()));
            path.push(Segment::Index(i));
            edit(path, Some(json!("-v")))
        };
        assert!(patch_edits(vec![args(1)], None).is_err());
        let live = json!({"spec": {"containers": [{"name": "web", "args": ["run", "-v", "-q"]}]}});
        let whole = patch_edits(vec![args(1), args(2)], Some(&live)).unwrap();
        assert_eq!(whole.len(), 1, "{whole:?}");
        assert_eq!(whole[0].shown, "spec.containers[name=web].args");
        assert_eq!(whole[0].live, Some(json!(["run", "-v", "-q"])));

        let before = "# adopted\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 5\n";
        let after = merged_patch(before, 2, &edits[..1]).unwrap();
        let value = crate::yaml::read(&after).unwrap();
        assert_eq!(value["spec"]["replicas"], json!(5));
        assert_eq!(
            value["spec"]["containers"],
            json!([{"name": "web", "env": [{"name": "DEBUG", "$patch": "delete"}]}])
        );
    }
}
