-- Fixture for package_require.lua: returns two values (only the first is kept).
return "first", "second"
