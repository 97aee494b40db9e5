//! The whole command line in one place: clap definitions for every subcommand and flag.
//! Nothing here validates beyond syntax; `settings` lowers these into checked values.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Show how live Kubernetes objects drift from their manifests in Git.
///
/// kubectl-drift reads the manifests from a Git commit, asks each selected cluster what
/// those manifests would become if applied now (a server-side dry run), and shows what
/// differs from the live objects, field by field, with who changed each field and when.
#[derive(Debug, Parser)]
#[command(
    name = "kubectl-drift",
    bin_name = "kubectl drift",
    version,
    propagate_version = true,
    arg_required_else_help = true,
    max_term_width = 100,
    help_template = HELP,
    after_help = "Examples:\n  # What differs between production and the manifests in k8s/production at HEAD\n  kubectl drift check --path k8s/production --context production\n\n  # Put Git's state back, asking resource by resource\n  kubectl drift fix --path k8s/production --context production\n\nExit codes: 0 in sync, 1 drift found, 2 error."
)]
pub struct Cli {
    /// kubectl's cluster flags, accepted before or after the subcommand.
    #[command(flatten)]
    pub cluster: ClusterArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// kubectl's layout: what it does, examples, then the flags, then the usage line.
const HELP: &str = "{about}{after-help}\n\n{all-args}\n\n{usage-heading} {usage}";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compare the live state with Git and show the drift.
    #[command(
        help_template = HELP,
        after_help = "Examples:\n  # Every manifest under k8s/production, against the production context\n  kubectl drift check --path k8s/production --context production\n\n  # One Deployment, in two clusters, as JSON\n  kubectl drift check deployment/app -n shop --path k8s --context staging --context production -o json\n\n  # ConfigMaps and Services labelled app=web, one line each\n  kubectl drift check cm,svc -l app=web --path k8s -o summary\n\nExit codes: 0 in sync, 1 drift found, 2 error."
    )]
    Check(Box<CheckArgs>),
    /// Show the drift resource by resource and offer to put the Git state back.
    #[command(
        help_template = HELP,
        after_help = "Examples:\n  # Ask resource by resource\n  kubectl drift fix --path k8s/production --context production\n\n  # Unattended remediation, as a pipeline step\n  kubectl drift fix --path k8s/production --context production --yes\n\n  # Show what would be written, write nothing\n  kubectl drift fix --path k8s/production --context production --dry-run\n\n  # A plan for a person to approve, then exactly that plan\n  kubectl drift fix --path k8s/production --context production --dry-run --save-plan plan.json\n  kubectl drift fix --plan plan.json --yes\n\nExit codes: 0 everything chosen ended in sync, 1 drift remains, 2 error.\nWith --plan: 0 every entry written, 1 declined (nothing written), 2 an entry not written (its object changed since the plan) or the plan refused."
    )]
    Fix(Box<FixArgs>),
    /// Record the current drift of named resources as intentional, with a reason.
    #[command(
        help_template = HELP,
        after_help = "Examples:\n  # A hotfix that stays until Friday\n  kubectl drift accept deployment/app -n shop --path k8s/production --context production \\\n    --reason \"hotfix for INC-4211\" --until 2026-12-04\n\nThe records go to .kubectl-drift/accepted.yaml in the repository: review and commit them.\nChecks report the resources as Accepted while their drift stays the same and the date holds."
    )]
    Accept(Box<AcceptArgs>),
    /// Write the live values of drifted resources into the Git manifests they came from.
    #[command(
        help_template = HELP,
        after_help = "Examples:\n  # The hotfix was right: show what adopting it would change\n  kubectl drift adopt deployment/api -n shop --path k8s/production --context production --dry-run\n\n  # Write it into the work tree and commit it on the current branch (never pushed)\n  kubectl drift adopt deployment/api -n shop --path k8s/production --context production --commit\n\n  # For a kustomize overlay, as a patch in the overlay instead of the file that sets it\n  kubectl drift adopt deployment/api --path overlays/production --context production --into-overlay\n\nOnly the lines of the drifted values change; comments, order, quoting and the other documents stay.\nSecrets are never adopted. Exit codes: 0 adopted (or nothing to adopt), 1 some drift refused, 2 error."
    )]
    Adopt(Box<AdoptArgs>),
    /// Check every interval and serve Prometheus metrics, /healthz and the latest report.
    #[command(
        help_template = HELP,
        after_help = "Examples:\n  # Every 5 minutes, metrics on 127.0.0.1:9877/metrics\n  kubectl drift watch\n\n  # For node-exporter's textfile collector, from a CronJob or a timer\n  kubectl drift watch --once --metrics-file /var/lib/node-exporter/kubectl-drift.prom\n\nStops cleanly on SIGTERM or Ctrl-C."
    )]
    Watch(Box<WatchArgs>),
    /// List who, besides the allowed subjects, can change the selected resources.
    #[command(
        help_template = HELP,
        after_help = "Examples:\n  # Who can change what the pipeline deploys to production, besides the pipeline?\n  kubectl drift rbac --context production --allow serviceaccount:spinnaker:deployer\n\nSubjects: user:NAME, group:NAME, serviceaccount:NAMESPACE:NAME (NAME may be *).\nExit codes: 0 no other editors, 1 other editors found, 2 error."
    )]
    Rbac(Box<RbacArgs>),
    /// Compare the same live objects in two clusters, or in two namespaces of one.
    #[command(
        help_template = HELP,
        after_help = "Examples:\n  # Why does production behave differently from staging?\n  kubectl drift compare --context staging --context production deployment,configmap -n shop\n\n  # Two namespaces of one cluster\n  kubectl drift compare --context staging --namespace-a shop --namespace-b shop-canary deploy/web\n\n  # Only what Git declares; differences Git declares per environment are expected\n  kubectl drift compare --context staging --context production --path k8s\n\nExit codes: 0 the same (or different only where Git says so), 1 different, 2 error."
    )]
    Compare(Box<CompareArgs>),
    /// List past runs saved with `check --report-dir`, and when each resource's drift began and ended.
    #[command(
        help_template = HELP,
        after_help = "Examples:\n  # What a CronJob's checks found over time\n  kubectl drift history --report-dir /var/lib/kubectl-drift/reports"
    )]
    History(HistoryArgs),
    /// Print the plugin's version, and each selected cluster's version when a context is given.
    Version(VersionArgs),
    /// Print a shell completion script (bash, zsh, fish or powershell).
    Completion {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Completion candidates in kubectl's plugin protocol (used by kubectl_complete-drift).
    #[command(name = "__complete", hide = true)]
    Complete {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        words: Vec<String>,
    },
    /// Print the man page (roff).
    #[command(name = "__man", hide = true)]
    Man,
}

/// Which kubeconfig and which of its contexts to use, as in kubectl.
#[derive(Debug, Clone, Default, Args)]
pub struct ClusterArgs {
    /// Path to the kubeconfig file (default: $KUBECONFIG, merged as kubectl does, else ~/.kube/config).
    #[arg(long, value_name = "FILE", global = true)]
    pub kubeconfig: Option<PathBuf>,

    /// Kubeconfig context to use; repeat to check several clusters.
    #[arg(long = "context", value_name = "NAME", global = true)]
    pub contexts: Vec<String>,

    /// Use every context in the kubeconfig.
    #[arg(long, conflicts_with = "contexts", global = true)]
    pub all_contexts: bool,

    /// How long one API request may take before its context fails, as in kubectl: 30s, 1m,
    /// a bare number of seconds, or 0 for no limit.
    #[arg(long, value_name = "DURATION", default_value = "30s", global = true,
          value_parser = parse_request_timeout)]
    pub request_timeout: RequestTimeout,
}

#[derive(Debug, Args)]
pub struct VersionArgs {}

#[derive(Debug, Args)]
pub struct WatchArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// Time between the starts of two rounds (e.g. 30s, 5m, 1h).
    #[arg(long, value_name = "DURATION", default_value = "5m")]
    pub interval: String,

    /// Address to serve /metrics, /healthz and /report on.
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:9877")]
    pub listen: std::net::SocketAddr,

    /// Also serve the latest JSON report on /report. It holds live values (ConfigMaps, env)
    /// and has no authentication: only for a listen address that only trusted clients reach.
    #[arg(long)]
    pub serve_report: bool,

    /// Run one round and exit with check's exit code (serves nothing).
    #[arg(long)]
    pub once: bool,

    /// Also write the metrics to FILE after each round, in the textfile-collector format.
    #[arg(long, value_name = "FILE")]
    pub metrics_file: Option<PathBuf>,

    /// Export one drift-age series per drifted resource (more series).
    #[arg(long)]
    pub per_resource_metrics: bool,

    /// Run rounds only while holding a coordination.k8s.io Lease in the first context's
    /// namespace, so that replicas never check or alert twice; a standby serves /metrics
    /// with kubectl_drift_leader 0.
    #[arg(long, conflicts_with = "once")]
    pub leader_elect: bool,

    /// The Lease's name for --leader-elect.
    #[arg(long, value_name = "NAME", default_value = "kubectl-drift-watch")]
    pub leader_election_lease: String,

    #[command(flatten)]
    pub notify: NotifyArgs,
}

#[derive(Debug, Args)]
pub struct RbacArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// A subject allowed to change the resources (the pipeline's service account, say);
    /// repeatable: user:NAME, group:NAME, serviceaccount:NAMESPACE:NAME.
    #[arg(long = "allow", value_name = "SUBJECT")]
    pub allow: Vec<String>,

    /// Do not also allow the cluster's own: group system:masters, the control plane's
    /// users and kube-system's service accounts.
    #[arg(long)]
    pub no_default_allow: bool,

    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = RbacFormat::Text, value_name = "FORMAT")]
    pub output: RbacFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RbacFormat {
    /// One block per subject, then who could have made the drift's hand-made changes.
    Text,
    /// One JSON document.
    Json,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The folder `check --report-dir` writes its reports to.
    #[arg(long, value_name = "DIR")]
    pub report_dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// Output format (default: side-by-side).
    #[arg(short = 'o', long, value_enum, value_name = "FORMAT")]
    pub output: Option<OutputFormat>,

    /// Also save this run's JSON report in DIR, under a new timestamped name.
    #[arg(long, value_name = "DIR")]
    pub report_dir: Option<PathBuf>,

    /// Exit 1 only for drift at or above SEVERITY; lower drift is shown and exits 0
    /// (default: any drift exits 1). A field no rule rates is medium; a missing object is
    /// high, an extra one medium (critical for a NetworkPolicy or webhook gone, a binding or
    /// webhook added).
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<crate::severity::Severity>,

    #[command(flatten)]
    pub notify: NotifyArgs,
}

/// `kubectl drift compare`: two sides, each a context and a namespace, and what to compare.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// What to compare: TYPE, TYPE/NAME or TYPE NAME..., as in kubectl (default with --path:
    /// everything Git declares).
    #[arg(value_name = "TYPE[/NAME]")]
    pub resources: Vec<String>,

    /// Namespace on both sides (default: each context's namespace).
    #[arg(short = 'n', long, value_name = "NAMESPACE")]
    pub namespace: Option<String>,

    /// Namespace of side A (the first --context), instead of -n.
    #[arg(long, value_name = "NAMESPACE", conflicts_with = "namespace")]
    pub namespace_a: Option<String>,

    /// Namespace of side B (the second --context, or the only one), instead of -n.
    #[arg(long, value_name = "NAMESPACE", conflicts_with = "namespace")]
    pub namespace_b: Option<String>,

    /// Compare every namespace, pairing objects by namespace and name.
    #[arg(short = 'A', long, conflicts_with_all = ["namespace", "namespace_a", "namespace_b"])]
    pub all_namespaces: bool,

    /// Label selector, e.g. app=web,tier!=cache.
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,

    /// Output format (default: side-by-side, side A on the left).
    #[arg(short = 'o', long, value_enum, value_name = "FORMAT")]
    pub output: Option<CompareFormat>,

    /// Compare only the objects Git declares under this folder or file; repeatable. A field
    /// the two contexts' targets set differently in Git is a declared difference.
    #[arg(long = "path", value_name = "PATH")]
    pub paths: Vec<String>,

    /// Git repository holding the manifests and the config: a local path or a URL
    /// (default: the repository around the current folder).
    #[arg(long, value_name = "PATH|URL")]
    pub repo: Option<String>,

    /// Commit, branch or tag to read the manifests from.
    #[arg(long = "ref", value_name = "REF", default_value = "HEAD")]
    pub git_ref: String,

    /// Use the cached clone of a URL repository as it is, without fetching.
    #[arg(long)]
    pub offline: bool,

    /// Config file with targets and ignore rules (default: .kubectl-drift.yaml at the
    /// repository root, when there is one).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Let kustomizations and Helm charts fetch from the network (default: refused).
    #[arg(long)]
    pub allow_remote_bases: bool,

    /// The helm binary that renders charts under --path (default: `helm` on PATH); each
    /// target's `helm:` block says how.
    #[arg(long, value_name = "PATH")]
    pub helm_binary: Option<PathBuf>,

    /// When to color the output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Output width in columns, 40 to 1000 (default: the terminal's width, else 120).
    #[arg(long, value_name = "COLUMNS")]
    pub width: Option<usize>,
}

/// `compare`'s output formats: those of `check` that show two sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompareFormat {
    /// Side A on the left, side B on the right, only the changed parts.
    SideBySide,
    /// A unified diff from side A to side B.
    Unified,
    /// One JSON document with every object compared.
    Json,
    /// One line per object.
    Summary,
}

/// Alerts after a check.
#[derive(Debug, Clone, Default, Args)]
pub struct NotifyArgs {
    /// Send an alert on drift: slack=WEBHOOK_URL, webhook=URL (JSON) or email=ADDRESS;
    /// repeatable.
    #[arg(long = "notify", value_name = "CHANNEL")]
    pub channels: Vec<String>,

    /// Alert again about unchanged drift once this long has passed (e.g. 6h, 1d).
    #[arg(long, value_name = "DURATION")]
    pub notify_every: Option<String>,

    /// Send one message when drift that was alerted on is gone.
    #[arg(long)]
    pub notify_on_resolve: bool,

    /// File that remembers the last alert per channel, so that the same drift is sent once;
    /// or configmap/[NAMESPACE/]NAME to keep it in a ConfigMap of the first checked cluster.
    #[arg(long = "state", value_name = "FILE|configmap/NAME")]
    pub state: Option<PathBuf>,

    /// SMTP server for email alerts (password from $KUBECTL_DRIFT_SMTP_PASSWORD).
    #[arg(long, value_name = "HOST[:PORT]", env = "KUBECTL_DRIFT_SMTP_SERVER")]
    pub smtp_server: Option<String>,

    /// Upgrade the SMTP connection with STARTTLS (the default port becomes 587).
    #[arg(long)]
    pub smtp_starttls: bool,

    /// SMTP user name.
    #[arg(long, value_name = "USER", env = "KUBECTL_DRIFT_SMTP_USERNAME")]
    pub smtp_username: Option<String>,

    /// The From address of email alerts.
    #[arg(
        long,
        value_name = "ADDRESS",
        env = "KUBECTL_DRIFT_SMTP_FROM",
        default_value = "kubectl-drift@localhost"
    )]
    pub smtp_from: String,
}

#[derive(Debug, Args)]
pub struct FixArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// Apply the Git state of every drifted resource without asking (unattended remediation).
    #[arg(long, short = 'y')]
    pub yes: bool,

    /// Show what would be written, and write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Also delete Extra objects: live, tracked by a target, with no manifest in Git.
    #[arg(long)]
    pub prune: bool,

    /// File that every write is recorded in, one JSON line each
    /// (default: $XDG_STATE_HOME/kubectl-drift/audit.log).
    #[arg(long, value_name = "FILE")]
    pub audit_log: Option<PathBuf>,

    /// With --dry-run: save what would be written as a plan (JSON) for `fix --plan`.
    #[arg(long, value_name = "FILE", requires = "dry_run")]
    pub save_plan: Option<PathBuf>,

    /// Execute a plan saved with --save-plan, exactly: an entry whose object changed since
    /// is not written and is listed (exit 2). Asks once, unless --yes.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["dry_run", "prune", "save_plan"])]
    pub plan: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct AdoptArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// Print the change as a patch and write nothing.
    #[arg(long, conflicts_with = "commit")]
    pub dry_run: bool,

    /// Commit the change on the current branch, with each field, its old and new value and
    /// who changed it live in the message; nothing is pushed.
    #[arg(long)]
    pub commit: bool,

    /// For a kustomize overlay: write the live values as a patch in the overlay, not into
    /// the file that sets them.
    #[arg(long)]
    pub into_overlay: bool,
}

#[derive(Debug, Args)]
pub struct AcceptArgs {
    #[command(flatten)]
    pub common: CommonArgs,

    /// Why the drift is intentional (required).
    #[arg(long, value_name = "TEXT")]
    pub reason: String,

    /// The last day the drift stays accepted (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
}

/// Selection, source and cluster flags shared by `check`, `fix` and `accept`.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// What to check: TYPE, TYPE/NAME or TYPE NAME..., as in kubectl (default: everything in Git).
    #[arg(value_name = "TYPE[/NAME]")]
    pub resources: Vec<String>,

    /// Git repository holding the manifests: a local path, or a URL (https://, ssh://,
    /// git@host:path, git://, file://) cloned into a cache and fetched on every run
    /// (default: the repository around the current folder).
    #[arg(long, value_name = "PATH|URL")]
    pub repo: Option<String>,

    /// Use the cached clone of a URL repository as it is, without fetching.
    #[arg(long)]
    pub offline: bool,

    /// Config file with targets, ignore rules and the accepted-drift file
    /// (default: .kubectl-drift.yaml at the repository root).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Commit, branch or tag to read the manifests from.
    #[arg(long = "ref", value_name = "REF", default_value = "HEAD")]
    pub git_ref: String,

    /// Folder or file in the Git tree to read manifests from; repeatable (default: the whole tree).
    #[arg(long = "path", value_name = "PATH")]
    pub paths: Vec<String>,

    /// Read manifests from plain files or folders instead of Git; repeatable.
    #[arg(short = 'f', long = "filename", value_name = "FILE|DIR", conflicts_with_all = ["repo", "paths", "git_ref", "offline"])]
    pub files: Vec<PathBuf>,

    /// Let kustomizations fetch remote bases, resources and Helm charts from the network
    /// (default: refused, naming the kustomization and the entry).
    #[arg(long)]
    pub allow_remote_bases: bool,

    /// Release name a Helm chart in Git is rendered as (default: the chart's name).
    #[arg(long, value_name = "NAME", help_heading = "Helm")]
    pub helm_release: Option<String>,

    /// Values file for Helm charts, a path in the commit (or on disk with -f); repeatable,
    /// later files win, as with `helm -f`.
    #[arg(long, value_name = "FILE", help_heading = "Helm")]
    pub helm_values: Vec<String>,

    /// A value for Helm charts, as `helm --set KEY=VALUE`; repeatable.
    #[arg(long, value_name = "KEY=VALUE", help_heading = "Helm")]
    pub helm_set: Vec<String>,

    /// The helm binary that renders charts (default: `helm` on PATH).
    #[arg(long, value_name = "PATH", help_heading = "Helm")]
    pub helm_binary: Option<PathBuf>,

    /// Check a Helm release against the manifest Helm last deployed (its release record in
    /// the cluster), instead of Git; repeatable. Needs no helm binary.
    #[arg(long, value_name = "NAME", help_heading = "Helm", conflicts_with_all = ["repo", "paths", "files", "git_ref", "offline", "helm_release", "helm_values", "helm_set"])]
    pub from_release: Vec<String>,

    /// With --from-release: every release deployed in the namespace (-n) or, with -A, in
    /// every namespace.
    #[arg(long, help_heading = "Helm", conflicts_with_all = ["repo", "paths", "files", "git_ref", "offline", "helm_release", "helm_values", "helm_set"])]
    pub all_releases: bool,

    /// With --from-release: a release (NAMESPACE/NAME) whose record may declare
    /// cluster-scoped objects and objects of other namespaces; repeatable. Without it such
    /// objects are refused: a release record is a Secret anyone allowed to create Secrets
    /// in its namespace can write.
    #[arg(long, value_name = "NAMESPACE/NAME", help_heading = "Helm")]
    pub trust_release: Vec<String>,

    /// Namespace for manifests that name none, and the only namespace checked.
    #[arg(short = 'n', long, value_name = "NAMESPACE")]
    pub namespace: Option<String>,

    /// Check every namespace.
    #[arg(short = 'A', long, conflicts_with = "namespace")]
    pub all_namespaces: bool,

    /// Label selector applied to both Git and the cluster, e.g. app=web,tier!=cache.
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,

    /// When to color the output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// Output width in columns, 40 to 1000 (default: the terminal's width, else 120).
    #[arg(long, value_name = "COLUMNS")]
    pub width: Option<usize>,

    /// Field manager for the server-side dry runs and fixes; use your pipeline's to see what
    /// it would change (default: the target's, else kubectl-drift).
    #[arg(long, value_name = "NAME")]
    pub field_manager: Option<String>,

    /// How many objects to compare at once per cluster, each with its dry run (1 to 256);
    /// LIST pages are read ahead of them, as many at once.
    #[arg(long, value_name = "N", default_value_t = 16)]
    pub concurrency: usize,

    /// Also report fields that exist live, are absent from Git, and were written by a
    /// person or tool that is not a controller (kubectl edit, patch, label, …).
    #[arg(long)]
    pub strict: bool,

    /// Print Secret values instead of hiding them.
    #[arg(long)]
    pub show_secrets: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Git on the left, live on the right, only the changed parts.
    SideBySide,
    /// A unified diff, like kubectl diff.
    Unified,
    /// One JSON document with every resource and a summary per context.
    Json,
    /// One line per resource.
    Summary,
    /// JUnit XML: a test case per resource, drift as failures with the diff, for CI.
    Junit,
    /// One self-contained HTML page: summary, charts, side-by-side diffs, filters.
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Color on a terminal, unless NO_COLOR is set.
    Auto,
    Always,
    Never,
}

/// The default `--request-timeout`, as kubectl's own requests are bounded.
pub const DEFAULT_REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// `--request-timeout`: `None` for no limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestTimeout(pub Option<std::time::Duration>);

impl Default for RequestTimeout {
    fn default() -> RequestTimeout {
        RequestTimeout(Some(DEFAULT_REQUEST_TIMEOUT))
    }
}

/// The longest `--request-timeout`: a day. Longer is no limit in practice, and a huge value
/// would overflow the timers.
const MAX_REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(86_400);

/// Reads `--request-timeout` as kubectl does: `0` for none, `30s`, `1m`, `1h`, `1m30s`, or
/// a bare number of seconds.
pub fn parse_request_timeout(text: &str) -> Result<RequestTimeout, String> {
    let text = text.trim();
    let duration = if !text.is_empty() && text.chars().all(|c| c.is_ascii_digit()) {
        let seconds: u64 = text
            .parse()
            .map_err(|_| format!("{text} seconds is too long (at most 86400, a day)"))?;
        std::time::Duration::from_secs(seconds)
    } else {
        parse_duration(text)?
    };
    if duration > MAX_REQUEST_TIMEOUT {
        return Err(format!(
            "{text} is too long: at most 24h (86400 seconds), or 0 for no limit"
        ));
    }
    Ok(RequestTimeout((!duration.is_zero()).then_some(duration)))
}

/// Reads `30s`, `5m`, `1h30m`, `2d` (units s, m, h, d; several may follow one another).
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let text = s.trim();
    if text.is_empty() {
        return Err("empty duration: expected e.g. 30s, 5m, 1h30m or 2d".to_string());
    }
    let mut total: u64 = 0;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 {
            return Err(format!(
                "\"{s}\": expected a number at \"{rest}\" (e.g. 30s, 5m, 1h30m or 2d)"
            ));
        }
        let number: u64 = rest[..digits]
            .parse()
            .map_err(|_| format!("\"{s}\": number \"{}\" is too large", &rest[..digits]))?;
        rest = &rest[digits..];
        let unit_len = rest.len() - rest.trim_start_matches(|c: char| c.is_alphabetic()).len();
        let unit = &rest[..unit_len];
        let seconds = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86400,
            "" => {
                return Err(format!(
                    "\"{s}\": \"{number}\" has no unit (use s, m, h or d)"
                ))
            }
            other => {
                return Err(format!(
                    "\"{s}\": unknown unit \"{other}\" (use s, m, h or d)"
                ))
            }
        };
        total = number
            .checked_mul(seconds)
            .and_then(|n| total.checked_add(n))
            .ok_or_else(|| format!("\"{s}\": too long"))?;
        rest = &rest[unit_len..];
    }
    Ok(std::time::Duration::from_secs(total))
}

#[cfg(test)]
mod duration_tests {
    use super::*;
    use std::time::Duration;
    #[test]
    fn request_timeouts_read_as_kubectl_reads_them() {
        let read = |t| parse_request_timeout(t).map(|r| r.0);
        assert_eq!(read("0"), Ok(None));
        assert_eq!(read("45"), Ok(Some(Duration::from_secs(45))));
        assert_eq!(read("30s"), Ok(Some(Duration::from_secs(30))));
        assert_eq!(read("1m"), Ok(Some(Duration::from_secs(60))));
        assert!(read("3x").is_err());
        assert!(read("-1").is_err());
        assert!(read("99999999999999999999").is_err());
        assert!(read("2d").is_err());
    }

    #[test]
    fn parses_durations() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("2d"), Ok(Duration::from_secs(172800)));
        assert!(parse_duration("").is_err());
        assert!(parse_duration("10").unwrap_err().contains("no unit"));
        assert!(parse_duration("5x").unwrap_err().contains("\"x\""));
        assert!(parse_duration("h").is_err());
        assert!(parse_duration("99999999999999999999s").is_err());
    }
}
