#!/usr/bin/env lua
-- Fixture for package_require.lua: the first line is skipped, line numbers stay right.
if PK_SHEBANG_FAIL then error("shebang line 3") end
return "shebang ok"
