//! Where kubectl-drift finds the user's home and keeps its cache and state, per platform.
//! Home follows kubectl (client-go's `homedir`): `HOME` first, and on Windows then
//! `USERPROFILE` and `HOMEDRIVE`+`HOMEPATH`, so `~/.kube/config` is the file kubectl reads.
//! Cache and state follow each platform's convention: the XDG variables (else `~/.cache`,
//! `~/.local/state`) on Unix, `%LOCALAPPDATA%` on Windows. Each function reads the
//! environment through a lookup so both platforms' rules are tested wherever tests run.

use std::ffi::OsString;
use std::path::PathBuf;

/// Reads one environment variable; empty values count as unset.
type Env<'a> = &'a dyn Fn(&str) -> Option<OsString>;

fn process_env(name: &str) -> Option<OsString> {
    std::env::var_os(name).filter(|v| !v.is_empty())
}

/// Which convention to follow; `Platform::CURRENT` is the one this binary was built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Unix,
    Windows,
}

impl Platform {
    pub const CURRENT: Platform = if cfg!(windows) {
        Platform::Windows
    } else {
        Platform::Unix
    };
}

/// The user's home folder, as kubectl finds it.
pub fn home() -> Option<PathBuf> {
    home_in(Platform::CURRENT, &process_env)
}

/// The folder for data that can be rebuilt (clones of URL repositories, API schemas).
pub fn cache() -> PathBuf {
    cache_in(Platform::CURRENT, &process_env)
}

/// The folder for data worth keeping across runs (the audit log).
pub fn state() -> PathBuf {
    state_in(Platform::CURRENT, &process_env)
}

fn home_in(platform: Platform, env: Env) -> Option<PathBuf> {
    if let Some(home) = env("HOME") {
        return Some(PathBuf::from(home));
    }
    if platform == Platform::Windows {
        if let Some(profile) = env("USERPROFILE") {
            return Some(PathBuf::from(profile));
        }
        if let (Some(drive), Some(path)) = (env("HOMEDRIVE"), env("HOMEPATH")) {
            let mut joined = drive;
            joined.push(path);
            return Some(PathBuf::from(joined));
        }
    }
    None
}

/// An absolute folder named by `var`; a relative one is ignored, as the XDG spec asks.
fn absolute(env: Env, var: &str) -> Option<PathBuf> {
    env(var).map(PathBuf::from).filter(|p| p.is_absolute())
}

fn local_app_data(env: Env) -> Option<PathBuf> {
    absolute(env, "LOCALAPPDATA")
        .or_else(|| home_in(Platform::Windows, env).map(|h| h.join("AppData").join("Local")))
}

fn cache_in(platform: Platform, env: Env) -> PathBuf {
    let base = match platform {
        Platform::Unix => absolute(env, "XDG_CACHE_HOME")
            .or_else(|| home_in(platform, env).map(|h| h.join(".cache"))),
        Platform::Windows => local_app_data(env),
    };
    base.unwrap_or_else(std::env::temp_dir)
        .join("kubectl-drift")
}

fn state_in(platform: Platform, env: Env) -> PathBuf {
    let base = match platform {
        Platform::Unix => absolute(env, "XDG_STATE_HOME")
            .or_else(|| home_in(platform, env).map(|h| h.join(".local").join("state"))),
        Platform::Windows => local_app_data(env),
    };
    base.unwrap_or_else(|| PathBuf::from("."))
        .join("kubectl-drift")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<OsString> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn unix_follows_xdg_then_home() {
        let env = env_of(&[("HOME", "/home/ann"), ("XDG_CACHE_HOME", "/var/cache/ann")]);
        assert_eq!(
            cache_in(Platform::Unix, &env),
            PathBuf::from("/var/cache/ann/kubectl-drift")
        );
        assert_eq!(
            state_in(Platform::Unix, &env),
            PathBuf::from("/home/ann/.local/state/kubectl-drift")
        );
        let relative = env_of(&[("HOME", "/home/ann"), ("XDG_CACHE_HOME", "cache")]);
        assert_eq!(
            cache_in(Platform::Unix, &relative),
            PathBuf::from("/home/ann/.cache/kubectl-drift")
        );
    }

    #[test]
    fn unix_home_ignores_windows_variables() {
        let env = env_of(&[("USERPROFILE", "/profiles/ann")]);
        assert_eq!(home_in(Platform::Unix, &env), None);
        assert_eq!(
            home_in(Platform::Windows, &env),
            Some(PathBuf::from("/profiles/ann"))
        );
    }

    #[test]
    fn windows_home_as_client_go_finds_it() {
        let env = env_of(&[("HOMEDRIVE", "C:"), ("HOMEPATH", "\\Users\\ann")]);
        assert_eq!(
            home_in(Platform::Windows, &env),
            Some(PathBuf::from("C:\\Users\\ann"))
        );
        let both = env_of(&[("HOME", "/h"), ("USERPROFILE", "/p")]);
        assert_eq!(home_in(Platform::Windows, &both), Some(PathBuf::from("/h")));
    }

    #[test]
    fn windows_keeps_cache_and_state_in_local_app_data() {
        let env = env_of(&[
            ("LOCALAPPDATA", "/appdata/local"),
            ("XDG_CACHE_HOME", "/xdg"),
        ]);
        assert_eq!(
            cache_in(Platform::Windows, &env),
            PathBuf::from("/appdata/local/kubectl-drift")
        );
        assert_eq!(
            state_in(Platform::Windows, &env),
            PathBuf::from("/appdata/local/kubectl-drift")
        );
        let profile_only = env_of(&[("USERPROFILE", "/profiles/ann")]);
        assert_eq!(
            cache_in(Platform::Windows, &profile_only),
            PathBuf::from("/profiles/ann/AppData/Local/kubectl-drift")
        );
    }
}
