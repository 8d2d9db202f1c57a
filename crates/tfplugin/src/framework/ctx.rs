//! The per-request context handed to providers, resources and data sources.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::value::{Type, Value};

/// What `Provider::configure` returns and resources read back through
/// [`Ctx::provider_data`], typically an API client.
pub type ProviderData = Arc<dyn Any + Send + Sync>;

/// Why an operation stopped before it finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interrupted {
    /// Terraform sent StopProvider (the user pressed Ctrl-C).
    Cancelled,
    /// The deadline set with [`Ctx::with_timeout`] passed.
    DeadlineExceeded,
}

impl fmt::Display for Interrupted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Interrupted::Cancelled => f.write_str("operation cancelled by Terraform"),
            Interrupted::DeadlineExceeded => f.write_str("operation timed out"),
        }
    }
}

impl std::error::Error for Interrupted {}

impl From<Interrupted> for Diagnostic {
    fn from(i: Interrupted) -> Self {
        match i {
            Interrupted::Cancelled => Diagnostic::error(
                "Operation cancelled",
                "Terraform asked the provider to stop before the operation finished.",
            ),
            Interrupted::DeadlineExceeded => Diagnostic::error(
                "Operation timed out",
                "The operation did not finish within its timeout; raise it in the resource's timeouts block.",
            ),
        }
    }
}

impl From<Interrupted> for Diagnostics {
    fn from(i: Interrupted) -> Self {
        Diagnostic::from(i).into()
    }
}

/// Request context: cancellation (StopProvider), the configured provider
/// data, an optional deadline, the schema type of the object being worked
/// on, and a sink for warnings.
///
/// Cheap to clone; clones share cancellation and the warning sink.
#[derive(Clone)]
pub struct Ctx {
    cancel: CancellationToken,
    provider_data: Option<ProviderData>,
    deadline: Option<Instant>,
    value_type: Option<Type>,
    diagnostics: Arc<Mutex<Diagnostics>>,
}

impl fmt::Debug for Ctx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ctx")
            .field("cancelled", &self.cancel.is_cancelled())
            .field("configured", &self.provider_data.is_some())
            .field("deadline", &self.deadline)
            .finish_non_exhaustive()
    }
}

impl Default for Ctx {
    fn default() -> Self {
        Self::new(CancellationToken::new())
    }
}

impl Ctx {
    /// A context cancelled through `cancel` (the dispatcher passes a child
    /// of its StopProvider token).
    pub fn new(cancel: CancellationToken) -> Self {
        Self {
            cancel,
            provider_data: None,
            deadline: None,
            value_type: None,
            diagnostics: Arc::new(Mutex::new(Diagnostics::new())),
        }
    }

    /// With the data returned by `Provider::configure`.
    pub fn with_provider_data(mut self, data: Option<ProviderData>) -> Self {
        self.provider_data = data;
        self
    }

    /// With the object type the resource's values have (used by [`Ctx::to_value`]).
    pub fn with_value_type(mut self, ty: Type) -> Self {
        self.value_type = Some(ty);
        self
    }

    /// A context whose deadline is at most `timeout` from now. Clones share
    /// cancellation with `self`.
    pub fn with_timeout(&self, timeout: Duration) -> Ctx {
        let deadline = Instant::now() + timeout;
        let mut ctx = self.clone();
        ctx.deadline = Some(match self.deadline {
            Some(existing) if existing < deadline => existing,
            _ => deadline,
        });
        ctx
    }

    /// The provider data, downcast to the type `configure` stored.
    ///
    /// Fails with a diagnostic when the provider is not configured yet
    /// (Terraform may validate and plan before ConfigureProvider) or when
    /// the type does not match.
    pub fn provider_data<T: Any + Send + Sync>(&self) -> Result<&T, Diagnostics> {
        let data = self.provider_data.as_ref().ok_or_else(|| {
            Diagnostics::from(Diagnostic::error(
                "Provider not configured",
                "This operation needs the provider configuration, but Terraform has not \
                 configured the provider yet. This is a bug in the provider or in Terraform.",
            ))
        })?;
        data.downcast_ref::<T>().ok_or_else(|| {
            Diagnostics::from(Diagnostic::error(
                "Provider data has the wrong type",
                format!(
                    "Expected {}; this is a bug in the provider.",
                    std::any::type_name::<T>()
                ),
            ))
        })
    }

    /// Whether provider data is available.
    pub fn is_configured(&self) -> bool {
        self.provider_data.is_some()
    }

    /// The token that StopProvider cancels; hand it to long-running waits.
    pub fn cancellation_token(&self) -> &CancellationToken {
        &self.cancel
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// Resolves when StopProvider arrives.
    pub async fn cancelled(&self) {
        self.cancel.cancelled().await
    }

    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// Time left until the deadline, if one is set.
    pub fn remaining(&self) -> Option<Duration> {
        self.deadline
            .map(|d| d.saturating_duration_since(Instant::now()))
    }

    /// Runs `fut` until it finishes, Terraform cancels, or the deadline passes.
    pub async fn run<F: Future>(&self, fut: F) -> Result<F::Output, Interrupted> {
        let deadline = async {
            match self.deadline {
                Some(d) => tokio::time::sleep_until(d).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            biased;
            _ = self.cancel.cancelled() => Err(Interrupted::Cancelled),
            _ = deadline => Err(Interrupted::DeadlineExceeded),
            out = fut => Ok(out),
        }
    }

    /// Sleeps, waking early with an error on cancellation or deadline.
    pub async fn sleep(&self, duration: Duration) -> Result<(), Interrupted> {
        self.run(tokio::time::sleep(duration)).await
    }

    /// Adds a warning (or error) to the response without failing the call.
    pub fn add_diagnostic(&self, diagnostic: Diagnostic) {
        if let Ok(mut sink) = self.diagnostics.lock() {
            sink.push(diagnostic);
        }
    }

    /// Shorthand for a warning without a path.
    pub fn warn(&self, summary: impl Into<String>, detail: impl Into<String>) {
        self.add_diagnostic(Diagnostic::warning(summary, detail));
    }

    /// Takes the diagnostics collected through [`Ctx::add_diagnostic`].
    pub fn take_diagnostics(&self) -> Diagnostics {
        self.diagnostics
            .lock()
            .map(|mut d| std::mem::take(&mut *d))
            .unwrap_or_default()
    }

    /// Builds a value of this resource's (or data source's) schema type from a
    /// typed model.
    pub fn to_value<T: serde::Serialize + ?Sized>(&self, model: &T) -> Result<Value, Diagnostics> {
        let value = crate::value::to_untyped_value(model)?;
        match &self.value_type {
            Some(ty) => Ok(value.conform(ty)?),
            None => Ok(value),
        }
    }
}
