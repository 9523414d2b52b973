-- Only 'const' and 'close' are attributes.
local x <static> = 1
