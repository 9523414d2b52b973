//! The bytecode listing printed by `moonjet -bl` (being written).
