-- An uncaught number error value is printed as a string.
error(42)
