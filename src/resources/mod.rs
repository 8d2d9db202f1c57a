//! Registry of managed resources; one module per resource type.
