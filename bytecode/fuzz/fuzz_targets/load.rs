//! Fuzz target: any bytes through the copying loader and, from an 8-aligned copy, the
//! in-place loader; an accepted chunk must verify, list and re-dump to a chunk that loads
//! again, and every function of it must build in place one at a time.
#![no_main]

use std::rc::Rc;

use libfuzzer_sys::fuzz_target;
use moonjet_bytecode::chunk::{dump, load_owned, load_shared, verify, ChunkFn};
use moonjet_bytecode::Backing;

/// The input copied to an 8-aligned buffer.
struct Aligned(Vec<u64>, usize);

impl Backing for Aligned {
    fn bytes(&self) -> &[u8] {
        let all: &[u8] = bytemuck::cast_slice(&self.0);
        &all[..self.1]
    }
}

/// Builds every function in place, as the interpreter does when closures are made.
fn walk(f: &ChunkFn) {
    let p = f.proto(None);
    assert_eq!(&p.code[..], f.code());
    for i in 0..f.n_protos() {
        walk(&f.child(i).expect("nested function"));
    }
}

fuzz_target!(|data: &[u8]| {
    let mut words = vec![0u64; data.len().div_ceil(8)];
    bytemuck::cast_slice_mut::<u64, u8>(&mut words)[..data.len()].copy_from_slice(data);
    let in_place = load_shared(Rc::new(Aligned(words, data.len())));
    let owned = load_owned(data);
    assert_eq!(in_place.is_ok(), owned.is_ok(), "both loaders agree");
    if let Ok(f) = in_place {
        walk(&f);
    }
    if let Ok(p) = owned {
        verify(&p).expect("a loaded chunk verifies");
        let mut listing = String::new();
        moonjet_bytecode::listing::list(&p, &mut listing);
        let strip = p.line_info.is_empty() && p.locals.is_empty();
        let again = dump(&p, strip);
        load_owned(&again).expect("a re-dumped chunk loads");
    }
});
