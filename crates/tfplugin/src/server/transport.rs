//! Where the plugin listens, as go-plugin servers do: a unix socket on Unix
//! (in `PLUGIN_UNIX_SOCKET_DIR`, else the temporary directory), TCP on
//! 127.0.0.1 elsewhere, and TCP as well where the socket cannot be made.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;
use tonic::transport::server::Connected;

use super::ServeError;
use super::env::PortRange;

const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(50);

/// The address a client dials, as go-plugin's handshake line and reattach
/// configuration name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PluginAddr {
    /// `tcp`, always on 127.0.0.1.
    Tcp(SocketAddr),
    /// `unix`: the socket's path.
    Unix(PathBuf),
}

impl PluginAddr {
    /// go-plugin's name of the network: `tcp` or `unix`.
    pub fn network(&self) -> &'static str {
        match self {
            PluginAddr::Tcp(_) => "tcp",
            PluginAddr::Unix(_) => "unix",
        }
    }
}

impl fmt::Display for PluginAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PluginAddr::Tcp(addr) => addr.fmt(f),
            PluginAddr::Unix(path) => path.display().fmt(f),
        }
    }
}

/// Where a unix socket should go, from the launching client's environment.
/// Read on every platform, used where there are unix sockets.
#[derive(Debug, Clone, Default)]
#[cfg_attr(not(unix), allow(dead_code))]
pub(crate) struct UnixSocketConfig {
    /// `PLUGIN_UNIX_SOCKET_DIR`; the temporary directory if unset.
    pub dir: Option<PathBuf>,
    /// `PLUGIN_UNIX_SOCKET_GROUP`: a group name or id that may connect too.
    pub group: Option<String>,
}

/// A bound listener on either transport.
pub(crate) enum Listener {
    Tcp(TcpListener),
    #[cfg(unix)]
    Unix(tokio::net::UnixListener),
}

/// Removes the socket file when the server is done with it, as go-plugin does.
#[derive(Debug)]
pub(crate) struct SocketFile {
    #[cfg(unix)]
    path: Option<PathBuf>,
}

impl SocketFile {
    fn none() -> Self {
        Self {
            #[cfg(unix)]
            path: None,
        }
    }
}

impl Drop for SocketFile {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Some(path) = self.path.take()
            && let Err(e) = std::fs::remove_file(&path)
            && e.kind() != io::ErrorKind::NotFound
        {
            tracing::warn!(path = %path.display(), error = %e, "could not remove the plugin socket");
        }
    }
}

/// A listener, the address to announce, and the socket file to remove at the end.
pub(crate) struct Bound {
    pub listener: Listener,
    pub addr: PluginAddr,
    pub socket_file: SocketFile,
}

/// Listens on a unix socket where the platform has them, else (or when
/// that fails) on 127.0.0.1 with a port from `ports`.
pub(crate) async fn listen(unix: &UnixSocketConfig, ports: PortRange) -> Result<Bound, ServeError> {
    #[cfg(unix)]
    match unix_socket::listen(unix) {
        Ok(bound) => return Ok(bound),
        Err(e) => {
            tracing::warn!(error = %e, "cannot serve on a unix socket; serving on TCP instead");
        }
    }
    #[cfg(not(unix))]
    let _ = unix;
    let listener = bind_tcp(ports).await?;
    let addr = PluginAddr::Tcp(listener.local_addr()?);
    Ok(Bound {
        listener: Listener::Tcp(listener),
        addr,
        socket_file: SocketFile::none(),
    })
}

/// Tries the ports in order, as go-plugin does; port 0 lets the OS choose.
async fn bind_tcp(ports: PortRange) -> Result<TcpListener, ServeError> {
    let mut last_error = None;
    for port in ports.min..=ports.max {
        match TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await {
            Ok(listener) => return Ok(listener),
            Err(e) => last_error = Some(e),
        }
    }
    Err(ServeError::NoFreePort {
        min: ports.min,
        max: ports.max,
        source: last_error.unwrap_or_else(|| io::Error::other("empty port range")),
    })
}

#[cfg(unix)]
mod unix_socket {
    use std::io;
    use std::os::unix::fs::PermissionsExt;
    use std::path::{Path, PathBuf};

    use ring::rand::{SecureRandom, SystemRandom};
    use socket2::{Domain, SockAddr, Socket, Type};

    use super::{Bound, Listener, PluginAddr, SocketFile, UnixSocketConfig};

    /// Fresh names to try before giving up; a name is taken only if
    /// something else made that very file in the meantime.
    const NAME_ATTEMPTS: usize = 10;
    const BACKLOG: i32 = 1024;

    pub(super) fn listen(config: &UnixSocketConfig) -> io::Result<Bound> {
        let dir = config.dir.clone().unwrap_or_else(std::env::temp_dir);
        let group = config.group.as_deref().map(group_id).transpose()?;
        let rng = SystemRandom::new();
        let mut attempts = 0;
        loop {
            let path = dir.join(random_name(&rng)?);
            match listen_at(&path, group) {
                Err(e) if e.kind() == io::ErrorKind::AddrInUse && attempts < NAME_ATTEMPTS => {
                    attempts += 1;
                }
                Err(e) => {
                    return Err(io::Error::new(e.kind(), format!("{}: {e}", path.display())));
                }
                ok => return ok,
            }
        }
    }

    /// `plugin` and 16 random hex digits, like go-plugin's `plugin<digits>`.
    fn random_name(rng: &SystemRandom) -> io::Result<String> {
        let mut bytes = [0u8; 8];
        rng.fill(&mut bytes)
            .map_err(|_| io::Error::other("the OS random source failed"))?;
        Ok(format!("plugin{:016x}", u64::from_le_bytes(bytes)))
    }

    fn listen_at(path: &Path, group: Option<u32>) -> io::Result<Bound> {
        // The client reads the path out of a `|`-separated line.
        let text = path
            .to_str()
            .filter(|text| !text.contains(['|', '\n']))
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("{path:?} cannot be announced in the handshake line"),
                )
            })?;
        let socket = Socket::new(Domain::UNIX, Type::STREAM, None)?;
        // Fails for a path that exists (also a symlink) or is too long.
        socket.bind(&SockAddr::unix(path)?)?;
        let socket_file = SocketFile {
            path: Some(path.to_owned()),
        };
        // Connecting needs write permission on the socket, and nobody can
        // connect before listen(): setting the mode in between leaves no
        // moment in which the umask's mode lets others in.
        let mode = match group {
            Some(gid) => {
                std::os::unix::fs::chown(path, None, Some(gid))?;
                0o660
            }
            None => 0o600,
        };
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
        socket.listen(BACKLOG)?;
        socket.set_nonblocking(true)?;
        let listener = tokio::net::UnixListener::from_std(socket.into())?;
        Ok(Bound {
            listener: Listener::Unix(listener),
            addr: PluginAddr::Unix(PathBuf::from(text)),
            socket_file,
        })
    }

    /// A numeric id as it is, else the group of that name in /etc/group, as
    /// go-plugin built without cgo (as providers usually are) looks it up.
    fn group_id(group: &str) -> io::Result<u32> {
        if let Ok(gid) = group.parse() {
            return Ok(gid);
        }
        let groups = std::fs::read_to_string("/etc/group")?;
        gid_in_group_file(&groups, group).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                format!("PLUGIN_UNIX_SOCKET_GROUP: no group {group:?} in /etc/group"),
            )
        })
    }

    /// `name:password:gid:members` lines.
    pub(super) fn gid_in_group_file(groups: &str, name: &str) -> Option<u32> {
        groups.lines().find_map(|line| {
            let mut fields = line.split(':');
            if fields.next()? != name {
                return None;
            }
            fields.nth(1)?.trim().parse().ok()
        })
    }
}

/// An accepted connection on either transport.
pub(crate) enum Stream {
    Tcp(TcpStream),
    #[cfg(unix)]
    Unix(tokio::net::UnixStream),
}

impl Connected for Stream {
    // No handler asks who the peer is: go-plugin has a single client, and
    // the accept loop logs the peer of a refused handshake itself.
    type ConnectInfo = ();

    fn connect_info(&self) -> Self::ConnectInfo {}
}

macro_rules! delegate {
    ($self:ident, $s:ident => $call:expr) => {
        match $self.get_mut() {
            Stream::Tcp($s) => $call,
            #[cfg(unix)]
            Stream::Unix($s) => $call,
        }
    };
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        delegate!(self, s => Pin::new(s).poll_read(cx, buf))
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        delegate!(self, s => Pin::new(s).poll_write(cx, buf))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        delegate!(self, s => Pin::new(s).poll_flush(cx))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        delegate!(self, s => Pin::new(s).poll_shutdown(cx))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        delegate!(self, s => Pin::new(s).poll_write_vectored(cx, bufs))
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Stream::Tcp(s) => s.is_write_vectored(),
            #[cfg(unix)]
            Stream::Unix(s) => s.is_write_vectored(),
        }
    }
}

impl Listener {
    /// The next connection, and a description of the peer for the log.
    async fn accept(&self) -> io::Result<(Stream, String)> {
        match self {
            Listener::Tcp(listener) => {
                let (stream, peer) = listener.accept().await?;
                // gRPC writes many small frames (headers, then data, then
                // trailers); Nagle's algorithm would hold them back waiting
                // for acks.
                if let Err(e) = stream.set_nodelay(true) {
                    tracing::debug!(%peer, error = %e, "could not set TCP_NODELAY");
                }
                Ok((Stream::Tcp(stream), peer.to_string()))
            }
            #[cfg(unix)]
            Listener::Unix(listener) => {
                let (stream, _) = listener.accept().await?;
                Ok((Stream::Unix(stream), "unix socket peer".to_owned()))
            }
        }
    }
}

/// Accepts connections until `shutdown` and hands each through `upgrade`
/// (the TLS handshake, or nothing) to tonic. Upgrades run concurrently so
/// that one slow or hostile peer cannot block the real client; one that
/// yields `None` was refused and is dropped.
pub(crate) fn incoming<C, F, Fut>(
    listener: Listener,
    shutdown: CancellationToken,
    upgrade: F,
) -> ReceiverStream<io::Result<C>>
where
    C: Send + 'static,
    F: Fn(Stream, String) -> Fut + Send + 'static,
    Fut: Future<Output = Option<C>> + Send + 'static,
{
    let (tx, rx) = mpsc::channel(16);
    tokio::spawn(async move {
        loop {
            let accepted = tokio::select! {
                () = shutdown.cancelled() => break,
                accepted = listener.accept() => accepted,
            };
            let (stream, peer) = match accepted {
                Ok(conn) => conn,
                Err(e) => {
                    tracing::warn!(error = %e, "accepting a plugin connection failed");
                    // Errors such as EMFILE persist for a while; don't spin on them.
                    tokio::time::sleep(ACCEPT_ERROR_PAUSE).await;
                    continue;
                }
            };
            let upgraded = upgrade(stream, peer);
            let tx = tx.clone();
            tokio::spawn(async move {
                if let Some(conn) = upgraded.await {
                    // The receiver is gone only when the server stopped.
                    let _ = tx.send(Ok(conn)).await;
                }
            });
        }
    });
    ReceiverStream::new(rx)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn addresses_print_as_go_plugin_expects() {
        let tcp = PluginAddr::Tcp("127.0.0.1:10001".parse().unwrap());
        assert_eq!(
            (tcp.network(), tcp.to_string().as_str()),
            ("tcp", "127.0.0.1:10001")
        );
        let unix = PluginAddr::Unix("/tmp/plugin0123".into());
        assert_eq!(
            (unix.network(), unix.to_string().as_str()),
            ("unix", "/tmp/plugin0123")
        );
    }

    #[tokio::test]
    async fn accepted_tcp_connections_have_nagle_off() {
        let Bound { listener, addr, .. } = listen(
            &UnixSocketConfig {
                dir: Some("/nonexistent/tfplugin-unit-test".into()),
                group: None,
            },
            PortRange::ANY,
        )
        .await
        .unwrap();
        let PluginAddr::Tcp(addr) = addr else {
            panic!("expected the TCP fallback, got {addr}")
        };
        let client = TcpStream::connect(addr).await.unwrap();
        assert!(
            !client.nodelay().unwrap(),
            "a fresh socket starts with Nagle on"
        );
        let (stream, peer) = listener.accept().await.unwrap();
        assert_eq!(peer, client.local_addr().unwrap().to_string());
        let Stream::Tcp(stream) = stream else {
            panic!("a TCP listener accepted something else")
        };
        assert!(stream.nodelay().unwrap());
    }

    #[cfg(unix)]
    #[test]
    fn group_names_are_looked_up_like_go_without_cgo() {
        let groups = "root:x:0:\n# comment\nplugins:x:1234:alice,bob\nbroken:x:\n";
        assert_eq!(
            unix_socket::gid_in_group_file(groups, "plugins"),
            Some(1234)
        );
        assert_eq!(unix_socket::gid_in_group_file(groups, "root"), Some(0));
        assert_eq!(unix_socket::gid_in_group_file(groups, "broken"), None);
        assert_eq!(unix_socket::gid_in_group_file(groups, "plugin"), None);
    }
}
