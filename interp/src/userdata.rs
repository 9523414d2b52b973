//! Full userdata: host data with a metatable and user values.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::any::Any;
use core::cell::{Cell, RefCell};

use crate::gc::{Gc, GcObject, Marker, ObjKind};
use crate::table::Table;
use crate::value::Value;

/// A userdata: an opaque Rust value plus a metatable and user values.
pub struct UserData {
    /// The host data (file handles and the like).
    pub data: RefCell<Box<dyn Any>>,
    /// Metatable, if any.
    pub metatable: Cell<Option<Gc<Table>>>,
    /// User values (`debug.setuservalue`).
    pub user_values: RefCell<Vec<Value>>,
}

impl GcObject for UserData {
    const KIND: ObjKind = ObjKind::UserData;
    fn trace(&self, m: &mut Marker) {
        if let Some(mt) = self.metatable.get() {
            m.mark(mt);
        }
        for v in self.user_values.borrow().iter() {
            m.mark_value(v);
        }
    }
}
