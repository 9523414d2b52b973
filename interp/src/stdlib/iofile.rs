//! File handles of the `io` library: a small buffered stream over an OS file, the standard
//! streams or a pipe, with the primitives `read`/`write`/`seek` need (anchor: IO-FILE).
//!
//! Standard output is not buffered here: writes go through `Lua::stdout`, the same buffer
//! `print` uses, so `print` and `io.write` interleave as in `lua5.4`.

use alloc::rc::{Rc, Weak};
use alloc::vec::Vec;
use core::cell::RefCell;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::process::Child;

use crate::state::Lua;

/// Buffer size of fully buffered files.
const BUF_SIZE: usize = 8192;

/// How writes are buffered (`file:setvbuf`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BufMode {
    /// Every write goes out at once.
    No,
    /// Flushed at each newline.
    Line,
    /// Flushed when the buffer fills.
    Full,
}

/// What a handle is connected to.
pub enum Stream {
    /// A regular file.
    File(File),
    /// The process's standard input.
    Stdin,
    /// The process's standard output (through `Lua::stdout`).
    Stdout,
    /// The process's standard error.
    Stderr,
    /// A child process started by `io.popen`, read from or written to.
    Pipe(Child),
}

/// One open (or closed) Lua file.
pub struct LFile {
    /// The connection; `None` once closed.
    pub stream: Option<Stream>,
    /// Bytes read ahead and not yet consumed (`rbuf[rpos..]`).
    rbuf: Vec<u8>,
    rpos: usize,
    /// Bytes written and not yet flushed.
    wbuf: Vec<u8>,
    /// Buffering mode of writes.
    pub mode: BufMode,
}

/// Shared handle: the userdata holds one, the flush-at-exit list a weak one.
pub type FileRef = Rc<RefCell<LFile>>;

std::thread_local! {
    /// Every file opened by this thread, so `os.exit` and the end of the program can
    /// flush them as C's `exit` flushes stdio streams.
    static OPEN_FILES: RefCell<Vec<Weak<RefCell<LFile>>>> = const { RefCell::new(Vec::new()) };
}

/// Wraps a stream into a shared handle and remembers it for the final flush.
pub fn new_file(stream: Stream) -> FileRef {
    let f = Rc::new(RefCell::new(LFile {
        stream: Some(stream),
        rbuf: Vec::new(),
        rpos: 0,
        wbuf: Vec::new(),
        mode: BufMode::Full,
    }));
    OPEN_FILES.with(|list| {
        let mut list = list.borrow_mut();
        list.retain(|w| w.strong_count() > 0);
        list.push(Rc::downgrade(&f));
    });
    f
}

/// Flushes every open file (at `os.exit` and program end). Errors are ignored, as C's
/// `exit` ignores them.
pub fn flush_all(l: &mut Lua) {
    let files: Vec<FileRef> =
        OPEN_FILES.with(|list| list.borrow().iter().filter_map(Weak::upgrade).collect());
    for f in files {
        if let Ok(mut f) = f.try_borrow_mut() {
            let _ = f.flush(l);
        }
    }
    l.flush_stdout();
}

impl LFile {
    /// True once closed.
    pub fn is_closed(&self) -> bool {
        self.stream.is_none()
    }

    /// True for the three standard streams (which `close` refuses).
    pub fn is_std(&self) -> bool {
        matches!(
            self.stream,
            Some(Stream::Stdin | Stream::Stdout | Stream::Stderr)
        )
    }

    /// Writes the pending output.
    pub fn flush(&mut self, l: &mut Lua) -> io::Result<()> {
        let data = core::mem::take(&mut self.wbuf);
        let r = match self.stream.as_mut() {
            Some(Stream::File(f)) => f.write_all(&data).and_then(|_| f.flush()),
            Some(Stream::Pipe(c)) => match c.stdin.as_mut() {
                Some(w) => w.write_all(&data).and_then(|_| w.flush()),
                None => Ok(()),
            },
            Some(Stream::Stdout) => {
                l.stdout.write(&data);
                l.flush_stdout();
                Ok(())
            }
            Some(Stream::Stderr) => {
                l.flush_stdout();
                let mut e = io::stderr();
                e.write_all(&data).and_then(|_| e.flush())
            }
            Some(Stream::Stdin) | None => Ok(()),
        };
        r
    }

    /// Drops read-ahead bytes, moving the OS position back to the logical one.
    fn sync_read(&mut self) -> io::Result<()> {
        let unread = self.rbuf.len() - self.rpos;
        self.rbuf.clear();
        self.rpos = 0;
        if unread > 0 {
            if let Some(Stream::File(f)) = self.stream.as_mut() {
                f.seek(SeekFrom::Current(-(unread as i64)))?;
            }
        }
        Ok(())
    }

    /// Appends bytes to the output.
    pub fn write(&mut self, l: &mut Lua, data: &[u8]) -> io::Result<()> {
        match self.stream {
            None => return Err(io::Error::other("closed")),
            Some(Stream::Stdin) => return Err(io::Error::from_raw_os_error(9)),
            Some(Stream::Stdout) if self.mode == BufMode::Full => {
                l.stdout.write(data);
                return Ok(());
            }
            _ => {}
        }
        self.sync_read()?;
        self.wbuf.extend_from_slice(data);
        let due = match self.mode {
            BufMode::No => true,
            BufMode::Line => data.contains(&b'\n'),
            BufMode::Full => self.wbuf.len() >= BUF_SIZE,
        };
        if due || matches!(self.stream, Some(Stream::Stderr)) {
            self.flush(l)?;
        }
        Ok(())
    }

    /// Makes read-ahead bytes available; returns them (empty at end of file).
    fn fill(&mut self, l: &mut Lua) -> io::Result<&[u8]> {
        if self.rpos < self.rbuf.len() {
            return Ok(&self.rbuf[self.rpos..]);
        }
        if !self.wbuf.is_empty() {
            self.flush(l)?;
        }
        if matches!(self.stream, Some(Stream::Stdin)) {
            l.flush_stdout();
        }
        self.rbuf.resize(BUF_SIZE, 0);
        self.rpos = 0;
        let n = match self.stream.as_mut() {
            Some(Stream::File(f)) => read_retry(f, &mut self.rbuf),
            Some(Stream::Stdin) => read_retry(&mut io::stdin().lock(), &mut self.rbuf),
            Some(Stream::Pipe(c)) => match c.stdout.as_mut() {
                Some(r) => read_retry(r, &mut self.rbuf),
                None => Err(io::Error::from_raw_os_error(9)),
            },
            Some(Stream::Stdout | Stream::Stderr) => Err(io::Error::from_raw_os_error(9)),
            None => Ok(0),
        };
        let n = match n {
            Ok(n) => n,
            Err(e) => {
                self.rbuf.clear();
                return Err(e);
            }
        };
        self.rbuf.truncate(n);
        Ok(&self.rbuf[..])
    }

    /// The next byte without consuming it (`None` at end of file).
    pub fn peek(&mut self, l: &mut Lua) -> io::Result<Option<u8>> {
        Ok(self.fill(l)?.first().copied())
    }

    /// Consumes one byte.
    pub fn bump(&mut self) {
        if self.rpos < self.rbuf.len() {
            self.rpos += 1;
        }
    }

    /// Reads a line; `keep_nl` keeps the newline. `None` at end of file with nothing read.
    pub fn read_line(&mut self, l: &mut Lua, keep_nl: bool) -> io::Result<Option<Vec<u8>>> {
        let mut out = Vec::new();
        loop {
            let buf = self.fill(l)?;
            if buf.is_empty() {
                return Ok(if out.is_empty() { None } else { Some(out) });
            }
            if let Some(i) = buf.iter().position(|&c| c == b'\n') {
                out.extend_from_slice(&buf[..i + usize::from(keep_nl)]);
                self.rpos += i + 1;
                return Ok(Some(out));
            }
            let n = buf.len();
            out.extend_from_slice(buf);
            self.rpos += n;
        }
    }

    /// Reads up to `n` bytes (fewer only at end of file).
    pub fn read_n(&mut self, l: &mut Lua, n: usize) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        while out.len() < n {
            let buf = self.fill(l)?;
            if buf.is_empty() {
                break;
            }
            let take = buf.len().min(n - out.len());
            out.extend_from_slice(&buf[..take]);
            self.rpos += take;
        }
        Ok(out)
    }

    /// Reads everything up to end of file.
    pub fn read_all(&mut self, l: &mut Lua) -> io::Result<Vec<u8>> {
        self.read_n(l, usize::MAX)
    }

    /// `file:seek`: moves to `offset` from `whence` and returns the new position.
    pub fn seek(&mut self, l: &mut Lua, pos: SeekFrom) -> io::Result<u64> {
        self.flush(l)?;
        if let Some(fd) = self.std_fd() {
            return self.seek_std(fd, pos);
        }
        self.sync_read()?;
        match self.stream.as_mut() {
            Some(Stream::File(f)) => f.seek(pos),
            _ => Err(io::Error::from_raw_os_error(29)),
        }
    }

    /// The descriptor of a standard stream.
    fn std_fd(&self) -> Option<libc::c_int> {
        match self.stream {
            Some(Stream::Stdin) => Some(0),
            Some(Stream::Stdout) => Some(1),
            Some(Stream::Stderr) => Some(2),
            _ => None,
        }
    }

    /// `seek` on a standard stream (which works when it is a regular file): moves the
    /// descriptor's offset, counting read-ahead bytes as unread. On failure (a terminal
    /// or a pipe) the read-ahead stays.
    fn seek_std(&mut self, fd: libc::c_int, pos: SeekFrom) -> io::Result<u64> {
        let unread = (self.rbuf.len() - self.rpos) as i64;
        let (off, whence) = match pos {
            SeekFrom::Start(o) => (o as i64, libc::SEEK_SET),
            SeekFrom::Current(o) => (o.wrapping_sub(unread), libc::SEEK_CUR),
            SeekFrom::End(o) => (o, libc::SEEK_END),
        };
        // SAFETY: lseek takes no pointers; it only moves the offset of descriptor `fd`,
        // which the process owns for its whole life.
        let r = unsafe { libc::lseek(fd, off as libc::off_t, whence) };
        if r < 0 {
            return Err(io::Error::last_os_error());
        }
        self.rbuf.clear();
        self.rpos = 0;
        Ok(r as u64)
    }

    /// Closes the stream. For pipes, waits for the child and returns its exit status.
    pub fn close(&mut self, l: &mut Lua) -> io::Result<Option<std::process::ExitStatus>> {
        let flushed = self.flush(l);
        let status = match self.stream.take() {
            Some(Stream::Pipe(mut c)) => {
                drop(c.stdin.take());
                Some(c.wait()?)
            }
            _ => None,
        };
        self.rbuf.clear();
        self.rpos = 0;
        flushed.map(|_| status)
    }
}

/// `read` retrying on interruption.
fn read_retry(r: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match r.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}
