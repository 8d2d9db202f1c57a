//! Where configuration is read from: environment variables and file locations.
//!
//! Both are values, not globals, so tests resolve configs against a map and
//! temporary files without touching the process environment.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The environment and the candidate clouds.yaml / secure.yaml files.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// Environment variables (only `OS_*` are read).
    pub env: BTreeMap<String, String>,
    /// clouds.yaml candidates, in order; the first that exists is used.
    pub clouds_files: Vec<PathBuf>,
    /// secure.yaml candidates, in order; the first that exists is merged.
    pub secure_files: Vec<PathBuf>,
    /// Where tokens are kept between processes when clouds.yaml asks for it.
    pub token_cache_dir: Option<PathBuf>,
}

impl Sources {
    /// The process environment and the standard openstacksdk file locations.
    pub fn from_process() -> Self {
        let env: BTreeMap<String, String> = std::env::vars()
            .filter(|(k, _)| k.starts_with("OS_"))
            .collect();
        let cwd = std::env::current_dir().ok();
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let runtime = std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from);
        Self {
            token_cache_dir: crate::session::token_cache::default_dir(
                runtime.as_deref(),
                home.as_deref(),
            ),
            ..Self::standard(env, cwd.as_deref(), home.as_deref())
        }
    }

    /// The standard file locations for a given environment, working
    /// directory and home directory:
    /// `OS_CLIENT_CONFIG_FILE`, `./clouds.yaml`, `~/.config/openstack/clouds.yaml`,
    /// `/etc/openstack/clouds.yaml` (each also as `.yml`), and the same places
    /// for `secure.yaml` (`OS_CLIENT_SECURE_FILE` first).
    pub fn standard(
        env: BTreeMap<String, String>,
        cwd: Option<&Path>,
        home: Option<&Path>,
    ) -> Self {
        let dirs = |explicit: Option<&String>, base: &str| {
            let mut out = Vec::new();
            if let Some(p) = explicit.filter(|p| !p.is_empty()) {
                out.push(PathBuf::from(p));
            }
            let mut roots: Vec<PathBuf> = Vec::new();
            if let Some(c) = cwd {
                roots.push(c.to_path_buf());
            }
            if let Some(h) = home {
                roots.push(h.join(".config").join("openstack"));
            }
            roots.push(PathBuf::from("/etc/openstack"));
            for r in roots {
                out.push(r.join(format!("{base}.yaml")));
                out.push(r.join(format!("{base}.yml")));
            }
            out
        };
        let clouds_files = dirs(env.get("OS_CLIENT_CONFIG_FILE"), "clouds");
        let secure_files = dirs(env.get("OS_CLIENT_SECURE_FILE"), "secure");
        Self {
            env,
            clouds_files,
            secure_files,
            token_cache_dir: None,
        }
    }

    /// Only the given environment, no files (for tests and explicit setups).
    pub fn env_only(env: BTreeMap<String, String>) -> Self {
        Self {
            env,
            ..Self::default()
        }
    }

    pub fn with_env(mut self, key: &str, value: &str) -> Self {
        self.env.insert(key.to_owned(), value.to_owned());
        self
    }

    pub fn with_clouds_file(mut self, p: impl Into<PathBuf>) -> Self {
        self.clouds_files.push(p.into());
        self
    }

    pub fn with_secure_file(mut self, p: impl Into<PathBuf>) -> Self {
        self.secure_files.push(p.into());
        self
    }

    pub(crate) fn env(&self, key: &str) -> Option<String> {
        self.env
            .get(key)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }
}
