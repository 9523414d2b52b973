-- <close> variables are constant too.
local h <close> = nil
h = nil
