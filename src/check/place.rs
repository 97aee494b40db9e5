//! Placing desired objects in a context: each manifest's type as the context serves it,
//! its namespace, and which of them the command line selected.

use super::*;

/// One desired object placed in a context: its type there and its identity.
pub(super) struct Placed<'a> {
    pub(super) desired: &'a DesiredObject,
    pub(super) resource: Option<&'a ResourceType>,
    pub(super) identity: Identity,
}

pub(super) fn place<'a>(
    desired: &'a DesiredObject,
    catalog: &'a Catalog,
    default_ns: &str,
) -> Placed<'a> {
    let resource = catalog.for_manifest(desired.api_version(), desired.kind());
    let (group, version) = cluster::discovery::split_api_version(desired.api_version());
    let namespace = match &resource {
        Some(rt) if !rt.namespaced => None,
        _ => Some(desired.namespace().unwrap_or(default_ns).to_string()),
    };
    Placed {
        identity: Identity {
            group: group.to_string(),
            version: version.to_string(),
            kind: desired.kind().to_string(),
            namespace,
            name: desired.name().to_string(),
        },
        resource,
        desired,
    }
}

/// The selected types, resolved through discovery, with the names given for each.
pub(super) fn resolve_types(
    catalog: &Catalog,
    selection: &Selection,
) -> Result<Vec<(ResourceType, Vec<String>)>, ContextError> {
    selection
        .types
        .iter()
        .map(|t| {
            catalog
                .resolve(&t.type_name)
                .map(|rt| (rt.clone(), t.names.clone()))
                .map_err(|e| ContextError::Selection(e.to_string()))
        })
        .collect()
}

pub(super) fn selected(
    placed: &Placed,
    selection: &Selection,
    types: &[(ResourceType, Vec<String>)],
    context_ns: &str,
) -> bool {
    let id = &placed.identity;
    let type_ok = types.is_empty()
        || types.iter().any(|(rt, names)| {
            rt.group == id.group
                && rt.kind == id.kind
                && (names.is_empty() || names.contains(&id.name))
        });
    let ns_ok = match (&selection.namespace, &id.namespace) {
        (_, None) | (NamespaceScope::All, _) => true,
        (NamespaceScope::Only(want), Some(ns)) => want == ns,
        (NamespaceScope::ContextDefault, Some(ns)) => ns == context_ns,
    };
    let labels_ok = selection
        .labels
        .as_ref()
        .is_none_or(|s| s.matches(placed.desired.manifest()["metadata"]["labels"].as_object()));
    type_ok && ns_ok && labels_ok
}

pub(super) fn check_duplicates(placed: &[Placed]) -> Result<(), ContextError> {
    for pair in placed.windows(2) {
        if pair[0].identity.key() == pair[1].identity.key() {
            return Err(ContextError::Selection(format!(
                "{} {} is declared twice: {} and {}",
                pair[0].identity.kind,
                pair[0].identity.namespaced_name(),
                pair[0].desired.origin.label(),
                pair[1].desired.origin.label()
            )));
        }
    }
    Ok(())
}

pub(super) fn describe_empty_selection(selection: &Selection, desired: &DesiredSet) -> String {
    if desired.objects.is_empty() {
        return "nothing to check: no Kubernetes manifests found in the given paths".to_string();
    }
    let mut parts = Vec::new();
    if !selection.types.is_empty() {
        let args: Vec<String> = selection
            .types
            .iter()
            .map(|t| match t.names.as_slice() {
                [] => t.type_name.clone(),
                names => format!("{} {}", t.type_name, names.join(" ")),
            })
            .collect();
        parts.push(args.join(", "));
    }
    match &selection.namespace {
        NamespaceScope::Only(ns) => parts.push(format!("namespace {ns}")),
        NamespaceScope::ContextDefault => parts.push("the context's namespace".to_string()),
        NamespaceScope::All => {}
    }
    if let Some(labels) = &selection.labels {
        parts.push(format!("-l {}", labels.text));
    }
    format!(
        "nothing to check: none of the {} manifests in Git matches {}",
        desired.objects.len(),
        parts.join(", ")
    )
}
