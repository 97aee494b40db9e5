//! Ignore rules as the config file declares them: which resources each is about (globs),
//! which fields (JSON pointers whose list items are picked by key) or managers, why, and
//! until when. Parsed here with the rest of the settings; applied to a report by `ignore`.

use chrono::NaiveDate;

/// A shell-style pattern: `*` matches any run of characters, `?` one character.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Glob(pub String);

impl Glob {
    pub fn any() -> Glob {
        Glob("*".into())
    }

    pub fn matches(&self, text: &str) -> bool {
        glob_match(self.0.as_bytes(), text.as_bytes())
    }
}

fn glob_match(pattern: &[u8], text: &[u8]) -> bool {
    // Iterative matcher with one backtrack point: linear enough for names and kinds.
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == b'?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|c| *c == b'*')
}

/// One step of a rule's path: a key, a list position, a list item by key, or any one step.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Field(String),
    Index(usize),
    Key(String, String),
    Any,
}

/// A JSON pointer with list items selectable by key:
/// `/spec/template/spec/containers/name=app/image`. `~1` stands for `/` and `~0` for `~`,
/// as in RFC 6901, so `/metadata/annotations/example.com~1owner` names one annotation.
#[derive(Debug, Clone, PartialEq)]
pub struct Pointer {
    pub text: String,
    pub(crate) steps: Vec<Step>,
}

impl Pointer {
    pub fn parse(text: &str) -> Result<Pointer, String> {
        let rest = text
            .strip_prefix('/')
            .ok_or_else(|| format!("path {text:?} must start with '/' (a JSON pointer)"))?;
        if rest.is_empty() {
            return Err(format!(
                "path {text:?} names the whole object; leave out paths to ignore a resource"
            ));
        }
        let mut steps = Vec::new();
        for raw in rest.split('/') {
            if raw.is_empty() {
                return Err(format!("path {text:?} has an empty step"));
            }
            let step = raw.replace("~1", "/").replace("~0", "~");
            steps.push(if step == "*" {
                Step::Any
            } else if let Ok(index) = step.parse::<usize>() {
                Step::Index(index)
            } else if let Some((key, value)) = step.split_once('=') {
                if key.is_empty() {
                    return Err(format!("path {text:?}: {raw:?} needs a key before '='"));
                }
                Step::Key(key.to_string(), value.to_string())
            } else {
                Step::Field(step)
            });
        }
        Ok(Pointer {
            text: text.to_string(),
            steps,
        })
    }
}

/// Which resources a rule is about; every part is a glob, `*` when left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    pub context: Glob,
    pub kind: Glob,
    pub namespace: Glob,
    pub name: Glob,
}

/// One rule from the config file.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub selector: Selector,
    /// Fields to ignore; none (and no managers) ignores the whole resource.
    pub paths: Vec<Pointer>,
    /// Only fields last written by one of these managers (globs).
    pub managers: Vec<Glob>,
    pub reason: String,
    /// The last day the rule holds.
    pub expires: Option<NaiveDate>,
    /// Where the rule is written, `FILE:LINE`, for messages.
    pub source: String,
}
