//! One side listed: its objects chosen by TYPE arguments, or by what Git declares (charts
//! rendered for its cluster), one LIST per type and namespace, what Kubernetes made itself
//! left out, and what could not be listed kept as such.

use super::*;

/// One side, as it is listed.
pub(super) struct Side<'a> {
    pub(super) cluster: &'a Cluster,
    pub(super) catalog: &'a Catalog,
    /// The namespace given for the side, if any.
    pub(super) namespace: Option<&'a str>,
    /// The sides look in namespaces of their own: objects pair by kind and name alone.
    pub(super) split: bool,
    pub(super) target: Option<&'a TargetSettings>,
    /// With `--path`: the objects the paths select, and what the side's target declares.
    pub(super) desired: Option<(&'a DesiredSet, Option<&'a DesiredSet>)>,
}

/// A type (group, version, kind) in a namespace (none: every namespace, or cluster-scoped).
type TypeIn = (String, String, String, Option<String>);

/// What a side lists: a type in a namespace (or the cluster), with a label selector.
type Job<'a> = (&'a ResourceType, Option<String>, Option<String>);

impl Side<'_> {
    /// The context's namespace, or the target's, for what names none.
    fn default_namespace(&self) -> String {
        self.namespace
            .or(self.target.and_then(|t| t.default_namespace.as_deref()))
            .unwrap_or(&self.cluster.default_namespace)
            .to_string()
    }

    /// Lists the side's objects, one LIST per type and namespace; returns them with what
    /// could not be listed.
    pub(super) async fn list(
        &self,
        settings: &CompareSettings,
        renders: &check::helm::Renders,
    ) -> Result<(Found, Vec<String>), CompareError> {
        let selection = &settings.check.selection;
        let side_error = |message: String| CompareError::Side {
            context: self.cluster.context.clone(),
            message,
        };
        let mut types = Vec::new();
        for t in &selection.types {
            let rt = self
                .catalog
                .resolve(&t.type_name)
                .map_err(|e| side_error(e.to_string()))?;
            types.push((rt, t.names.clone()));
        }
        let default_ns = self.default_namespace();
        let mut found = Found::default();
        // (type, namespace, names wanted: none for every object).
        let mut wanted: BTreeMap<TypeIn, Option<BTreeSet<String>>> = BTreeMap::new();
        let mut jobs: Vec<Job> = Vec::new();
        let labels = selection.labels.as_ref().map(|l| l.text.clone());
        match self.desired {
            None => {
                for (rt, names) in &types {
                    let ns = match (rt.namespaced, self.namespace, &selection.namespace) {
                        (false, _, _) => None,
                        (true, Some(ns), _) => Some(ns.to_string()),
                        (true, None, NamespaceScope::All) => None,
                        (true, None, _) => Some(self.cluster.default_namespace.clone()),
                    };
                    // A type named twice (`deploy/a deployment/b`) is listed once, for both.
                    let key = (
                        rt.group.clone(),
                        rt.version.clone(),
                        rt.kind.clone(),
                        ns.clone(),
                    );
                    let names: Option<BTreeSet<String>> =
                        (!names.is_empty()).then(|| names.iter().cloned().collect());
                    match wanted.get_mut(&key) {
                        None => {
                            wanted.insert(key, names);
                            jobs.push((rt, ns, labels.clone()));
                        }
                        Some(Some(so_far)) => match names {
                            Some(names) => so_far.extend(names),
                            None => *wanted.get_mut(&key).expect("present") = None,
                        },
                        Some(None) => {}
                    }
                }
            }
            Some((selecting, declaring)) => {
                let render = |set: &'_ DesiredSet| {
                    let set = set.clone();
                    let default_ns = default_ns.clone();
                    async move {
                        check::helm::render_charts(
                            self.cluster,
                            self.catalog,
                            &default_ns,
                            &settings.check,
                            renders,
                            &set,
                        )
                        .await
                        .map(|rendered| rendered.unwrap_or(set))
                    }
                };
                let selecting = render(selecting).await.map_err(side_error)?;
                let declaring = match declaring {
                    Some(set) => Some(render(set).await.map_err(side_error)?),
                    None => None,
                };
                let declared_by: BTreeMap<Key, Value> = declaring
                    .as_ref()
                    .unwrap_or(&selecting)
                    .objects
                    .iter()
                    .filter_map(|d| {
                        self.place(d, &default_ns)
                            .map(|(_, key)| (key, d.manifest()))
                    })
                    .collect();
                for d in &selecting.objects {
                    let Some((rt, key)) = self.place(d, &default_ns) else {
                        continue;
                    };
                    let manifest = d.manifest();
                    let type_ok = types.is_empty()
                        || types.iter().any(|(t, names)| {
                            t.group == rt.group
                                && t.kind == rt.kind
                                && (names.is_empty() || names.contains(&key.3))
                        });
                    let ns = self.namespace_of(rt, d, &default_ns);
                    let ns_ok = match (&selection.namespace, &ns) {
                        (NamespaceScope::Only(want), Some(ns)) => want == ns,
                        _ => true,
                    };
                    let labels_ok = selection
                        .labels
                        .as_ref()
                        .is_none_or(|s| s.matches(manifest["metadata"]["labels"].as_object()));
                    if !(type_ok && ns_ok && labels_ok) {
                        continue;
                    }
                    let entry = wanted
                        .entry((
                            rt.group.clone(),
                            rt.version.clone(),
                            rt.kind.clone(),
                            ns.clone(),
                        ))
                        .or_insert_with(|| {
                            jobs.push((rt, ns.clone(), None));
                            Some(BTreeSet::new())
                        });
                    if let Some(names) = entry {
                        names.insert(key.3.clone());
                    }
                    let declared = declared_by.get(&key).cloned();
                    found
                        .declared
                        .entry(key)
                        .or_insert((d.origin.clone(), declared));
                }
            }
        }
        let concurrency = settings.check.concurrency;
        let answers: Vec<_> = stream::iter(jobs.into_iter().map(|(rt, ns, label)| async move {
            let result = live::list(self.cluster, rt, ns.as_deref(), label.as_deref()).await;
            (rt, ns, result)
        }))
        .buffer_unordered(concurrency)
        .collect()
        .await;
        let mut list_errors = Vec::new();
        for (rt, ns, result) in answers {
            let items = match result {
                Ok(items) => items,
                Err(error) => {
                    let scope = ns
                        .as_ref()
                        .map(|n| format!(" in namespace {n}"))
                        .unwrap_or_default();
                    let why = format!(
                        "cannot list {}{scope}: {}",
                        rt.qualified_plural(),
                        errors::describe(&error, rt.is_secret())
                    );
                    list_errors.push(why.clone());
                    found
                        .failed
                        .push((rt.group.clone(), rt.kind.clone(), ns, why));
                    continue;
                }
            };
            let names = &wanted[&(rt.group.clone(), rt.version.clone(), rt.kind.clone(), ns)];
            for object in items {
                let name = object["metadata"]["name"].as_str().unwrap_or_default();
                let identity = Identity {
                    group: rt.group.clone(),
                    version: rt.version.clone(),
                    kind: rt.kind.clone(),
                    namespace: object["metadata"]["namespace"].as_str().map(str::to_string),
                    name: name.to_string(),
                };
                let chosen = match names {
                    Some(names) => names.contains(name),
                    // Every object of a type: what Kubernetes itself made (a namespace's
                    // `kube-root-ca.crt`, its `default` ServiceAccount) is no one's choice.
                    None => check::extra::made_by_kubernetes(&identity, &object, &[]).is_none(),
                };
                if chosen {
                    let key = self.key(&identity);
                    found.live.insert(key, object);
                }
            }
        }
        Ok((found, list_errors))
    }

    /// A manifest's type here and its key; none when the cluster does not serve its type.
    fn place<'c>(&'c self, d: &DesiredObject, default_ns: &str) -> Option<(&'c ResourceType, Key)> {
        let rt = self.catalog.for_manifest(d.api_version(), d.kind())?;
        let identity = Identity {
            group: rt.group.clone(),
            version: rt.version.clone(),
            kind: rt.kind.clone(),
            namespace: self.namespace_of(rt, d, default_ns),
            name: d.name().to_string(),
        };
        Some((rt, self.key(&identity)))
    }

    /// Where a manifest's object is looked for on this side: the side's own namespace when
    /// the sides look in namespaces of their own, else the manifest's, else the default.
    fn namespace_of(
        &self,
        rt: &ResourceType,
        d: &DesiredObject,
        default_ns: &str,
    ) -> Option<String> {
        if !rt.namespaced {
            return None;
        }
        match (self.split, self.namespace) {
            (true, Some(ns)) => Some(ns.to_string()),
            _ => Some(d.namespace().unwrap_or(default_ns).to_string()),
        }
    }

    fn key(&self, id: &Identity) -> Key {
        let namespace = if self.split {
            None
        } else {
            id.namespace.clone()
        };
        (
            id.group.clone(),
            id.kind.clone(),
            namespace,
            id.name.clone(),
        )
    }
}
