-- Fixture for package_require.lua: counts how often it is loaded.
PK_COUNTER_LOADS = (PK_COUNTER_LOADS or 0) + 1
return PK_COUNTER_LOADS
