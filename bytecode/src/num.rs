//! Number semantics shared by the compiler and the interpreter (being written).
