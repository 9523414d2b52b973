//! The interactive loop (`-i`, or no script on a terminal): line editing and history
//! with rustyline, `return <line>` tried first, `>>` continuation of incomplete
//! statements, results printed with the global `print`.

use rustyline::error::ReadlineError;
use rustyline::DefaultEditor;

use moonjet_interp::{Lua, Value};

/// What the REPL reads a line with: rustyline on a terminal, plain stdin otherwise.
enum Input {
    /// Line editing and history.
    Editor(Box<DefaultEditor>),
    /// Plain lines from standard input.
    Plain,
}

impl Input {
    /// A line without its newline, or `None` at end of input.
    fn read(&mut self, prompt: &str) -> Option<String> {
        match self {
            Input::Editor(ed) => match ed.readline(prompt) {
                Ok(line) => Some(line),
                Err(ReadlineError::Interrupted) => Some(String::new()),
                Err(_) => None,
            },
            Input::Plain => {
                use std::io::Write;
                print!("{prompt}");
                let _ = std::io::stdout().flush();
                let mut line = String::new();
                match std::io::stdin().read_line(&mut line) {
                    Ok(0) | Err(_) => None,
                    Ok(_) => Some(line.trim_end_matches(['\n', '\r']).to_string()),
                }
            }
        }
    }

    /// Remembers a complete statement in the history.
    fn remember(&mut self, text: &str) {
        if let Input::Editor(ed) = self {
            let _ = ed.add_history_entry(text);
        }
    }
}

/// The prompt: global `_PROMPT`/`_PROMPT2` if set, else "> " / ">> ".
fn prompt(l: &mut Lua, first: bool) -> String {
    let v = l.get_global(if first { "_PROMPT" } else { "_PROMPT2" });
    if v.is_nil() {
        return String::from(if first { "> " } else { ">> " });
    }
    match l.tostring(v) {
        Ok(s) => String::from_utf8_lossy(s.as_bytes()).into_owned(),
        Err(_) => String::from(if first { "> " } else { ">> " }),
    }
}

/// True when a load error means "the statement is not finished yet".
fn incomplete(msg: &Value) -> bool {
    matches!(msg, Value::Str(s) if s.as_bytes().ends_with(b"<eof>"))
}

/// Reads and compiles one statement (possibly several lines); `None` at end of input.
/// `Some(Err(msg))` is a syntax error to report.
fn read_statement(l: &mut Lua, input: &mut Input) -> Option<Result<Value, Value>> {
    moonjet_interp::stdlib::flush_all(l);
    let p = prompt(l, true);
    let line = input.read(&p)?;
    let line = match line.strip_prefix('=') {
        Some(rest) => format!("return {rest}"),
        None => line,
    };
    let with_return = format!("return {line}");
    if let Ok(f) = l.load(with_return.as_bytes(), b"=stdin", "t", None) {
        input.remember(&line);
        return Some(Ok(f));
    }
    let mut buf = line;
    loop {
        match l.load(buf.as_bytes(), b"=stdin", "t", None) {
            Ok(f) => {
                input.remember(&buf);
                return Some(Ok(f));
            }
            Err(e) if incomplete(&e.value) => {
                moonjet_interp::stdlib::flush_all(l);
                let p2 = prompt(l, false);
                match input.read(&p2) {
                    Some(more) => {
                        buf.push('\n');
                        buf.push_str(&more);
                    }
                    None => {
                        input.remember(&buf);
                        return Some(Err(e.value));
                    }
                }
            }
            Err(e) => {
                input.remember(&buf);
                return Some(Err(e.value));
            }
        }
    }
}

/// Prints an error message on stderr (the REPL shows no program name).
fn show_error(l: &mut Lua, msg: &str) {
    moonjet_interp::stdlib::flush_all(l);
    eprintln!("{msg}");
}

/// Runs the read-eval-print loop until end of input.
pub fn run(l: &mut Lua) {
    use std::io::IsTerminal;
    let mut input = match (std::io::stdin().is_terminal(), DefaultEditor::new()) {
        (true, Ok(ed)) => Input::Editor(Box::new(ed)),
        _ => Input::Plain,
    };
    while let Some(stmt) = read_statement(l, &mut input) {
        let f = match stmt {
            Ok(f) => f,
            Err(msg) => {
                let text = match msg {
                    Value::Str(s) => String::from_utf8_lossy(s.as_bytes()).into_owned(),
                    other => format!("(error object is a {} value)", other.type_name()),
                };
                show_error(l, &text);
                continue;
            }
        };
        match l.pcall_with_traceback(f, &[]) {
            Ok(results) if !results.is_empty() => {
                let print = l.get_global("print");
                if let Err((_, text)) = l.pcall_with_traceback(print, &results) {
                    show_error(l, &format!("error calling 'print' ({text})"));
                }
            }
            Ok(_) => {}
            Err((v, text)) => {
                let text = super::run::handler_text(l, v, text);
                show_error(l, &text);
            }
        }
    }
    moonjet_interp::stdlib::flush_all(l);
    println!();
}
