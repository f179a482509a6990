//! Track import.
