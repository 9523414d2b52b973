-- String operations and escapes, printed.
local s = "Hello, World"
print(#s, s:upper(), s:lower(), s:sub(1, 5), s:sub(-5), s:sub(3, -3), s:sub(20))
print(s:byte(1), s:byte(-1), string.char(72, 105))
print(s:rep(2, "|"), ("ab"):rep(3), ("x"):rep(0) == "")
print(s:find("World"), s:find("o", 6), s:find("xyz"), s:find("l+"))
print(("%d items at %.2f"):format(3, 9.5))
print(string.format("%q", 'a "quoted"\n\0 string\t'))
print(string.format("[%10s][%-10s][%.2s]", "right", "left", "truncate"))
print("tab\tsep", "new\\nline", "\65\066\x43\u{44}", "\z
      continued")
print([[long
string]], [==[with ]] inside]==])
print("a" < "b", "a" < "B", "abc" < "abd", "" < "a", "Z" < "a")
print(("a\0b"):len(), #"\0\0", ("a\0b"):byte(2))
local words = {}
for w in ("the quick brown fox"):gmatch("%a+") do words[#words + 1] = w end
print(table.concat(words, ","), #words)
print(("hello world"):gsub("o", "0"))
print(("  trim  "):match("^%s*(.-)%s*$") .. "|")
print(tostring(12) .. tostring(1.5) .. tostring(nil) .. tostring(true))
print(1 .. 2, 1.0 .. "", -0.0 .. "", 2^63 .. "")
for i = 1, 5 do io.write(string.rep("*", i), "\n") end
print(("abc"):reverse(), ("%5.1s|"):format("xyz"))
