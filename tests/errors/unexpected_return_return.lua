-- 'return' must be the last statement of a block.
return return
