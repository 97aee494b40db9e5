//! The HTML page: built from a report like the one tests/render.rs uses, checked as text
//! (self-contained, no secret, everything escaped, the summary numbers behind stable hooks)
//! and then in headless Chromium, which runs the page's script, dumps the DOM it ends with
//! and takes a screenshot (kept under `<target>/test-artifacts/`).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration as StdDuration, Instant};

use serde_json::json;

use kubectl_drift::drift::IgnoredField;
use kubectl_drift::drift::{FieldDrift, Status};
use kubectl_drift::render::html;
use kubectl_drift::report::{redact, ContextSummary, Report, ResourceReport, Style};
use kubectl_drift::source::Origin;

#[path = "support/sample.rs"]
mod sample;
use sample::*;

const CHROMIUM: &str = "/usr/bin/chromium";
/// The longest one Chromium run may take before the test kills it and fails.
const CHROMIUM_TIMEOUT: StdDuration = StdDuration::from_secs(60);

fn style() -> Style {
    Style {
        color: false,
        width: 80,
        now: now(),
    }
}

/// The resources of tests/render.rs's report, plus an accepted Deployment and a
/// cluster-scoped extra Namespace, so that the page shows every status.
fn resources() -> Vec<ResourceReport> {
    let mut resources = sample::resources();
    let worker = ResourceReport {
        context: "staging".into(),
        identity: identity("apps", "Deployment", Some("shop"), "worker"),
        status: Status::Accepted,
        origin: origin("deploy/shop/worker.yaml", 1),
        fields: vec![FieldDrift {
            rating: None,
            path: path("spec.replicas"),
            git: Some(json!(2)),
            live: Some(json!(6)),
            attribution: by("keda-operator", Some("scale"), 30),
        }],
        live_digest: None,
        ignored_fields: vec![],
        message: Some("accepted by alice@example.com until 2026-04-01: load test".into()),
        predicted_object: None,
        live_object: None,
    };
    let tmp_namespace = ResourceReport {
        context: "production".into(),
        identity: identity("", "Namespace", None, "tmp-debug"),
        status: Status::Extra,
        origin: None,
        fields: vec![],
        live_digest: None,
        ignored_fields: vec![],
        message: None,
        predicted_object: None,
        live_object: Some(json!({
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": "tmp-debug", "labels": {"drift.kubectl.io/target": "shop"}},
        })),
    };
    resources.extend([worker, tmp_namespace]);
    resources
}

/// Three contexts: one with a target, one read-only with a warning, one that failed.
fn report_of(resources: Vec<ResourceReport>) -> Report {
    let contexts = ["production", "staging", "development"]
        .into_iter()
        .map(|context| {
            let mut summary = ContextSummary {
                context: context.into(),
                commit: Some(COMMIT.into()),
                ..Default::default()
            };
            match context {
                "production" => {
                    summary.target = Some("shop".into());
                    summary.skipped_files = 1;
                }
                "staging" => {
                    summary.read_only = true;
                    summary.warnings =
                        vec!["cannot list networkpolicies.networking.k8s.io: forbidden".into()];
                }
                _ => {
                    summary.error =
                        Some("cannot reach https://10.0.0.1:6443: connection refused".into());
                }
            }
            summary.count(&resources);
            summary
        })
        .collect();
    Report {
        resources,
        contexts,
    }
}

fn report() -> Report {
    report_of(resources())
}

fn page(report: &Report) -> String {
    let mut out = Vec::new();
    html::render(report, &style(), &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// The text content right after the opening tag holding `marker` (an attribute, say), up
/// to the next tag.
fn text_at<'a>(html: &'a str, marker: &str) -> &'a str {
    let at = html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} is not in the page"));
    let start = at + html[at..].find('>').unwrap() + 1;
    let end = start + html[start..].find('<').unwrap();
    &html[start..end]
}

fn number_at(html: &str, marker: &str) -> usize {
    let text = text_at(html, marker);
    text.trim()
        .parse()
        .unwrap_or_else(|_| panic!("{marker}: {text:?} is not a number"))
}

/// The opening tag holding `marker`.
fn tag_at<'a>(html: &'a str, marker: &str) -> &'a str {
    let at = html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} is not in the page"));
    let start = html[..at].rfind('<').unwrap();
    let end = at + html[at..].find('>').unwrap();
    &html[start..=end]
}

/// What each summary hook should say for one context.
fn expected(summary: &ContextSummary) -> Vec<(&'static str, usize)> {
    vec![
        ("drifted", summary.drifted),
        ("missing", summary.missing),
        ("extra", summary.extra),
        ("errors", summary.errors),
        ("accepted", summary.accepted),
        ("ignored", summary.ignored),
        ("ignored-fields", summary.ignored_field_count),
        ("in-sync", summary.in_sync),
        ("skipped-files", summary.skipped_files),
    ]
}

/// Checks every per-context count and every total in `html` (the page, or the DOM Chromium
/// ended with) against the report.
fn assert_counts(html: &str, report: &Report) {
    let hooks: Vec<&str> = html::COUNTS.iter().map(|(hook, _)| *hook).collect();
    assert_eq!(
        hooks,
        expected(&ContextSummary::default())
            .iter()
            .map(|(h, _)| *h)
            .collect::<Vec<_>>()
    );
    let mut totals = vec![0; hooks.len()];
    for summary in &report.contexts {
        for (i, (hook, want)) in expected(summary).into_iter().enumerate() {
            let marker = format!("data-count=\"{hook}\" data-context=\"{}\"", summary.context);
            assert_eq!(number_at(html, &marker), want, "{marker}");
            totals[i] += want;
        }
    }
    for (hook, total) in hooks.iter().zip(totals) {
        assert_eq!(
            number_at(html, &format!("id=\"total-{hook}\"")),
            total,
            "total-{hook}"
        );
    }
    // And the totals are the report's own counts by status.
    let by_status = |status: Status| {
        report
            .resources
            .iter()
            .filter(|r| r.status == status)
            .count()
    };
    for (hook, status) in [
        ("drifted", Status::Drifted),
        ("missing", Status::Missing),
        ("extra", Status::Extra),
        ("errors", Status::Error),
        ("accepted", Status::Accepted),
        ("ignored", Status::Ignored),
        ("in-sync", Status::InSync),
    ] {
        assert_eq!(
            number_at(html, &format!("id=\"total-{hook}\"")),
            by_status(status),
            "{hook}"
        );
    }
}

#[test]
fn page_is_self_contained() {
    let text = page(&report());
    assert!(text.starts_with("<!DOCTYPE html>"));
    let lower = text.to_lowercase();
    assert!(!lower.contains("<link"), "no linked style sheets");
    assert!(!lower.contains("@import"));
    assert!(!lower.contains("url("), "no resources from CSS");
    assert!(!lower.contains("<img"), "charts are inline SVG");
    assert!(!lower.contains("<iframe"));
    for attribute in ["src=", "href=", "xlink:href", "action="] {
        assert!(!lower.contains(attribute), "page has {attribute}");
    }
    for scheme in ["http://", "https://", "//cdn"] {
        for quote in ["\"", "'", "("] {
            assert!(
                !lower.contains(&format!("{quote}{scheme}")),
                "{quote}{scheme}"
            );
        }
    }
    // The policy forbids loading anything, should anything above be missed.
    assert!(text.contains(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src &#39;none&#39;;"
    ));
    assert_eq!(text.matches("<script").count(), 1, "one inline script");
    assert_eq!(text.matches("<style").count(), 1, "one inline style sheet");
    assert!(text.contains("<svg"));
}

#[test]
fn secret_values_never_leak() {
    let text = page(&report());
    for value in SECRET_VALUES {
        assert!(!text.contains(value), "the page shows {value}");
    }
    // The key that changed is still named, and shown as changed.
    assert!(text.contains("<tr data-path=\"data.password\">"));
    assert!(text.contains(redact::HIDDEN_CHANGED));
}

#[test]
fn markup_in_report_text_is_escaped() {
    let mut resources = resources();
    resources.push(ResourceReport {
        context: "staging".into(),
        identity: identity(
            "",
            "ConfigMap<script>",
            Some("ns\"><script>alert(2)</script>"),
            "evil<script>alert(1)</script>",
        ),
        status: Status::Drifted,
        origin: Some(Origin {
            file: "deploy/<script>.yaml".into(),
            line: 1,
            commit: None,
        }),
        fields: vec![FieldDrift {
            rating: None,
            path: path("data.<script>"),
            git: Some(json!("</td><script>alert(3)</script>")),
            live: Some(json!("<img src=x onerror=alert(4)>")),
            attribution: by("<script>manager", None, 1),
        }],
        live_digest: None,
        ignored_fields: vec![IgnoredField {
            path: "data.<b>".into(),
            reason: "<script>alert(5)</script>".into(),
            field: path("data.<b>"),
        }],
        message: Some("<script>alert(6)</script> & more".into()),
        predicted_object: Some(json!({"data": {"k": "<script>alert(7)</script>"}})),
        live_object: Some(json!({"data": {"k": "<script>alert(8)</script>"}})),
    });
    let text = page(&report_of(resources));
    // Only the page's own script tag, and no injected element of any kind.
    assert_eq!(text.matches("<script").count(), 1);
    assert!(!text.contains("<img"));
    assert!(!text.contains("<b>"));
    assert!(text.contains("evil&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(text.contains("data-name=\"evil&lt;script&gt;alert(1)&lt;/script&gt;\""));
    assert!(text.contains("data-namespace=\"ns&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;\""));
    assert!(text.contains("&lt;/td&gt;&lt;script&gt;alert(3)&lt;/script&gt;"));
    assert!(text.contains("&lt;img src=x onerror=alert(4)&gt;"));
    assert!(text.contains("&lt;script&gt;alert(5)&lt;/script&gt;"));
    assert!(text.contains("&lt;script&gt;alert(6)&lt;/script&gt; &amp; more"));
    // The YAML of both sides, its changed characters marked.
    assert!(text.contains("k: &lt;script&gt;alert(<span class=\"hl\">7</span>)&lt;/script&gt;"));
    assert!(text.contains("k: &lt;script&gt;alert(<span class=\"hl\">8</span>)&lt;/script&gt;"));
}

#[test]
fn summary_counts_have_data_hooks() {
    let report = report();
    let text = page(&report);
    assert_counts(&text, &report);
    assert_eq!(number_at(&text, "id=\"total-drifted\""), 2);
    assert_eq!(number_at(&text, "id=\"total-missing\""), 1);
    assert_eq!(number_at(&text, "id=\"total-extra\""), 2);
    assert_eq!(number_at(&text, "id=\"total-errors\""), 1);
    assert_eq!(number_at(&text, "id=\"total-in-sync\""), 2);
    assert_eq!(
        number_at(&text, "data-count=\"drifted\" data-context=\"production\""),
        2
    );
    assert_eq!(
        number_at(&text, "data-count=\"errors\" data-context=\"staging\""),
        1
    );
    // The notes of each context.
    assert!(text.contains(
        "<code class=\"commit\" title=\"3f9c2a1e8b7d6c5f4a3b2c1d0e9f8a7b6c5d4e3f\">3f9c2a1</code>"
    ));
    assert!(text.contains("read-only: declared fields only"));
    assert!(text.contains("warning: cannot list networkpolicies.networking.k8s.io: forbidden"));
    assert!(text.contains("error: cannot reach https://10.0.0.1:6443: connection refused"));
    assert!(tag_at(&text, "<tr data-context=\"development\"").contains("class=\"failed\""));
    assert!(text.contains("<td>shop</td>"), "production's target");
    assert!(text.contains("datetime=\"2026-03-01T12:00:00Z\""));
}

#[test]
fn each_resource_that_is_not_in_sync_has_a_section() {
    let report = report();
    let text = page(&report);
    for (i, resource) in report.resources.iter().enumerate() {
        let tag = tag_at(&text, &format!("id=\"resource-{i}\""));
        let id = &resource.identity;
        for attribute in [
            format!("data-status=\"{}\"", resource.status),
            format!("data-context=\"{}\"", resource.context),
            format!("data-kind=\"{}\"", id.kind),
            format!(
                "data-namespace=\"{}\"",
                id.namespace.as_deref().unwrap_or_default()
            ),
            format!("data-name=\"{}\"", id.name),
        ] {
            assert!(tag.contains(&attribute), "{tag} lacks {attribute}");
        }
        if resource.status == Status::InSync {
            assert!(tag.starts_with("<tr "), "{tag}");
        } else {
            assert!(tag.starts_with("<details class=\"resource "), "{tag}");
            assert!(tag.ends_with(" open>"), "{tag}");
        }
    }
    // In-sync resources are listed in a collapsed list.
    assert!(text.contains("<details id=\"in-sync\" class=\"in-sync\">"));
    // The Deployment's fields, with who wrote them and the origin.
    assert!(text.contains("<tr data-path=\"spec.template.spec.containers[name=web].image\">"));
    assert!(text.contains(
        "<code>spec.<wbr>template.<wbr>spec.<wbr>containers[name=web].<wbr>image</code>"
    ));
    assert!(text.contains("kubectl (scale) · Update · 2h ago"));
    assert!(text.contains("kubectl-set · Update · 1d ago"));
    assert!(text.contains("deploy/shop/web.yaml:1 @ 3f9c2a1"));
    assert!(text.contains("<code>spec.revisionHistoryLimit</code> <span class=\"reason\">tuned by the platform team</span>"));
    // The side-by-side diff marks the replaced line, its changed characters and the
    // added env, and folds the unchanged run at the top.
    assert!(text.contains("<span class=\"hl\">2</span>"));
    assert!(text.contains("<span class=\"hl\">3-hotfix</span>"));
    assert!(
        text.contains("<tr class=\"ins\"><td class=\"ln l\"></td><td class=\"code blank l\"></td>")
    );
    assert!(text.contains("unchanged lines</span>"));
    assert!(text.contains("<tr class=\"folded same\">"));
    // Missing and extra objects have one side only.
    assert!(text.contains(">absent live</td>"));
    assert!(text.contains(">no manifest in Git</td>"));
    assert!(text.contains("is forbidden: User"));
}

#[test]
fn charts_count_drift_by_namespace_and_kind() {
    let text = page(&report());
    // Drifted web and credentials, missing settings, extra debug-flags in shop; the extra
    // Namespace is cluster-scoped.
    let bar = |chart: &str, label: &str| {
        let at = text.find(&format!("id=\"{chart}\"")).unwrap();
        let end = at + text[at..].find("</figure>").unwrap();
        tag_at(&text[at..end], &format!("data-label=\"{label}\"")).to_string()
    };
    assert!(bar("chart-namespace", "shop")
        .contains("data-count=\"4\" data-drifted=\"2\" data-missing=\"1\" data-extra=\"1\""));
    assert!(bar("chart-namespace", "(cluster)")
        .contains("data-count=\"1\" data-drifted=\"0\" data-missing=\"0\" data-extra=\"1\""));
    assert!(bar("chart-kind", "ConfigMap")
        .contains("data-count=\"2\" data-drifted=\"0\" data-missing=\"1\" data-extra=\"1\""));
    assert!(bar("chart-kind", "Deployment").contains("data-count=\"1\""));
    assert!(bar("chart-kind", "Secret").contains("data-count=\"1\""));
    assert!(
        !text.contains("data-label=\"CronJob\""),
        "ignored is not drift"
    );
}

#[test]
fn an_empty_report_renders() {
    let text = page(&Report::default());
    assert!(text.contains("No resources were checked"));
    assert!(text.contains("No drift."));
    assert_eq!(number_at(&text, "id=\"total-drifted\""), 0);
}

/// Where screenshots and pages are kept: `<target>/test-artifacts/`.
fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("test-artifacts");
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs headless Chromium with `args` and returns what it printed, failing the test when
/// it is not installed, fails or takes longer than `CHROMIUM_TIMEOUT`.
fn chromium(work: &Path, args: &[String]) -> String {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium) \
         to run the HTML report's browser test"
    );
    // A profile per run, so that parallel runs do not wait on each other's lock.
    let profile = tempfile::tempdir_in(work).unwrap();
    let stdout_path = work.join("chromium.stdout");
    let stderr_path = work.join("chromium.stderr");
    let mut child = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .stdin(Stdio::null())
        .stdout(fs::File::create(&stdout_path).unwrap())
        .stderr(fs::File::create(&stderr_path).unwrap())
        .spawn()
        .expect("start chromium");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > CHROMIUM_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "chromium {args:?} took longer than {CHROMIUM_TIMEOUT:?}; stderr:\n{}",
                fs::read_to_string(&stderr_path).unwrap_or_default()
            );
        }
        std::thread::sleep(StdDuration::from_millis(50));
    };
    let stdout = fs::read_to_string(&stdout_path).unwrap();
    assert!(
        status.success(),
        "chromium {args:?}: {status}; stderr:\n{}",
        fs::read_to_string(&stderr_path).unwrap_or_default()
    );
    stdout
}

fn file_url(path: &Path) -> String {
    format!("file://{}", path.canonicalize().unwrap().display())
}

#[test]
fn chromium_runs_the_page_and_shows_the_counts() {
    let report = report();
    let work = tempfile::tempdir().unwrap();
    let file = work.path().join("report.html");
    fs::write(&file, page(&report)).unwrap();
    let url = file_url(&file);

    let dom = chromium(work.path(), &["--dump-dom".to_string(), url.clone()]);
    // The script ran: it marks the body and shows the filters it wires up.
    assert!(
        dom.contains("<body data-ready=\"1\">"),
        "the page's script did not run"
    );
    assert!(!tag_at(&dom, "id=\"filters\"").contains("hidden"));
    assert_eq!(
        number_at(&dom, "id=\"shown-count\""),
        report.resources.len()
    );
    // The numbers are the report's, as the browser shows them.
    assert_counts(&dom, &report);
    assert_eq!(number_at(&dom, "id=\"total-drifted\""), 2);
    // Nothing is hidden before filtering.
    for i in 0..report.resources.len() {
        assert!(!tag_at(&dom, &format!("id=\"resource-{i}\"")).contains("hidden"));
    }

    // Filters preset in the fragment: drifted resources whose name has "db" in it.
    let filtered = chromium(
        work.path(),
        &[
            "--dump-dom".to_string(),
            format!("{url}#q=db&status=Drifted"),
        ],
    );
    assert_eq!(number_at(&filtered, "id=\"shown-count\""), 1);
    for (i, resource) in report.resources.iter().enumerate() {
        let tag = tag_at(&filtered, &format!("id=\"resource-{i}\""));
        let shown = resource.identity.name == "db-credentials";
        assert_eq!(!tag.contains("hidden"), shown, "{tag}");
    }
    assert!(tag_at(&filtered, "id=\"in-sync\"").contains("hidden"));

    // A screenshot, kept for people to look at.
    let png = artifacts().join("html-report.png");
    let _ = fs::remove_file(&png);
    chromium(
        work.path(),
        &[
            format!("--screenshot={}", png.display()),
            "--window-size=1280,2000".to_string(),
            url,
        ],
    );
    fs::copy(&file, artifacts().join("html-report.html")).unwrap();
    let bytes = fs::read(&png).unwrap_or_else(|e| panic!("{}: {e}", png.display()));
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!((width, height), (1280, 2000));
    // A blank page compresses to a few kilobytes; this one has text and colors.
    assert!(
        bytes.len() > 50_000,
        "{}: only {} bytes",
        png.display(),
        bytes.len()
    );
}
