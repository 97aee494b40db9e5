//! Ignore rules: drift a team has decided not to see, each with a reason and an optional
//! expiry, declared in `.kubectl-drift.yaml` or, for a whole resource, with the
//! `drift.kubectl.io/ignore` annotation on its manifest. Ignored fields and resources stay
//! in the report and its counts; they only stop making a run fail. Pure: rules are applied
//! to a finished report.

use chrono::NaiveDate;
use serde_json::Value;

use crate::drift::path::{FieldPath, Segment};
use crate::drift::schema;
use crate::drift::IgnoredField;
use crate::drift::Status;
use crate::report::ResourceReport;
use crate::settings::rules::{Pointer, Rule, Selector, Step};

/// The manifest annotation that ignores a whole resource; its value is the reason.
pub const ANNOTATION: &str = "drift.kubectl.io/ignore";

impl Pointer {
    /// Whether `path` is this pointer's field or lies under it.
    pub fn covers(&self, path: &FieldPath) -> bool {
        let segments = path.segments();
        self.steps.len() <= segments.len()
            && self
                .steps
                .iter()
                .zip(segments)
                .all(|(step, segment)| step_matches(step, segment))
    }
}

fn step_matches(step: &Step, segment: &Segment) -> bool {
    match (step, segment) {
        (Step::Any, _) => true,
        (Step::Field(want), Segment::Field(have)) => want == have,
        (Step::Index(want), Segment::Index(have)) => want == have,
        // A map key made of digits (a ConfigMap's `data/1`).
        (Step::Index(want), Segment::Field(have)) => *have == want.to_string(),
        (Step::Key(key, want), Segment::Key(pairs)) => pairs.iter().any(|(k, v)| {
            k == key
                && match v {
                    Value::String(s) => s == want,
                    Value::Number(n) => n.to_string() == *want,
                    Value::Bool(b) => want == if *b { "true" } else { "false" },
                    _ => false,
                }
        }),
        _ => false,
    }
}

impl Selector {
    pub fn matches(&self, resource: &ResourceReport) -> bool {
        let id = &resource.identity;
        self.context.matches(&resource.context)
            && self.kind.matches(&id.kind)
            && self
                .namespace
                .matches(id.namespace.as_deref().unwrap_or(""))
            && self.name.matches(&id.name)
    }
}

impl Rule {
    fn whole_resource(&self) -> bool {
        self.paths.is_empty() && self.managers.is_empty()
    }

    fn covers(&self, field: &crate::drift::FieldDrift) -> bool {
        let path_ok = self.paths.is_empty() || self.paths.iter().any(|p| p.covers(&field.path));
        let manager_ok = self.managers.is_empty()
            || field
                .attribution
                .as_ref()
                .is_some_and(|a| self.managers.iter().any(|m| m.matches(&a.manager)));
        path_ok && manager_ok
    }
}

/// The manifest `fix` applies: Git's, without the fields ignore rules hid, so that applying
/// it neither shows nor takes over what a rule leaves to others (an HPA's replicas, say).
/// An ignored item of a list without keys (`args`) cannot be left out alone: such a list
/// is replaced whole by an apply, so the whole list is left out, to stay as live has it;
/// each such list is named in the notes returned.
pub fn without_ignored(manifest: &Value, resource: &ResourceReport) -> (Value, Vec<String>) {
    let mut manifest = manifest.clone();
    let mut notes = Vec::new();
    for ignored in &resource.ignored_fields {
        let segments = ignored.field.segments();
        let field = match segments.iter().position(|s| matches!(s, Segment::Index(_))) {
            Some(at) => {
                let list = FieldPath(segments[..at].to_vec());
                let note = format!(
                    "{} is ignored, and {list} is replaced whole by an apply: {list} is left as live has it",
                    ignored.path
                );
                if !notes.contains(&note) {
                    notes.push(note);
                }
                list
            }
            None => ignored.field.clone(),
        };
        // Nothing sits at any path of null: the field is removed.
        field.copy_between(&Value::Null, &mut manifest);
    }
    (manifest, notes)
}

/// How a step reads in a rule's path.
fn step_text(step: &Step) -> String {
    match step {
        Step::Field(name) => name.replace('~', "~0").replace('/', "~1"),
        Step::Index(i) => i.to_string(),
        Step::Key(k, v) => format!("{k}={v}"),
        Step::Any => "*".into(),
    }
}

/// Why a rule's path can never match an object the rule selects: it steps into a list by
/// position where the list's items have keys, or by a name where there is a list, or by a
/// key where there is no list. `None` when it can match, or the object does not reach that
/// far. A field path is checked against Git's and the live object alike.
fn unmatchable(pointer: &Pointer, object: &Value) -> Option<String> {
    let mut here = object;
    let mut walked = String::new();
    for step in &pointer.steps {
        let next = match (step, here) {
            (Step::Any, _) => return None,
            (Step::Field(name), Value::Object(map)) => map.get(name),
            (Step::Field(name), Value::Array(items)) => {
                let key = crate::drift::path::list_key(&[items]).map(|k| k.join(","));
                return Some(match key {
                    Some(key) => format!(
                        "{walked} is a list: its items are picked by key ({key}=...), not by {name:?}"
                    ),
                    None => format!("{walked} is a list, which has no field {name:?}"),
                });
            }
            (Step::Index(i), Value::Array(items)) => {
                if let Some(key) = crate::drift::path::list_key(&[items]) {
                    let example = crate::drift::path::item_key(&items[0], key)
                        .map(|pairs| {
                            pairs
                                .iter()
                                .map(|(k, v)| match v {
                                    Value::String(s) => format!("{k}={s}"),
                                    other => format!("{k}={other}"),
                                })
                                .collect::<Vec<_>>()
                                .join(",")
                        })
                        .unwrap_or_default();
                    return Some(format!(
                        "{walked} is a list whose items have keys: position {i} matches nothing; pick the item by key (like {walked}/{example})"
                    ));
                }
                items.get(*i)
            }
            (Step::Index(i), Value::Object(map)) => map.get(&i.to_string()),
            (Step::Key(key, _), Value::Object(_)) => {
                return Some(format!(
                    "{walked} is not a list: {key}=... picks nothing in it"
                ))
            }
            (Step::Key(key, want), Value::Array(items)) => items.iter().find(|item| {
                item.get(key).is_some_and(|v| match v {
                    Value::String(s) => s == want,
                    other => serde_json::from_str::<Value>(want).ok().as_ref() == Some(other),
                })
            }),
            _ => None,
        };
        let next = next?;
        walked.push('/');
        walked.push_str(&step_text(step));
        here = next;
    }
    None
}

/// Whether the schemas of the resources a rule selects know one of its paths.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum SchemaFit {
    /// It selected no resource whose kind has a schema.
    #[default]
    Unseen,
    /// Some selected resource's schema has the path (or leaves it open).
    Fits,
    /// Every selected resource's schema lacks it, and why (for the first).
    Unknown(String),
}

impl SchemaFit {
    /// The fit over two sets of resources (two contexts): one that fits is enough.
    pub fn and(self, other: SchemaFit) -> SchemaFit {
        match (self, other) {
            (SchemaFit::Fits, _) | (_, SchemaFit::Fits) => SchemaFit::Fits,
            (SchemaFit::Unknown(why), _) | (_, SchemaFit::Unknown(why)) => SchemaFit::Unknown(why),
            _ => SchemaFit::Unseen,
        }
    }
}

/// For each rule and each of its paths, whether the schemas of the resources it selects
/// know the path; `schema_of` gives a resource's kind's schema, where the server has one.
pub fn schema_fits<'s>(
    resources: &[&ResourceReport],
    rules: &[Rule],
    schema_of: impl Fn(&ResourceReport) -> Option<schema::Type<'s>>,
) -> Vec<Vec<SchemaFit>> {
    rules
        .iter()
        .map(|rule| {
            let mut fits = vec![SchemaFit::Unseen; rule.paths.len()];
            for resource in resources.iter().filter(|r| rule.selector.matches(r)) {
                let Some(ty) = schema_of(resource) else {
                    continue;
                };
                for (fit, pointer) in fits.iter_mut().zip(&rule.paths) {
                    let this = match unknown_to_schema(pointer, ty, &resource.identity.kind) {
                        Some(why) => SchemaFit::Unknown(why),
                        None => SchemaFit::Fits,
                    };
                    *fit = std::mem::take(fit).and(this);
                }
            }
            fits
        })
        .collect()
}

/// Fails on the first rule path that no selected resource's schema knows.
pub fn check_schema_fits(rules: &[Rule], fits: &[Vec<SchemaFit>]) -> Result<(), UnmatchableRule> {
    for (rule, fits) in rules.iter().zip(fits) {
        for (pointer, fit) in rule.paths.iter().zip(fits) {
            if let SchemaFit::Unknown(why) = fit {
                return Err(UnmatchableRule {
                    at: rule.source.clone(),
                    path: pointer.text.clone(),
                    why: why.clone(),
                });
            }
        }
    }
    Ok(())
}

/// Why a kind's schema can never hold a rule's path: a field its struct does not have (and
/// does not keep unknown fields for), or a step below a plain value. `None` when it can,
/// or the schema does not say (untyped, open, or a struct with no fields listed).
fn unknown_to_schema(pointer: &Pointer, ty: schema::Type<'_>, kind: &str) -> Option<String> {
    use schema::Shape;
    let mut ty = ty;
    let mut walked = String::new();
    for step in &pointer.steps {
        let at = if walked.is_empty() {
            "the object"
        } else {
            walked.as_str()
        };
        ty = match (step, ty.shape()) {
            (Step::Any, _) | (_, Shape::Untyped) => return None,
            (Step::Field(name), Shape::Struct { fields, open, .. }) => {
                if !fields.contains_key(name) {
                    if open || fields.is_empty() {
                        return None;
                    }
                    return Some(format!(
                        "{at} has no field {name:?} in the schema of {kind}, so the rule matches nothing"
                    ));
                }
                schema::Type::field(fields, name, &ty)
            }
            (Step::Index(i), Shape::Struct { fields, .. }) => match fields.get(&i.to_string()) {
                Some(_) => schema::Type::field(fields, &i.to_string(), &ty),
                None => return None,
            },
            (Step::Field(_) | Step::Index(_), Shape::Map { values, .. }) => values,
            (Step::Index(_) | Step::Key(..), Shape::List { items, .. }) => items,
            (_, Shape::Scalar(_)) => {
                return Some(format!(
                    "{at} is a single value in the schema of {kind}, with nothing below it"
                ))
            }
            // A field of a list, or a key in a struct: the object's shape tells (see
            // `unmatchable`).
            _ => return None,
        };
        walked.push('/');
        walked.push_str(&step_text(step));
    }
    None
}

/// An ignore rule that can never match what it selects.
#[derive(Debug, thiserror::Error)]
#[error("{at}: ignore rule path {path}: {why}")]
pub struct UnmatchableRule {
    /// `FILE:LINE` of the rule.
    pub at: String,
    pub path: String,
    pub why: String,
}

/// Checks every rule's paths against the objects it selects (Git's side and live): a
/// rule that can never match is an error, not a silent no-op.
pub fn check_rules(resources: &[ResourceReport], rules: &[Rule]) -> Result<(), UnmatchableRule> {
    for resource in resources {
        for rule in rules.iter().filter(|r| r.selector.matches(resource)) {
            for pointer in &rule.paths {
                for object in [&resource.predicted_object, &resource.live_object]
                    .into_iter()
                    .flatten()
                {
                    if let Some(why) = unmatchable(pointer, object) {
                        return Err(UnmatchableRule {
                            at: rule.source.clone(),
                            path: pointer.text.clone(),
                            why,
                        });
                    }
                }
            }
        }
    }
    Ok(())
}

/// A re-check after a fix knows no rules: fields the earlier report ignored stay ignored.
pub fn carry_over(after: &mut ResourceReport, before: &ResourceReport) {
    if before.ignored_fields.is_empty() {
        return;
    }
    let (ignored, kept): (Vec<_>, Vec<_>) = std::mem::take(&mut after.fields)
        .into_iter()
        .partition(|f| {
            let path = f.path.to_string();
            before.ignored_fields.iter().any(|i| i.path == path)
        });
    after.fields = kept;
    for field in ignored {
        if let Some(rule) = before
            .ignored_fields
            .iter()
            .find(|i| i.path == field.path.to_string())
        {
            after.ignored_fields.push(rule.clone());
        }
    }
    if after.status == Status::Drifted && after.fields.is_empty() {
        after.status = Status::InSync;
    }
}

/// Applies the rules to checked resources: whole resources become `Ignored`, covered fields
/// move from `fields` to `ignored_fields`, and a resource left without drift is in sync.
/// Expired rules hide nothing and say so in the resource's message.
pub fn apply(resources: &mut [ResourceReport], rules: &[Rule], today: NaiveDate) {
    for resource in resources.iter_mut() {
        if !matches!(
            resource.status,
            Status::Drifted | Status::Missing | Status::Extra
        ) {
            continue;
        }
        let matching: Vec<&Rule> = rules
            .iter()
            .filter(|r| r.selector.matches(resource))
            .collect();
        let (live, expired): (Vec<&Rule>, Vec<&Rule>) = matching
            .into_iter()
            .partition(|r| r.expires.is_none_or(|d| d >= today));
        if let Some(rule) = expired.first() {
            resource.message = Some(format!(
                "ignore rule at {} expired on {} ({})",
                rule.source,
                rule.expires.unwrap_or(today),
                rule.reason
            ));
        }
        if let Some(rule) = live.iter().find(|r| r.whole_resource()) {
            resource.status = Status::Ignored;
            resource.message = Some(format!("ignored by {}: {}", rule.source, rule.reason));
            continue;
        }
        if resource.status != Status::Drifted {
            continue;
        }
        let mut kept = Vec::new();
        for field in std::mem::take(&mut resource.fields) {
            match live.iter().find(|r| r.covers(&field)) {
                Some(rule) => {
                    // The diffs show what still counts: the Git side takes the live value.
                    if let (Some(git), Some(live)) = (
                        resource.predicted_object.as_mut(),
                        resource.live_object.as_ref(),
                    ) {
                        field.path.copy_between(live, git);
                    }
                    resource.ignored_fields.push(IgnoredField {
                        path: field.path.to_string(),
                        reason: rule.reason.clone(),
                        field: field.path.clone(),
                    });
                }
                None => kept.push(field),
            }
        }
        resource.fields = kept;
        if resource.fields.is_empty() {
            resource.status = Status::InSync;
        }
    }
}

/// The reason a manifest gives in the ignore annotation, if it carries one.
pub fn annotation_reason(manifest: &Value) -> Option<String> {
    manifest["metadata"]["annotations"][ANNOTATION]
        .as_str()
        .map(|reason| {
            if reason.trim().is_empty() {
                "no reason given".to_string()
            } else {
                reason.to_string()
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::drift::{Attribution, FieldDrift, Identity};
    use crate::settings::rules::Glob;
    use serde_json::json;

    fn path(segments: Vec<Segment>) -> FieldPath {
        FieldPath(segments)
    }

    fn field(p: FieldPath, manager: &str) -> FieldDrift {
        FieldDrift {
            rating: None,
            path: p,
            git: Some(json!(1)),
            live: Some(json!(2)),
            attribution: Some(Attribution {
                manager: manager.into(),
                operation: "Update".into(),
                time: None,
                subresource: None,
            }),
        }
    }

    fn resource(fields: Vec<FieldDrift>) -> ResourceReport {
        let mut report = ResourceReport::new(
            "production",
            Identity {
                group: "apps".into(),
                version: "v1".into(),
                kind: "Deployment".into(),
                namespace: Some("shop".into()),
                name: "web".into(),
            },
            Status::Drifted,
        );
        report.fields = fields;
        report
    }

    fn rule(paths: &[&str], managers: &[&str], expires: Option<&str>) -> Rule {
        Rule {
            selector: Selector {
                context: Glob::any(),
                kind: Glob("Deploy*".into()),
                namespace: Glob("sh?p".into()),
                name: Glob::any(),
            },
            paths: paths.iter().map(|p| Pointer::parse(p).unwrap()).collect(),
            managers: managers.iter().map(|m| Glob(m.to_string())).collect(),
            reason: "HPA owns replicas".into(),
            expires: expires.map(|d| d.parse().unwrap()),
            source: ".kubectl-drift.yaml:7".into(),
        }
    }

    fn f(name: &str) -> Segment {
        Segment::Field(name.into())
    }

    #[test]
    fn globs_match_like_a_shell() {
        assert!(Glob("prod-*".into()).matches("prod-eu"));
        assert!(!Glob("prod-*".into()).matches("staging"));
        assert!(Glob("*-db-?".into()).matches("orders-db-1"));
        assert!(Glob("*".into()).matches(""));
        assert!(!Glob("a*b".into()).matches("acbd"));
    }

    #[test]
    fn pointers_select_list_items_by_key() {
        let image = path(vec![
            f("spec"),
            f("template"),
            f("spec"),
            f("containers"),
            Segment::Key(vec![("name".into(), json!("app"))]),
            f("image"),
        ]);
        let p = Pointer::parse("/spec/template/spec/containers/name=app/image").unwrap();
        assert!(p.covers(&image));
        let other = Pointer::parse("/spec/template/spec/containers/name=sidecar").unwrap();
        assert!(!other.covers(&image));
        assert!(Pointer::parse("/spec/template").unwrap().covers(&image));
        assert!(Pointer::parse("/spec/*/spec").unwrap().covers(&image));
        let annotation = path(vec![
            f("metadata"),
            f("annotations"),
            f("example.com/owner"),
        ]);
        assert!(Pointer::parse("/metadata/annotations/example.com~1owner")
            .unwrap()
            .covers(&annotation));
        assert!(Pointer::parse("spec").is_err());
        assert!(Pointer::parse("/").is_err());
        assert!(Pointer::parse("/spec//x").is_err());
    }

    #[test]
    fn rules_hide_fields_and_keep_them_in_the_report() {
        let today = "2026-11-25".parse().unwrap();
        let replicas = path(vec![f("spec"), f("replicas")]);
        let image = path(vec![f("spec"), f("image")]);
        let mut resources = vec![resource(vec![
            field(replicas.clone(), "kube-controller-manager"),
            field(image, "kubectl-edit"),
        ])];
        resources[0].predicted_object = Some(json!({"spec": {"replicas": 1, "image": "a"}}));
        resources[0].live_object = Some(json!({"spec": {"replicas": 4, "image": "b"}}));
        apply(
            &mut resources,
            &[rule(&["/spec/replicas"], &["kube-controller-*"], None)],
            today,
        );
        assert_eq!(resources[0].status, Status::Drifted);
        assert_eq!(resources[0].fields.len(), 1);
        assert_eq!(resources[0].ignored_fields[0].path, "spec.replicas");
        // The diff no longer shows the ignored field, and still shows the rest.
        assert_eq!(
            resources[0].predicted_object,
            Some(json!({"spec": {"replicas": 4, "image": "a"}}))
        );

        // The same field written by a person is not the controller's: still drift.
        let mut resources = vec![resource(vec![field(replicas.clone(), "kubectl-scale")])];
        apply(
            &mut resources,
            &[rule(&["/spec/replicas"], &["kube-controller-*"], None)],
            today,
        );
        assert_eq!(resources[0].status, Status::Drifted);

        let mut resources = vec![resource(vec![field(replicas.clone(), "x")])];
        apply(
            &mut resources,
            &[rule(&["/spec/replicas"], &[], None)],
            today,
        );
        assert_eq!(resources[0].status, Status::InSync);
        assert_eq!(resources[0].ignored_fields.len(), 1);
    }

    #[test]
    fn expired_rules_hide_nothing_and_say_so() {
        let today = "2026-11-25".parse().unwrap();
        let replicas = path(vec![f("spec"), f("replicas")]);
        let mut resources = vec![resource(vec![field(replicas, "x")])];
        apply(&mut resources, &[rule(&[], &[], Some("2026-11-24"))], today);
        assert_eq!(resources[0].status, Status::Drifted);
        let message = resources[0].message.as_deref().unwrap();
        assert!(message.contains("expired on 2026-11-24"), "{message}");
        assert!(message.contains(".kubectl-drift.yaml:7"), "{message}");
        // Holds through its last day.
        apply(&mut resources, &[rule(&[], &[], Some("2026-11-25"))], today);
        assert_eq!(resources[0].status, Status::Ignored);
    }

    #[test]
    fn rules_that_can_never_match_are_told_and_atomic_lists_stay_whole() {
        let object = serde_json::json!({"spec": {"containers": [
            {"name": "app", "image": "a", "args": ["x", "y"]}]}, "data": {"1": "one"}});
        let why = |text: &str| unmatchable(&Pointer::parse(text).unwrap(), &object);
        assert!(why("/spec/containers/0/image")
            .unwrap()
            .contains("/spec/containers/name=app"));
        assert!(why("/spec/containers/image").is_some());
        assert!(why("/spec/name=app").is_some());
        assert_eq!(why("/spec/containers/name=app/args/1"), None);
        assert_eq!(why("/data/1"), None);
        assert_eq!(why("/spec/containers/name=other/image"), None);

        let mut report = resource(Vec::new());
        let args = path(vec![
            f("spec"),
            f("containers"),
            Segment::Key(vec![("name".into(), serde_json::json!("app"))]),
            f("args"),
            Segment::Index(1),
        ]);
        report.ignored_fields.push(IgnoredField {
            path: args.to_string(),
            reason: "r".into(),
            field: args,
        });
        let (manifest, notes) = without_ignored(&object, &report);
        assert_eq!(manifest["spec"]["containers"][0].get("args"), None);
        assert_eq!(manifest["spec"]["containers"][0]["image"], "a");
        assert_eq!(notes.len(), 1, "{notes:?}");
    }
}
