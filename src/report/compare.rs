//! The report of `kubectl drift compare`: the same objects on two sides (two contexts, or
//! two namespaces of one), each differing field with its value and its writer on both
//! sides, built after all I/O is done. Secret values are hidden before it is built: only
//! whether each key differs remains.

use serde::Serialize;
use serde_json::Value;

use super::{EXIT_DRIFT, EXIT_ERROR, EXIT_IN_SYNC};
use crate::drift::{Attribution, FieldPath, Identity, IgnoredField};
use crate::source::Origin;

/// One side: a context and, where it was given, a namespace.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SideLabel {
    pub context: String,
    /// The namespace looked in, when one was given for the side (`-n`, `--namespace-a/-b`).
    pub namespace: Option<String>,
    /// How output names the side: the context, or `context/namespace` when both sides are
    /// one context.
    pub label: String,
}

/// How an object compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Difference {
    /// Nothing differs but what only the server writes.
    Same,
    /// Fields differ that Git does not declare differently per side.
    Different,
    /// Fields differ, each exactly where the two sides' manifests in Git differ: expected.
    Declared,
    /// On side A only.
    OnlyInA,
    /// On side B only.
    OnlyInB,
    /// Declared in Git, on neither side.
    Absent,
    /// Left out by an ignore rule.
    Ignored,
    Error,
}

impl Difference {
    /// Whether this makes the run exit 1.
    pub fn counts(self) -> bool {
        matches!(
            self,
            Difference::Different | Difference::OnlyInA | Difference::OnlyInB
        )
    }
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Difference::Same => "Same",
            Difference::Different => "Different",
            Difference::Declared => "Declared",
            Difference::OnlyInA => "OnlyInA",
            Difference::OnlyInB => "OnlyInB",
            Difference::Absent => "Absent",
            Difference::Ignored => "Ignored",
            Difference::Error => "Error",
        })
    }
}

/// One field that differs, with what each side holds (`None`: absent there) and who last
/// wrote it there.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDifference {
    pub path: FieldPath,
    pub a: Option<Value>,
    pub b: Option<Value>,
    pub a_by: Option<Attribution>,
    pub b_by: Option<Attribution>,
    /// Git sets this field differently for the two sides: an expected difference.
    pub declared: bool,
}

/// One object on both sides.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectComparison {
    /// Group, version (side A's, else B's), kind and name; the namespace when both sides
    /// have the object in the same one.
    pub identity: Identity,
    /// The namespace on each side (none for cluster-scoped objects).
    pub namespaces: [Option<String>; 2],
    pub status: Difference,
    pub fields: Vec<FieldDifference>,
    /// Differing fields an ignore rule hides.
    pub ignored_fields: Vec<IgnoredField>,
    /// Where Git declares the object (side A's manifest, else B's), with `--path`.
    pub origin: Option<Origin>,
    /// Why it could not be compared, or a note (an ignore rule, an expired one).
    pub message: Option<String>,
    /// Both sides normalized, for diffs; Secret values hidden.
    pub objects: [Option<Value>; 2],
}

impl ObjectComparison {
    /// `shop/web`, or `web` when the namespaces of the two sides differ (they are in the
    /// side labels then) or the object is cluster-scoped.
    pub fn name_text(&self) -> String {
        self.identity.namespaced_name()
    }
}

/// Everything one `compare` found.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// Side A (left) and side B (right).
    pub sides: [SideLabel; 2],
    pub objects: Vec<ObjectComparison>,
    /// The Git commit whose manifests chose the objects and told declared differences.
    pub commit: Option<String>,
    /// What could not be compared at all (a type that could not be listed on a side).
    pub errors: Vec<String>,
}

impl Comparison {
    /// 2 when anything could not be compared, else 1 when something differs beyond what
    /// Git declares, else 0.
    pub fn exit_code(&self) -> i32 {
        if !self.errors.is_empty() || self.objects.iter().any(|o| o.status == Difference::Error) {
            EXIT_ERROR
        } else if self.objects.iter().any(|o| o.status.counts()) {
            EXIT_DRIFT
        } else {
            EXIT_IN_SYNC
        }
    }

    /// The word for a status in text, with the side it names: `only in staging`.
    pub fn status_text(&self, status: Difference) -> String {
        match status {
            Difference::Same => "same".into(),
            Difference::Different => "different".into(),
            Difference::Declared => "declared".into(),
            Difference::OnlyInA => format!("only in {}", self.sides[0].label),
            Difference::OnlyInB => format!("only in {}", self.sides[1].label),
            Difference::Absent => "in Git, on neither side".into(),
            Difference::Ignored => "ignored".into(),
            Difference::Error => "error".into(),
        }
    }

    /// `staging ↔ production: 1 different, 1 only in staging, 2 declared, 3 same · Git abc1234`
    pub fn summary_line(&self) -> String {
        let mut parts = Vec::new();
        for status in [
            Difference::Different,
            Difference::OnlyInA,
            Difference::OnlyInB,
            Difference::Declared,
            Difference::Absent,
            Difference::Ignored,
            Difference::Error,
            Difference::Same,
        ] {
            let n = self.objects.iter().filter(|o| o.status == status).count();
            if n > 0 || matches!(status, Difference::Different | Difference::Same) {
                let word = match (status, n) {
                    (Difference::Error, 1) => "error".to_string(),
                    (Difference::Error, _) => "errors".to_string(),
                    _ => self.status_text(status),
                };
                parts.push(format!("{n} {word}"));
            }
        }
        let ignored: usize = self.objects.iter().map(|o| o.ignored_fields.len()).sum();
        if ignored > 0 {
            parts.push(format!(
                "{ignored} ignored field{}",
                if ignored == 1 { "" } else { "s" }
            ));
        }
        let mut line = format!(
            "{} ↔ {}: {}",
            self.sides[0].label,
            self.sides[1].label,
            parts.join(", ")
        );
        if let Some(commit) = &self.commit {
            line.push_str(&format!(" · Git {}", crate::source::short_commit(commit)));
        }
        line
    }
}
