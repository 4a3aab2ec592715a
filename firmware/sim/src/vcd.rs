//! Export of a [`Trace`] as a Value Change Dump (IEEE 1364), which GTKWave and PulseView open.

use std::io::{self, Write};

use atelier_hal::Instant;

use crate::trace::{SignalKind, Trace, Value};

/// Writes the changes of `trace` up to and including `until` as VCD with a 1 ns timescale.
///
/// Signals with no value at time zero start as unknown (`x`), as a logic analyser would show a
/// line before it was driven.
pub fn write_vcd(trace: &Trace, until: Instant, out: &mut impl Write) -> io::Result<()> {
    let ids = write_definitions(trace, out)?;
    let changes: Vec<_> = trace
        .changes()
        .into_iter()
        .filter(|c| c.at <= until)
        .collect();
    writeln!(out, "#0")?;
    writeln!(out, "$dumpvars")?;
    for (index, signal) in trace.signals().iter().enumerate() {
        let at_zero = changes
            .iter()
            .rev()
            .find(|c| c.at == Instant::ZERO && c.signal.index() == index);
        match (at_zero, &signal.kind) {
            (Some(change), _) => write_value(out, change.value, &ids[index])?,
            (None, SignalKind::Bit) => writeln!(out, "x{}", ids[index])?,
            (None, SignalKind::Real { .. }) => writeln!(out, "r0 {}", ids[index])?,
        }
    }
    writeln!(out, "$end")?;

    let mut current = Instant::ZERO;
    for change in changes.iter().filter(|c| c.at > Instant::ZERO) {
        if change.at != current {
            current = change.at;
            writeln!(out, "#{}", current.as_nanos())?;
        }
        write_value(out, change.value, &ids[change.signal.index()])?;
    }
    if until > current {
        // Closes the dump at `until` so viewers show the last levels held to the end of the run.
        writeln!(out, "#{}", until.as_nanos())?;
    }
    Ok(())
}

/// The header: every signal of `trace` declared, with its identifier (returned).
pub(crate) fn write_definitions(trace: &Trace, out: &mut impl Write) -> io::Result<Vec<String>> {
    let ids: Vec<String> = (0..trace.signals().len()).map(identifier).collect();
    writeln!(
        out,
        "$version atelier-sim {} $end",
        env!("CARGO_PKG_VERSION")
    )?;
    writeln!(out, "$timescale 1ns $end")?;
    writeln!(out, "$scope module board $end")?;
    for (signal, id) in trace.signals().iter().zip(&ids) {
        let (kind, width) = match signal.kind {
            SignalKind::Bit => ("wire", 1),
            SignalKind::Real { .. } => ("real", 64),
        };
        writeln!(
            out,
            "$var {kind} {width} {id} {} $end",
            vcd_name(&signal.name)
        )?;
    }
    writeln!(out, "$upscope $end")?;
    writeln!(out, "$enddefinitions $end")?;

    Ok(ids)
}

pub(crate) fn write_value(out: &mut impl Write, value: Value, id: &str) -> io::Result<()> {
    match value {
        Value::Bit(level) => writeln!(out, "{}{id}", u8::from(level)),
        Value::Real(x) => writeln!(out, "r{x} {id}"),
    }
}

/// VCD identifiers: short codes from the printable ASCII range `!`..=`~`.
fn identifier(mut index: usize) -> String {
    const FIRST: u8 = b'!';
    const COUNT: usize = (b'~' - b'!' + 1) as usize;
    let mut code = String::new();
    loop {
        code.push(char::from(FIRST + (index % COUNT) as u8));
        index /= COUNT;
        if index == 0 {
            return code;
        }
        index -= 1;
    }
}

/// VCD names may not contain white space.
fn vcd_name(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_whitespace() { '_' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_unique_and_printable() {
        let ids: Vec<_> = (0..10_000).map(identifier).collect();
        let unique: std::collections::HashSet<_> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len());
        assert!(
            ids.iter()
                .all(|id| id.bytes().all(|b| (b'!'..=b'~').contains(&b)))
        );
    }
}
