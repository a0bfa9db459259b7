//! The integration tests: golden values from published tables, properties, examples.

mod bad_input;
mod corpus;
mod golden;
mod plans;
mod properties;
mod published;
mod sensitivity;
mod survey;
