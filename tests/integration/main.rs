//! The integration tests: golden values from published tables, properties, examples.

mod golden;
mod properties;
