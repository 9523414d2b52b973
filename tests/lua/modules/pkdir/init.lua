-- Fixture for package_require.lua: found through a "?/init.lua" template.
return { kind = "init", file = select(2, ...) }
