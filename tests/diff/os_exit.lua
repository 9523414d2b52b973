-- os.exit with an explicit status after buffered output (exit status 3).
io.write("buffered ")
print("output")
for i = 1, 3 do io.write(i, ",") end
io.write("\n")
os.exit(3)
