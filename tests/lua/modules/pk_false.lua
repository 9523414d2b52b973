-- Fixture for package_require.lua: returns false, which require keeps.
return false
