//! Tokens kept between provider processes, when clouds.yaml asks for it (`cache: {auth: true}`,
//! openstacksdk's switch for the same thing).
//!
//! Terraform and OpenTofu start a new provider process for each phase of a command, two or three
//! per `plan` or `apply`. Each would issue a new token, and each service then validates that new
//! token with Keystone on its first request: on a busy cloud that is a quarter to a whole second
//! per service and process, longer than the requests themselves in a small plan. A token that
//! Keystone issued minutes ago and the services have already validated costs nothing more.
//!
//! A token is a bearer credential, so the files are kept as private as the clouds.yaml that can
//! make one: a directory only the user can enter (`$XDG_RUNTIME_DIR`, which the system empties
//! at logout, else `~/.cache`), files only the user can read, written whole or not at all. A file
//! that others could read is ignored. The file's name is a hash of the auth URL and the
//! credentials, so another cloud, user, project or a changed secret never finds it, and it names
//! nothing. Where the files cannot have owner-only permissions (not Unix), nothing is kept.
//!
//! Losing the cache is never an error: an unreadable, stale or foreign file means a new token, and
//! a token the cloud revoked is answered with 401, after which the client issues a new one.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use url::Url;

use crate::auth::{Token, request_body};
use crate::catalog::Catalog;
use crate::config::{AuthMethod, Secret};

/// Bumped when the file's content changes meaning; old files are then ignored.
const FORMAT: &str = "scs-token-cache-1";

/// Where one configuration's token is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenCache {
    file: PathBuf,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    format: String,
    token: String,
    /// Seconds since the epoch on this machine's clock, as [`Token::expires_at`].
    expires_at: u64,
    margin_secs: u64,
    catalog: Catalog,
    project_id: Option<String>,
    project_name: Option<String>,
    user_id: Option<String>,
}

impl TokenCache {
    /// The cache for these credentials in `dir`, or `None` for credentials that are a token
    /// already (keeping a copy of it would gain nothing).
    pub fn new(dir: &Path, auth_url: &Url, auth: &AuthMethod) -> Option<Self> {
        if matches!(auth, AuthMethod::Token { project: None, .. }) {
            return None;
        }
        let mut key = String::from(FORMAT);
        key.push('\n');
        key.push_str(auth_url.as_str());
        key.push('\n');
        // The request body names the user, the project and the method, and carries the secret.
        key.push_str(&request_body(auth).to_string());
        let digest = ring::digest::digest(&ring::digest::SHA256, key.as_bytes());
        let name: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        Some(Self {
            file: dir.join(format!("{name}.json")),
        })
    }

    /// The kept token, if there is one that is private, readable and fresh at `now`.
    pub fn load(&self, now: SystemTime) -> Option<Token> {
        if !owner_only(&self.file) {
            return None;
        }
        let text = std::fs::read(&self.file).ok()?;
        let stored: Stored = serde_json::from_slice(&text).ok()?;
        if stored.format != FORMAT {
            return None;
        }
        let token = Token {
            value: Secret::new(stored.token),
            expires_at: Some(UNIX_EPOCH + Duration::from_secs(stored.expires_at)),
            margin: Duration::from_secs(stored.margin_secs),
            catalog: stored.catalog,
            project_id: stored.project_id,
            project_name: stored.project_name,
            user_id: stored.user_id,
        };
        token.is_fresh(now).then_some(token)
    }

    /// Keeps `token` for the next process. Tokens without an expiry are not kept: nothing would
    /// ever replace them. Failures are logged and otherwise ignored.
    pub fn store(&self, token: &Token) {
        let Some(expires_at) = token
            .expires_at
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        else {
            return;
        };
        let stored = Stored {
            format: FORMAT.to_owned(),
            token: token.value.expose().to_owned(),
            expires_at: expires_at.as_secs(),
            margin_secs: token.margin.as_secs(),
            catalog: token.catalog.clone(),
            project_id: token.project_id.clone(),
            project_name: token.project_name.clone(),
            user_id: token.user_id.clone(),
        };
        if let Err(e) = self.write(&stored) {
            tracing::debug!(target: "scs_client::auth", dir = %self.dir().display(), error = %e, "token not kept for the next process");
        }
    }

    fn dir(&self) -> &Path {
        self.file.parent().unwrap_or(Path::new("."))
    }

    #[cfg(unix)]
    fn write(&self, stored: &Stored) -> std::io::Result<()> {
        use std::io::Write;
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};

        let dir = self.dir();
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
        // A directory made earlier by something else may be open to others: close it.
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        let body = serde_json::to_vec(stored).map_err(std::io::Error::other)?;
        let partial = dir.join(format!(
            ".{}.{}.partial",
            self.file
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("token"),
            std::process::id()
        ));
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&partial)?;
        // No fsync: a file cut short by a crash is garbage, which `load` ignores.
        let written = f.write_all(&body);
        drop(f);
        // Another process may be writing the same token; the last whole file wins.
        written
            .and_then(|()| std::fs::rename(&partial, &self.file))
            .inspect_err(|_| {
                let _ = std::fs::remove_file(&partial);
            })
    }

    #[cfg(not(unix))]
    fn write(&self, _stored: &Stored) -> std::io::Result<()> {
        Err(std::io::Error::other(
            "owner-only files are only made on Unix",
        ))
    }
}

/// Whether the file is a plain file that only its owner may read or change, in a directory that
/// only the same owner may enter. A file anyone else could have written is not trusted: the
/// catalog in it says where requests go.
#[cfg(unix)]
fn owner_only(path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let (Ok(file), Some(Ok(dir))) = (
        std::fs::symlink_metadata(path),
        path.parent().map(std::fs::metadata),
    ) else {
        return false;
    };
    file.is_file() && file.mode() & 0o077 == 0 && dir.mode() & 0o077 == 0 && file.uid() == dir.uid()
}

#[cfg(not(unix))]
fn owner_only(_path: &Path) -> bool {
    false
}

/// The directory for kept tokens: `$XDG_RUNTIME_DIR/terraform-provider-scs/tokens`, else
/// `~/.cache/terraform-provider-scs/tokens`.
pub fn default_dir(xdg_runtime_dir: Option<&Path>, home: Option<&Path>) -> Option<PathBuf> {
    let base = match (xdg_runtime_dir, home) {
        (Some(run), _) if run.is_absolute() => run.to_path_buf(),
        (_, Some(home)) if home.is_absolute() => home.join(".cache"),
        _ => return None,
    };
    Some(base.join("terraform-provider-scs").join("tokens"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{ProjectScope, UserRef};

    fn password(secret: &str, project: &str) -> AuthMethod {
        AuthMethod::Password {
            user: UserRef::Id("u1".into()),
            password: Secret::new(secret),
            project: Some(ProjectScope::Id(project.into())),
        }
    }

    fn url() -> Url {
        Url::parse("https://keystone.example:5000/v3").expect("url")
    }

    fn token(value: &str, expires_in: Duration) -> Token {
        Token {
            value: Secret::new(value),
            expires_at: Some(SystemTime::now() + expires_in),
            margin: Duration::from_secs(120),
            catalog: Catalog::default(),
            project_id: Some("p1".into()),
            project_name: Some("demo".into()),
            user_id: Some("u1".into()),
        }
    }

    /// The cache for password `s3cret` in project `p1`, holding `tok-1` for another hour.
    fn kept(dir: &Path) -> TokenCache {
        let cache = TokenCache::new(dir, &url(), &password("s3cret", "p1")).expect("cache");
        cache.store(&token("tok-1", Duration::from_secs(3600)));
        cache
    }

    #[test]
    fn a_kept_token_is_found_by_the_same_credentials_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = kept(dir.path());
        let found = cache.load(SystemTime::now()).expect("kept token");
        assert_eq!(found.value.expose(), "tok-1");
        assert_eq!(found.project_id.as_deref(), Some("p1"));

        let others = [
            TokenCache::new(dir.path(), &url(), &password("changed", "p1")),
            TokenCache::new(dir.path(), &url(), &password("s3cret", "p2")),
            TokenCache::new(
                dir.path(),
                &Url::parse("https://other.example:5000/v3").expect("url"),
                &password("s3cret", "p1"),
            ),
        ];
        for other in others {
            let other = other.expect("cache");
            assert_ne!(other, cache);
            assert!(other.load(SystemTime::now()).is_none());
        }
    }

    #[test]
    fn neither_the_file_name_nor_its_content_carries_the_secret() {
        let dir = tempfile::tempdir().expect("tempdir");
        kept(dir.path());
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
        assert!(!names[0].contains("s3cret") && !names[0].contains("u1"));
        let text = std::fs::read_to_string(dir.path().join(&names[0])).expect("file");
        assert!(
            !text.contains("s3cret"),
            "the credential itself is never written"
        );
    }

    #[test]
    fn a_stale_token_is_not_used() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = TokenCache::new(dir.path(), &url(), &password("s3cret", "p1")).expect("cache");
        // Fresh for a minute, but inside the two-minute margin.
        cache.store(&token("tok-1", Duration::from_secs(60)));
        assert!(cache.load(SystemTime::now()).is_none());
        cache.store(&token("tok-2", Duration::from_secs(3600)));
        let later = SystemTime::now() + Duration::from_secs(3600);
        assert!(cache.load(later).is_none());
    }

    #[test]
    fn a_token_given_as_the_credential_is_not_copied() {
        let dir = tempfile::tempdir().expect("tempdir");
        let given = AuthMethod::Token {
            token: Secret::new("given"),
            project: None,
        };
        assert!(TokenCache::new(dir.path(), &url(), &given).is_none());
    }

    #[cfg(unix)]
    #[test]
    fn files_are_private_and_a_file_others_can_read_is_ignored() {
        use std::os::unix::fs::PermissionsExt;
        let base = tempfile::tempdir().expect("tempdir");
        let dir = base.path().join("tokens");
        let cache = kept(&dir);
        let dir_mode = std::fs::metadata(&dir).expect("dir").permissions().mode();
        assert_eq!(dir_mode & 0o777, 0o700);
        let file_mode = std::fs::metadata(&cache.file)
            .expect("file")
            .permissions()
            .mode();
        assert_eq!(file_mode & 0o777, 0o600);
        assert!(cache.load(SystemTime::now()).is_some());

        std::fs::set_permissions(&cache.file, std::fs::Permissions::from_mode(0o644))
            .expect("chmod");
        assert!(cache.load(SystemTime::now()).is_none());
    }

    #[test]
    fn garbage_and_old_formats_are_ignored() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = kept(dir.path());
        let text = std::fs::read_to_string(&cache.file).expect("file");
        std::fs::write(&cache.file, text.replace(FORMAT, "scs-token-cache-0")).expect("write");
        assert!(cache.load(SystemTime::now()).is_none());
        std::fs::write(&cache.file, "{not json").expect("write");
        assert!(cache.load(SystemTime::now()).is_none());
    }

    #[test]
    fn the_directory_prefers_the_runtime_dir() {
        let run = Path::new("/run/user/1000");
        let home = Path::new("/home/u");
        assert_eq!(
            default_dir(Some(run), Some(home)),
            Some(run.join("terraform-provider-scs/tokens"))
        );
        assert_eq!(
            default_dir(None, Some(home)),
            Some(home.join(".cache/terraform-provider-scs/tokens"))
        );
        assert_eq!(default_dir(Some(Path::new("relative")), None), None);
    }
}
