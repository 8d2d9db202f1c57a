//! Generated protobuf and gRPC code for the wire protocols in `proto/`.

/// Terraform plugin protocol 6.10 (`package tfplugin6`).
#[allow(clippy::all, clippy::pedantic, missing_docs)]
pub mod tfplugin6 {
    tonic::include_proto!("tfplugin6");
}

/// go-plugin's side services (`package plugin`): broker, controller, stdio.
#[allow(clippy::all, clippy::pedantic, missing_docs)]
pub mod plugin {
    tonic::include_proto!("plugin");
}
