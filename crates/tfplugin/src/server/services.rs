//! go-plugin's side services that every plugin process registers next to
//! the provider: controller (shutdown), stdio relay and connection broker.

use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;
use tonic::codegen::BoxStream;
use tonic::{Request, Response, Status, Streaming};

use crate::proto::plugin::grpc_broker_server::GrpcBroker;
use crate::proto::plugin::grpc_controller_server::GrpcController;
use crate::proto::plugin::grpc_stdio_server::GrpcStdio;
use crate::proto::plugin::{ConnInfo, Empty, StdioData};

/// Stops the whole server when the client asks (go-plugin's `Kill`).
pub(crate) struct Controller {
    pub shutdown: CancellationToken,
}

#[tonic::async_trait]
impl GrpcController for Controller {
    async fn shutdown(&self, _request: Request<Empty>) -> Result<Response<Empty>, Status> {
        tracing::debug!("client requested plugin shutdown");
        self.shutdown.cancel();
        Ok(Response::new(Empty {}))
    }
}

/// Our output goes straight to the inherited stdout/stderr, which go-plugin
/// already reads, so the relay stream stays open but silent until shutdown.
pub(crate) struct Stdio {
    pub shutdown: CancellationToken,
}

#[tonic::async_trait]
impl GrpcStdio for Stdio {
    async fn stream_stdio(
        &self,
        _request: Request<()>,
    ) -> Result<Response<BoxStream<StdioData>>, Status> {
        let (tx, rx) = mpsc::channel::<Result<StdioData, Status>>(1);
        let shutdown = self.shutdown.clone();
        tokio::spawn(async move {
            tokio::select! {
                () = shutdown.cancelled() => {}
                () = tx.closed() => {}
            }
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }
}

/// Terraform providers never open broker connections; the client still
/// opens the stream at start-up, so accept it and ignore what arrives.
pub(crate) struct Broker {
    pub shutdown: CancellationToken,
}

#[tonic::async_trait]
impl GrpcBroker for Broker {
    async fn start_stream(
        &self,
        request: Request<Streaming<ConnInfo>>,
    ) -> Result<Response<BoxStream<ConnInfo>>, Status> {
        let mut inbound = request.into_inner();
        let (tx, rx) = mpsc::channel::<Result<ConnInfo, Status>>(1);
        let shutdown = self.shutdown.clone();
        tokio::spawn(async move {
            // Holding `tx` keeps the response stream open.
            let _tx = tx;
            loop {
                tokio::select! {
                    () = shutdown.cancelled() => break,
                    message = inbound.message() => match message {
                        Ok(Some(info)) => {
                            tracing::debug!(service_id = info.service_id, "ignoring broker message");
                        }
                        Ok(None) | Err(_) => break,
                    },
                }
            }
        });
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }
}
