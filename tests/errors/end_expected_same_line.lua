-- A block opened on the last line: no 'to close' note.
do local x = 1