-- One to-be-closed variable per local statement.
local a <close>, b <close> = nil, nil
