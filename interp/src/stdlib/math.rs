//! The `math` library (manual §6.7), with 5.4's xoshiro256** generator.

use moonjet_bytecode::num;

use super::util::{
    arg_error, check_any, check_int, check_num, less_than, nargs, opt_int, push_bytes, rt_error,
    to_integer,
};
use crate::error::LuaResult;
use crate::func::NativeFn;
use crate::state::Lua;
use crate::value::Value;

// ---------------------------------------------------------------------------------------------
// xoshiro256**
// ---------------------------------------------------------------------------------------------

/// The generator state of `math.random` (xoshiro256**, as in Lua 5.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Xoshiro(pub [u64; 4]);

impl Xoshiro {
    /// A generator seeded like `math.randomseed(n1, n2)`.
    pub fn seeded(n1: u64, n2: u64) -> Self {
        let mut g = Xoshiro([n1, 0xff, n2, 0]);
        for _ in 0..16 {
            g.next_u64();
        }
        g
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.0;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// A float in [0, 1) from the top 53 bits of `r`.
    pub fn to_float(r: u64) -> f64 {
        (r >> 11) as f64 * (0.5 / (1u64 << 52) as f64)
    }

    /// Projects the random `r` into [0, n] (rejection over the smallest covering mask).
    pub fn project(&mut self, r: u64, n: u64) -> u64 {
        if n & n.wrapping_add(1) == 0 {
            return r & n;
        }
        let mut lim = n;
        lim |= lim >> 1;
        lim |= lim >> 2;
        lim |= lim >> 4;
        lim |= lim >> 8;
        lim |= lim >> 16;
        lim |= lim >> 32;
        let mut r = r & lim;
        while r > n {
            r = self.next_u64() & lim;
        }
        r
    }
}

impl Default for Xoshiro {
    /// The generator of `math.randomseed(0)`, until `open_libs` seeds it unpredictably.
    fn default() -> Self {
        Xoshiro::seeded(0, 0)
    }
}

/// `math.random([m [, n]])`
fn random(l: &mut Lua) -> LuaResult<usize> {
    let rv = l.rng.next_u64();
    let (low, up) = match nargs(l) {
        0 => {
            l.push(Value::Float(Xoshiro::to_float(rv)));
            return Ok(1);
        }
        1 => {
            let up = check_int(l, 1)?;
            if up == 0 {
                l.push(Value::Int(rv as i64));
                return Ok(1);
            }
            (1, up)
        }
        2 => (check_int(l, 1)?, check_int(l, 2)?),
        _ => return Err(rt_error(l, "wrong number of arguments")),
    };
    if low > up {
        return Err(arg_error(l, 1, "interval is empty"));
    }
    let span = (up as u64).wrapping_sub(low as u64);
    let p = l.rng.project(rv, span);
    l.push(Value::Int(p.wrapping_add(low as u64) as i64));
    Ok(1)
}

/// `math.randomseed([x [, y]])`: returns the two seed components.
fn randomseed(l: &mut Lua) -> LuaResult<usize> {
    let (n1, n2) = if nargs(l) == 0 {
        random_seed_parts(l)
    } else {
        let n1 = check_int(l, 1)?;
        (n1 as u64, opt_int(l, 2, 0)? as u64)
    };
    l.rng = Xoshiro::seeded(n1, n2);
    l.push(Value::Int(n1 as i64));
    l.push(Value::Int(n2 as i64));
    Ok(2)
}

/// An unpredictable seed: the clock and an address.
fn random_seed_parts(l: &Lua) -> (u64, u64) {
    #[cfg(feature = "std")]
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    #[cfg(not(feature = "std"))]
    let t = 0u64;
    (t, l as *const Lua as u64 ^ l.heap.bytes_in_use() as u64)
}

// ---------------------------------------------------------------------------------------------
// Functions
// ---------------------------------------------------------------------------------------------

/// Pushes a float as an integer when it has an exact integer value that fits.
fn push_num_int(l: &mut Lua, f: f64) {
    match num::float_to_int_exact(f) {
        Some(i) => l.push(Value::Int(i)),
        None => l.push(Value::Float(f)),
    }
}

/// Applies a float function to argument 1.
fn unary(l: &mut Lua, f: fn(f64) -> f64) -> LuaResult<usize> {
    let x = check_num(l, 1)?;
    l.push(Value::Float(f(x)));
    Ok(1)
}

/// `math.abs(x)`
fn abs(l: &mut Lua) -> LuaResult<usize> {
    match l.arg(1) {
        Value::Int(i) => l.push(Value::Int(i.wrapping_abs())),
        _ => {
            let x = check_num(l, 1)?;
            l.push(Value::Float(x.abs()));
        }
    }
    Ok(1)
}

/// `math.floor(x)`
fn floor(l: &mut Lua) -> LuaResult<usize> {
    if let Value::Int(i) = l.arg(1) {
        l.push(Value::Int(i));
    } else {
        let x = check_num(l, 1)?;
        push_num_int(l, libm::floor(x));
    }
    Ok(1)
}

/// `math.ceil(x)`
fn ceil(l: &mut Lua) -> LuaResult<usize> {
    if let Value::Int(i) = l.arg(1) {
        l.push(Value::Int(i));
    } else {
        let x = check_num(l, 1)?;
        push_num_int(l, libm::ceil(x));
    }
    Ok(1)
}

/// `math.fmod(x, y)`
fn fmod(l: &mut Lua) -> LuaResult<usize> {
    if let (Value::Int(a), Value::Int(d)) = (l.arg(1), l.arg(2)) {
        let r = match d {
            0 => return Err(arg_error(l, 2, "zero")),
            -1 => 0,
            d => a % d,
        };
        l.push(Value::Int(r));
    } else {
        // lua5.4 (built by gcc) checks the second argument first.
        let b = check_num(l, 2)?;
        let a = check_num(l, 1)?;
        l.push(Value::Float(libm::fmod(a, b)));
    }
    Ok(1)
}

/// `math.modf(x)`
fn modf(l: &mut Lua) -> LuaResult<usize> {
    if let Value::Int(i) = l.arg(1) {
        l.push(Value::Int(i));
        l.push(Value::Float(0.0));
        return Ok(2);
    }
    let x = check_num(l, 1)?;
    let n = if x < 0.0 {
        libm::ceil(x)
    } else {
        libm::floor(x)
    };
    push_num_int(l, n);
    l.push(Value::Float(if x == n { 0.0 } else { x - n }));
    Ok(2)
}

/// `math.deg(x)`: radians to degrees.
fn deg(l: &mut Lua) -> LuaResult<usize> {
    unary(l, |x| x * (180.0 / core::f64::consts::PI))
}

/// `math.rad(x)`: degrees to radians.
fn rad(l: &mut Lua) -> LuaResult<usize> {
    unary(l, |x| x * (core::f64::consts::PI / 180.0))
}

/// `math.sqrt(x)`
fn sqrt(l: &mut Lua) -> LuaResult<usize> {
    unary(l, libm::sqrt)
}
/// `math.sqrt`'s function, whose identity compiled code tests (`Helpers::math_sqrt`).
pub(crate) const SQRT: crate::func::NativeFn = sqrt;
/// `math.sin(x)`
fn sin(l: &mut Lua) -> LuaResult<usize> {
    unary(l, libm::sin)
}
/// `math.cos(x)`
fn cos(l: &mut Lua) -> LuaResult<usize> {
    unary(l, libm::cos)
}
/// `math.tan(x)`
fn tan(l: &mut Lua) -> LuaResult<usize> {
    unary(l, libm::tan)
}
/// `math.asin(x)`
fn asin(l: &mut Lua) -> LuaResult<usize> {
    unary(l, libm::asin)
}
/// `math.acos(x)`
fn acos(l: &mut Lua) -> LuaResult<usize> {
    unary(l, libm::acos)
}
/// `math.exp(x)`
fn exp(l: &mut Lua) -> LuaResult<usize> {
    unary(l, libm::exp)
}

/// `math.atan(y [, x])`
fn atan(l: &mut Lua) -> LuaResult<usize> {
    let y = check_num(l, 1)?;
    let x = if l.arg(2).is_nil() {
        1.0
    } else {
        check_num(l, 2)?
    };
    l.push(Value::Float(libm::atan2(y, x)));
    Ok(1)
}

/// `math.log(x [, base])`
fn log(l: &mut Lua) -> LuaResult<usize> {
    let x = check_num(l, 1)?;
    let r = if l.arg(2).is_nil() {
        libm::log(x)
    } else {
        let b = check_num(l, 2)?;
        if b == 2.0 {
            libm::log2(x)
        } else if b == 10.0 {
            libm::log10(x)
        } else {
            libm::log(x) / libm::log(b)
        }
    };
    l.push(Value::Float(r));
    Ok(1)
}

/// `math.tointeger(x)`
fn tointeger(l: &mut Lua) -> LuaResult<usize> {
    match to_integer(l.arg(1)) {
        Some(i) => l.push(Value::Int(i)),
        None => {
            check_any(l, 1)?;
            l.push(Value::Nil);
        }
    }
    Ok(1)
}

/// `math.type(x)`
fn mtype(l: &mut Lua) -> LuaResult<usize> {
    match check_any(l, 1)? {
        Value::Int(_) => push_bytes(l, b"integer"),
        Value::Float(_) => push_bytes(l, b"float"),
        _ => l.push(Value::Nil),
    }
    Ok(1)
}

/// `math.ult(m, n)`
fn ult(l: &mut Lua) -> LuaResult<usize> {
    let a = check_int(l, 1)?;
    let b = check_int(l, 2)?;
    l.push(Value::Bool((a as u64) < (b as u64)));
    Ok(1)
}

/// Shared body of `max` and `min`: any values, compared with Lua's `<` (numbers and
/// strings directly, others through `__lt`).
fn extremum(l: &mut Lua, want_max: bool) -> LuaResult<usize> {
    let n = nargs(l);
    if n < 1 {
        return Err(arg_error(l, 1, "value expected"));
    }
    let mut best = 1;
    for i in 2..=n {
        let (cur, cand) = (l.arg(best), l.arg(i));
        let better = if want_max {
            less_than(l, cur, cand)?
        } else {
            less_than(l, cand, cur)?
        };
        if better {
            best = i;
        }
    }
    let v = l.arg(best);
    l.push(v);
    Ok(1)
}

/// `math.max(x, ...)`
fn max(l: &mut Lua) -> LuaResult<usize> {
    extremum(l, true)
}

/// `math.min(x, ...)`
fn min(l: &mut Lua) -> LuaResult<usize> {
    extremum(l, false)
}

/// The plain functions of the `math` table (`random`/`randomseed` are closures).
pub const FUNCS: &[(&str, NativeFn)] = &[
    ("abs", abs),
    ("acos", acos),
    ("asin", asin),
    ("atan", atan),
    ("ceil", ceil),
    ("cos", cos),
    ("deg", deg),
    ("exp", exp),
    ("floor", floor),
    ("fmod", fmod),
    ("log", log),
    ("max", max),
    ("min", min),
    ("modf", modf),
    ("rad", rad),
    ("random", random),
    ("randomseed", randomseed),
    ("sin", sin),
    ("sqrt", sqrt),
    ("tan", tan),
    ("tointeger", tointeger),
    ("type", mtype),
    ("ult", ult),
];

/// The constants of the library.
pub const CONSTS: &[(&str, Value)] = &[
    ("huge", Value::Float(f64::INFINITY)),
    ("maxinteger", Value::Int(i64::MAX)),
    ("mininteger", Value::Int(i64::MIN)),
    ("pi", Value::Float(core::f64::consts::PI)),
];

/// Seeds the generator of `random` unpredictably, as opening the library does in Lua
/// 5.4. Its state lives in the `Lua` (not in an upvalue: `random` and `randomseed` are
/// plain functions of the static part, so the library allocates nothing).
pub fn seed_random(l: &mut Lua) {
    let (s1, s2) = random_seed_parts(l);
    l.rng = Xoshiro::seeded(s1, s2);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_lua54_sequence() {
        // math.randomseed(42); math.random(1,100), math.random(), math.random(0)
        let mut g = Xoshiro::seeded(42, 0);
        let r = g.next_u64();
        assert_eq!(g.project(r, 99) + 1, 50);
        let f = Xoshiro::to_float(g.next_u64());
        assert!((f - 0.54688311243421).abs() < 1e-13);
        assert_eq!(g.next_u64() as i64, -3807604385970496171);
    }

    #[test]
    fn project_stays_in_range() {
        let mut g = Xoshiro::seeded(7, 9);
        for n in [1u64, 2, 3, 5, 6, 7, 100, 1 << 40, u64::MAX] {
            for _ in 0..100 {
                let r = g.next_u64();
                assert!(g.project(r, n) <= n);
            }
        }
    }

    #[test]
    fn max_min_compare_like_lt() {
        use crate::stdlib::util::testlua::{check, check_err};
        check(
            "return math.max('a', 'b'), math.min('a', 'b', 'c'), math.max(1, 2.5, 2)",
            "b,a,2.5",
        );
        check(
            "return math.max(2.0, 2), math.max(2, 2.0), math.type(math.min(1, 1.0))",
            "2.0,2,integer",
        );
        check_err(
            "return math.max(1, 'x')",
            "attempt to compare number with string",
        );
        check_err(
            "return math.max()",
            "t:1: bad argument #1 to 'max' (value expected)",
        );
        check(
            "local mt = {__lt = function(x, y) return x.v < y.v end}
             local a, b = setmetatable({v = 1}, mt), setmetatable({v = 2}, mt)
             return math.max(a, b) == b, math.min(a, b) == a",
            "true,true",
        );
    }

    #[test]
    fn degrees_and_radians() {
        use crate::stdlib::util::testlua::check;
        check(
            "return math.deg(math.pi), math.rad(180) == math.pi, math.deg(0)",
            "180.0,true,0.0",
        );
    }
}
