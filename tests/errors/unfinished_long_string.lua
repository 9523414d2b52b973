-- The long string starting on line 2 never ends.
local s = [==[
some text ]] ]=]
more text
