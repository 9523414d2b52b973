//! Chunk names as shown in messages (being written).
