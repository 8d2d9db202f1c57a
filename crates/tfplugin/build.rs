//! Compiles proto/ into Rust with a pure-Rust protobuf compiler (protox), so
//! that neither developers nor CI need a system `protoc`.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let proto_root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?).join("../../proto");
    let files = [
        "tfplugin6.proto",
        "plugin/grpc_broker.proto",
        "plugin/grpc_controller.proto",
        "plugin/grpc_stdio.proto",
    ];
    for file in &files {
        println!("cargo:rerun-if-changed={}", proto_root.join(file).display());
    }
    let descriptors = protox::compile(files, [&proto_root])?;
    tonic_prost_build::configure()
        // Tests and tools talk to the server through the same generated code.
        .build_client(true)
        .build_server(true)
        // RPCs the framework leaves out answer UNIMPLEMENTED instead of
        // failing to compile or panicking.
        .generate_default_stubs(true)
        .compile_fds(descriptors)?;
    Ok(())
}
