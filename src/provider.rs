//! The provider as the plugin framework sees it.
