//! Registry of data sources; one module per data source type.
