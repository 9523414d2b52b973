//! Turning results into a summary (ratios and geomeans), a markdown table and
//! the JSON file with every raw run.

use serde::Serialize;

use crate::engine::Engine;
use crate::measure::{Plan, ProgramResult, Run};
use crate::stats;

/// Ratios and geomeans computed from the results; the baseline is engine 0.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Engine names, baseline first.
    pub engines: Vec<String>,
    /// One row per program.
    pub rows: Vec<Row>,
    /// Per engine: the geomean of its ratios and how many programs it covers.
    pub geomeans: Vec<Option<(f64, usize)>>,
    /// The same per program group (header `groups:`), in order of first appearance.
    pub groups: Vec<Group>,
}

/// The geomeans of one program group.
#[derive(Debug, Clone)]
pub struct Group {
    /// Group name.
    pub name: String,
    /// Programs in the group.
    pub members: usize,
    /// Per engine: the geomean of its ratios over the group and how many it covers.
    pub geomeans: Vec<Option<(f64, usize)>>,
}

/// One program's line of the table.
#[derive(Debug, Clone)]
pub struct Row {
    /// Program name.
    pub program: String,
    /// One entry per engine.
    pub cells: Vec<CellSummary>,
}

/// One engine's numbers for one program.
#[derive(Debug, Clone, PartialEq)]
pub struct CellSummary {
    /// "ok" or the failure label ("crashed", "timeout", "wrong output", "missing").
    pub status: &'static str,
    /// Median seconds of the timed runs.
    pub median: Option<f64>,
    /// Fastest and slowest timed run.
    pub min_max: Option<(f64, f64)>,
    /// Largest peak RSS in KiB.
    pub peak_kib: Option<u64>,
    /// Median time over the baseline's median time (both cells ok).
    pub ratio: Option<f64>,
}

impl Summary {
    /// Summarise results whose cells are in engine order, baseline first.
    pub fn new(engines: &[Engine], results: &[ProgramResult]) -> Summary {
        let rows: Vec<Row> = results.iter().map(summarise_program).collect();
        let all: Vec<&Row> = rows.iter().collect();
        let geomeans = engine_geomeans(engines.len(), &all);
        let mut names: Vec<&String> = Vec::new();
        for g in results.iter().flat_map(|r| &r.groups) {
            if !names.contains(&g) {
                names.push(g);
            }
        }
        let groups = names
            .into_iter()
            .map(|name| {
                let members: Vec<&Row> = rows
                    .iter()
                    .zip(results)
                    .filter(|(_, r)| r.groups.contains(name))
                    .map(|(row, _)| row)
                    .collect();
                Group {
                    name: name.clone(),
                    members: members.len(),
                    geomeans: engine_geomeans(engines.len(), &members),
                }
            })
            .collect();
        Summary {
            engines: engines.iter().map(|e| e.name.clone()).collect(),
            rows,
            geomeans,
            groups,
        }
    }

    /// The baseline's name.
    pub fn baseline(&self) -> &str {
        self.engines.first().map_or("", String::as_str)
    }
}

/// Per engine: the geomean of its ratios over `rows` and how many rows it covers.
fn engine_geomeans(engines: usize, rows: &[&Row]) -> Vec<Option<(f64, usize)>> {
    (0..engines)
        .map(|i| {
            let ratios: Vec<f64> = rows.iter().filter_map(|r| r.cells.get(i)?.ratio).collect();
            stats::geomean(&ratios).map(|g| (g, ratios.len()))
        })
        .collect()
}

/// Compute medians and ratios for one program.
fn summarise_program(result: &ProgramResult) -> Row {
    let base = result.cells.first().and_then(|c| c.median());
    let cells = result
        .cells
        .iter()
        .map(|c| {
            let median = c.median();
            let ratio = match (median, base) {
                (Some(m), Some(b)) if b > 0.0 => Some(m / b),
                _ => None,
            };
            CellSummary {
                status: c.verdict.label(),
                median,
                min_max: c.min_max(),
                peak_kib: c.peak_kib(),
                ratio,
            }
        })
        .collect();
    Row {
        program: result.program.clone(),
        cells,
    }
}

// ---------------------------------------------------------------------------
// Markdown
// ---------------------------------------------------------------------------

/// The results table: program, each engine's median seconds, each non-baseline
/// engine's ratio, each engine's peak memory; then the geomean row.
pub fn markdown_table(summary: &Summary) -> String {
    let base = summary.baseline();
    let others = summary.engines.iter().skip(1);
    let mut header = vec!["program".to_string()];
    header.extend(summary.engines.iter().map(|e| format!("{e} s")));
    header.extend(others.clone().map(|e| format!("{e} / {base}")));
    header.extend(summary.engines.iter().map(|e| format!("{e} MB")));
    let mut lines = vec![table_line(&header), separator(header.len())];
    for row in &summary.rows {
        let mut cells = vec![row.program.clone()];
        cells.extend(row.cells.iter().map(time_cell));
        cells.extend(
            row.cells
                .iter()
                .skip(1)
                .map(|c| c.ratio.map_or("-".into(), |r| format!("{r:.2}"))),
        );
        cells.extend(row.cells.iter().map(|c| {
            c.peak_kib
                .map_or("-".into(), |k| format!("{:.1}", k as f64 / 1024.0))
        }));
        lines.push(table_line(&cells));
    }
    lines.push(geomean_line(
        summary,
        "**geomean**".into(),
        &summary.geomeans,
        summary.rows.len(),
    ));
    for g in &summary.groups {
        let label = format!("**geomean {}** ({} programs)", g.name, g.members);
        lines.push(geomean_line(summary, label, &g.geomeans, g.members));
    }
    lines.join("\n") + "\n"
}

/// A geomean row of the table: `label`, then each non-baseline engine's geomean.
fn geomean_line(
    summary: &Summary,
    label: String,
    geomeans: &[Option<(f64, usize)>],
    rows: usize,
) -> String {
    let mut geo = vec![label];
    geo.extend(summary.engines.iter().map(|_| String::new()));
    geo.extend(geomeans.iter().skip(1).map(|g| geomean_cell(*g, rows)));
    geo.extend(summary.engines.iter().map(|_| String::new()));
    table_line(&geo)
}

/// "median (min-max)" for an ok cell, else its status.
fn time_cell(c: &CellSummary) -> String {
    match (c.median, c.min_max) {
        (Some(m), Some((lo, hi))) if hi > lo => format!("{m:.3} ({lo:.3}-{hi:.3})"),
        (Some(m), _) => format!("{m:.3}"),
        _ => c.status.to_string(),
    }
}

/// The geomean value, with the number of programs when some were excluded.
fn geomean_cell(g: Option<(f64, usize)>, rows: usize) -> String {
    match g {
        Some((v, n)) if n == rows => format!("**{v:.2}**"),
        Some((v, n)) => format!("**{v:.2}** ({n}/{rows})"),
        None => "-".to_string(),
    }
}

/// One markdown table line.
fn table_line(cells: &[String]) -> String {
    format!("| {} |", cells.join(" | "))
}

/// The header separator line for `n` columns (first left-aligned, others right).
fn separator(n: usize) -> String {
    let mut cols = vec![":---".to_string()];
    cols.extend((1..n).map(|_| "---:".to_string()));
    table_line(&cols)
}

/// The whole results.md: table, how to read it, problems and engine commands.
pub fn markdown_report(
    summary: &Summary,
    engines: &[Engine],
    results: &[ProgramResult],
    plan: &Plan,
) -> String {
    let mut out = String::from("# Moonjet benchmark results\n\n");
    out.push_str(&markdown_table(summary));
    out.push_str(&format!(
        "\nTimes are medians of {} timed run(s) in seconds (min-max in parentheses), after {} warm-up run(s), \
         whole-process wall time{}. Ratios are engine time / {} time: below 1 is faster. MB is the largest \
         peak RSS over the runs. Failed cells are excluded from ratios and the geomean; a geomean \
         marked (k/n) covers only k of the n programs.\n",
        plan.runs,
        plan.warmup,
        if plan.quick { ", quick sizes" } else { "" },
        summary.baseline()
    ));
    let problems: Vec<String> = results
        .iter()
        .flat_map(|r| r.cells.iter().filter(|c| !c.ok()).map(move |c| (r, c)))
        .map(|(r, c)| {
            format!(
                "- {} / {}: {}: {}",
                r.program,
                c.engine,
                c.verdict.label(),
                c.verdict.detail()
            )
        })
        .collect();
    if !problems.is_empty() {
        out.push_str("\n## Problems\n\n");
        out.push_str(&problems.join("\n"));
        out.push('\n');
    }
    out.push_str("\n## Engines\n\n");
    for e in engines {
        out.push_str(&format!("- {}: `{}`\n", e.name, e.command_line()));
    }
    out
}

// ---------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------

/// The top level of results.json.
#[derive(Debug, Serialize)]
pub struct JsonReport<'a> {
    /// Baseline engine name.
    pub baseline: &'a str,
    /// Warm-up runs per cell.
    pub warmup: usize,
    /// Timed runs per cell.
    pub runs: usize,
    /// Per-run limit in seconds.
    pub timeout_s: f64,
    /// Whether quick sizes were used.
    pub quick: bool,
    /// The engines and their commands.
    pub engines: Vec<JsonEngine<'a>>,
    /// Per program: every cell with its raw runs.
    pub programs: Vec<JsonProgram<'a>>,
    /// Per non-baseline engine: geomean of ratios.
    pub geomeans: Vec<JsonGeomean<'a>>,
    /// Per program group: its name and the same geomeans over its programs.
    pub groups: Vec<JsonGroup<'a>>,
}

/// A program group's geomeans in results.json.
#[derive(Debug, Serialize)]
pub struct JsonGroup<'a> {
    /// Group name.
    pub name: &'a str,
    /// Programs in the group.
    pub members: usize,
    /// Per non-baseline engine: geomean of ratios over the group.
    pub geomeans: Vec<JsonGeomean<'a>>,
}

/// An engine in results.json.
#[derive(Debug, Serialize)]
pub struct JsonEngine<'a> {
    /// Engine name.
    pub name: &'a str,
    /// Command it was run with.
    pub command: String,
    /// Why it could not run, if it could not.
    pub missing: Option<&'a str>,
}

/// A program in results.json.
#[derive(Debug, Serialize)]
pub struct JsonProgram<'a> {
    /// Program name.
    pub name: &'a str,
    /// Size argument, if one was passed.
    pub size: Option<&'a str>,
    /// One entry per engine.
    pub cells: Vec<JsonCell<'a>>,
}

/// A cell in results.json.
#[derive(Debug, Serialize)]
pub struct JsonCell<'a> {
    /// Engine name.
    pub engine: &'a str,
    /// "ok" or the failure label.
    pub status: &'static str,
    /// Explanation of a failure.
    pub detail: String,
    /// Median seconds.
    pub median_s: Option<f64>,
    /// Fastest timed run.
    pub min_s: Option<f64>,
    /// Slowest timed run.
    pub max_s: Option<f64>,
    /// Largest peak RSS in KiB.
    pub peak_rss_kib: Option<u64>,
    /// Ratio to the baseline.
    pub ratio: Option<f64>,
    /// Every run, warm-up included.
    pub runs: &'a [Run],
}

/// A geomean in results.json.
#[derive(Debug, Serialize)]
pub struct JsonGeomean<'a> {
    /// Engine name.
    pub engine: &'a str,
    /// Geomean of its ratios to the baseline.
    pub geomean: Option<f64>,
    /// Programs that entered the geomean.
    pub programs: usize,
}

/// Build the JSON document.
pub fn json_report<'a>(
    summary: &'a Summary,
    engines: &'a [Engine],
    results: &'a [ProgramResult],
    plan: &Plan,
) -> JsonReport<'a> {
    let programs = results
        .iter()
        .zip(&summary.rows)
        .map(|(r, row)| JsonProgram {
            name: &r.program,
            size: r.size.as_deref(),
            cells: r
                .cells
                .iter()
                .zip(&row.cells)
                .map(|(c, s)| JsonCell {
                    engine: &c.engine,
                    status: s.status,
                    detail: c.verdict.detail(),
                    median_s: s.median,
                    min_s: s.min_max.map(|m| m.0),
                    max_s: s.min_max.map(|m| m.1),
                    peak_rss_kib: s.peak_kib,
                    ratio: s.ratio,
                    runs: &c.runs,
                })
                .collect(),
        })
        .collect();
    JsonReport {
        baseline: summary.baseline(),
        warmup: plan.warmup,
        runs: plan.runs,
        timeout_s: plan.timeout.as_secs_f64(),
        quick: plan.quick,
        engines: engines
            .iter()
            .map(|e| JsonEngine {
                name: &e.name,
                command: e.command_line(),
                missing: e.missing.as_deref(),
            })
            .collect(),
        programs,
        geomeans: json_geomeans(summary, &summary.geomeans),
        groups: summary
            .groups
            .iter()
            .map(|g| JsonGroup {
                name: &g.name,
                members: g.members,
                geomeans: json_geomeans(summary, &g.geomeans),
            })
            .collect(),
    }
}

/// The non-baseline engines' geomeans for results.json.
fn json_geomeans<'a>(
    summary: &'a Summary,
    geomeans: &[Option<(f64, usize)>],
) -> Vec<JsonGeomean<'a>> {
    summary
        .engines
        .iter()
        .zip(geomeans)
        .skip(1)
        .map(|(e, g)| JsonGeomean {
            engine: e,
            geomean: g.map(|g| g.0),
            programs: g.map_or(0, |g| g.1),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::{Cell, Verdict};
    use std::time::Duration;

    /// A cell with the given verdict and timed runs.
    fn cell(engine: &str, verdict: Verdict, times: &[f64]) -> Cell {
        let runs = times
            .iter()
            .enumerate()
            .map(|(i, &t)| Run {
                round: i,
                warmup: false,
                wall_s: t,
                max_rss_kib: 2048,
                exit: "exit 0".into(),
                verdict: "ok",
            })
            .collect();
        Cell {
            engine: engine.into(),
            verdict,
            runs,
        }
    }

    /// Two programs under a baseline and two other engines, one of them failing once.
    fn fixture() -> (Vec<Engine>, Vec<ProgramResult>) {
        let engines = vec![
            Engine::new("base", vec!["true".into()]),
            Engine::new("fast", vec!["true".into()]),
            Engine::new("flaky", vec!["true".into()]),
        ];
        let results = vec![
            ProgramResult {
                program: "a".into(),
                size: None,
                groups: vec!["g".into()],
                cells: vec![
                    cell("base", Verdict::Ok, &[2.0, 2.2, 1.8]),
                    cell("fast", Verdict::Ok, &[1.0, 1.0, 1.0]),
                    cell("flaky", Verdict::WrongOutput("line 1".into()), &[0.1]),
                ],
            },
            ProgramResult {
                program: "b".into(),
                size: None,
                groups: vec![],
                cells: vec![
                    cell("base", Verdict::Ok, &[1.0]),
                    cell("fast", Verdict::Ok, &[0.25]),
                    cell("flaky", Verdict::Ok, &[3.0]),
                ],
            },
        ];
        (engines, results)
    }

    #[test]
    fn ratios_and_geomeans_skip_failed_cells() {
        let (engines, results) = fixture();
        let s = Summary::new(&engines, &results);
        assert_eq!(s.rows[0].cells[1].ratio, Some(0.5));
        assert_eq!(s.rows[0].cells[2].ratio, None);
        assert_eq!(s.rows[0].cells[2].status, "wrong output");
        assert_eq!(s.rows[1].cells[2].ratio, Some(3.0));
        let (g, n) = s.geomeans[1].unwrap();
        assert!((g - (0.5f64 * 0.25).sqrt()).abs() < 1e-12);
        assert_eq!(n, 2);
        assert_eq!(s.geomeans[2].map(|g| g.1), Some(1));
    }

    #[test]
    fn table_layout() {
        let (engines, results) = fixture();
        let table = markdown_table(&Summary::new(&engines, &results));
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(
            lines[0],
            "| program | base s | fast s | flaky s | fast / base | flaky / base | base MB | fast MB | flaky MB |"
        );
        assert_eq!(
            lines[1],
            "| :--- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
        );
        assert_eq!(
            lines[2],
            "| a | 2.000 (1.800-2.200) | 1.000 | wrong output | 0.50 | - | 2.0 | 2.0 | - |"
        );
        assert_eq!(
            lines[4],
            "| **geomean** |  |  |  | **0.35** | **3.00** (1/2) |  |  |  |"
        );
        assert_eq!(
            lines[5],
            "| **geomean g** (1 programs) |  |  |  | **0.50** | - |  |  |  |"
        );
        assert_eq!(lines.len(), 6);
    }

    #[test]
    fn report_lists_problems_and_json_has_raw_runs() {
        let (engines, results) = fixture();
        let s = Summary::new(&engines, &results);
        let plan = Plan {
            warmup: 1,
            runs: 3,
            timeout: Duration::from_secs(60),
            quick: false,
        };
        let md = markdown_report(&s, &engines, &results, &plan);
        assert!(md.contains("- a / flaky: wrong output: line 1"));
        assert!(md.contains("- base: `true`"));
        let json = serde_json::to_value(json_report(&s, &engines, &results, &plan)).unwrap();
        assert_eq!(
            json["programs"][0]["cells"][0]["runs"]
                .as_array()
                .unwrap()
                .len(),
            3
        );
        assert_eq!(json["programs"][0]["cells"][2]["status"], "wrong output");
        assert_eq!(json["geomeans"][0]["engine"], "fast");
        assert_eq!(json["groups"][0]["name"], "g");
        assert_eq!(json["groups"][0]["geomeans"][0]["geomean"], 0.5);
        assert_eq!(json["baseline"], "base");
    }
}
