-- Fixture for package_require.lua: returns nothing, so require stores true.
PK_NIL_RAN = true
