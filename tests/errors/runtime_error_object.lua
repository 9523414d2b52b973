-- An uncaught non-string error value.
error({})
