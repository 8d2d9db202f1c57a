//! Logs as hclog JSON lines on stderr.
//!
//! go-plugin's client reads a plugin's stderr line by line; a line that is an
//! hclog JSON object (`@level`, `@message`, `@timestamp`, `@module` and any
//! other keys as fields) is re-logged at that level under the client's own
//! logger, which is what makes `TF_LOG` / `TF_LOG_PROVIDER` filter our output.
//! Anything else would be logged as an unstructured debug line.

use std::io::Write;
use std::sync::Arc;

use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::{Context, SubscriberExt};

/// Where finished lines go; one call per line, newline included.
pub type LineSink = Arc<dyn Fn(&[u8]) + Send + Sync>;

/// A tracing layer that writes one hclog JSON object per event.
pub struct HclogLayer {
    module: String,
    sink: LineSink,
}

impl HclogLayer {
    /// Writes to stderr, with `@module` set to `module`.
    pub fn stderr(module: impl Into<String>) -> Self {
        Self::with_sink(
            module,
            Arc::new(|line: &[u8]| {
                // A lost log line must never take the provider down.
                let _ = std::io::stderr().lock().write_all(line);
            }),
        )
    }

    /// Writes to `sink`, e.g. a buffer in tests.
    pub fn with_sink(module: impl Into<String>, sink: LineSink) -> Self {
        Self {
            module: module.into(),
            sink,
        }
    }

    fn render(&self, event: &Event<'_>) -> Vec<u8> {
        let mut fields = FieldCollector::default();
        event.record(&mut fields);
        let mut object = Map::new();
        object.insert(
            "@level".into(),
            level_name(*event.metadata().level()).into(),
        );
        object.insert(
            "@message".into(),
            fields.message.take().unwrap_or_default().into(),
        );
        object.insert("@module".into(), self.module.clone().into());
        object.insert("@timestamp".into(), timestamp().into());
        object.insert("target".into(), event.metadata().target().into());
        for (key, value) in fields.fields {
            // Fields named like hclog's own keys would overwrite them.
            if !key.starts_with('@') {
                object.insert(key, value);
            }
        }
        let mut line = Value::Object(object).to_string().into_bytes();
        line.push(b'\n');
        line
    }
}

impl<S: Subscriber> Layer<S> for HclogLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        (self.sink)(&self.render(event));
    }
}

fn level_name(level: Level) -> &'static str {
    match level {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    }
}

/// go-plugin parses `@timestamp` with the Go layout
/// `2006-01-02T15:04:05.000000Z07:00`: exactly six fractional digits, or the
/// whole line is demoted to an unparsed debug message.
fn timestamp() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
        now.microsecond()
    )
}

#[derive(Default)]
struct FieldCollector {
    message: Option<String>,
    fields: Map<String, Value>,
}

impl FieldCollector {
    fn insert(&mut self, field: &Field, value: Value) {
        if field.name() == "message" {
            self.message = Some(match value {
                Value::String(s) => s,
                other => other.to_string(),
            });
        } else {
            self.fields.insert(field.name().to_owned(), value);
        }
    }
}

impl Visit for FieldCollector {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.insert(field, Value::String(format!("{value:?}")));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.insert(field, Value::String(value.to_owned()));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.insert(field, Value::Bool(value));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.insert(field, value.into());
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.insert(field, value.into());
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        self.insert(field, value.into());
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.insert(field, Value::String(value.to_string()));
    }
}

/// The level asked for through `TF_LOG_PROVIDER`, else `TF_LOG`.
///
/// Without either, nothing is emitted. The clients pass their environment to
/// the provider, and without either variable they discard whatever a provider
/// logs, so those lines would be made for nothing; making them is not free
/// (at TRACE every response body is decoded again and redacted for the log).
pub fn level_from_env(tf_log_provider: Option<&str>, tf_log: Option<&str>) -> LevelFilter {
    let requested = [tf_log_provider, tf_log]
        .into_iter()
        .flatten()
        .map(str::trim)
        .find(|v| !v.is_empty());
    match requested.map(str::to_ascii_uppercase).as_deref() {
        Some("OFF") => LevelFilter::OFF,
        Some("ERROR") => LevelFilter::ERROR,
        Some("WARN") => LevelFilter::WARN,
        Some("INFO") => LevelFilter::INFO,
        Some("DEBUG") => LevelFilter::DEBUG,
        None => LevelFilter::OFF,
        // TRACE, JSON, or values Terraform does not know, which it treats as TRACE.
        Some(_) => LevelFilter::TRACE,
    }
}

/// Transport and runtime crates whose debug/trace output (HTTP/2 frames,
/// TLS records) would drown the provider's own lines; they log warnings only.
const NOISY_DEPENDENCIES: &[&str] = &[
    "h2",
    "hyper",
    "hyper_util",
    "reqwest",
    "rustls",
    "tokio_rustls",
    "tonic",
    "tower",
    "mio",
    "tokio",
];

/// Which events to emit when `level` was asked for.
pub fn filter_for(level: LevelFilter) -> Targets {
    let dependencies = level.min(LevelFilter::WARN);
    Targets::new()
        .with_default(level)
        .with_targets(NOISY_DEPENDENCIES.iter().map(|t| (*t, dependencies)))
}

/// Installs the hclog layer as the global subscriber, at the level the
/// environment asks for. Returns false if a global subscriber already
/// exists (e.g. a test installed its own), which is left in place.
pub fn init(module: &str) -> bool {
    let level = level_from_env(
        std::env::var("TF_LOG_PROVIDER").ok().as_deref(),
        std::env::var("TF_LOG").ok().as_deref(),
    );
    let subscriber = tracing_subscriber::registry()
        .with(HclogLayer::stderr(module).with_filter(filter_for(level)));
    tracing::subscriber::set_global_default(subscriber).is_ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::Mutex;

    use super::*;

    #[test]
    fn events_become_hclog_json_lines() {
        let lines = Arc::new(Mutex::new(Vec::<u8>::new()));
        let sink_lines = lines.clone();
        let layer = HclogLayer::with_sink(
            "provider",
            Arc::new(move |line: &[u8]| sink_lines.lock().unwrap().extend_from_slice(line)),
        );
        let subscriber = tracing_subscriber::registry().with(layer.with_filter(LevelFilter::DEBUG));
        tracing::subscriber::with_default(subscriber, || {
            tracing::warn!(resource = "scs_network", attempt = 2_u64, "retrying");
            tracing::trace!("filtered out");
        });
        let text = String::from_utf8(lines.lock().unwrap().clone()).unwrap();
        let parsed: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(parsed.len(), 1, "{text}");
        let line = &parsed[0];
        assert_eq!(line["@level"], "warn");
        assert_eq!(line["@message"], "retrying");
        assert_eq!(line["@module"], "provider");
        assert_eq!(line["resource"], "scs_network");
        assert_eq!(line["attempt"], 2);
        assert_go_plugin_timestamp(line["@timestamp"].as_str().unwrap());
    }

    /// The shape Go's `time.Parse("2006-01-02T15:04:05.000000Z07:00", ..)` accepts.
    fn assert_go_plugin_timestamp(ts: &str) {
        let shape: String = ts
            .chars()
            .map(|c| if c.is_ascii_digit() { 'd' } else { c })
            .collect();
        assert_eq!(shape, "dddd-dd-ddTdd:dd:dd.ddddddZ", "{ts}");
        assert!(
            time::OffsetDateTime::parse(ts, &time::format_description::well_known::Rfc3339).is_ok(),
            "{ts}"
        );
    }

    #[test]
    fn timestamps_always_have_six_fractional_digits() {
        for _ in 0..1000 {
            assert_go_plugin_timestamp(&timestamp());
        }
    }

    #[test]
    fn transport_crates_are_held_at_warn_but_never_above_the_request() {
        let trace = filter_for(LevelFilter::TRACE);
        assert!(trace.would_enable("scs_client::session", &Level::TRACE));
        assert!(!trace.would_enable("h2::codec", &Level::DEBUG));
        assert!(trace.would_enable("h2::codec", &Level::WARN));
        let error = filter_for(LevelFilter::ERROR);
        assert!(!error.would_enable("h2::codec", &Level::WARN));
        assert!(!error.would_enable("scs_client", &Level::WARN));
    }

    #[test]
    fn provider_level_wins_over_tf_log() {
        assert_eq!(
            level_from_env(Some("error"), Some("TRACE")),
            LevelFilter::ERROR
        );
        assert_eq!(level_from_env(None, Some("INFO")), LevelFilter::INFO);
        assert_eq!(level_from_env(Some(""), Some("warn")), LevelFilter::WARN);
        assert_eq!(level_from_env(None, Some("JSON")), LevelFilter::TRACE);
        assert_eq!(level_from_env(Some("off"), None), LevelFilter::OFF);
        assert_eq!(level_from_env(None, Some("verbose")), LevelFilter::TRACE);
        assert_eq!(level_from_env(None, None), LevelFilter::OFF);
        assert_eq!(level_from_env(Some(" "), None), LevelFilter::OFF);
    }
}
