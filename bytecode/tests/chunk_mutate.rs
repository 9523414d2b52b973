//! Deterministic mutation test of the chunk loader and verifier: valid chunks are damaged
//! (bit flips, byte replacement, truncation, splices of two chunks, random length fields,
//! operand nudges, moved words) and every mutant must be rejected with an error or accepted
//! as a chunk that verifies, lists and re-dumps: never a panic.
//!
//! `MOONJET_MUTATIONS` sets the number of cases (default 200,000).

mod chunk_common;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;
use std::time::Instant;

use chunk_common::{corpus, listing, Aligned};
use moonjet_bytecode::chunk::{dump, load_owned, load_shared, verify, ChunkFn};
use moonjet_bytecode::Backing;

/// xorshift64* generator (seeded, so failures reproduce).
struct Rng(u64);

impl Rng {
    /// Next 64 random bits.
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Values that sit on the edges of length and operand checks.
const INTERESTING_U32: [u32; 12] = [
    0,
    1,
    2,
    3,
    0x7f,
    0x80,
    0xff,
    0x100,
    0xffff,
    0x7fff_ffff,
    0xffff_fff0,
    0xffff_ffff,
];

/// Applies one random mutation to `m` (`others` supplies splice partners).
fn mutate(rng: &mut Rng, m: &mut Vec<u8>, others: &[Vec<u8>]) {
    if m.is_empty() {
        return;
    }
    let len = m.len();
    match rng.below(8) {
        0 => {
            for _ in 0..1 + rng.below(4) {
                let bit = rng.below(len * 8);
                m[bit / 8] ^= 1 << (bit % 8);
            }
        }
        1 => {
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(len);
                m[at] = match rng.below(3) {
                    0 => [0u8, 1, 0x7f, 0x80, 0xff][rng.below(5)],
                    _ => rng.next() as u8,
                };
            }
        }
        2 => m.truncate(rng.below(len)),
        3 => {
            let other = &others[rng.below(others.len())];
            let cut = rng.below(len + 1);
            let from = rng.below(other.len() + 1);
            m.truncate(cut);
            m.extend_from_slice(&other[from..]);
        }
        4 | 5 => {
            // a 32-bit field (lengths, counts, instructions) set to an edge or random value
            let at = rng.below(len.div_ceil(4)) * 4;
            let v = match rng.below(4) {
                0 => INTERESTING_U32[rng.below(INTERESTING_U32.len())],
                1 => len as u32 / [1, 4, 8][rng.below(3)],
                2 => rng.below(64) as u32,
                _ => rng.next() as u32,
            };
            for (i, b) in v.to_le_bytes().into_iter().enumerate() {
                if let Some(slot) = m.get_mut(at + i) {
                    *slot = b;
                }
            }
        }
        6 => {
            // nudge one byte by ±1 (operands and counts just past their limits)
            let at = rng.below(len);
            m[at] = if rng.below(2) == 0 {
                m[at].wrapping_add(1)
            } else {
                m[at].wrapping_sub(1)
            };
        }
        _ => {
            // copy one aligned word over another (moves instructions around)
            let words = len / 4;
            if words > 1 {
                let (from, to) = (rng.below(words) * 4, rng.below(words) * 4);
                let w: [u8; 4] = m[from..from + 4].try_into().unwrap();
                m[to..to + 4].copy_from_slice(&w);
            }
        }
    }
}

/// Builds every function of an in-place chunk one at a time, as the interpreter does.
fn walk(f: &ChunkFn, depth: usize) {
    let p = f.proto(None);
    assert_eq!(&p.code[..], f.code());
    assert!(p.protos.is_empty() && depth <= moonjet_bytecode::chunk::MAX_DEPTH);
    for i in 0..f.n_protos() {
        walk(&f.child(i).expect("nested function"), depth + 1);
    }
}

/// Loads one mutant; on acceptance, checks what an accepted chunk promises.
fn exercise(m: &[u8], shared: bool) -> bool {
    let loaded = if shared {
        load_shared(Aligned::new(m) as Rc<dyn Backing>).map(|f| {
            walk(&f, 0);
            f.to_proto()
        })
    } else {
        load_owned(m)
    };
    match loaded {
        Ok(p) => {
            verify(&p).expect("a loaded chunk verifies");
            if shared {
                let _ = listing(&p);
            }
            let again = dump(&p, p.line_info.is_empty() && p.locals.is_empty());
            let q = load_owned(&again).expect("a re-dumped chunk loads");
            assert_eq!(
                dump(&q, q.line_info.is_empty() && q.locals.is_empty()),
                again
            );
            true
        }
        Err(e) => {
            assert!(!e.message.is_empty());
            false
        }
    }
}

#[test]
fn mutated_chunks_never_panic() {
    let cases: usize = std::env::var("MOONJET_MUTATIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200_000);
    // small and medium chunks keep the rate high; both stripped and not
    let mut seeds: Vec<Vec<u8>> = corpus()
        .iter()
        .flat_map(|(_, p)| [dump(p, true), dump(p, false)])
        .filter(|c| c.len() <= 4_000)
        .collect();
    for src in [
        "return",
        "local a, b = ... return a + b",
        "return function(...) return ... end",
    ] {
        let p = moonjet_compiler::compile(src.as_bytes(), b"=m").unwrap();
        seeds.push(dump(&p, false));
        seeds.push(dump(&p, true));
    }
    assert!(seeds.len() > 20);
    let bytes: usize = seeds.iter().map(Vec::len).sum();
    println!(
        "chunk_mutate: {} seed chunks, {} bytes on average",
        seeds.len(),
        bytes / seeds.len()
    );

    std::panic::set_hook(Box::new(|_| {}));
    let start = Instant::now();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut accepted, mut panics) = (0usize, Vec::new());
    for case in 0..cases {
        let mut m = seeds[rng.below(seeds.len())].clone();
        for _ in 0..1 + rng.below(3) / 2 {
            mutate(&mut rng, &mut m, &seeds);
        }
        let shared = case % 16 == 0;
        match catch_unwind(AssertUnwindSafe(|| exercise(&m, shared))) {
            Ok(true) => accepted += 1,
            Ok(false) => {}
            Err(_) => panics.push(case),
        }
        if panics.len() == 1 && panics[0] == case {
            std::fs::write(std::env::temp_dir().join("moonjet_mutant.bin"), &m).ok();
        }
    }
    let _ = std::panic::take_hook();
    let secs = start.elapsed().as_secs_f64();
    println!(
        "chunk_mutate: {cases} cases in {secs:.1} s ({:.0}/s): {accepted} accepted, {} rejected, {} panics",
        cases as f64 / secs,
        cases - accepted - panics.len(),
        panics.len()
    );
    assert!(
        panics.is_empty(),
        "{} mutants panicked (first: case {}, saved to moonjet_mutant.bin in the temp dir)",
        panics.len(),
        panics[0]
    );
}
