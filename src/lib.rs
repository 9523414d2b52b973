//! Moonjet facade.
