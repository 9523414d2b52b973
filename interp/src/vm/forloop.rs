//! The numeric `for` loop's slow steps (FORPREP's checks and preparation, a float
//! loop's step); the integer step stays inline in FORLOOP (`exec.rs`).

use crate::error::LuaResult;
use crate::value::Value;
use crate::Lua;

/// The integer-loop preparation of FORPREP: `None` if the loop must be skipped,
/// otherwise the iteration count (minus one) as an unsigned number.
fn for_count(init: i64, limit: i64, step: i64) -> Option<u64> {
    if step > 0 {
        if init > limit {
            return None;
        }
        Some((limit as u64).wrapping_sub(init as u64) / step as u64)
    } else {
        if init < limit {
            return None;
        }
        let s = (-(step + 1)) as u64 + 1;
        Some((init as u64).wrapping_sub(limit as u64) / s)
    }
}

impl Lua {
    /// FORPREP: checks and prepares a numeric loop at `ra`; false if it runs zero times.
    #[inline(never)]
    pub(crate) fn for_prep(&mut self, ra: usize) -> LuaResult<bool> {
        let (init, limit, step) = (self.stack[ra], self.stack[ra + 1], self.stack[ra + 2]);
        if let (Value::Int(i0), Value::Int(st)) = (init, step) {
            if st == 0 {
                return Err(self.rt_error("'for' step is zero"));
            }
            let Some(lim) = self.for_limit(limit, st)? else {
                return Ok(false);
            };
            let Some(count) = for_count(i0, lim, st) else {
                return Ok(false);
            };
            Value::write_int(&mut self.stack[ra + 1], count as i64);
            Value::write_int(&mut self.stack[ra + 3], i0);
            return Ok(true);
        }
        let Some(fl) = limit.to_float() else {
            return Err(self.for_error(limit, "limit"));
        };
        let Some(fs) = step.to_float() else {
            return Err(self.for_error(step, "step"));
        };
        let Some(fi) = init.to_float() else {
            return Err(self.for_error(init, "initial value"));
        };
        if fs == 0.0 {
            return Err(self.rt_error("'for' step is zero"));
        }
        if if fs > 0.0 { fl < fi } else { fi < fl } {
            return Ok(false);
        }
        Value::write_float(&mut self.stack[ra], fi);
        Value::write_float(&mut self.stack[ra + 1], fl);
        Value::write_float(&mut self.stack[ra + 2], fs);
        Value::write_float(&mut self.stack[ra + 3], fi);
        Ok(true)
    }

    /// The integer limit of an integer loop (clipped), `None` if the loop cannot run.
    fn for_limit(&mut self, limit: Value, step: i64) -> LuaResult<Option<i64>> {
        use moonjet_bytecode::num::{float_to_int_ceil, float_to_int_floor};
        let f = match limit.to_number() {
            Some(Value::Int(l)) => return Ok(Some(l)),
            Some(Value::Float(f)) => f,
            _ => return Err(self.for_error(limit, "limit")),
        };
        if f.is_nan() {
            return Ok(None);
        }
        let conv = if step < 0 {
            float_to_int_ceil(f)
        } else {
            float_to_int_floor(f)
        };
        Ok(match conv {
            Some(l) => Some(l),
            None if f > 0.0 => {
                if step < 0 {
                    None
                } else {
                    Some(i64::MAX)
                }
            }
            None => {
                if step > 0 {
                    None
                } else {
                    Some(i64::MIN)
                }
            }
        })
    }

    /// "bad 'for' <what> (number expected, got <type>)".
    fn for_error(&mut self, v: Value, what: &str) -> crate::error::LuaError {
        let t = self.obj_type_name(v);
        self.rt_error(&alloc::format!(
            "bad 'for' {what} (number expected, got {t})"
        ))
    }

    /// FORLOOP of a float loop: advances and tells whether to jump back.
    #[inline(never)]
    pub(crate) fn float_for_loop(&mut self, ra: usize) -> bool {
        let (Value::Float(idx), Value::Float(lim), Value::Float(st)) =
            (self.stack[ra], self.stack[ra + 1], self.stack[ra + 2])
        else {
            return false;
        };
        let idx = idx + st;
        if if st > 0.0 { idx <= lim } else { lim <= idx } {
            Value::write_float(&mut self.stack[ra], idx);
            Value::write_float(&mut self.stack[ra + 3], idx);
            true
        } else {
            false
        }
    }
}
