-- Fixture for package_require.lua: fails while loading.
error("pk_error failed")
