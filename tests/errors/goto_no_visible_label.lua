-- The label exists, but in a nested block that is not visible.
do ::inner:: end
goto inner
