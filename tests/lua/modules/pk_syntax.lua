-- Fixture for package_require.lua: a deliberate syntax error on line 3.
return 1 +
