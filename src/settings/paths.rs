//! Paths named on the command line or in the config: what makes one reach outside the
//! repository, and how `./k8s/` reads as the tree's `k8s`.

/// Why a name can't be shown or used as it is: backslashes (a separator elsewhere), control
/// characters (a terminal runs them), or bidirectional controls (they reorder what is shown).
pub fn unsafe_characters(text: &str) -> Option<&'static str> {
    if text.contains('\\') {
        Some("backslashes are not allowed")
    } else if text.chars().any(char::is_control) {
        Some("control characters are not allowed")
    } else if text.chars().any(|c| {
        matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    }) {
        Some("bidirectional text controls are not allowed")
    } else {
        None
    }
}

/// Why a path a user or config names in the tree could reach outside it: absolute, with a
/// `.` or `..` step, or with characters [`unsafe_characters`] refuses. `None` when it can
/// only name what is inside.
pub fn outside_reason(path: &str) -> Option<&'static str> {
    // `./k8s/` names the folder `k8s`, as on the command line.
    let path = normalize_path(path);
    if path.starts_with('/') {
        return Some("an absolute path");
    }
    if path.split('/').any(|c| c == ".." || c == ".") {
        return Some("paths may not step out with `..`");
    }
    if let Some(reason) = unsafe_characters(&path) {
        return Some(reason);
    }
    None
}

/// [`outside_reason`] as the error message a config file's path gets.
pub fn check_path(path: &str) -> Result<(), String> {
    match outside_reason(path) {
        Some(reason) => Err(format!("{path:?} is not inside the repository: {reason}")),
        None => Ok(()),
    }
}

/// `./k8s/prod/` → `k8s/prod`: tree paths have no leading `./` and no trailing slash.
pub fn normalize_path(path: &str) -> String {
    let trimmed = path.trim_start_matches("./").trim_end_matches('/');
    if trimmed == "." {
        String::new()
    } else {
        trimmed.to_string()
    }
}
