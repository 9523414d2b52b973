-- A label cannot be repeated in the same function.
::again::
local x = 1
do
  ::again::
end
