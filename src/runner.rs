//! One way to start every external program (helm, kustomize, git): an argument vector only,
//! never a shell; values from outside passed as `--flag=VALUE` or as operands after `--`, so
//! that none is read as a flag; no standard input; an environment cut down to an allow list
//! plus what the caller sets; a deadline that kills the program's whole process group; stdout
//! and stderr read to their end while the program runs, each kept up to a bound; and a typed
//! error naming the program, what it ran for, its exit status or signal and its stderr.
//! Uses nothing else of the crate.

use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long a render (`helm template`, `kubectl kustomize`) may take by default: remote
/// bases and dependency fetches included. `--request-timeout` bounds one API request and is
/// far too short for a large chart, so renders have a deadline of their own.
pub const DEFAULT_RENDER_DEADLINE: Duration = Duration::from_secs(120);

/// The environment variable that sets the render deadline, in whole seconds.
pub const RENDER_DEADLINE_ENV: &str = "KUBECTL_DRIFT_RENDER_TIMEOUT";

/// What a render's deadline error says to do.
pub const RENDER_DEADLINE_HINT: &str = "set KUBECTL_DRIFT_RENDER_TIMEOUT=SECONDS to allow more";

/// How long a program that is not a render (git) may take by default.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(60);

/// The most of stderr kept for an error message; the rest is read and dropped.
pub const MAX_STDERR_BYTES: u64 = 64 << 10;

/// The most of stdout kept when the caller sets no bound.
pub const DEFAULT_MAX_STDOUT_BYTES: u64 = 16 << 20;

/// How long the output is still read after a program was killed: a descendant that left its
/// process group may hold the pipes open for ever.
const DRAIN_AFTER_KILL: Duration = Duration::from_secs(2);

/// Variables every program gets from the environment, when set: where programs and the
/// home folder are, temporary files, language, time zone, the TLS trust store and the
/// proxies (how this machine reaches the network; they name no code to run). Everything
/// else (every `HELM_*`, `KUSTOMIZE_*`, `GIT_*`, `KUBECONFIG`, `XDG_*`) is dropped unless
/// the caller passes or sets it. `LC_*` are kept by prefix.
const ALLOWED: &[&str] = &[
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "TMPDIR",
    "TMP",
    "TEMP",
    "LANG",
    "LANGUAGE",
    "TZ",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "all_proxy",
];

/// What Windows programs need to start and find their folders (Go's runtime reads
/// `SystemRoot`); names there are case-insensitive.
#[cfg(windows)]
const ALLOWED_WINDOWS: &[&str] = &[
    "SYSTEMROOT",
    "SYSTEMDRIVE",
    "WINDIR",
    "COMSPEC",
    "PATHEXT",
    "USERPROFILE",
    "HOMEDRIVE",
    "HOMEPATH",
    "APPDATA",
    "LOCALAPPDATA",
    "PROGRAMDATA",
];

/// How a program ended, when it did not succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Code(i32),
    Signal(i32),
    Unknown,
}

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            Exit::Code(code) => write!(f, "exit status {code}"),
            Exit::Signal(signal) => write!(f, "killed by signal {signal}"),
            Exit::Unknown => f.write_str("no exit status"),
        }
    }
}

impl From<std::process::ExitStatus> for Exit {
    fn from(status: std::process::ExitStatus) -> Exit {
        if let Some(code) = status.code() {
            return Exit::Code(code);
        }
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt;
            if let Some(signal) = status.signal() {
                return Exit::Signal(signal);
            }
        }
        Exit::Unknown
    }
}

/// What can go wrong running a program. `program` is what ran (`helm template`), `subject`
/// what it ran for (a chart, a folder, a work tree).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("{subject}: cannot run {program}: {binary} not found{hint}", hint = hint_text(.hint))]
    NotFound {
        program: String,
        subject: String,
        binary: PathBuf,
        hint: Option<&'static str>,
    },
    #[error("{subject}: cannot run {program} ({binary}): {source}")]
    Spawn {
        program: String,
        subject: String,
        binary: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{subject}: {program} did not finish within {} s and was killed{hint}", .deadline.as_secs(), hint = hint_text(.hint))]
    Deadline {
        program: String,
        subject: String,
        deadline: Duration,
        hint: Option<&'static str>,
    },
    #[error("{subject}: {program} failed ({exit}){}", stderr_text(.stderr))]
    Failed {
        program: String,
        subject: String,
        exit: Exit,
        /// Bounded and trimmed.
        stderr: String,
    },
    #[error("{subject}: {program} printed more than {} MiB", .limit >> 20)]
    TooMuchOutput {
        program: String,
        subject: String,
        limit: u64,
    },
    #[error("{subject}: {program} printed text that is not UTF-8")]
    NotText { program: String, subject: String },
    #[error("{subject}: waiting for {program} failed: {source}")]
    Wait {
        program: String,
        subject: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{variable}={value:?}: {message}")]
    Setting {
        variable: &'static str,
        value: String,
        message: String,
    },
}

fn hint_text(hint: &Option<&'static str>) -> String {
    hint.map_or(String::new(), |h| format!("; {h}"))
}

fn stderr_text(stderr: &str) -> String {
    if stderr.is_empty() {
        String::new()
    } else {
        format!(": {stderr}")
    }
}

/// The render deadline: [`RENDER_DEADLINE_ENV`] in whole seconds when set, else
/// [`DEFAULT_RENDER_DEADLINE`].
pub fn render_deadline() -> Result<Duration, RunError> {
    parse_render_deadline(std::env::var_os(RENDER_DEADLINE_ENV))
}

fn parse_render_deadline(value: Option<OsString>) -> Result<Duration, RunError> {
    let Some(value) = value else {
        return Ok(DEFAULT_RENDER_DEADLINE);
    };
    let text = value.to_string_lossy();
    match text.trim().trim_end_matches('s').parse::<u64>() {
        Ok(seconds) if (1..=86_400).contains(&seconds) => Ok(Duration::from_secs(seconds)),
        _ => Err(RunError::Setting {
            variable: RENDER_DEADLINE_ENV,
            value: text.into_owned(),
            message: "expected whole seconds from 1 to 86400".into(),
        }),
    }
}

/// What a program printed, when it succeeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub stdout: Vec<u8>,
    /// Bounded, lossily decoded.
    pub stderr: String,
}

impl Output {
    /// stdout as text.
    pub fn text(self, program: &Program) -> Result<String, RunError> {
        String::from_utf8(self.stdout).map_err(|_| RunError::NotText {
            program: program.program.clone(),
            subject: program.subject.clone(),
        })
    }
}

/// One program to run, built up argument by argument. Arguments of the tool's own are
/// `&'static str`; every value from outside goes in as an option's value (`--flag=VALUE`,
/// one argument) or as an operand, placed after `--`.
#[derive(Debug, Clone)]
pub struct Program {
    binary: PathBuf,
    program: String,
    subject: String,
    args: Vec<OsString>,
    operands: Vec<OsString>,
    env: Vec<(&'static str, OsString)>,
    passed: Vec<&'static str>,
    dir: Option<PathBuf>,
    deadline: Duration,
    max_stdout: u64,
    hint_missing: Option<&'static str>,
    hint_deadline: Option<&'static str>,
}

impl Program {
    /// `binary` run as `program` (its name in messages, e.g. `helm template`) for `subject`
    /// (the chart, folder or work tree it is run for).
    pub fn new(
        binary: impl Into<PathBuf>,
        program: impl Into<String>,
        subject: impl Into<String>,
    ) -> Program {
        Program {
            binary: binary.into(),
            program: program.into(),
            subject: subject.into(),
            args: Vec::new(),
            operands: Vec::new(),
            env: Vec::new(),
            passed: Vec::new(),
            dir: None,
            deadline: DEFAULT_DEADLINE,
            max_stdout: DEFAULT_MAX_STDOUT_BYTES,
            hint_missing: None,
            hint_deadline: None,
        }
    }

    /// An argument of the tool's own: a subcommand or a flag.
    pub fn arg(mut self, arg: &'static str) -> Program {
        self.args.push(arg.into());
        self
    }

    /// A long flag with a value, as one argument `--flag=VALUE`: whatever the value holds,
    /// it is never read as a flag of its own.
    pub fn option(mut self, flag: &'static str, value: impl AsRef<OsStr>) -> Program {
        assert!(
            flag.starts_with("--") && !flag.contains('='),
            "an option is a long flag: {flag}"
        );
        let mut joined = OsString::from(flag);
        joined.push("=");
        joined.push(value.as_ref());
        self.args.push(joined);
        self
    }

    /// A positional value from outside: all of them go after `--`, where no program that
    /// follows the convention reads a flag.
    pub fn operand(mut self, value: impl AsRef<OsStr>) -> Program {
        self.operands.push(value.as_ref().to_os_string());
        self
    }

    /// A variable the tool sets for the program.
    pub fn env(mut self, name: &'static str, value: impl AsRef<OsStr>) -> Program {
        self.env.push((name, value.as_ref().to_os_string()));
        self
    }

    /// Variables passed from the environment beyond the common allow list.
    pub fn pass_env(mut self, names: &[&'static str]) -> Program {
        self.passed.extend_from_slice(names);
        self
    }

    pub fn current_dir(mut self, dir: impl Into<PathBuf>) -> Program {
        self.dir = Some(dir.into());
        self
    }

    pub fn deadline(mut self, deadline: Duration) -> Program {
        self.deadline = deadline;
        self
    }

    /// The most of stdout the caller takes; more is an error.
    pub fn max_stdout(mut self, bytes: u64) -> Program {
        self.max_stdout = bytes;
        self
    }

    /// Said after "not found": how to get the program.
    pub fn hint_missing(mut self, hint: &'static str) -> Program {
        self.hint_missing = Some(hint);
        self
    }

    /// Said after "did not finish": how to allow more time.
    pub fn hint_deadline(mut self, hint: &'static str) -> Program {
        self.hint_deadline = Some(hint);
        self
    }

    /// The arguments as the program gets them (after its name).
    pub fn argv(&self) -> Vec<OsString> {
        let mut argv = self.args.clone();
        if !self.operands.is_empty() {
            argv.push("--".into());
            argv.extend(self.operands.iter().cloned());
        }
        argv
    }

    /// The environment the program gets: the allowed variables from `from`, then the passed
    /// ones, then the ones set, which win.
    pub fn environment(
        &self,
        from: impl IntoIterator<Item = (OsString, OsString)>,
    ) -> Vec<(OsString, OsString)> {
        let mut out: Vec<(OsString, OsString)> = from
            .into_iter()
            .filter(|(name, _)| {
                let name = name.to_string_lossy();
                allowed(&name) || self.passed.iter().any(|p| same_name(p, &name))
            })
            .filter(|(name, _)| {
                let name = name.to_string_lossy();
                !self.env.iter().any(|(set, _)| same_name(set, &name))
            })
            .collect();
        out.extend(
            self.env
                .iter()
                .map(|(name, value)| (OsString::from(name), value.clone())),
        );
        out
    }

    /// Runs the program to its end or its deadline. Fails unless it exits with 0.
    pub fn run(&self) -> Result<Output, RunError> {
        let mut command = Command::new(&self.binary);
        command
            .args(self.argv())
            .env_clear()
            .envs(self.environment(std::env::vars_os()))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(dir) = &self.dir {
            command.current_dir(dir);
        }
        // A group of its own, so that the deadline stops whatever the program started too.
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let mut child = command.spawn().map_err(|source| {
            if source.kind() == std::io::ErrorKind::NotFound {
                RunError::NotFound {
                    program: self.program.clone(),
                    subject: self.subject.clone(),
                    binary: self.binary.clone(),
                    hint: self.hint_missing,
                }
            } else {
                RunError::Spawn {
                    program: self.program.clone(),
                    subject: self.subject.clone(),
                    binary: self.binary.clone(),
                    source,
                }
            }
        })?;
        let started = Instant::now();
        // Both pipes are read to their end in threads of their own, what is over the bounds
        // thrown away, so that the program never blocks on a full pipe.
        let stdout = drain(child.stdout.take().expect("piped"), self.max_stdout + 1);
        let stderr = drain(child.stderr.take().expect("piped"), MAX_STDERR_BYTES);
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if started.elapsed() >= self.deadline => {
                    kill(&mut child);
                    let _ = child.wait();
                    // Read what is left, so that the threads end when the pipes close.
                    let _ = stdout.recv_timeout(DRAIN_AFTER_KILL);
                    let _ = stderr.recv_timeout(DRAIN_AFTER_KILL);
                    return Err(RunError::Deadline {
                        program: self.program.clone(),
                        subject: self.subject.clone(),
                        deadline: self.deadline,
                        hint: self.hint_deadline,
                    });
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(5)),
                Err(source) => {
                    kill(&mut child);
                    let _ = child.wait();
                    return Err(RunError::Wait {
                        program: self.program.clone(),
                        subject: self.subject.clone(),
                        source,
                    });
                }
            }
        };
        // The program ended; what it started may still hold the pipes until the deadline.
        let left = self.deadline.saturating_sub(started.elapsed());
        let out = stdout.recv_timeout(left);
        let left = self.deadline.saturating_sub(started.elapsed());
        let errors = stderr.recv_timeout(left.max(Duration::from_millis(100)));
        let out = match out {
            Ok(out) => out,
            Err(_) => {
                kill_group(&child);
                return Err(RunError::Deadline {
                    program: self.program.clone(),
                    subject: self.subject.clone(),
                    deadline: self.deadline,
                    hint: self.hint_deadline,
                });
            }
        };
        let errors = errors.unwrap_or_default();
        let errors = String::from_utf8_lossy(&errors).trim().to_string();
        if !status.success() {
            return Err(RunError::Failed {
                program: self.program.clone(),
                subject: self.subject.clone(),
                exit: status.into(),
                stderr: errors,
            });
        }
        if out.len() as u64 > self.max_stdout {
            return Err(RunError::TooMuchOutput {
                program: self.program.clone(),
                subject: self.subject.clone(),
                limit: self.max_stdout,
            });
        }
        Ok(Output {
            stdout: out,
            stderr: errors,
        })
    }

    /// [`run`](Program::run), stdout as text.
    pub fn run_text(&self) -> Result<String, RunError> {
        self.run()?.text(self)
    }
}

/// Whether a variable passes the common allow list.
fn allowed(name: &str) -> bool {
    #[cfg(windows)]
    if ALLOWED_WINDOWS.iter().any(|a| same_name(a, name)) {
        return true;
    }
    name.starts_with("LC_") || ALLOWED.iter().any(|a| same_name(a, name))
}

/// Variable names compare exactly, except on Windows where case does not matter.
fn same_name(a: &str, b: &str) -> bool {
    if cfg!(windows) {
        a.eq_ignore_ascii_case(b)
    } else {
        a == b
    }
}

/// Reads `pipe` to its end in a thread, keeping the first `keep` bytes; the result arrives
/// on the channel returned.
fn drain(pipe: impl Read + Send + 'static, keep: u64) -> mpsc::Receiver<Vec<u8>> {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let mut pipe = pipe;
        let mut kept = Vec::new();
        let _ = (&mut pipe).take(keep).read_to_end(&mut kept);
        let _ = std::io::copy(&mut pipe, &mut std::io::sink());
        let _ = send.send(kept);
    });
    receive
}

/// Kills the program and, on Unix, its whole process group.
fn kill(child: &mut std::process::Child) {
    kill_group(child);
    let _ = child.kill();
}

#[cfg(unix)]
fn kill_group(child: &std::process::Child) {
    // The child leads its group (process_group(0)), so the group's id is its pid. Before
    // the child is reaped the id names no other group; after, the group lives on while a
    // process of it (one holding the pipes) does, and no new process can take its id.
    if let Ok(pgid) = libc::pid_t::try_from(child.id()) {
        // SAFETY: killpg only sends a signal; it touches no memory of this process.
        unsafe {
            libc::killpg(pgid, libc::SIGKILL);
        }
    }
}

#[cfg(not(unix))]
fn kill_group(_child: &std::process::Child) {}

/// A chart, release or other name that is passed to a program: refuses one that could be
/// read as a flag. The names' own rules (Helm's, Kubernetes') are checked where they are
/// read; this is the last guard before an argument vector.
pub fn not_a_flag(what: &str, value: &str) -> Result<(), String> {
    if value.starts_with('-') {
        Err(format!("{what} {value:?} starts with '-'"))
    } else {
        Ok(())
    }
}

/// The binary named `name` when `path` is `None`.
pub fn binary_or(path: Option<&Path>, name: &str) -> PathBuf {
    path.map_or_else(|| PathBuf::from(name), Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_values_are_never_flags() {
        let program = Program::new("helm", "helm template", "Chart.yaml")
            .arg("template")
            .option("--set", "--post-renderer=sh")
            .operand("--post-renderer=sh")
            .operand("chart");
        assert_eq!(
            program.argv(),
            [
                "template",
                "--set=--post-renderer=sh",
                "--",
                "--post-renderer=sh",
                "chart"
            ]
            .map(OsString::from)
        );
        assert_eq!(
            Program::new("git", "git", "x").arg("status").argv(),
            ["status"].map(OsString::from)
        );
    }

    #[test]
    fn the_environment_is_cut_to_the_allow_list() {
        let program = Program::new("helm", "helm", "x")
            .env("HELM_NO_PLUGINS", "1")
            .pass_env(&["GIT_AUTHOR_NAME"]);
        let from = [
            ("PATH", "/bin"),
            ("LC_ALL", "C"),
            ("HELM_PLUGINS", "/evil"),
            ("HELM_NO_PLUGINS", "0"),
            ("GIT_DIR", "/evil"),
            ("GIT_AUTHOR_NAME", "Ann"),
            ("KUSTOMIZE_PLUGIN_HOME", "/evil"),
            ("KUBECONFIG", "/home/ann/.kube/config"),
        ]
        .map(|(k, v)| (OsString::from(k), OsString::from(v)));
        let mut env: Vec<(String, String)> = program
            .environment(from)
            .into_iter()
            .map(|(k, v)| (k.into_string().unwrap(), v.into_string().unwrap()))
            .collect();
        env.sort();
        let expected = [
            ("GIT_AUTHOR_NAME", "Ann"),
            ("HELM_NO_PLUGINS", "1"),
            ("LC_ALL", "C"),
            ("PATH", "/bin"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()));
        assert_eq!(env, expected);
    }

    #[cfg(unix)]
    #[test]
    fn a_chatty_program_never_blocks_and_a_failure_says_how_it_ended() {
        let started = Instant::now();
        let out = Program::new("sh", "sh", "test")
            .arg("-c")
            .arg("head -c 3000000 /dev/zero >&2; echo rendered")
            .run()
            .unwrap();
        assert_eq!(out.stdout, b"rendered\n");
        assert_eq!(out.stderr.len() as u64, MAX_STDERR_BYTES);
        assert!(started.elapsed() < Duration::from_secs(10));
        let err = Program::new("sh", "sh", "the test")
            .arg("-c")
            .arg("echo '  broken  ' >&2; exit 3")
            .run()
            .unwrap_err()
            .to_string();
        assert_eq!(err, "the test: sh failed (exit status 3): broken");
        let err = Program::new("sh", "sh", "t")
            .arg("-c")
            .arg("kill -TERM $$")
            .run()
            .unwrap_err()
            .to_string();
        assert_eq!(err, "t: sh failed (killed by signal 15)");
        let err = Program::new("sh", "sh", "t")
            .arg("-c")
            .arg("head -c 2000 /dev/zero")
            .max_stdout(1000)
            .run()
            .unwrap_err();
        assert!(matches!(err, RunError::TooMuchOutput { .. }), "{err}");
        let err = Program::new("/nonexistent/helm", "helm template", "c")
            .hint_missing("install helm")
            .run()
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "c: cannot run helm template: /nonexistent/helm not found; install helm"
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_deadline_kills_the_whole_group() {
        let marker = tempfile::tempdir().unwrap();
        let late = marker.path().join("late");
        // A grandchild that holds the pipes and would write a file after the deadline.
        let script = format!("(sleep 3; touch '{}') & sleep 30", late.display());
        let started = Instant::now();
        let err = Program::new("sh", "sh", "test")
            .arg("-c")
            .operand(&script)
            .deadline(Duration::from_millis(500))
            .run()
            .unwrap_err();
        let took = started.elapsed();
        assert!(matches!(err, RunError::Deadline { .. }), "{err}");
        assert!(took < Duration::from_secs(2), "{took:?}");
        std::thread::sleep(Duration::from_secs(4));
        assert!(
            !late.exists(),
            "a process of the group outlived the deadline"
        );
    }

    #[test]
    fn the_render_deadline_is_read_and_checked() {
        let parse = |v: &str| parse_render_deadline(Some(v.into()));
        assert_eq!(
            parse_render_deadline(None).unwrap(),
            DEFAULT_RENDER_DEADLINE
        );
        assert_eq!(parse("5").unwrap(), Duration::from_secs(5));
        assert_eq!(parse("30s").unwrap(), Duration::from_secs(30));
        for bad in ["0", "-1", "soon", "", "1e9"] {
            let err = parse(bad).unwrap_err().to_string();
            assert!(err.starts_with(RENDER_DEADLINE_ENV), "{err}");
        }
        assert!(not_a_flag("release", "--post-renderer=sh").is_err());
        assert!(not_a_flag("release", "shop").is_ok());
    }
}
