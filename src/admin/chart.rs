//! The stats chart: one PNG that a moderator takes in at a glance, sent with
//! `/faq-admin stats` and written by `faqbot gaps --chart FILE`.
//!
//! Two panels, drawn in-process with `plotters` on a bitmap (no system
//! fonts, no files: the text uses DejaVu Sans, embedded by the `dejavu`
//! crate) and encoded by the `png` crate:
//!
//! 1. answers per day and messages stored as unanswered per day, over the
//!    retention period (unanswered only while gaps are on: nothing is stored
//!    otherwise, and the legend says so);
//! 2. the entries answered most often in that period.
//!
//! Only counts and entry ids are drawn: no message text, no person.

use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::gaps::{DayCounts, EntryUse};
use super::time;

/// The image's size in pixels: wide enough for entry ids, small enough to
/// read on a phone.
pub const SIZE: (u32, u32) = (900, 640);

/// How many of the most answered entries the second panel lists.
pub const TOP_ENTRIES: usize = 10;

/// The font family name the chart's text is drawn in (registered once).
const FONT: &str = "sans-serif";

const ANSWERED: RGBColor = RGBColor(31, 119, 180);
const UNANSWERED: RGBColor = RGBColor(214, 96, 39);

/// Why the chart could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// The embedded font could not be read (a broken build).
    #[error("the chart's font cannot be read")]
    Font,
    /// Drawing failed.
    #[error("drawing the chart failed: {0}")]
    Draw(String),
    /// PNG encoding failed.
    #[error("encoding the chart failed: {0}")]
    Encode(#[from] png::EncodingError),
}

/// What the chart shows.
pub struct UsageChart<'a> {
    /// Every day of the period, oldest first ([`super::Gaps::daily`]).
    pub days: &'a [DayCounts],
    /// Answer counts per entry, most used first ([`super::Gaps::stats`]).
    pub uses: &'a [EntryUse],
}

impl UsageChart<'_> {
    /// The chart as a PNG file's bytes.
    pub fn png(&self) -> Result<Vec<u8>, ChartError> {
        register_font()?;
        let (width, height) = SIZE;
        let mut pixels = vec![0u8; width as usize * height as usize * 3];
        {
            let root = BitMapBackend::with_buffer(&mut pixels, SIZE).into_drawing_area();
            root.fill(&WHITE).map_err(draw_error)?;
            let (upper, lower) = root.split_vertically(height * 9 / 20);
            self.per_day(&upper).map_err(draw_error)?;
            self.top_entries(&lower).map_err(draw_error)?;
            root.present().map_err(draw_error)?;
        }
        encode_png(&pixels, SIZE)
    }

    /// Panel 1: answered and unanswered per day.
    fn per_day<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let first_day = self.days.first().map_or(0, |d| d.day);
        let last = self.days.len().saturating_sub(1).max(1) as i64;
        let highest = self
            .days
            .iter()
            .map(|d| d.answered.max(d.unanswered.unwrap_or(0)))
            .max()
            .unwrap_or(0);
        let mut chart = ChartBuilder::on(area)
            .caption("Messages per day", (FONT, 20))
            .margin(12)
            .margin_right(48)
            .x_label_area_size(28)
            .y_label_area_size(48)
            // Room above the highest day for the legend.
            .build_cartesian_2d(0..last, 0..nice_ceiling(highest + highest / 3))?;
        let label_day = |offset: &i64| time::date(first_day + offset);
        chart
            .configure_mesh()
            .x_labels(6)
            .x_label_formatter(&label_day)
            .y_labels(5)
            .label_style((FONT, 13))
            .light_line_style(WHITE)
            .draw()?;
        let answered = self
            .days
            .iter()
            .enumerate()
            .map(|(i, d)| (i as i64, d.answered));
        chart
            .draw_series(LineSeries::new(answered, ANSWERED.stroke_width(2)))?
            .label("answered")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 18, y)], ANSWERED.stroke_width(2)));
        let gaps_on = self.days.iter().any(|d| d.unanswered.is_some());
        if gaps_on {
            let unanswered = self
                .days
                .iter()
                .enumerate()
                .map(|(i, d)| (i as i64, d.unanswered.unwrap_or(0)));
            chart
                .draw_series(LineSeries::new(unanswered, UNANSWERED.stroke_width(2)))?
                .label("not answered (stored)")
                .legend(|(x, y)| {
                    PathElement::new([(x, y), (x + 18, y)], UNANSWERED.stroke_width(2))
                });
        } else {
            // An empty series, for the legend's line only.
            chart
                .draw_series(std::iter::empty::<Circle<(i64, u64), u32>>())?
                .label("not answered: not recorded (gaps are off)")
                .legend(|(x, y)| PathElement::new([(x, y), (x + 18, y)], UNANSWERED.mix(0.3)));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .label_font((FONT, 13))
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .draw()
    }

    /// Panel 2: the most answered entries, as horizontal bars.
    fn top_entries<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let top: Vec<&EntryUse> = self
            .uses
            .iter()
            .filter(|u| u.count > 0)
            .take(TOP_ENTRIES)
            .collect();
        let highest = top.first().map_or(0, |u| u.count);
        let rows = top.len().max(1) as i32;
        let caption = if top.is_empty() {
            "Most answered entries: none answered yet"
        } else {
            "Most answered entries"
        };
        let mut chart = ChartBuilder::on(area)
            .caption(caption, (FONT, 20))
            .margin(12)
            .margin_right(48)
            .x_label_area_size(28)
            .y_label_area_size(230)
            .build_cartesian_2d(0..nice_ceiling(highest), (0..rows).into_segmented())?;
        // Row 0 is drawn at the bottom; the most used entry goes on top.
        let entry_at = |row: i32| top.get((rows - 1 - row) as usize);
        let label_entry = |value: &SegmentValue<i32>| match value {
            SegmentValue::CenterOf(row) => {
                entry_at(*row).map(|u| entry_label(u)).unwrap_or_default()
            }
            _ => String::new(),
        };
        chart
            .configure_mesh()
            .y_labels(top.len().max(1))
            .y_label_formatter(&label_entry)
            .x_labels(6)
            .label_style((FONT, 13))
            .disable_y_mesh()
            .light_line_style(WHITE)
            .draw()?;
        chart.draw_series(top.iter().enumerate().map(|(rank, u)| {
            let row = rows - 1 - rank as i32;
            let mut bar = Rectangle::new(
                [
                    (0, SegmentValue::Exact(row)),
                    (u.count, SegmentValue::Exact(row + 1)),
                ],
                ANSWERED.filled(),
            );
            bar.set_margin(3, 3, 0, 0);
            bar
        }))?;
        Ok(())
    }
}

/// The label of an entry's bar: its id, marked when it was removed, cut to
/// fit the label area.
fn entry_label(entry: &EntryUse) -> String {
    let mut label: String = entry.entry_id.chars().take(30).collect();
    if entry.entry_id.chars().count() > 30 {
        label.push('…');
    }
    if !entry.in_faq {
        label.push_str(" (removed)");
    }
    label
}

/// The top of an axis for counts up to `highest`: at least 5, so an empty or
/// quiet period still draws a readable axis.
fn nice_ceiling(highest: u64) -> u64 {
    (highest + highest / 10 + 1).max(5)
}

/// Registers the embedded font under [`FONT`], once per process.
fn register_font() -> Result<(), ChartError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular()).is_ok()
    });
    if ok { Ok(()) } else { Err(ChartError::Font) }
}

fn draw_error<E: std::fmt::Debug>(error: E) -> ChartError {
    ChartError::Draw(format!("{error:?}"))
}

/// Encodes 8-bit RGB pixels as a PNG.
fn encode_png(pixels: &[u8], (width, height): (u32, u32)) -> Result<Vec<u8>, ChartError> {
    let mut bytes = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut bytes, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(pixels)?;
        writer.finish()?;
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(day: i64, answered: u64, unanswered: Option<u64>) -> DayCounts {
        DayCounts {
            day,
            answered,
            unanswered,
        }
    }

    fn entry(id: &str, count: u64, in_faq: bool) -> EntryUse {
        EntryUse {
            entry_id: id.to_owned(),
            count,
            in_faq,
        }
    }

    /// The PNG's size and pixels, decoded.
    fn decode(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().expect("a PNG");
        let mut pixels = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut pixels).expect("one frame");
        pixels.truncate(info.buffer_size());
        (info.width, info.height, pixels)
    }

    /// How many pixels are exactly `color`.
    fn count_color(pixels: &[u8], color: RGBColor) -> usize {
        pixels
            .chunks_exact(3)
            .filter(|p| p == &[color.0, color.1, color.2])
            .count()
    }

    #[test]
    fn the_chart_is_a_png_with_both_lines_and_the_bars() {
        let days: Vec<DayCounts> = (0..30)
            .map(|i| day(20_000 + i, (i % 7) as u64 * 3, Some((i % 5) as u64)))
            .collect();
        let uses = vec![
            entry("sciatica", 40, true),
            entry("blood-clot", 25, true),
            entry("an-entry-removed-since", 3, false),
            entry("never-asked", 0, true),
        ];
        let bytes = UsageChart {
            days: &days,
            uses: &uses,
        }
        .png()
        .expect("drawn");
        let (width, height, pixels) = decode(&bytes);
        assert_eq!((width, height), SIZE);
        // The bars and the answered line are drawn in one colour, the
        // unanswered line in another; both in quantity.
        assert!(count_color(&pixels, ANSWERED) > 2_000);
        assert!(count_color(&pixels, UNANSWERED) > 100);
        // Text was drawn: dark pixels beyond the axes' lines.
        let dark = pixels
            .chunks_exact(3)
            .filter(|p| p.iter().all(|&c| c < 80))
            .count();
        assert!(dark > 1_500, "{dark} dark pixels: no text?");
    }

    #[test]
    fn with_gaps_off_no_unanswered_line_is_drawn() {
        let days: Vec<DayCounts> = (0..7).map(|i| day(20_000 + i, 5, None)).collect();
        let uses = vec![entry("sciatica", 35, true)];
        let bytes = UsageChart {
            days: &days,
            uses: &uses,
        }
        .png()
        .expect("drawn");
        let (_, _, pixels) = decode(&bytes);
        assert_eq!(count_color(&pixels, UNANSWERED), 0);
        assert!(count_color(&pixels, ANSWERED) > 1_000);
    }

    #[test]
    fn an_empty_period_still_draws_a_chart() {
        for days in [Vec::new(), vec![day(20_000, 0, Some(0))]] {
            let bytes = UsageChart {
                days: &days,
                uses: &[],
            }
            .png()
            .expect("drawn");
            let (width, height, _) = decode(&bytes);
            assert_eq!((width, height), SIZE);
        }
    }

    #[test]
    fn huge_counts_and_long_ids_do_not_break_it() {
        let days = vec![day(0, u64::from(u32::MAX), Some(u64::from(u32::MAX)))];
        let uses = vec![entry(&"x".repeat(500), u64::from(u32::MAX), false)];
        assert!(
            UsageChart {
                days: &days,
                uses: &uses,
            }
            .png()
            .is_ok()
        );
        assert_eq!(
            entry_label(&uses[0]).chars().count(),
            31 + " (removed)".len()
        );
    }
}
