-- Fixture for package_require.lua: a dotted module name maps to a subdirectory.
return { kind = "sub", name = (...), parent = require("pkdir") }
