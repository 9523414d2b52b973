//! Fuzz target: any bytes through the copying loader; an accepted chunk must verify, list
//! and re-dump to a chunk that loads again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use moonjet_bytecode::chunk::{dump, load_owned, verify};

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = load_owned(data) {
        verify(&p).expect("a loaded chunk verifies");
        let mut listing = String::new();
        moonjet_bytecode::listing::list(&p, &mut listing);
        let strip = p.line_info.is_empty() && p.locals.is_empty();
        let again = dump(&p, strip);
        load_owned(&again).expect("a re-dumped chunk loads");
    }
});
