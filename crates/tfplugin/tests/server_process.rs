//! The plugin server as a real process, launched the way go-plugin launches
//! it. The test binary re-runs itself with `CHILD_ENV` set, and the
//! `child_plugin_process` "test" then becomes the plugin.

#![cfg(unix)]
#![allow(clippy::unwrap_used)]

mod server_support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use server_support::*;
use tfplugin::proto::plugin::Empty;
use tfplugin::proto::plugin::grpc_controller_client::GrpcControllerClient;
use tfplugin::server::{MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, PluginAddr, ServeOptions};

const CHILD_ENV: &str = "TFPLUGIN_SERVER_TEST_CHILD";
/// Makes the child serve in debug mode, as `--debug` does.
const CHILD_DEBUG_ENV: &str = "TFPLUGIN_SERVER_TEST_DEBUG";

/// Runs `serve` when started as the child; a no-op in a normal test run.
#[test]
fn child_plugin_process() {
    if std::env::var_os(CHILD_ENV).is_none() {
        return;
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut options = ServeOptions::new("registry.terraform.io/sovereigncloudstack/scs");
    options.debug = std::env::var_os(CHILD_DEBUG_ENV).is_some();
    if let Err(e) = runtime.block_on(tfplugin::server::serve(EchoProvider, options)) {
        eprintln!("{e}");
        std::process::exit(1);
    }
}

fn plugin_command() -> Command {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([
            "--exact",
            "child_plugin_process",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, "1")
        .env_remove(MAGIC_COOKIE_KEY)
        .env_remove("PLUGIN_CLIENT_CERT")
        .env_remove("PLUGIN_UNIX_SOCKET_DIR")
        .env_remove("PLUGIN_UNIX_SOCKET_GROUP")
        .env_remove("TF_LOG")
        .env_remove("TF_LOG_PROVIDER")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Reads stdout until the handshake line. The test harness prints its own
/// banner (and "test child_plugin_process ... " without a newline) first,
/// which the real binary does not.
fn read_handshake(child: &mut Child) -> String {
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    loop {
        let line = lines
            .next()
            .expect("plugin exited before its handshake")
            .unwrap();
        if let Some(start) = line.find("1|6|") {
            // Keep draining so the child never blocks on a full pipe.
            std::thread::spawn(move || for _ in lines {});
            return line[start..].to_owned();
        }
    }
}

fn wait_with_bound(child: &mut Child) -> std::process::ExitStatus {
    for _ in 0..300 {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    child.kill().unwrap();
    panic!("plugin process did not exit");
}

#[test]
fn started_by_hand_it_explains_itself_and_exits_non_zero() {
    for cookie in [None, Some("not-the-cookie")] {
        let mut command = plugin_command();
        if let Some(cookie) = cookie {
            command.env(MAGIC_COOKIE_KEY, cookie);
        }
        let output = command.output().unwrap();
        assert!(!output.status.success(), "exit status {:?}", output.status);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("This binary is a plugin") && stderr.contains("OpenTofu"),
            "stderr: {stderr}"
        );
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            !stdout.contains("|grpc|"),
            "no handshake without the cookie: {stdout}"
        );
    }
}

#[test]
fn a_client_offering_only_protocol_5_is_turned_away() {
    let output = plugin_command()
        .env(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("protocol"), "stderr: {stderr}");
}

#[test]
fn launched_like_go_plugin_it_serves_ignores_sigint_and_exits_on_shutdown() {
    for transport in TRANSPORTS {
        launched_like_go_plugin(transport);
    }
}

fn launched_like_go_plugin(transport: Transport) {
    let client = go_plugin_client_cert();
    let temp = tempfile::tempdir().unwrap();
    let socket_dir = match transport {
        Transport::Unix => temp.path().to_str().unwrap(),
        Transport::Tcp => NO_SUCH_DIR,
    };
    // Terraform and OpenTofu set a port range; it applies to TCP only.
    let (min_port, max_port) = (41000u16, 41999u16);
    let mut child = plugin_command()
        .env(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
        .env("PLUGIN_MIN_PORT", min_port.to_string())
        .env("PLUGIN_MAX_PORT", max_port.to_string())
        .env("PLUGIN_CLIENT_CERT", &client.pem)
        .env("PLUGIN_UNIX_SOCKET_DIR", socket_dir)
        .env("TF_LOG_PROVIDER", "DEBUG")
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let stderr_reader = std::thread::spawn(move || {
        BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
            .collect::<Vec<_>>()
    });

    let line = read_handshake(&mut child);
    let handshake = parse_handshake(&line);
    assert_eq!(handshake.transport(), transport, "{line}");
    match &handshake.addr {
        PluginAddr::Tcp(addr) => {
            assert!((min_port..=max_port).contains(&addr.port()), "{addr}")
        }
        PluginAddr::Unix(path) => {
            assert_eq!(path.parent().and_then(|p| p.to_str()), Some(socket_dir))
        }
    }
    assert!(handshake.server_cert.is_some());

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let channel = tls_channel(&handshake, Some(&client)).await.unwrap();
        assert_eq!(plugin_health(Ok(channel.clone())).await.unwrap(), SERVING);

        // Ctrl-C in the terminal reaches the whole process group.
        let kill = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(kill.success());
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(
            plugin_health(Ok(channel.clone())).await.unwrap(),
            SERVING,
            "SIGINT must not stop the plugin"
        );

        GrpcControllerClient::new(channel)
            .shutdown(Empty {})
            .await
            .unwrap();
    });
    let status = wait_with_bound(&mut child);
    assert!(status.success(), "exit status after Shutdown: {status:?}");
    if let PluginAddr::Unix(path) = &handshake.addr {
        assert!(!path.exists(), "the plugin left {path:?} behind");
    }

    // Every line the server logged is hclog JSON, at the requested level or above.
    let log_lines = stderr_reader.join().unwrap();
    let server_lines: Vec<serde_json::Value> = log_lines
        .iter()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        server_lines
            .iter()
            .any(|l| l["@message"] == "plugin server started"
                && l["network"] == handshake.addr.network()
                && l["address"] == handshake.addr.to_string()),
        "stderr: {log_lines:#?}"
    );
    for line in &server_lines {
        // go-plugin re-levels a line only if its timestamp fits Go's
        // "2006-01-02T15:04:05.000000Z07:00" exactly.
        let shape: String = line["@timestamp"]
            .as_str()
            .unwrap()
            .chars()
            .map(|c| if c.is_ascii_digit() { 'd' } else { c })
            .collect();
        assert_eq!(shape, "dddd-dd-ddTdd:dd:dd.ddddddZ", "{line}");
        assert_eq!(line["@module"], "provider", "{line}");
        assert!(
            ["debug", "info", "warn", "error"].contains(&line["@level"].as_str().unwrap()),
            "{line}"
        );
    }
}

#[test]
fn debug_mode_prints_a_working_reattach_value_and_stops_on_ctrl_c() {
    let socket_dir = tempfile::tempdir().unwrap();
    let mut child = plugin_command()
        .env(CHILD_DEBUG_ENV, "1")
        .env("PLUGIN_UNIX_SOCKET_DIR", socket_dir.path())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let reattach = loop {
        let line = lines.next().expect("no reattach value printed").unwrap();
        if let Some(rest) = line.split("TF_REATTACH_PROVIDERS='").nth(1) {
            break rest.trim_end_matches('\'').to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    let value: serde_json::Value = serde_json::from_str(&reattach).unwrap();
    let target = &value["registry.terraform.io/sovereigncloudstack/scs"];
    assert_eq!(target["Protocol"], "grpc");
    assert_eq!(target["ProtocolVersion"], 6);
    assert_eq!(target["Pid"], child.id());
    assert_eq!(target["Addr"]["Network"], "unix");
    let path = std::path::PathBuf::from(target["Addr"]["String"].as_str().unwrap());
    assert_eq!(path.parent(), Some(socket_dir.path()));
    let addr = PluginAddr::Unix(path.clone());

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let status = runtime.block_on(async { plugin_health(plaintext_channel(&addr).await).await });
    assert_eq!(status.unwrap(), SERVING);

    // Unlike a launched plugin, a debug server belongs to the person at the terminal.
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = wait_with_bound(&mut child);
    assert!(status.success(), "exit status after Ctrl-C: {status:?}");
    assert!(!path.exists(), "the debug server left {path:?} behind");
}

#[test]
fn a_plugin_whose_client_died_shuts_down() {
    // The client is a shell that starts the plugin and is then killed without a word, as a
    // SIGKILLed terraform would be; the plugin inherits the shell's stdout.
    let plugin = plugin_command();
    let mut client = Command::new("sh")
        .args(["-c", "\"$0\" \"$@\" & echo \"plugin-pid $!\"; wait"])
        .arg(plugin.get_program())
        .args(plugin.get_args())
        .env(CHILD_ENV, "1")
        .env(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .env("PLUGIN_MIN_PORT", "42000")
        .env("PLUGIN_MAX_PORT", "42999")
        .env("PLUGIN_CLIENT_CERT", &go_plugin_client_cert().pem)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = client.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let mut pid = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(p) = line.strip_prefix("plugin-pid ") {
            pid = Some(p.trim().to_owned());
        }
        if line.contains("1|6|") {
            break;
        }
    }
    std::thread::spawn(move || for _ in lines {});
    let pid = pid.expect("the shell printed the plugin's pid");
    // Running, and not a zombie: once the plugin exits, its parent (the killed shell) is gone and
    // it waits for the machine's init to reap it, which `kill -0` would still count as alive.
    let alive = || {
        std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
            stat.rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().next())
                .is_some_and(|state| state != "Z" && state != "X")
        })
    };
    assert!(alive(), "the plugin serves");
    client.kill().unwrap();
    client.wait().unwrap();
    for _ in 0..100 {
        if !alive() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = Command::new("kill").args(["-9", &pid]).status();
    panic!("the plugin {pid} kept running after its client died");
}
