-- error with level 0 has no position.
error("bare message", 0)
