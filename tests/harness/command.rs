//! Runs one CLI command with a deadline and keeps everything it printed, so a
//! failing assertion can show the client's own words.

use std::ffi::OsString;
use std::fmt;
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

pub struct CmdOutput {
    /// The command line as run, for messages.
    pub command: String,
    /// Exit code; `None` when killed by a signal or the deadline.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl CmdOutput {
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }

    /// stdout and stderr together: clients print diagnostics on either.
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    /// Panics (showing the whole output) unless the command exited 0.
    pub fn assert_success(&self) -> &Self {
        assert!(self.success(), "command failed:\n{self}");
        self
    }

    /// Panics unless the command failed.
    pub fn assert_failure(&self) -> &Self {
        assert!(
            !self.success(),
            "command succeeded but should have failed:\n{self}"
        );
        self
    }

    /// Whether stdout or stderr contains `needle`, comparing with whitespace runs
    /// collapsed: clients wrap diagnostic text at about 78 columns.
    pub fn contains(&self, needle: &str) -> bool {
        collapse_whitespace(&self.all()).contains(&collapse_whitespace(needle))
    }

    /// Panics unless [`contains`](Self::contains) `needle`.
    pub fn assert_contains(&self, needle: &str) -> &Self {
        assert!(self.contains(needle), "output lacks {needle:?}:\n{self}");
        self
    }

    /// Parses stdout as JSON, panicking with the output when it is not.
    pub fn json(&self) -> serde_json::Value {
        match serde_json::from_str(&self.stdout) {
            Ok(v) => v,
            Err(e) => panic!("stdout is not JSON ({e}):\n{self}"),
        }
    }
}

impl fmt::Display for CmdOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code = self
            .code
            .map_or_else(|| "killed".to_owned(), |c| c.to_string());
        writeln!(f, "$ {}  (exit {code})", self.command)?;
        writeln!(f, "--- stdout ---\n{}", self.stdout.trim_end())?;
        write!(f, "--- stderr ---\n{}", self.stderr.trim_end())
    }
}

fn timeout() -> Duration {
    let secs = std::env::var("TF_ACC_COMMAND_TIMEOUT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1800);
    Duration::from_secs(secs)
}

/// Runs `program args` in `dir` with `env` applied on top of (or removed from,
/// when the value is `None`) the test's environment.
pub fn run(
    program: &Path,
    args: &[&str],
    dir: &Path,
    env: &[(OsString, Option<OsString>)],
) -> CmdOutput {
    spawn(program, args, dir, env, false).wait()
}

/// A command started by [`spawn`], still running.
pub struct Running {
    command: String,
    child: Child,
    out: Option<thread::JoinHandle<String>>,
    err: Option<thread::JoinHandle<String>>,
    deadline: Instant,
    /// Whether the command leads a process group of its own.
    own_group: bool,
}

/// Starts `program args` like [`run`] and returns at once. With `own_group`, the command gets a
/// process group of its own, which [`Running::interrupt`] signals as a terminal's Ctrl-C would
/// (the client and the provider it started).
pub fn spawn(
    program: &Path,
    args: &[&str],
    dir: &Path,
    env: &[(OsString, Option<OsString>)],
    own_group: bool,
) -> Running {
    let command = format!("{} {}", program.display(), args.join(" "));
    let mut cmd = Command::new(program);
    cmd.args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if own_group {
        cmd.process_group(0);
    }
    for (k, v) in env {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => panic!("cannot start {command}: {e}"),
    };
    // Readers on their own threads: a client that fills one pipe must not block.
    let out = child.stdout.take().map(drain);
    let err = child.stderr.take().map(drain);
    Running {
        command,
        child,
        out,
        err,
        deadline: Instant::now() + timeout(),
        own_group,
    }
}

impl Running {
    /// Whether the command is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Sends SIGINT to the command's process group, as Ctrl-C in a terminal does.
    pub fn interrupt(&self) {
        assert!(
            self.own_group,
            "interrupt needs a command started in its own process group"
        );
        let group = format!("-{}", self.child.id());
        let sent = Command::new("kill")
            .args(["-s", "INT", "--", &group])
            .status();
        match sent {
            Ok(s) if s.success() => {}
            Ok(s) => panic!("kill -s INT -- {group} failed ({s}) for {}", self.command),
            Err(e) => panic!("cannot run kill for {}: {e}", self.command),
        }
    }

    /// Waits for the command to end (killing it at the deadline) and returns what it printed.
    pub fn wait(mut self) -> CmdOutput {
        let status: Option<ExitStatus> = loop {
            match self.child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if Instant::now() >= self.deadline => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    break None;
                }
                Ok(None) => thread::sleep(Duration::from_millis(50)),
                Err(e) => panic!("waiting for {}: {e}", self.command),
            }
        };
        let collect = |h: Option<thread::JoinHandle<String>>| {
            h.and_then(|h| h.join().ok()).unwrap_or_default()
        };
        let mut stderr = collect(self.err.take());
        if status.is_none() {
            stderr.push_str(&format!("\n[harness: killed after {:?}]", timeout()));
        }
        CmdOutput {
            command: self.command,
            code: status.and_then(|s| s.code()),
            stdout: collect(self.out.take()),
            stderr,
        }
    }
}

fn drain(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = pipe.read_to_end(&mut buf);
        strip_ansi(&String::from_utf8_lossy(&buf))
    })
}

fn collapse_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Removes colour escapes (`ESC [ ... letter`): some subcommands have no
/// `-no-color`, and assertions should match the words, not the paint.
fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.next() == Some('[') {
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn strips_colour_escapes() {
        assert_eq!(
            super::strip_ansi("\u{1b}[31m│\u{1b}[0m \u{1b}[1mError: x\u{1b}[0m"),
            "│ Error: x"
        );
    }

    #[test]
    fn contains_ignores_line_wrapping() {
        let out = super::CmdOutput {
            command: String::new(),
            code: Some(1),
            stdout: String::new(),
            stderr: "looked in: the provider\nconfiguration;  OS_*".to_owned(),
        };
        assert!(out.contains("the provider configuration; OS_*"));
        assert!(!out.contains("provider block"));
    }
}
