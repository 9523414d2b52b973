#!/usr/bin/env lua
-- The first line is skipped; the error is on line 3.
local x = = 1
