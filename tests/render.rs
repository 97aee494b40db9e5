//! The four output formats rendered from one hand-built report: snapshots at two widths, plus
//! the promises that must hold whatever the snapshots say (lines fit the width, no secret
//! value leaks, the JSON parses).

use serde_json::{json, Value};
use unicode_width::UnicodeWidthStr;

use kubectl_drift::render::{json as json_format, side_by_side, summary, unified};
use kubectl_drift::report::{redact, ContextSummary, Report, Style};
#[path = "support/sample.rs"]
mod sample;
use sample::*;

type Renderer = fn(&Report, &Style, &mut dyn std::io::Write) -> std::io::Result<()>;

const FORMATS: &[(&str, Renderer)] = &[
    ("side_by_side", side_by_side::render),
    ("unified", unified::render),
    ("json", json_format::render),
    ("summary", summary::render),
];

fn style(width: usize, color: bool) -> Style {
    Style {
        color,
        width,
        now: now(),
    }
}

fn report() -> Report {
    let resources = resources();
    let contexts = ["production", "staging"]
        .into_iter()
        .map(|context| {
            let mut summary = ContextSummary {
                context: context.into(),
                commit: Some(COMMIT.into()),
                ..Default::default()
            };
            summary.count(&resources);
            summary
        })
        .collect();
    Report {
        resources,
        contexts,
    }
}

fn render(renderer: Renderer, style: &Style) -> String {
    let mut out = Vec::new();
    renderer(&report(), style, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// Removes ANSI color sequences (`ESC [ … m`), leaving what the terminal shows.
fn strip_ansi(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn snapshots_without_color() {
    for &(name, renderer) in FORMATS {
        for width in [80, 160] {
            let text = render(renderer, &style(width, false));
            assert!(!text.contains('\x1b'), "{name} at {width} has colors");
            insta::assert_snapshot!(format!("{name}_{width}"), text);
        }
    }
}

#[test]
fn side_by_side_with_color() {
    let text = render(side_by_side::render, &style(100, true));
    assert!(text.contains("\x1b["));
    insta::assert_snapshot!("side_by_side_color_100", text.replace("\x1b[", "␛["));
}

#[test]
fn lines_fit_the_width() {
    for &(name, renderer) in FORMATS.iter().filter(|(name, _)| *name != "json") {
        for width in [60, 80, 100, 160] {
            for color in [false, true] {
                let text = render(renderer, &style(width, color));
                for line in strip_ansi(&text).lines() {
                    assert!(
                        line.width() <= width,
                        "{name} at {width} (color {color}): {} columns: {line}",
                        line.width()
                    );
                }
            }
        }
    }
}

#[test]
fn color_changes_nothing_but_escapes() {
    for &(name, renderer) in FORMATS {
        let plain = render(renderer, &style(80, false));
        let colored = render(renderer, &style(80, true));
        assert_eq!(strip_ansi(&colored), plain, "{name}");
    }
}

#[test]
fn secret_values_never_leak() {
    for &(name, renderer) in FORMATS {
        for width in [80, 160] {
            for color in [false, true] {
                let text = render(renderer, &style(width, color));
                for value in SECRET_VALUES {
                    assert!(!text.contains(value), "{name} at {width} shows {value}");
                }
            }
        }
    }
    // The key that changed is still named.
    let text = render(side_by_side::render, &style(80, false));
    assert!(text.contains("data.password"));
}

#[test]
fn every_format_ends_with_the_context_lines() {
    let report = report();
    let lines: Vec<String> = report.contexts.iter().map(ContextSummary::line).collect();
    for &(name, renderer) in FORMATS.iter().filter(|(name, _)| *name != "json") {
        // Wide enough that no summary line wraps.
        let text = render(renderer, &style(160, false));
        let tail: Vec<&str> = text.lines().rev().take(lines.len()).collect();
        for (want, have) in lines.iter().rev().zip(tail) {
            assert!(
                have.ends_with(want.as_str()),
                "{name}: {have:?} is not {want:?}"
            );
        }
    }
}

#[test]
fn in_sync_resources_collapse_into_the_summary() {
    let text = render(side_by_side::render, &style(160, false));
    assert!(!text.contains("Service shop/web"));
    assert!(text.contains("Deployment shop/web  ·  production  ·  Drifted (3 fields)"));
    assert!(!text.contains("staging  ·  InSync"));
}

#[test]
fn json_has_the_documented_shape() {
    let text = render(json_format::render, &style(80, false));
    let document: Value = serde_json::from_str(&text).expect("JSON parses");
    let resources = document["resources"].as_array().unwrap();
    assert_eq!(resources.len(), 8, "in-sync resources are included");

    let web = &resources[0];
    assert_eq!(web["context"], "production");
    assert_eq!(web["group"], "apps");
    assert_eq!(web["version"], "v1");
    assert_eq!(web["kind"], "Deployment");
    assert_eq!(web["namespace"], "shop");
    assert_eq!(web["name"], "web");
    assert_eq!(web["status"], "Drifted");
    assert_eq!(
        web["origin"],
        json!({"file": "deploy/shop/web.yaml", "line": 1, "commit": COMMIT})
    );
    assert_eq!(web["message"], Value::Null);
    let paths: Vec<&str> = web["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "spec.replicas",
            "spec.template.spec.containers[name=web].image",
            "spec.template.spec.containers[name=web].env",
        ]
    );
    assert_eq!(
        web["fields"][0],
        json!({"path": "spec.replicas", "git": 3, "live": 5, "manager": "kubectl",
               "operation": "Update", "subresource": "scale", "time": "2026-03-01T10:00:00Z",
               "severity": "low", "rule": "replicas"})
    );
    // A retag within the image's repository is a pod template change, not a new source; the
    // resource takes the highest of its fields.
    assert_eq!(web["fields"][1]["rule"], "pod-template");
    assert_eq!(
        (&web["severity"], &web["rule"]),
        (&json!("medium"), &json!("pod-template"))
    );
    assert_eq!(web["fields"][2]["git"], Value::Null);
    assert_eq!(web["fields"][2]["live"][0]["name"], "LOG_LEVEL");

    let statuses: Vec<&str> = resources
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["Drifted", "Missing", "Extra", "Ignored", "InSync", "Drifted", "InSync", "Error"]
    );
    let severities: Vec<&Value> = resources.iter().map(|r| &r["severity"]).collect();
    assert_eq!(
        severities,
        [
            &json!("medium"),
            &json!("high"),
            &json!("medium"),
            &Value::Null,
            &Value::Null,
            &json!("medium"),
            &Value::Null,
            &Value::Null
        ]
    );
    assert_eq!(
        web["ignored_fields"],
        json!([{"path": "spec.revisionHistoryLimit", "reason": "tuned by the platform team"}])
    );
    assert_eq!(resources[2]["origin"], Value::Null);
    let reader = &resources[7];
    assert_eq!(reader["namespace"], Value::Null);
    assert!(reader["message"].as_str().unwrap().contains("forbidden"));
    assert_eq!(resources[5]["fields"][0]["git"], redact::HIDDEN);
    assert_eq!(resources[5]["fields"][0]["live"], redact::HIDDEN_CHANGED);

    assert_eq!(document["apiVersion"], "kubectl-drift/v1");
    assert_eq!(document["kind"], "DriftReport");
    let summary = document["summary"].as_array().unwrap();
    assert_eq!(summary.len(), 2);
    assert_eq!(
        summary[0],
        json!({"context": "production", "target": null, "cluster_uid": null, "in_sync": 1, "drifted": 2, "missing": 1,
               "accepted": 0, "ignored": 1, "ignored_field_count": 1, "extra": 1, "errors": 0,
               "skipped_files": 0, "commit": COMMIT, "read_only": false,
               "read_only_types": [], "error": null, "warnings": []})
    );
    assert_eq!(summary[1]["errors"], 1);
}

#[test]
fn tiny_widths_do_not_panic() {
    for &(_, renderer) in FORMATS {
        for width in [0, 1, 3, 7, 20, 40] {
            for color in [false, true] {
                render(renderer, &style(width, color));
            }
        }
    }
}

#[test]
fn unified_names_files_like_kubectl_diff() {
    let text = render(unified::render, &style(80, false));
    assert!(text.contains(
        "--- predicted/apps.v1.Deployment.shop.web\n+++ live/apps.v1.Deployment.shop.web\n"
    ));
    assert!(text.contains("--- predicted/v1.ConfigMap.shop.settings\n"));
    // Everything that is not part of a diff is a comment, so the output stays a patch.
    for line in text.lines() {
        assert!(
            ["# ", "--- ", "+++ ", "@@ ", " ", "-", "+"]
                .iter()
                .any(|p| line.starts_with(p)),
            "{line:?}"
        );
    }
}

/// A comparison of staging and production: a hand edit with both writers, a difference Git
/// declares, a Secret key that differs, and an object on one side only.
fn comparison() -> kubectl_drift::report::compare::Comparison {
    use kubectl_drift::drift::path::{FieldPath, Segment};
    use kubectl_drift::drift::{Attribution, Identity};
    use kubectl_drift::report::compare::{
        Comparison, Difference, FieldDifference, ObjectComparison, SideLabel,
    };
    let side = |context: &str| SideLabel {
        context: context.into(),
        namespace: Some("shop".into()),
        label: context.into(),
    };
    let by = |manager: &str, minutes: i64, subresource: Option<&str>| Attribution {
        manager: manager.into(),
        operation: "Update".into(),
        time: Some(now() - chrono::Duration::minutes(minutes)),
        subresource: subresource.map(str::to_string),
    };
    let path = |fields: &[&str]| {
        FieldPath(
            fields
                .iter()
                .map(|f| Segment::Field(f.to_string()))
                .collect(),
        )
    };
    let identity = |group: &str, kind: &str, name: &str| Identity {
        group: group.into(),
        version: "v1".into(),
        kind: kind.into(),
        namespace: Some("shop".into()),
        name: name.into(),
    };
    let object =
        |identity: Identity, status, fields: Vec<FieldDifference>, objects| ObjectComparison {
            identity,
            namespaces: [Some("shop".into()), Some("shop".into())],
            status,
            fields,
            ignored_fields: Vec::new(),
            origin: None,
            message: None,
            objects,
        };
    let deployment = |replicas: u64, image: &str| {
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "shop"},
            "spec": {"replicas": replicas, "template": {"spec": {"containers": [
                {"name": "web", "image": image}]}}}})
    };
    let secret = |marker: &str| {
        json!({"apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "web-creds", "namespace": "shop"},
            "data": {"password": marker, "user": redact::HIDDEN}})
    };
    let mut image = path(&["spec", "template", "spec", "containers"]);
    image
        .0
        .push(Segment::Key(vec![("name".into(), json!("web"))]));
    image.0.push(Segment::Field("image".into()));
    Comparison {
        sides: [side("staging"), side("production")],
        objects: vec![
            object(
                identity("", "ConfigMap", "debug-flags"),
                Difference::OnlyInA,
                Vec::new(),
                [Some(json!({"kind": "ConfigMap"})), None],
            ),
            object(
                identity("", "Secret", "web-creds"),
                Difference::Different,
                vec![FieldDifference {
                    path: path(&["data", "password"]),
                    a: Some(json!(redact::HIDDEN)),
                    b: Some(json!(redact::HIDDEN_CHANGED)),
                    a_by: Some(by("kubectl-client-side-apply", 120, None)),
                    b_by: Some(by("kubectl-patch", 5, None)),
                    declared: false,
                }],
                [
                    Some(secret(redact::HIDDEN)),
                    Some(secret(redact::HIDDEN_CHANGED)),
                ],
            ),
            object(
                identity("apps", "Deployment", "web"),
                Difference::Different,
                vec![
                    FieldDifference {
                        path: path(&["spec", "replicas"]),
                        a: Some(json!(2)),
                        b: Some(json!(3)),
                        a_by: Some(by("spinnaker", 120, None)),
                        b_by: Some(by("spinnaker", 60, None)),
                        declared: true,
                    },
                    FieldDifference {
                        path: image,
                        a: Some(json!("registry.example.com/shop/web:1.4.0")),
                        b: Some(json!("registry.example.com/shop/web:1.4.1-hotfix")),
                        a_by: Some(by("spinnaker", 120, None)),
                        b_by: Some(by("kubectl-set", 3, None)),
                        declared: false,
                    },
                ],
                [
                    Some(deployment(2, "registry.example.com/shop/web:1.4.0")),
                    Some(deployment(3, "registry.example.com/shop/web:1.4.1-hotfix")),
                ],
            ),
            object(
                identity("", "Service", "web"),
                Difference::Same,
                Vec::new(),
                [Some(json!({})), Some(json!({}))],
            ),
        ],
        commit: Some(COMMIT.into()),
        errors: Vec::new(),
    }
}

#[test]
fn compare_snapshots_and_widths() {
    use kubectl_drift::cli::CompareFormat;
    let report = comparison();
    for (name, format) in [
        ("compare_side_by_side", CompareFormat::SideBySide),
        ("compare_unified", CompareFormat::Unified),
        ("compare_json", CompareFormat::Json),
        ("compare_summary", CompareFormat::Summary),
    ] {
        for width in [80, 160] {
            let mut out = Vec::new();
            kubectl_drift::render::compare::render(&report, format, &style(width, false), &mut out)
                .unwrap();
            let text = String::from_utf8(out).unwrap();
            if format != CompareFormat::Json {
                for line in text.lines().filter(|l| !l.starts_with(['+', '-', ' '])) {
                    assert!(line.width() <= width, "{name} at {width}: {line:?}");
                }
            }
            insta::assert_snapshot!(format!("{name}_{width}"), text);
        }
    }
}

#[test]
fn junit_cases_carry_the_severity_of_the_resource_and_of_each_field() {
    let text = render(kubectl_drift::render::junit::render, &style(100, false));
    let web = text
        .split("<testcase ")
        .find(|case| case.contains(r#"name="Deployment/web""#) && case.contains("<failure"))
        .unwrap_or_else(|| panic!("no failing web case: {text}"));
    let properties = web
        .split("<properties>")
        .nth(1)
        .and_then(|p| p.split("</properties>").next())
        .unwrap_or_else(|| panic!("no properties: {web}"));
    assert!(
        properties.starts_with(
            r#"<property name="severity" value="medium"/><property name="rule" value="pod-template"/>"#
        ),
        "{properties}"
    );
    assert!(
        properties.contains(r#"<property name="severity:spec.replicas" value="low"/><property name="rule:spec.replicas" value="replicas"/>"#),
        "{properties}"
    );
    // Properties come before the failure, as the JUnit schema orders them.
    assert!(web.find("<properties>") < web.find("<failure"), "{web}");
    // A missing object is rated as a resource; an ignored one is not rated.
    let case = |name: &str| {
        text.split("<testcase ")
            .find(|case| case.contains(&format!(r#"name="{name}""#)))
            .unwrap_or_else(|| panic!("no case {name}: {text}"))
            .split("</testcase>")
            .next()
            .unwrap()
            .to_string()
    };
    let settings = case("ConfigMap/settings");
    assert!(
        settings.contains(
            r#"<property name="severity" value="high"/><property name="rule" value="missing"/>"#
        ),
        "{settings}"
    );
    let ignored = case("CronJob/report");
    assert!(
        ignored.contains("<skipped") && !ignored.contains("<property"),
        "{ignored}"
    );
}
