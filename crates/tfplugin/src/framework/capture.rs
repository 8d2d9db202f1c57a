//! Optional capture of the raw DynamicValues that clients send, to build
//! golden test vectors from real Terraform/OpenTofu traffic.
//!
//! Set `TFPLUGIN_CAPTURE_DIR=/some/dir` in the provider's environment (the
//! client passes its environment on). For every request that carries
//! values, the dispatcher writes
//! `<seq>-<Rpc>-<type_name>-<field>.msgpack` (or `.json` when the client sent
//! JSON) and `<seq>-<Rpc>-<type_name>.type.json`, the schema type the values
//! decode with. `<seq>` is a per-process counter prefixed with the process
//! id, so captures from several provider processes can share a directory.
//! Captures may contain secrets from the configuration: use test
//! credentials only.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::proto::tfplugin6 as pb;
use crate::value::Type;

/// The environment variable naming the capture directory.
pub const CAPTURE_DIR_ENV: &str = "TFPLUGIN_CAPTURE_DIR";

pub(crate) struct Capture {
    dir: PathBuf,
    seq: AtomicU64,
}

fn safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

impl Capture {
    pub(crate) fn from_env() -> Option<Capture> {
        let dir = std::env::var_os(CAPTURE_DIR_ENV).filter(|d| !d.is_empty())?;
        Some(Capture {
            dir: PathBuf::from(dir),
            seq: AtomicU64::new(0),
        })
    }

    fn prefix(&self, rpc: &str, type_name: &str) -> String {
        let n = self.seq.fetch_add(1, Ordering::Relaxed);
        format!("{}-{n:05}-{rpc}-{}", std::process::id(), safe(type_name))
    }

    fn write(&self, name: &str, bytes: &[u8]) {
        // Capturing is a debugging aid: failing to write must never fail the RPC.
        if std::fs::create_dir_all(&self.dir).is_ok()
            && let Err(e) = std::fs::write(self.dir.join(name), bytes)
        {
            tracing::warn!(error = %e, file = name, "could not write captured value");
        }
    }

    pub(crate) fn record(
        &self,
        rpc: &str,
        type_name: &str,
        fields: &[(&str, Option<&pb::DynamicValue>)],
        ty: &Type,
    ) {
        let prefix = self.prefix(rpc, type_name);
        self.write(&format!("{prefix}.type.json"), &ty.to_json());
        for (field, dv) in fields {
            let Some(dv) = dv else { continue };
            if !dv.msgpack.is_empty() {
                self.write(&format!("{prefix}-{field}.msgpack"), &dv.msgpack);
            }
            if !dv.json.is_empty() {
                self.write(&format!("{prefix}-{field}.json"), &dv.json);
            }
        }
    }

    pub(crate) fn record_raw(
        &self,
        rpc: &str,
        type_name: &str,
        field: &str,
        bytes: &[u8],
        ty: &Type,
    ) {
        let prefix = self.prefix(rpc, type_name);
        self.write(&format!("{prefix}.type.json"), &ty.to_json());
        let ext = "json";
        self.write(&format!("{prefix}-{field}.{ext}"), bytes);
    }
}
