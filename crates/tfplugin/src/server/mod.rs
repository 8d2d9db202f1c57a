//! The plugin process side of go-plugin, as Terraform and OpenTofu launch it.
//!
//! [`serve`] checks the launch environment, listens on a unix socket (TCP on
//! 127.0.0.1 where there is none), sets up AutoMTLS, registers the provider
//! next to go-plugin's health, controller, stdio and broker services, prints
//! the handshake line and serves until the client calls
//! `GRPCController.Shutdown`. [`serve_debug`] serves without a launching
//! client so that one can attach through `TF_REATTACH_PROVIDERS`.

mod env;
pub mod logging;
mod services;
mod tls;
mod transport;

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tonic::transport::Server;
use tonic::transport::server::Router;

pub use env::{MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, PROTOCOL_VERSION, PluginEnv};
pub use transport::PluginAddr;

use crate::proto::plugin::grpc_broker_server::GrpcBrokerServer;
use crate::proto::plugin::grpc_controller_server::GrpcControllerServer;
use crate::proto::plugin::grpc_stdio_server::GrpcStdioServer;
use crate::proto::tfplugin6::provider_server::{Provider, ProviderServer};

/// Terraform and terraform-plugin-go allow messages of this size both ways;
/// tonic's default of 4 MiB would break on large states.
pub const MAX_MESSAGE_SIZE: usize = 256 << 20;

/// go-plugin's client force-kills the plugin two seconds after asking it to
/// shut down, so in-flight calls get a little less than that to finish.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(1500);

/// go-plugin's own protocol version, the first field of the handshake line.
const CORE_PROTOCOL_VERSION: u32 = 1;

/// How the provider presents itself.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Source addresses the provider is installed under, e.g.
    /// `registry.terraform.io/sovereigncloudstack/scs`. Only debug mode uses
    /// them, as the keys of the printed `TF_REATTACH_PROVIDERS` value.
    pub provider_addresses: Vec<String>,
    /// Serve for a client to attach to instead of being launched by one.
    pub debug: bool,
    /// `@module` of the log lines.
    pub log_module: String,
}

impl ServeOptions {
    /// Options for a provider installed under `provider_address`.
    pub fn new(provider_address: impl Into<String>) -> Self {
        Self {
            provider_addresses: vec![provider_address.into()],
            debug: false,
            log_module: "provider".to_owned(),
        }
    }
}

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The process was started by hand rather than by Terraform/OpenTofu.
    #[error(
        "This binary is a plugin for Terraform and OpenTofu. It is not meant to be run directly: \
         install it as a provider and run `tofu` or `terraform`, which start it themselves. \
         (To attach a client to a running provider for debugging, start it with --debug.)"
    )]
    NotLaunchedByClient,
    /// The client offered no protocol version this server speaks.
    #[error(
        "the client offers plugin protocol version(s) {offered}, but this provider speaks only \
         version 6 (Terraform >= 1.0, OpenTofu)"
    )]
    UnsupportedProtocol {
        /// The client's `PLUGIN_PROTOCOL_VERSIONS`.
        offered: String,
    },
    /// `PLUGIN_MIN_PORT` / `PLUGIN_MAX_PORT` are unusable.
    #[error("invalid plugin port range: {0}")]
    InvalidPortRange(String),
    /// No port in the range could be bound (after a unix socket could not
    /// be made, or where there are none).
    #[error("could not bind 127.0.0.1 on any port from {min} to {max}: {source}")]
    NoFreePort {
        /// First port tried.
        min: u16,
        /// Last port tried.
        max: u16,
        /// The last bind error.
        source: std::io::Error,
    },
    /// `PLUGIN_CLIENT_CERT` is unusable.
    #[error("{0}")]
    ClientCert(String),
    /// Generating the server certificate failed.
    #[error("generating the server certificate failed: {0}")]
    Certificate(#[from] rcgen::Error),
    /// Setting up TLS failed.
    #[error("setting up TLS failed: {0}")]
    Tls(#[from] rustls::Error),
    /// The gRPC server failed.
    #[error("gRPC server error: {0}")]
    Transport(#[from] tonic::transport::Error),
    /// Local I/O failed (stdout, signals, sockets).
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// The server task panicked or was cancelled.
    #[error("server task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// Serves `provider` the way go-plugin expects, until the client shuts the
/// server down; with `options.debug`, serves as [`serve_debug`] does.
///
/// Installs the hclog logger, ignores SIGINT (Ctrl-C reaches the whole
/// process group; Terraform cancels work through StopProvider instead) and
/// prints the handshake line as the first line of stdout.
///
/// The caller prints the error and exits non-zero; for a process started by
/// hand that error says it is a plugin meant to be run by Terraform/OpenTofu.
pub async fn serve<P: Provider>(provider: P, options: ServeOptions) -> Result<(), ServeError> {
    if options.debug {
        return serve_debug(provider, options).await;
    }
    // Checked before anything is logged: a person who ran the binary by hand
    // should see the explanation, not log noise.
    let env = PluginEnv::from_process();
    env.validate()?;
    logging::init(&options.log_module);
    ignore_sigint()?;
    let server = start(provider, &env).await?;
    watch_client(server.shutdown.clone());
    print_line(server.handshake_line())?;
    tracing::info!(
        network = server.address().network(),
        address = %server.address(),
        "plugin server started"
    );
    server.wait().await
}

/// Serves `provider` in plaintext without a launching client, on a unix
/// socket (in `PLUGIN_UNIX_SOCKET_DIR` if set) or else a free 127.0.0.1
/// port, and prints the `TF_REATTACH_PROVIDERS` value with which
/// `tofu`/`terraform` attach to it. Stops on Ctrl-C.
pub async fn serve_debug<P: Provider>(
    provider: P,
    options: ServeOptions,
) -> Result<(), ServeError> {
    logging::init(&options.log_module);
    let env = PluginEnv::from_process();
    let bound = transport::listen(&env.unix_socket(), env::PortRange::ANY).await?;
    let server = serve_on(provider, bound, None).await?;
    let shutdown = server.shutdown.clone();
    print_line(&reattach_instructions(
        &options.provider_addresses,
        server.address(),
        std::process::id(),
    ))?;
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            shutdown.cancel();
        }
    });
    server.wait().await
}

/// A server that is accepting connections.
pub struct RunningServer {
    handshake_line: String,
    address: PluginAddr,
    shutdown: CancellationToken,
    task: JoinHandle<Result<(), ServeError>>,
}

impl RunningServer {
    /// The line go-plugin's client expects on stdout:
    /// `1|6|unix|/tmp/pluginNNNN|grpc|<server certificate, base64 DER>`, or
    /// `1|6|tcp|127.0.0.1:PORT|grpc|...` on TCP.
    pub fn handshake_line(&self) -> &str {
        &self.handshake_line
    }

    /// Where the server listens.
    pub fn address(&self) -> &PluginAddr {
        &self.address
    }

    /// Stops the server as `GRPCController.Shutdown` does.
    pub fn stop(&self) {
        self.shutdown.cancel();
    }

    /// Waits until the server has stopped.
    pub async fn wait(self) -> Result<(), ServeError> {
        self.task.await?
    }
}

/// Validates `env`, listens, and starts serving in a background task; the
/// caller prints [`RunningServer::handshake_line`]. In-process clients
/// (tests, tools) use this directly with their own [`PluginEnv`].
pub async fn start<P: Provider>(provider: P, env: &PluginEnv) -> Result<RunningServer, ServeError> {
    let launch = env.validate()?;
    let bound = transport::listen(&launch.unix_socket, launch.ports).await?;
    serve_on(provider, bound, launch.client_cert).await
}

/// Serves on `bound`: with mutual TLS pinned to `client_cert` if there is
/// one (AutoMTLS), else in plaintext (`TF_DISABLE_PLUGIN_TLS`, debug mode).
async fn serve_on<P: Provider>(
    provider: P,
    bound: transport::Bound,
    client_cert: Option<rustls::pki_types::CertificateDer<'static>>,
) -> Result<RunningServer, ServeError> {
    let transport::Bound {
        listener,
        addr,
        socket_file,
    } = bound;
    let shutdown = CancellationToken::new();
    let router = router(provider, &shutdown).await;
    let (server_cert, task) = match client_cert {
        Some(client_cert) => {
            let identity = tls::ServerIdentity::generate()?;
            let config = tls::server_config(&identity, client_cert)?;
            let acceptor = TlsAcceptor::from(Arc::new(config));
            let incoming = transport::incoming(listener, shutdown.clone(), move |stream, peer| {
                tls::handshake(acceptor.clone(), stream, peer)
            });
            let task = spawn_router(router, incoming, shutdown.clone(), socket_file);
            (Some(identity.cert), task)
        }
        None => {
            let incoming = transport::incoming(listener, shutdown.clone(), |stream, _| {
                std::future::ready(Some(stream))
            });
            let task = spawn_router(router, incoming, shutdown.clone(), socket_file);
            (None, task)
        }
    };
    Ok(RunningServer {
        handshake_line: handshake_line(&addr, server_cert.as_ref().map(|c| c.as_ref())),
        address: addr,
        shutdown,
        task,
    })
}

/// Serves until shutdown; the socket file goes once serving has ended.
fn spawn_router<I, IO>(
    router: Router,
    incoming: I,
    shutdown: CancellationToken,
    socket_file: transport::SocketFile,
) -> JoinHandle<Result<(), ServeError>>
where
    I: tokio_stream::Stream<Item = std::io::Result<IO>> + Send + 'static,
    IO: tokio::io::AsyncRead
        + tokio::io::AsyncWrite
        + tonic::transport::server::Connected
        + Unpin
        + Send
        + 'static,
{
    tokio::spawn(async move {
        let result = run_router(router, incoming, shutdown).await;
        drop(socket_file);
        result
    })
}

async fn router<P: Provider>(provider: P, shutdown: &CancellationToken) -> Router {
    let (health, health_service) = tonic_health::server::health_reporter();
    health
        .set_service_status("plugin", tonic_health::ServingStatus::Serving)
        .await;
    let provider = ProviderServer::new(provider)
        .max_decoding_message_size(MAX_MESSAGE_SIZE)
        .max_encoding_message_size(MAX_MESSAGE_SIZE);
    Server::builder()
        // Large states arrive much faster when the flow-control window can grow.
        .http2_adaptive_window(Some(true))
        .add_service(health_service)
        .add_service(GrpcControllerServer::new(services::Controller {
            shutdown: shutdown.clone(),
        }))
        .add_service(GrpcStdioServer::new(services::Stdio {
            shutdown: shutdown.clone(),
        }))
        .add_service(GrpcBrokerServer::new(services::Broker {
            shutdown: shutdown.clone(),
        }))
        .add_service(provider)
}

async fn run_router<I, IO, E>(
    router: Router,
    incoming: I,
    shutdown: CancellationToken,
) -> Result<(), ServeError>
where
    I: tokio_stream::Stream<Item = Result<IO, E>>,
    IO: tokio::io::AsyncRead
        + tokio::io::AsyncWrite
        + tonic::transport::server::Connected
        + Unpin
        + Send
        + 'static,
    E: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let graceful =
        router.serve_with_incoming_shutdown(incoming, shutdown.clone().cancelled_owned());
    // A long provider call must not keep the process alive past the point
    // where the client kills it anyway.
    let deadline = async {
        shutdown.cancelled().await;
        tokio::time::sleep(SHUTDOWN_GRACE).await;
    };
    tokio::select! {
        result = graceful => result.map_err(ServeError::from),
        () = deadline => {
            tracing::warn!("in-flight calls did not finish in time; stopping anyway");
            Ok(())
        }
    }
}

fn handshake_line(addr: &PluginAddr, server_cert: Option<&[u8]>) -> String {
    // go-plugin decodes the certificate with unpadded standard base64.
    let cert = server_cert
        .map(|der| base64::engine::general_purpose::STANDARD_NO_PAD.encode(der))
        .unwrap_or_default();
    let network = addr.network();
    format!("{CORE_PROTOCOL_VERSION}|{PROTOCOL_VERSION}|{network}|{addr}|grpc|{cert}")
}

fn reattach_instructions(addresses: &[String], addr: &PluginAddr, pid: u32) -> String {
    let target = serde_json::json!({
        "Protocol": "grpc",
        "ProtocolVersion": PROTOCOL_VERSION,
        "Pid": pid,
        "Test": true,
        "Addr": { "Network": addr.network(), "String": addr.to_string() },
    });
    let providers: serde_json::Map<String, serde_json::Value> = addresses
        .iter()
        .map(|address| (address.clone(), target.clone()))
        .collect();
    format!(
        "Provider started in debug mode. To attach tofu or terraform, set in their environment:\n\n\
         \tTF_REATTACH_PROVIDERS='{}'\n",
        serde_json::Value::Object(providers)
    )
}

/// Writes a line to stdout and flushes, since go-plugin blocks on it.
fn print_line(line: &str) -> Result<(), ServeError> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{line}")?;
    stdout.flush()?;
    Ok(())
}

/// How often the client that launched the plugin is looked for.
#[cfg(unix)]
const CLIENT_CHECK: Duration = Duration::from_millis(500);

/// Shuts the server down once the client that launched it is gone (killed,
/// say, without a chance to stop its plugins): nobody is left to record what
/// the provider does, so it should stop doing it rather than go on creating
/// objects for minutes. On unix a dead parent shows as a new parent process
/// (the process is re-parented to init or a subreaper).
fn watch_client(shutdown: CancellationToken) {
    #[cfg(unix)]
    {
        let parent = std::os::unix::process::parent_id();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tokio::time::sleep(CLIENT_CHECK) => {}
                }
                if std::os::unix::process::parent_id() != parent {
                    tracing::warn!(
                        parent,
                        "the client that launched the plugin is gone; shutting down"
                    );
                    shutdown.cancel();
                    return;
                }
            }
        });
    }
    #[cfg(not(unix))]
    drop(shutdown);
}

/// Installs a SIGINT handler that swallows the signal for the rest of the
/// process. The handler is registered before this returns, so a Ctrl-C
/// right after the handshake cannot kill the process.
fn ignore_sigint() -> Result<(), ServeError> {
    #[cfg(unix)]
    {
        let mut sigint = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;
        tokio::spawn(async move {
            while sigint.recv().await.is_some() {
                tracing::debug!("ignoring SIGINT; the client cancels work through StopProvider");
            }
        });
    }
    #[cfg(not(unix))]
    tokio::spawn(async {
        while tokio::signal::ctrl_c().await.is_ok() {
            tracing::debug!("ignoring Ctrl-C; the client cancels work through StopProvider");
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn handshake_line_uses_unpadded_base64() {
        let addr = PluginAddr::Tcp("127.0.0.1:10001".parse().unwrap());
        assert_eq!(
            handshake_line(&addr, Some(&[1, 2, 3, 4])),
            "1|6|tcp|127.0.0.1:10001|grpc|AQIDBA"
        );
        assert_eq!(handshake_line(&addr, None), "1|6|tcp|127.0.0.1:10001|grpc|");
        let addr = PluginAddr::Unix("/tmp/plugin42".into());
        assert_eq!(
            handshake_line(&addr, Some(&[1, 2, 3, 4])),
            "1|6|unix|/tmp/plugin42|grpc|AQIDBA"
        );
    }

    fn reattach_target(addr: &PluginAddr) -> serde_json::Value {
        let text = reattach_instructions(&["registry.terraform.io/a/b".to_owned()], addr, 42);
        let value = text
            .split("TF_REATTACH_PROVIDERS='")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .unwrap();
        let parsed: serde_json::Value = serde_json::from_str(value).unwrap();
        parsed["registry.terraform.io/a/b"].clone()
    }

    #[test]
    fn reattach_value_is_json_keyed_by_address() {
        let target = reattach_target(&PluginAddr::Tcp("127.0.0.1:4567".parse().unwrap()));
        assert_eq!(target["Protocol"], "grpc");
        assert_eq!(target["ProtocolVersion"], 6);
        assert_eq!(target["Pid"], 42);
        assert_eq!(target["Test"], true);
        assert_eq!(target["Addr"]["Network"], "tcp");
        assert_eq!(target["Addr"]["String"], "127.0.0.1:4567");
    }

    #[test]
    fn reattach_value_names_a_unix_socket_by_its_path() {
        let target = reattach_target(&PluginAddr::Unix("/tmp/plugin42".into()));
        assert_eq!(target["Addr"]["Network"], "unix");
        assert_eq!(target["Addr"]["String"], "/tmp/plugin42");
    }
}
