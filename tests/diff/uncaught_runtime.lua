-- A runtime error escapes from nested calls (exit status 1); output before it is kept.
local function level3(v) return v.missing.field end
local function level2(v) return level3(v) + 1 end
local function level1(v) return level2(v) end
print("before")
io.write("partial line without newline")
print(level1({}))
print("never printed")
