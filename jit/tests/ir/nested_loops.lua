-- Nested numeric loops with entries at their headers (LANDING): the inner loop's
-- header block takes only the values the loop changes (its counter and control
-- variable) as parameters; the row, the tables and the tags known from the analysis
-- (SHARED-TAGS) arrive as plain values, and the inner control variable is dead
-- outside its loop (LOOP-VAR-LIVE), so no header carries it. The table store's slow
-- path calls the register-preserving wrapper (PRESERVING) and reads its answer from
-- `ctx.answer`.
local function fill(t, n)
  for i = 1, n do
    local row = t[i]
    for j = 1, n do
      row[j] = i + j
    end
  end
end
