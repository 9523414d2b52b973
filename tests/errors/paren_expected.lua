-- The call's parenthesis opened on line 2 is never closed.
print(1,
  2
