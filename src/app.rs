//! The edge: runs a parsed command, renders its report to stdout, reports errors to stderr
//! in human words, and decides the exit code (0 in sync, 1 drift, 2 error).

use std::io::{IsTerminal, Write};

use crate::check::{self, Progress};
use crate::cli::{
    AcceptArgs, CheckArgs, Cli, ClusterArgs, Command, FixArgs, HistoryArgs, OutputFormat, RbacArgs,
    RbacFormat, WatchArgs,
};
use crate::cluster::kubeconfig;
use crate::fix::{prompt::Terminal, FixSettings, Unattended};
use crate::report::{self, Report, Style};
use crate::settings::{CheckSettings, ClusterSettings};

/// Prints a line to stdout with the control characters of anything from a cluster, a
/// repository or a file escaped, so no value can steer the terminal.
macro_rules! say {
    () => { println!() };
    ($($arg:tt)*) => { println!("{}", terminal_lines(&format!($($arg)*))) };
}

/// The same for stderr.
macro_rules! tell {
    ($($arg:tt)*) => { eprintln!("{}", terminal_lines(&format!($($arg)*))) };
}

/// `text` with each line's control characters escaped, its line breaks kept.
fn terminal_lines(text: &str) -> String {
    text.split('\n')
        .map(|line| report::terminal_text(line))
        .collect::<Vec<_>>()
        .join("\n")
}

use crate::report::{EXIT_DRIFT, EXIT_ERROR, EXIT_IN_SYNC};

/// Runs the command and returns the process exit code.
pub fn main(cli: Cli) -> i32 {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&e),
    };
    // `fix` and `accept` take check's flags; only `check` chooses an output format.
    let lower = |common| CheckSettings::from_common(common, &cli.cluster, OutputFormat::SideBySide);
    runtime.block_on(async {
        match &cli.command {
            Command::Check(args) => match CheckSettings::from_args(args, &cli.cluster) {
                Ok(settings) => check(args, &settings).await,
                Err(e) => fail(&e),
            },
            Command::Fix(args) => match lower(&args.common) {
                Ok(settings) => fix(args, settings).await,
                Err(e) => fail(&e),
            },
            Command::Accept(args) => match lower(&args.common) {
                Ok(settings) => accept(args, settings).await,
                Err(e) => fail(&e),
            },
            Command::Adopt(args) => match lower(&args.common) {
                Ok(settings) => adopt(args, settings).await,
                Err(e) => fail(&e),
            },
            Command::Compare(args) => compare(args, &cli.cluster).await,
            Command::History(args) => history(args),
            Command::Rbac(args) => match lower(&args.common) {
                Ok(settings) => rbac(args, settings).await,
                Err(e) => fail(&e),
            },
            Command::Watch(args) => watch(args, &cli.cluster).await,
            Command::Version(_) => version(&cli.cluster).await,
            Command::Completion { shell } => {
                match crate::complete::script(*shell, &mut std::io::stdout()) {
                    Ok(()) => EXIT_IN_SYNC,
                    Err(e) => fail(&e),
                }
            }
            Command::Complete { words } => {
                let (candidates, directive) = crate::complete::candidates(words).await;
                match crate::complete::print(&candidates, directive, &mut std::io::stdout()) {
                    Ok(()) => EXIT_IN_SYNC,
                    Err(e) => fail(&e),
                }
            }
            Command::Man => match crate::complete::man_page(&mut std::io::stdout()) {
                Ok(()) => EXIT_IN_SYNC,
                Err(e) => fail(&e),
            },
        }
    })
}

async fn check(args: &CheckArgs, settings: &CheckSettings) -> i32 {
    let password = std::env::var("KUBECTL_DRIFT_SMTP_PASSWORD").ok();
    let alerts = match crate::notify::from_args(&args.notify, password) {
        Ok(alerts) => alerts,
        Err(e) => return fail(&e),
    };
    let show_progress = std::io::stderr().is_terminal();
    let on_progress = move |event: Progress| {
        if !show_progress {
            return;
        }
        let Progress {
            context,
            done,
            total,
        } = event;
        if total >= 50 {
            eprint!("\r\x1b[2K{context}: {done}/{total} compared");
            if done == total {
                eprint!("\r\x1b[2K");
            }
        }
    };
    let report = match check::run(settings, &on_progress).await {
        Ok(report) => report,
        Err(e) => return fail(&e),
    };
    let style = Style {
        color: settings.color,
        width: settings.width,
        now: chrono::Utc::now(),
    };
    if let Err(e) = render(&report, settings.output, &style) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return fail(&e);
        }
    }
    warn_insecure(
        &settings.cluster,
        report.contexts.iter().map(|c| c.context.as_str()),
    );
    for summary in report.contexts.iter().filter(|c| c.error.is_some()) {
        tell!(
            "error: context {}: {}",
            report::terminal_text(&summary.context),
            report::terminal_text(summary.error.as_deref().unwrap_or_default())
        );
    }
    let mut code = report.exit_code_at(settings.fail_on);
    if let Some(dir) = &args.report_dir {
        if let Err(e) = save_report(&report, &style, dir) {
            tell!("error: cannot save the report in {}: {e}", dir.display());
            code = EXIT_ERROR;
        }
    }
    if let Some(alerts) = &alerts {
        // A failed alert is an error of its own; it never hides the drift result above.
        let result = crate::notify::notify_in_cluster(
            &report,
            alerts,
            &settings.cluster,
            chrono::Utc::now(),
        )
        .await;
        let (lines, failed) = crate::notify::outcome_lines(&result);
        lines.iter().for_each(|line| tell!("{line}"));
        if failed {
            code = EXIT_ERROR;
        }
    }
    code
}

/// `kubectl drift compare`: two sides compared, rendered, and the exit code.
async fn compare(args: &crate::cli::CompareArgs, cluster: &ClusterArgs) -> i32 {
    let settings = match crate::settings::compare::CompareSettings::from_args(args, cluster) {
        Ok(settings) => settings,
        Err(e) => return fail(&e),
    };
    let report = match crate::compare::run(&settings).await {
        Ok(report) => report,
        Err(e) => return fail(&e),
    };
    let style = Style {
        color: settings.check.color,
        width: settings.check.width,
        now: chrono::Utc::now(),
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = crate::render::compare::render(&report, settings.output, &style, &mut out)
        .and_then(|()| out.flush());
    if let Err(e) = written {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return fail(&e);
        }
    }
    report.errors.iter().for_each(|e| tell!("error: {e}"));
    report.exit_code()
}

/// Writes the JSON report to a new file in `dir`, named by its time; an existing file is
/// never overwritten, and a half-written one never keeps the final name.
fn save_report(report: &Report, style: &Style, dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut text = Vec::new();
    crate::render::json::render(report, style, &mut text)?;
    let stamp = style.now.format("%Y-%m-%dT%H-%M-%S%.3fZ").to_string();
    let temp = dir.join(format!(".{stamp}.{}.tmp", std::process::id()));
    std::fs::write(&temp, &text)?;
    for n in 1.. {
        let name = match n {
            1 => format!("{stamp}.json"),
            n => format!("{stamp}-{n}.json"),
        };
        // A hard link fails when the name is taken: no run's report replaces another's.
        match std::fs::hard_link(&temp, dir.join(&name)) {
            Ok(()) => break,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                let _ = std::fs::remove_file(&temp);
                return Err(e);
            }
        }
    }
    std::fs::remove_file(&temp)
}

/// `kubectl drift watch`: rounds of `check`, logged to stderr, metrics served.
async fn watch(args: &WatchArgs, cluster: &ClusterArgs) -> i32 {
    let check = match CheckSettings::from_common(&args.common, cluster, OutputFormat::Json) {
        Ok(settings) => settings,
        Err(e) => return fail(&e),
    };
    let interval = match crate::cli::parse_duration(&args.interval) {
        Ok(d) if !d.is_zero() => d,
        Ok(_) => {
            tell!("error: invalid value for --interval: must be more than zero");
            return EXIT_ERROR;
        }
        Err(e) => {
            tell!("error: invalid value for --interval: {e}");
            return EXIT_ERROR;
        }
    };
    let password = std::env::var("KUBECTL_DRIFT_SMTP_PASSWORD").ok();
    let notify = match crate::notify::from_args(&args.notify, password) {
        Ok(notify) => notify,
        Err(e) => return fail(&e),
    };
    let settings = crate::watch::WatchSettings {
        check,
        interval,
        listen: args.listen,
        serve_report: args.serve_report,
        once: args.once,
        metrics_file: args.metrics_file.clone(),
        per_resource: args.per_resource_metrics,
        notify,
        lease: args
            .leader_elect
            .then(|| args.leader_election_lease.clone()),
    };
    let log = |line: String| tell!("{} {line}", chrono::Utc::now().format("%H:%M:%S"));
    match crate::watch::run(&settings, &log).await {
        Ok(code) => code,
        Err(e) => fail(&e),
    }
}

/// `kubectl drift rbac`: who besides the allowed subjects can change the checked resources,
/// joined with the hand-made changes the check found.
async fn rbac(args: &RbacArgs, settings: CheckSettings) -> i32 {
    use crate::rbac::{self, Subject};
    let mut allow: Vec<Subject> = Vec::new();
    for text in &args.allow {
        match text.parse::<Subject>() {
            Ok(subject) => allow.push(subject),
            Err(e) => {
                tell!("error: invalid value for --allow: {e}");
                return EXIT_ERROR;
            }
        }
    }
    if !args.no_default_allow {
        allow.extend(rbac::default_allow());
    }
    let checked = match check::run_checked(&settings, &|_| {}).await {
        Ok(checked) => checked,
        Err(e) => return fail(&e),
    };
    let mut code = EXIT_IN_SYNC;
    let mut answers = Vec::new();
    for answer in rbac::analyze(&checked, &allow).await {
        match answer {
            Ok(answer) => {
                if !answer.editors.is_empty() && code == EXIT_IN_SYNC {
                    code = EXIT_DRIFT;
                }
                answers.push(answer);
            }
            Err(e) => {
                tell!("error: {e}");
                code = EXIT_ERROR;
            }
        }
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let written = match args.output {
        RbacFormat::Json => rbac::render::json(&answers, &mut out),
        RbacFormat::Text => answers
            .iter()
            .try_for_each(|answer| rbac::render::text(answer, &mut out)),
    };
    if let Err(e) = written {
        tell!("error: cannot write the output: {e}");
        code = EXIT_ERROR;
    }
    for summary in checked.report.contexts.iter().filter(|c| c.error.is_some()) {
        tell!(
            "error: context {}: {}",
            summary.context,
            summary.error.as_deref().unwrap_or_default()
        );
        code = EXIT_ERROR;
    }
    code
}

/// `kubectl drift history`: the runs saved in a report folder, and each drift's span.
fn history(args: &HistoryArgs) -> i32 {
    let entries = match std::fs::read_dir(&args.report_dir) {
        Ok(entries) => entries,
        Err(e) => {
            tell!("error: cannot read {}: {e}", args.report_dir.display());
            return EXIT_ERROR;
        }
    };
    let mut files: Vec<std::path::PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut reports = Vec::new();
    for file in &files {
        let parsed = std::fs::read(file)
            .map_err(|e| e.to_string())
            .and_then(|bytes| {
                serde_json::from_slice::<crate::history::SavedReport>(&bytes)
                    .map_err(|e| e.to_string())
            });
        match parsed {
            Ok(report) => reports.push(report),
            Err(e) => {
                tell!("error: {}: not a kubectl-drift report: {e}", file.display());
                return EXIT_ERROR;
            }
        }
    }
    if reports.is_empty() {
        say!("no reports in {}", args.report_dir.display());
        return EXIT_IN_SYNC;
    }
    let stdout = std::io::stdout();
    if let Err(e) = crate::history::print(reports, &mut stdout.lock()) {
        tell!("error: cannot write the output: {e}");
        return EXIT_ERROR;
    }
    EXIT_IN_SYNC
}

fn render(report: &Report, format: OutputFormat, style: &Style) -> std::io::Result<()> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match format {
        OutputFormat::SideBySide => crate::render::side_by_side::render(report, style, &mut out)?,
        OutputFormat::Unified => crate::render::unified::render(report, style, &mut out)?,
        OutputFormat::Json => crate::render::json::render(report, style, &mut out)?,
        OutputFormat::Summary => crate::render::summary::render(report, style, &mut out)?,
        OutputFormat::Junit => crate::render::junit::render(report, style, &mut out)?,
        OutputFormat::Html => crate::render::html::render(report, style, &mut out)?,
    }
    out.flush()
}

async fn fix(args: &FixArgs, check: CheckSettings) -> i32 {
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    if let Some(file) = &args.plan {
        return fix_plan(args, file, &check, interactive).await;
    }
    if !args.yes && !args.dry_run && !interactive {
        tell!("error: kubectl drift fix needs a terminal to ask before writing; pass --yes to apply without asking, or --dry-run to only show what would be written");
        return EXIT_ERROR;
    }
    let style = Style {
        color: check.color,
        width: check.width,
        now: chrono::Utc::now(),
    };
    let settings = FixSettings {
        check,
        dry_run: args.dry_run,
        audit_log: args
            .audit_log
            .clone()
            .unwrap_or_else(crate::fix::audit::default_path),
        prune: args.prune,
        save_plan: args.save_plan.clone(),
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let result = if args.yes || args.dry_run {
        crate::fix::run(&settings, &mut Unattended, &style, &mut out).await
    } else {
        crate::fix::run(&settings, &mut Terminal::default(), &style, &mut out).await
    };
    match result {
        Ok(summary) => {
            warn_insecure(
                &settings.check.cluster,
                summary.contexts.iter().map(|c| c.context.as_str()),
            );
            summary.exit_code()
        }
        Err(e) => fail(&e),
    }
}

/// `fix --plan FILE`: the plan checked (Secrets against Git) and shown, then run on yes.
async fn fix_plan(
    args: &FixArgs,
    file: &std::path::Path,
    check: &CheckSettings,
    interactive: bool,
) -> i32 {
    use crate::fix::plan;
    if !args.yes && !interactive {
        tell!("error: kubectl drift fix --plan needs a terminal to ask before writing; pass --yes to run the plan without asking");
        return EXIT_ERROR;
    }
    // A plan is run whole, as approved: flags that would narrow or change it are refused
    // rather than silently ignored.
    let common = &args.common;
    let narrowing: Vec<&str> = [
        (!common.resources.is_empty(), "TYPE arguments"),
        (!common.paths.is_empty(), "--path"),
        (!common.files.is_empty(), "-f"),
        (common.git_ref != "HEAD", "--ref"),
        (common.namespace.is_some(), "-n"),
        (common.all_namespaces, "-A"),
        (common.selector.is_some(), "-l"),
        (common.field_manager.is_some(), "--field-manager"),
        (
            !check.cluster.contexts.is_empty() || check.cluster.all_contexts,
            "--context",
        ),
    ]
    .into_iter()
    .filter_map(|(given, flag)| given.then_some(flag))
    .collect();
    if !narrowing.is_empty() {
        tell!(
            "error: --plan runs the saved plan whole, as approved; {} cannot narrow or change it (make a new plan with them)",
            narrowing.join(", ")
        );
        return EXIT_ERROR;
    }
    let audit_log = args
        .audit_log
        .clone()
        .unwrap_or_else(crate::fix::audit::default_path);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let result = async {
        let loaded = plan::load(file)?;
        let ready = plan::prepare(&loaded, check).await?;
        plan::show(&loaded, file, &mut out)?;
        out.flush()?;
        if !args.yes {
            let yes = dialoguer::Confirm::with_theme(&dialoguer::theme::ColorfulTheme::default())
                .with_prompt("Execute this plan?")
                .default(false)
                .interact()
                .map_err(|dialoguer::Error::IO(e)| e)?;
            if !yes {
                writeln!(out, "plan not run: nothing written")?;
                return Ok::<_, plan::PlanError>(None);
            }
        }
        let summary = plan::execute(&loaded, &ready, &audit_log, &mut out).await?;
        let contexts: Vec<String> = loaded.entries.iter().map(|e| e.context.clone()).collect();
        Ok::<_, plan::PlanError>(Some((summary, contexts)))
    }
    .await;
    match result {
        Ok(Some((summary, mut contexts))) => {
            contexts.dedup();
            warn_insecure(&check.cluster, contexts.iter().map(String::as_str));
            summary.exit_code()
        }
        // Declined: nothing written, the drift remains.
        Ok(None) => EXIT_DRIFT,
        Err(e) => fail(&e),
    }
}

/// A warning on stderr for each of these contexts whose cluster skips TLS verification.
fn warn_insecure<'a>(cluster: &ClusterSettings, contexts: impl Iterator<Item = &'a str>) {
    let Ok(config) = kubeconfig::load_kubeconfig(cluster.kubeconfig.as_deref()) else {
        return;
    };
    let insecure = kubeconfig::insecure_contexts(&config);
    for context in contexts.filter(|c| insecure.iter().any(|i| i == c)) {
        tell!(
            "warning: context {}: insecure-skip-tls-verify is set, so the server's certificate is not checked and anyone on the network path can read and change this traffic",
            report::terminal_text(context)
        );
    }
}

async fn accept(args: &AcceptArgs, settings: CheckSettings) -> i32 {
    if settings.selection.types.is_empty() {
        tell!("error: name the resources to accept, as TYPE/NAME or TYPE NAME…");
        return EXIT_ERROR;
    }
    let until = match crate::fix::parse_date(args.until.as_deref().unwrap_or("")) {
        Ok(until) => until,
        Err(message) => {
            tell!("error: invalid value for --until: {message}");
            return EXIT_ERROR;
        }
    };
    let checked = match check::run_checked(&settings, &|_| {}).await {
        Ok(checked) => checked,
        Err(e) => return fail(&e),
    };
    let Some(file) = checked.accepted_file.clone() else {
        tell!("error: accepted drift is recorded in the repository's work tree, and --repo names a URL: run kubectl drift accept in a clone of it");
        return EXIT_ERROR;
    };
    let accepted = crate::fix::accept::record_all(&checked, &file, &args.reason, until).await;
    for line in &accepted.lines {
        match line {
            crate::fix::accept::Said::Out(text) => say!("{text}"),
            crate::fix::accept::Said::Err(text) => tell!("{text}"),
        }
    }
    accepted.code
}

async fn adopt(args: &crate::cli::AdoptArgs, settings: CheckSettings) -> i32 {
    let checked = match check::run_checked(&settings, &|_| {}).await {
        Ok(checked) => checked,
        Err(e) => return fail(&e),
    };
    if checked.report.exit_code() == EXIT_ERROR {
        for summary in checked.report.contexts.iter().filter(|c| c.error.is_some()) {
            tell!(
                "error: context {}: {}",
                summary.context,
                summary.error.as_deref().unwrap_or_default()
            );
        }
        tell!("error: the check failed, so nothing was adopted");
        return EXIT_ERROR;
    }
    let options = crate::adopt::Options {
        into_overlay: args.into_overlay,
    };
    let adoption = match crate::adopt::plan(&checked, options) {
        Ok(adoption) => adoption,
        Err(e) => return fail(&e),
    };
    for refusal in &adoption.refused {
        tell!("refused: {}: {}", refusal.resource, refusal.why);
    }
    if adoption.changes.is_empty() {
        say!("adopt: nothing to adopt");
    } else if args.dry_run {
        print!("{}", terminal_lines(&crate::adopt::patch(&adoption)));
    } else {
        if let Err(e) = crate::adopt::write(&adoption) {
            return fail(&e);
        }
        for change in &adoption.changes {
            let n = change.fields.len();
            say!(
                "adopted: {} ({n} field{})",
                change.file,
                if n == 1 { "" } else { "s" }
            );
        }
        if args.commit {
            match crate::adopt::commit(&adoption) {
                Ok(commit) => say!(
                    "committed {} on the current branch (not pushed)",
                    crate::source::short_commit(&commit)
                ),
                Err(e) => return fail(&e),
            }
        } else {
            say!("review the change with git diff, then commit it");
        }
    }
    if adoption.refused.is_empty() {
        EXIT_IN_SYNC
    } else {
        EXIT_DRIFT
    }
}

async fn version(cluster: &ClusterArgs) -> i32 {
    say!("kubectl-drift {}", env!("CARGO_PKG_VERSION"));
    let settings = ClusterSettings::from_args(cluster);
    if settings.contexts.is_empty() && !settings.all_contexts {
        return EXIT_IN_SYNC;
    }
    let result = async {
        let config = kubeconfig::load_kubeconfig(settings.kubeconfig.as_deref())?;
        let contexts =
            kubeconfig::select_contexts(&config, &settings.contexts, settings.all_contexts)?;
        let mut lines = Vec::new();
        for context in contexts {
            let cluster =
                kubeconfig::connect_with_timeout(&config, &context, settings.request_timeout)
                    .await?;
            lines.push(format!(
                "{context}: server {}",
                kubeconfig::server_version(&cluster).await?
            ));
        }
        Ok::<_, crate::cluster::ClusterError>(lines)
    }
    .await;
    match result {
        Ok(lines) => {
            lines.iter().for_each(|l| say!("{l}"));
            EXIT_IN_SYNC
        }
        Err(e) => fail(&e),
    }
}

/// Prints an error with its causes and returns exit code 2.
fn fail(error: &dyn std::error::Error) -> i32 {
    let mut message = format!("error: {error}");
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(&format!(": {text}"));
        }
        source = cause.source();
    }
    tell!("{message}");
    EXIT_ERROR
}
