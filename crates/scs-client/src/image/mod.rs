//! Glance (image service): images with their properties, read-only.

pub mod images;

pub use images::*;
