-- Jumping forward over a local declaration into its scope.
do
  goto skip
  local x = 1
  ::skip::
  print(x)
end
