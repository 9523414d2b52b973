local x = 1
print(x)
--[==[ the end of the file is inside this comment ]] ]=]