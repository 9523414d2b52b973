//! The large generated Lua source that the front-end benchmarks compile, dump and load.
//!
//! Every block is valid Lua 5.4 and runs under `lua5.4`: the chunk returns a checksum
//! (see `LARGE_CHECKSUM`) so a miscompiled chunk is caught before anything is timed.

/// Blocks in the benchmark source (25 lines each: about 5,000 lines).
pub const LARGE_BLOCKS: usize = 200;

/// What the chunk of `large_source(LARGE_BLOCKS)` returns (from `lua5.4`).
pub const LARGE_CHECKSUM: i64 = 244_170;

/// One block; `@K` is replaced by the block number. Each block is a `do ... end` so the
/// main chunk never holds more than a few locals at once (the limit is 200).
const BLOCK: &str = r#"do -- block @K
  local K, names = @K, {"alpha", "beta", "gamma", "delta"}
  function M.f@K(a, b)
    local t = {K, a, b, {1, 2, 3}, name = "f@K", size = K * 2}
    local s = 0
    for i = 1, #t do
      if type(t[i]) == "number" then s = s + t[i] * i else s = s - 1 end
    end
    local j = 0
    while j < b do
      j = j + 1
      if j % 3 == 0 then s = s + j elseif j % 5 == 0 then s = s - j else s = s ~ j end
    end
    return s + t.size // 2 + #names[K % 4 + 1]
  end
  local Class = setmetatable({value = K}, {__index = M})
  Class.__index = Class
  function Class:step(x)
    local function add(y) return self.value + x + y end
    local r, n = {}, 0
    repeat n = n + 1; r[n] = add(n) until n >= 4
    return r[1] + r[4] - #("k" .. K .. ":" .. x)
  end
  M.objects[#M.objects + 1] = setmetatable({value = K * 3}, Class)
end
"#;

/// The chunk's head: the module table the blocks fill in.
const HEAD: &str = "local M = {objects = {}}\n";

/// The chunk's tail: calls every generated function and returns the sum.
const TAIL: &str = r#"local sum = 0
for k = 0, #M.objects - 1 do
  sum = sum + M["f" .. k](k, 7) + M.objects[k + 1]:step(k)
end
return sum
"#;

/// Lua source of `blocks` blocks plus head and tail.
pub fn large_source(blocks: usize) -> String {
    let mut src = String::with_capacity(HEAD.len() + TAIL.len() + blocks * (BLOCK.len() + 8));
    src.push_str(HEAD);
    for k in 0..blocks {
        src.push_str(&BLOCK.replace("@K", &k.to_string()));
    }
    src.push_str(TAIL);
    src
}
