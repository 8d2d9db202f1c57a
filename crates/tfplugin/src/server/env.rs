//! What the launching client (go-plugin inside Terraform/OpenTofu) tells the
//! plugin through its environment, and the checks go-plugin servers make on it.

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use super::ServeError;
use super::transport::UnixSocketConfig;

/// The cookie go-plugin clients set for Terraform providers; a process
/// started without it was not started by Terraform or OpenTofu.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
/// Value of [`MAGIC_COOKIE_KEY`] shared by every Terraform provider.
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// The application protocol major version this server speaks.
pub const PROTOCOL_VERSION: u32 = 6;

/// The launch environment, captured once so that tests can supply their own
/// without touching the process environment.
#[derive(Debug, Clone, Default)]
pub struct PluginEnv {
    /// `TF_PLUGIN_MAGIC_COOKIE`
    pub magic_cookie: Option<String>,
    /// `PLUGIN_PROTOCOL_VERSIONS`: comma-separated major versions the client accepts.
    pub protocol_versions: Option<String>,
    /// `PLUGIN_MIN_PORT`
    pub min_port: Option<String>,
    /// `PLUGIN_MAX_PORT`
    pub max_port: Option<String>,
    /// `PLUGIN_CLIENT_CERT`: the client's certificate as PEM; empty disables TLS.
    pub client_cert: Option<String>,
    /// `PLUGIN_UNIX_SOCKET_DIR`: where the unix socket goes; the temporary
    /// directory if unset.
    pub unix_socket_dir: Option<String>,
    /// `PLUGIN_UNIX_SOCKET_GROUP`: a group (name or id) whose members may
    /// connect to the socket too; only its owner may otherwise.
    pub unix_socket_group: Option<String>,
}

impl PluginEnv {
    /// Reads the variables from the process environment.
    pub fn from_process() -> Self {
        let var = |key: &str| std::env::var(key).ok();
        Self {
            magic_cookie: var(MAGIC_COOKIE_KEY),
            protocol_versions: var("PLUGIN_PROTOCOL_VERSIONS"),
            min_port: var("PLUGIN_MIN_PORT"),
            max_port: var("PLUGIN_MAX_PORT"),
            client_cert: var("PLUGIN_CLIENT_CERT"),
            unix_socket_dir: var("PLUGIN_UNIX_SOCKET_DIR"),
            unix_socket_group: var("PLUGIN_UNIX_SOCKET_GROUP"),
        }
    }

    /// An environment as go-plugin would set it, for in-process servers
    /// (tests, tools): right cookie, protocol 6, any port.
    pub fn for_client_cert(client_cert_pem: Option<String>) -> Self {
        Self {
            magic_cookie: Some(MAGIC_COOKIE_VALUE.to_owned()),
            protocol_versions: Some(PROTOCOL_VERSION.to_string()),
            min_port: None,
            max_port: None,
            client_cert: client_cert_pem,
            unix_socket_dir: None,
            unix_socket_group: None,
        }
    }

    /// Where a unix socket should go. Unlike the rest, this applies to
    /// debug mode as well, which no client launches.
    pub(crate) fn unix_socket(&self) -> UnixSocketConfig {
        UnixSocketConfig {
            // Untrimmed: a directory's name may end in a space.
            dir: self
                .unix_socket_dir
                .as_deref()
                .filter(|dir| !dir.is_empty())
                .map(Into::into),
            group: non_empty(self.unix_socket_group.as_deref()).map(Into::into),
        }
    }

    /// Applies go-plugin's start-up checks and parses what the server needs.
    pub(crate) fn validate(&self) -> Result<LaunchConfig, ServeError> {
        if self.magic_cookie.as_deref() != Some(MAGIC_COOKIE_VALUE) {
            return Err(ServeError::NotLaunchedByClient);
        }
        check_protocol_versions(self.protocol_versions.as_deref())?;
        let ports = port_range(self.min_port.as_deref(), self.max_port.as_deref())?;
        let client_cert = match non_empty(self.client_cert.as_deref()) {
            None => None,
            Some(pem) => Some(parse_client_cert(pem)?),
        };
        Ok(LaunchConfig {
            ports,
            client_cert,
            unix_socket: self.unix_socket(),
        })
    }
}

/// The validated launch parameters.
#[derive(Debug)]
pub(crate) struct LaunchConfig {
    pub ports: PortRange,
    /// The one certificate a client may present; `None` means plaintext.
    pub client_cert: Option<CertificateDer<'static>>,
    pub unix_socket: UnixSocketConfig,
}

/// Inclusive range of TCP ports to try, in order; `0..=0` lets the OS choose.
/// Only TCP uses it, not the unix socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PortRange {
    pub min: u16,
    pub max: u16,
}

impl PortRange {
    /// Any free port.
    pub const ANY: PortRange = PortRange { min: 0, max: 0 };
}

fn non_empty(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

/// go-plugin lets the server pick any version the client lists; an absent
/// list means the client predates negotiation and expects the default.
fn check_protocol_versions(offered: Option<&str>) -> Result<(), ServeError> {
    let Some(offered) = non_empty(offered) else {
        return Ok(());
    };
    let wanted = PROTOCOL_VERSION.to_string();
    if offered.split(',').any(|v| v.trim() == wanted) {
        Ok(())
    } else {
        Err(ServeError::UnsupportedProtocol {
            offered: offered.to_owned(),
        })
    }
}

fn port_range(min: Option<&str>, max: Option<&str>) -> Result<PortRange, ServeError> {
    let parse = |name: &str, value: &str| {
        value.parse::<u16>().map_err(|_| {
            ServeError::InvalidPortRange(format!("{name}={value:?} is not a port number"))
        })
    };
    let range = match (non_empty(min), non_empty(max)) {
        (None, None) => PortRange::ANY,
        (min, max) => PortRange {
            min: min
                .map(|v| parse("PLUGIN_MIN_PORT", v))
                .transpose()?
                .unwrap_or(1025),
            max: max
                .map(|v| parse("PLUGIN_MAX_PORT", v))
                .transpose()?
                .unwrap_or(u16::MAX),
        },
    };
    if range.min > range.max {
        return Err(ServeError::InvalidPortRange(format!(
            "PLUGIN_MIN_PORT {} is above PLUGIN_MAX_PORT {}",
            range.min, range.max
        )));
    }
    Ok(range)
}

fn parse_client_cert(pem: &str) -> Result<CertificateDer<'static>, ServeError> {
    CertificateDer::from_pem_slice(pem.as_bytes()).map_err(|e| {
        ServeError::ClientCert(format!("PLUGIN_CLIENT_CERT is not a PEM certificate: {e}"))
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn launched() -> PluginEnv {
        PluginEnv::for_client_cert(None)
    }

    #[test]
    fn missing_or_wrong_cookie_is_refused() {
        let mut env = launched();
        env.magic_cookie = None;
        assert!(matches!(
            env.validate(),
            Err(ServeError::NotLaunchedByClient)
        ));
        env.magic_cookie = Some("nope".into());
        assert!(matches!(
            env.validate(),
            Err(ServeError::NotLaunchedByClient)
        ));
    }

    #[test]
    fn protocol_six_must_be_offered() {
        let mut env = launched();
        env.protocol_versions = Some("5".into());
        assert!(matches!(
            env.validate(),
            Err(ServeError::UnsupportedProtocol { .. })
        ));
        env.protocol_versions = Some("5, 6".into());
        assert!(env.validate().is_ok());
        env.protocol_versions = None;
        assert!(env.validate().is_ok());
    }

    #[test]
    fn port_ranges() {
        assert_eq!(
            port_range(None, None).unwrap(),
            PortRange { min: 0, max: 0 }
        );
        assert_eq!(
            port_range(Some("10000"), Some("25000")).unwrap(),
            PortRange {
                min: 10000,
                max: 25000
            }
        );
        assert!(port_range(Some("25000"), Some("10000")).is_err());
        assert!(port_range(Some("x"), Some("10000")).is_err());
        assert!(port_range(Some("70000"), None).is_err());
    }

    #[test]
    fn empty_client_cert_means_plaintext() {
        let mut env = launched();
        env.client_cert = Some(String::new());
        assert!(env.validate().unwrap().client_cert.is_none());
        env.client_cert = Some("garbage".into());
        assert!(matches!(env.validate(), Err(ServeError::ClientCert(_))));
    }
}
